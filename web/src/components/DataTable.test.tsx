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
});
