import { diffJson, flatten } from './diff';

describe('flatten', () => {
  it('names leaves by path', () => {
    expect(Object.fromEntries(flatten({ a: { b: [1, { c: 'x' }] }, 'odd key': true, empty: [] }))).toEqual({
      'a.b[0]': 1,
      'a.b[1].c': 'x',
      '"odd key"': true,
      empty: [],
    });
  });
});

describe('diffJson', () => {
  it('lists added, removed and changed settings in path order', () => {
    const before = { HttpTokens: 'optional', ports: [22], Tags: { env: 'prod' } };
    const after = { HttpTokens: 'required', ports: [22, 3389], Tags: {} };
    expect(diffJson(before, after)).toEqual([
      { path: 'HttpTokens', kind: 'changed', before: 'optional', after: 'required' },
      { path: 'Tags', kind: 'added', after: {} },
      { path: 'Tags.env', kind: 'removed', before: 'prod' },
      { path: 'ports[1]', kind: 'added', after: 3389 },
    ]);
  });
  it('treats a missing side as empty', () => {
    expect(diffJson(null, { a: 1 })).toEqual([{ path: 'a', kind: 'added', after: 1 }]);
    expect(diffJson({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
