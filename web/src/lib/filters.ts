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
