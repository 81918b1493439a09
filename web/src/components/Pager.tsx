import { useState } from 'react';

export const PAGE_SIZES = [25, 50, 100] as const;

/**
 * Cursor pagination over a Relay connection: a stack of `after` cursors so that
 * "Previous" works, reset whenever `resetKey` (the filters) changes.
 */
export function useCursorPages(resetKey: string, initialSize = 25) {
  const [state, setState] = useState({ key: resetKey, size: initialSize, cursors: [null] as (string | null)[] });
  let current = state;
  if (state.key !== resetKey) {
    current = { key: resetKey, size: state.size, cursors: [null] };
    setState(current);
  }
  const { size, cursors } = current;
  return {
    first: size,
    after: cursors[cursors.length - 1],
    page: cursors.length,
    next: (endCursor: string | null | undefined) => {
      if (endCursor) setState((s) => ({ ...s, cursors: [...s.cursors, endCursor] }));
    },
    prev: () => setState((s) => ({ ...s, cursors: s.cursors.length > 1 ? s.cursors.slice(0, -1) : s.cursors })),
    setSize: (n: number) => setState((s) => ({ ...s, size: n, cursors: [null] })),
  };
}

export type CursorPages = ReturnType<typeof useCursorPages>;

/** "Showing 26–50 of 212" with previous/next and a page size. */
export function Pager({
  pages,
  shown,
  totalCount,
  hasNextPage,
  endCursor,
  noun,
}: {
  pages: CursorPages;
  shown: number;
  totalCount: number;
  hasNextPage: boolean;
  endCursor?: string | null;
  noun: string;
}) {
  const start = shown === 0 ? 0 : (pages.page - 1) * pages.first + 1;
  const end = shown === 0 ? 0 : start + shown - 1;
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`}>
      <p className="pager-status" aria-live="polite">
        {totalCount === 0 ? `No ${noun}` : `Showing ${start.toLocaleString('en')}–${end.toLocaleString('en')} of ${totalCount.toLocaleString('en')} ${noun}`}
      </p>
      <div className="pager-controls">
        <label className="pager-size">
          <span>Per page</span>
          <select className="input input-small" value={pages.first} onChange={(e) => pages.setSize(Number(e.target.value))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={pages.prev} disabled={pages.page <= 1}>
          Previous
        </button>
        <button type="button" className="btn btn-small" onClick={() => pages.next(endCursor)} disabled={!hasNextPage}>
          Next
        </button>
      </div>
    </nav>
  );
}
