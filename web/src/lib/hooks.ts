import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { withParam } from './filters';

export const AccountNamesDocument = graphql(`
  query AccountNames {
    awsAccounts {
      id
      name
      accountId
      status
    }
  }
`);

/** The tenant's connections by ID, for showing names next to findings and alerts. */
export function useAccountNames() {
  const [{ data }] = useQuery({ query: AccountNamesDocument });
  return useMemo(() => {
    const accounts = data?.awsAccounts ?? [];
    const byId = new Map(accounts.map((a) => [a.id, a]));
    return {
      accounts,
      name: (id: string | null | undefined) => {
        if (!id) return '—';
        const a = byId.get(id);
        return a ? a.name : 'Removed account';
      },
      awsId: (id: string | null | undefined) => (id ? (byId.get(id)?.accountId ?? null) : null),
    };
  }, [data]);
}

/**
 * A list page's search parameters, and a setter that always goes to the list at `path`.
 * `useSearchParams`' own setter keeps the pathname of the render it came from: a filter
 * changed in the moment after a detail panel closed (before the page re-rendered) went to
 * `/findings/<id>?…` and opened the panel again over the list.
 */
export function useListParams(path: string): [URLSearchParams, (next: URLSearchParams) => void] {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const set = useCallback((next: URLSearchParams) => navigate({ pathname: path, search: next.toString() }), [navigate, path]);
  return [params, set];
}

/**
 * Drafts of a filter form's text fields (`keys` in the address bar): they start from the
 * address bar and follow it when its filters change, but not when only the order does, so
 * reordering keeps what is being typed. `applied()` is the params with the trimmed drafts.
 */
export function useTextFilters<K extends string>(params: URLSearchParams, keys: readonly K[]) {
  const read = () => Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  const [text, setText] = useState(read);
  const urlFilters = withParam(params, 'order', undefined).toString();
  const [synced, setSynced] = useState(urlFilters);
  if (synced !== urlFilters) {
    setSynced(urlFilters);
    setText(read());
  }
  return {
    text,
    set: (key: K, value: string) => setText({ ...text, [key]: value }),
    applied: () => keys.reduce((next, k) => withParam(next, k, text[k].trim()), params),
  };
}

/** Calls `tick` every `ms` while `active` (and the tab is visible). */
export function usePolling(tick: () => void, ms: number, active: boolean) {
  const saved = useRef(tick);
  useEffect(() => {
    saved.current = tick;
  }, [tick]);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') saved.current();
    }, ms);
    return () => clearInterval(t);
  }, [ms, active]);
}

