import { act, renderHook } from '@testing-library/react';
import { useCursorPages } from './Pager';

describe('useCursorPages', () => {
  it('keeps a stack of cursors for previous and next, and starts over when the filters change', () => {
    const { result, rerender } = renderHook(({ key }) => useCursorPages(key, 25), { initialProps: { key: 'a' } });
    expect(result.current).toMatchObject({ first: 25, after: null, page: 1 });
    act(() => result.current.next('c1'));
    act(() => result.current.next('c2'));
    expect(result.current).toMatchObject({ after: 'c2', page: 3 });
    act(() => result.current.prev());
    expect(result.current).toMatchObject({ after: 'c1', page: 2 });
    rerender({ key: 'b' });
    expect(result.current).toMatchObject({ after: null, page: 1 });
    act(() => result.current.next('x'));
    act(() => result.current.setSize(100));
    expect(result.current).toMatchObject({ first: 100, after: null, page: 1 });
  });
});
