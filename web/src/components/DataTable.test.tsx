import { createColumnHelper } from '@tanstack/react-table';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DataTable } from './DataTable';

interface Row {
  id: string;
  name: string;
  count: number;
}
const col = createColumnHelper<Row>();
const columns = [col.accessor('name', { header: 'Name' }), col.accessor('count', { header: 'Count' })];
const rows: Row[] = [
  { id: 'a', name: 'beta', count: 2 },
  { id: 'b', name: 'alpha', count: 10 },
  { id: 'c', name: 'gamma', count: 1 },
];

function names() {
  return screen
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getAllByRole('cell')[0].textContent);
}

describe('DataTable', () => {
  it('sorts by a header button and says so with aria-sort', async () => {
    render(<DataTable data={rows} columns={columns} caption="Things" getRowId={(r) => r.id} />);
    const header = screen.getByRole('columnheader', { name: /Name/ });
    expect(header).toHaveAttribute('aria-sort', 'none');
    expect(names()).toEqual(['beta', 'alpha', 'gamma']);

    await userEvent.click(within(header).getByRole('button'));
    expect(header).toHaveAttribute('aria-sort', 'ascending');
    expect(names()).toEqual(['alpha', 'beta', 'gamma']);

    await userEvent.click(within(header).getByRole('button'));
    expect(header).toHaveAttribute('aria-sort', 'descending');
    expect(names()).toEqual(['gamma', 'beta', 'alpha']);
  });

  it('leaves a server-ordered table in its order and hands header clicks to the server', async () => {
    const onSortingChange = vi.fn();
    const serverColumns = [col.accessor('name', { header: 'Name' }), col.accessor('count', { header: 'Count', enableSorting: true, sortDescFirst: true })];
    const { rerender } = render(
      <DataTable data={rows} columns={serverColumns} caption="Things" getRowId={(r) => r.id} serverSort={{ sorting: [], onSortingChange }} sortHint="Ordered by the server" />,
    );
    expect(screen.getByRole('table', { name: 'Things. Ordered by the server' })).toBeInTheDocument();
    // Only the column that opts in sorts; the other is plain text, without aria-sort.
    const name = screen.getByRole('columnheader', { name: 'Name' });
    expect(within(name).queryByRole('button')).not.toBeInTheDocument();
    expect(name).not.toHaveAttribute('aria-sort');
    const count = screen.getByRole('columnheader', { name: /Count/ });
    expect(count).toHaveAttribute('aria-sort', 'none');

    await userEvent.click(within(count).getByRole('button', { name: 'Count' }));
    expect(onSortingChange).toHaveBeenLastCalledWith([{ id: 'count', desc: true }]);
    // The rows stay as the server gave them until it answers in the new order.
    expect(names()).toEqual(['beta', 'alpha', 'gamma']);

    rerender(
      <DataTable data={rows} columns={serverColumns} caption="Things" getRowId={(r) => r.id} serverSort={{ sorting: [{ id: 'count', desc: true }], onSortingChange }} />,
    );
    expect(count).toHaveAttribute('aria-sort', 'descending');
    expect(names()).toEqual(['beta', 'alpha', 'gamma']);
  });

  it('opens a row on click but lets its own links work', async () => {
    const open = vi.fn();
    render(<DataTable data={rows} columns={columns} caption="Things" getRowId={(r) => r.id} onRowClick={open} selectedId="b" />);
    await userEvent.click(screen.getByText('gamma'));
    expect(open).toHaveBeenCalledWith(rows[2]);
    expect(screen.getByText('alpha').closest('tr')).toHaveClass('row-selected');
  });

  it('shows the empty state inside the table', () => {
    render(<DataTable data={[]} columns={columns} caption="Things" getRowId={(r) => r.id} empty="Nothing here" />);
    expect(screen.getByRole('cell', { name: 'Nothing here' })).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Things' })).toBeInTheDocument();
  });

  it('shows a row’s details under it while its toggle is expanded', async () => {
    const withToggle = [
      ...columns,
      col.display({
        id: 'more',
        header: 'More',
        cell: (c) => (
          <button type="button" aria-expanded={c.row.getIsExpanded()} onClick={c.row.getToggleExpandedHandler()}>
            Details of {c.row.original.name}
          </button>
        ),
      }),
    ];
    render(<DataTable data={rows} columns={withToggle} caption="Things" getRowId={(r) => r.id} renderExpanded={(r) => <p>All about {r.name}</p>} />);
    expect(screen.queryByText(/All about/)).not.toBeInTheDocument();
    const toggle = screen.getByRole('button', { name: 'Details of alpha' });
    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const detail = screen.getByText('All about alpha').closest('tr')!;
    expect(detail.previousElementSibling).toBe(toggle.closest('tr'));
    expect(detail.querySelector('td')).toHaveAttribute('colspan', '3');
    await userEvent.click(toggle);
    expect(screen.queryByText('All about alpha')).not.toBeInTheDocument();
  });
});
