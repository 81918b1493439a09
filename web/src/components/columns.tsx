import type { ColumnHelper } from '@tanstack/react-table';
import { Time } from './ui';

/**
 * "First seen" and "Last seen" columns for rows that have both, sortable by the server
 * (most recent first, with DataTable's `serverSort`); hidden first on narrow screens.
 */
export function seenColumns<T extends { firstSeenAt: string; lastSeenAt: string }>(col: ColumnHelper<T>) {
  return [
    col.accessor((r) => r.firstSeenAt, {
      id: 'firstSeenAt',
      header: 'First seen',
      enableSorting: true,
      sortDescFirst: true,
      meta: { className: 'col-optional' },
      cell: (c) => <Time iso={c.getValue()} />,
    }),
    col.accessor((r) => r.lastSeenAt, {
      id: 'lastSeenAt',
      header: 'Last seen',
      enableSorting: true,
      sortDescFirst: true,
      meta: { className: 'col-optional' },
      cell: (c) => <Time iso={c.getValue()} />,
    }),
  ];
}
