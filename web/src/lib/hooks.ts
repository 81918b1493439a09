import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useClient, useQuery, type AnyVariables, type CombinedError, type TypedDocumentNode } from 'urql';
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

interface Page<N> {
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: { node: N }[];
}

/**
 * Follows a connection's pages (up to `maxPages`) and returns every node: for views that
 * aggregate client-side (the 7-day alert chart, the asset inventory counts).
 */
export function useAllPages<D, V extends AnyVariables & { after?: string | null }, N>(
  query: TypedDocumentNode<D, V>,
  variables: Omit<V, 'after'>,
  pick: (data: D) => Page<N>,
  maxPages = 10,
  refreshKey = 0,
) {
  const client = useClient();
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ key: string; nodes: N[] | null; error?: CombinedError; truncated: boolean }>({
    key: '',
    nodes: null,
    truncated: false,
  });
  const pickRef = useRef(pick);
  useEffect(() => {
    pickRef.current = pick;
  }, [pick]);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const nodes: N[] = [];
      let after: string | null = null;
      for (let i = 0; i < maxPages; i++) {
        const vars = { ...JSON.parse(key), after } as V;
        const result = await client.query(query, vars, { requestPolicy: 'network-only' }).toPromise();
        if (cancelled) return;
        if (result.error || !result.data) {
          setState({ key, nodes: null, error: result.error, truncated: false });
          return;
        }
        const page = pickRef.current(result.data);
        nodes.push(...page.edges.map((e) => e.node));
        if (!page.pageInfo.hasNextPage) {
          setState({ key, nodes, truncated: false });
          return;
        }
        after = page.pageInfo.endCursor ?? null;
      }
      setState({ key, nodes, truncated: true });
    })();
    return () => {
      cancelled = true;
    };
  }, [client, query, key, maxPages, refreshKey]);

  const current = state.key === key;
  return {
    nodes: current ? state.nodes : null,
    error: current ? state.error : undefined,
    truncated: current && state.truncated,
    fetching: !current || (state.nodes == null && !state.error),
  };
}
