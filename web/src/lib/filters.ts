// Filters kept in the address bar, so a filtered view can be bookmarked and shared.

export function listParam<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T[] {
  const raw = params.getAll(name).flatMap((v) => v.split(','));
  return allowed.filter((a) => raw.includes(a));
}

export function textParam(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name)?.trim();
  return v ? v : undefined;
}

/** A copy of `params` with `name` set to `value` (removed when empty). */
export function withParam(params: URLSearchParams, name: string, value: string | string[] | undefined | null): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete(name);
  const values = Array.isArray(value) ? value : value ? [value] : [];
  if (values.length > 0) next.set(name, values.join(','));
  return next;
}

/** Drops undefined and empty-list entries, for GraphQL filter inputs. */
export function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * A list's server order, kept in the address bar as `order` (left out for `fallback`), and
 * the DataTable `serverSort` for it. Each order sorts by one column (`columns`); those in
 * `ascending` run A to Z, the others most-first. A header click sets the order it stands
 * for, which drops nothing but the old order from the address bar.
 */
export function serverOrder<O extends string>(
  params: URLSearchParams,
  setParams: (next: URLSearchParams) => void,
  columns: Record<O, string>,
  fallback: O,
  ascending: readonly O[] = [],
) {
  const orders = Object.keys(columns) as O[];
  const order = listParam(params, 'order', orders)[0] ?? fallback;
  const serverSort = {
    sorting: [{ id: columns[order], desc: !ascending.includes(order) }],
    onSortingChange: (next: { id: string }[]) => {
      const chosen = orders.find((o) => columns[o] === next[0]?.id) ?? fallback;
      if (chosen !== order) setParams(withParam(params, 'order', chosen === fallback ? undefined : chosen));
    },
  };
  return { order, serverSort };
}
