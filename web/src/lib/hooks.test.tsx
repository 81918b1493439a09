import { fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { withParam } from './filters';
import { useListParams } from './hooks';

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
