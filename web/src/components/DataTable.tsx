import {
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from '@tanstack/react-table';
import { Fragment, useState, type ReactNode } from 'react';

export interface DataTableProps<T> {
  data: T[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  /** Describes the table for screen readers. */
  caption: string;
  getRowId: (row: T) => string;
  onRowClick?: (row: T) => void;
  selectedId?: string | null;
  empty?: ReactNode;
  initialSorting?: SortingState;
  /**
   * The server orders the rows, across pages: they are shown as given, `sorting` says
   * which column they are ordered by (for `aria-sort`), and a header click hands the
   * sorting TanStack Table computes to `onSortingChange` (one column, never none) instead
   * of sorting the page. Only columns with `enableSorting: true` sort; give those that
   * order most-first `sortDescFirst: true`.
   */
  serverSort?: {
    sorting: SortingState;
    onSortingChange: (next: SortingState) => void;
  };
  /** How the rows are ordered, read after the caption by screen readers. */
  sortHint?: string;
  /** A newer page is loading: the rows shown are stale. */
  busy?: boolean;
  /**
   * Details shown in a full-width row under a row while it is expanded; a cell opens and
   * closes it with `row.getToggleExpandedHandler()` (a button with `aria-expanded`).
   */
  renderExpanded?: (row: T) => ReactNode;
}

/**
 * A table on TanStack Table: real `<table>` markup, sortable headers as buttons with
 * `aria-sort`, optional row selection by click (each row also holds a focusable link or
 * button for keyboard users), optional details under a row (`renderExpanded`).
 */
export function DataTable<T>({
  data,
  columns,
  caption,
  getRowId,
  onRowClick,
  selectedId,
  empty,
  initialSorting = [],
  serverSort,
  sortHint,
  busy = false,
  renderExpanded,
}: DataTableProps<T>) {
  const [localSorting, setLocalSorting] = useState<SortingState>(initialSorting);
  const sorting = serverSort ? serverSort.sorting : localSorting;
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    onSortingChange: serverSort
      ? (updater) => serverSort.onSortingChange(typeof updater === 'function' ? updater(sorting) : updater)
      : setLocalSorting,
    // Server order: no sorting of the page, no unsorted state, one column at a time, and
    // only the columns that opt in.
    manualSorting: Boolean(serverSort),
    enableSortingRemoval: !serverSort,
    enableMultiSort: !serverSort,
    defaultColumn: serverSort ? { enableSorting: false } : undefined,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
    getRowCanExpand: () => Boolean(renderExpanded),
    getRowId: (row) => getRowId(row),
  });

  return (
    <div className={`table-wrap ${busy ? 'is-busy' : ''}`} aria-busy={busy}>
      <table className="table">
        <caption className="sr-only">
          {caption}
          {sortHint ? `. ${sortHint}` : ''}
        </caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const canSort = header.column.getCanSort();
                const meta = header.column.columnDef.meta as { className?: string } | undefined;
                return (
                  <th
                    key={header.id}
                    scope="col"
                    className={meta?.className}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : canSort ? 'none' : undefined}
                  >
                    {header.isPlaceholder ? null : canSort ? (
                      <button type="button" className="sort-button" onClick={header.column.getToggleSortingHandler()}>
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span className="sort-indicator" aria-hidden="true">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="table-empty">
                {empty ?? 'Nothing to show.'}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <Fragment key={row.id}>
                <tr
                  className={`${onRowClick ? 'row-clickable' : ''} ${selectedId === row.id ? 'row-selected' : ''}`}
                  onClick={
                    onRowClick
                      ? (e) => {
                          // Let links, buttons and inputs in the row do their own thing.
                          if ((e.target as HTMLElement).closest('a,button,input,select,label')) return;
                          onRowClick(row.original);
                        }
                      : undefined
                  }
                >
                  {row.getVisibleCells().map((cell) => {
                    const meta = cell.column.columnDef.meta as { className?: string } | undefined;
                    return (
                      <td key={cell.id} className={meta?.className}>
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    );
                  })}
                </tr>
                {renderExpanded && row.getIsExpanded() && (
                  <tr className="row-detail">
                    <td colSpan={row.getVisibleCells().length}>{renderExpanded(row.original)}</td>
                  </tr>
                )}
              </Fragment>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
