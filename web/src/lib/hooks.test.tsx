import { fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { withParam } from './filters';
import { useListParams, useTextFilters } from './hooks';

function List() {
  const [params, setParams] = useListParams('/findings');
  const location = useLocation();
  return (
    <>
      <output aria-label="where">{`${location.pathname}${location.search}`}</output>
      <button type="button" onClick={() => setParams(withParam(params, 'status', 'SUPPRESSED'))}>
        Suppressed only
      </button>
    </>
  );
}

describe('useListParams', () => {
  it('sets a filter on the list itself, even from a detail address', () => {
    // The handler of a render made while a detail panel was open: the setter of
    // useSearchParams would keep /findings/f1 and open the panel again.
    render(
      <MemoryRouter initialEntries={['/findings/f1?severity=HIGH']}>
        <Routes>
          <Route path="findings" element={<List />}>
            <Route path=":findingId" element={null} />
          </Route>
        </Routes>
      </MemoryRouter>,
    );
    expect(screen.getByLabelText('where')).toHaveTextContent('/findings/f1?severity=HIGH');
    fireEvent.click(screen.getByRole('button', { name: 'Suppressed only' }));
    expect(screen.getByLabelText('where')).toHaveTextContent(/^\/findings\?severity=HIGH&status=SUPPRESSED$/);
  });
});

function Drafts() {
  const [params, setParams] = useListParams('/findings');
  const { text, set, applied } = useTextFilters(params, ['ruleId', 'region']);
  return (
    <>
      <input aria-label="Check ID" value={text.ruleId} onChange={(e) => set('ruleId', e.target.value)} />
      <output aria-label="applied">{applied().toString()}</output>
      <button type="button" onClick={() => setParams(withParam(params, 'order', 'LAST_SEEN'))}>
        Reorder
      </button>
      <button type="button" onClick={() => setParams(withParam(params, 'region', 'us-east-1'))}>
        Other region
      </button>
    </>
  );
}

describe('useTextFilters', () => {
  it('keeps a draft across a new order, follows a new filter, and applies trimmed', () => {
    render(
      <MemoryRouter initialEntries={['/findings?ruleId=s3-public']}>
        <Routes>
          <Route path="findings" element={<Drafts />} />
        </Routes>
      </MemoryRouter>,
    );
    const input = screen.getByLabelText('Check ID');
    expect(input).toHaveValue('s3-public');
    fireEvent.change(input, { target: { value: ' ec2-sg-ssh-open ' } });
    expect(screen.getByLabelText('applied')).toHaveTextContent(/^ruleId=ec2-sg-ssh-open$/);
    fireEvent.click(screen.getByRole('button', { name: 'Reorder' }));
    expect(input).toHaveValue(' ec2-sg-ssh-open ');
    fireEvent.click(screen.getByRole('button', { name: 'Other region' }));
    expect(input).toHaveValue('s3-public');
    expect(screen.getByLabelText('applied')).toHaveTextContent(/^order=LAST_SEEN&ruleId=s3-public&region=us-east-1$/);
  });
});
