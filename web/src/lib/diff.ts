// A small structural diff for asset configuration history: flatten both versions to
// JSON paths and compare the leaves.

export type Change =
  | { path: string; kind: 'added'; after: unknown }
  | { path: string; kind: 'removed'; before: unknown }
  | { path: string; kind: 'changed'; before: unknown; after: unknown };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{a: {b: [1]}}` -> `{"a.b[0]": 1}`; empty objects and arrays stay as leaves. */
export function flatten(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) {
      const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
      flatten(v, prefix ? `${prefix}.${key}` : key, out);
    }
  } else {
    out.set(prefix || '(value)', value);
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What changed from `before` to `after`, by path, in a stable order. */
export function diffJson(before: unknown, after: unknown): Change[] {
  const a = before == null ? new Map<string, unknown>() : flatten(before);
  const b = after == null ? new Map<string, unknown>() : flatten(after);
  const changes: Change[] = [];
  for (const [path, value] of a) {
    if (!b.has(path)) changes.push({ path, kind: 'removed', before: value });
    else if (!same(value, b.get(path))) changes.push({ path, kind: 'changed', before: value, after: b.get(path) });
  }
  for (const [path, value] of b) {
    if (!a.has(path)) changes.push({ path, kind: 'added', after: value });
  }
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

export function formatLeaf(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
