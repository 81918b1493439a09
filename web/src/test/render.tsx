import { render } from '@testing-library/react';
import type { DocumentNode } from 'graphql';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Provider, type Client } from 'urql';
import { fromValue, never, pipe, take, toPromise } from 'wonka';
import { MeContextProvider, type Me } from '../auth/MeProvider';
import type { Role } from '../gql/graphql';

type Resolver = (variables: Record<string, unknown>) => unknown;

function operationName(query: DocumentNode): string {
  const def = query.definitions.find((d) => d.kind === 'OperationDefinition');
  return def && 'name' in def && def.name ? def.name.value : '';
}

/**
 * A urql client answering each operation by name from `resolvers` (data objects or
 * functions of the variables); unknown operations never answer (stay loading).
 */
export function mockClient(resolvers: Record<string, unknown | Resolver>) {
  const calls: { name: string; variables: Record<string, unknown> }[] = [];
  const answer = (op: { query: DocumentNode; variables: Record<string, unknown>; key: number }) => {
    const name = operationName(op.query);
    calls.push({ name, variables: op.variables });
    const r = resolvers[name];
    if (r === undefined) return never;
    const data = typeof r === 'function' ? (r as Resolver)(op.variables) : r;
    if (data instanceof Error) return fromValue({ operation: op, error: data, data: undefined, stale: false, hasNext: false });
    return fromValue({ operation: op, data, stale: false, hasNext: false });
  };
  const client = {
    executeQuery: vi.fn(answer),
    executeMutation: vi.fn(answer),
    executeSubscription: vi.fn(answer),
    // client.query(...).toPromise(), as useAllPages calls it.
    query: vi.fn((query: DocumentNode, variables: Record<string, unknown> = {}) => ({
      toPromise: () => pipe(answer({ query, variables, key: 0 }), take(1), toPromise),
    })),
  } as unknown as Client;
  return { client, calls };
}

export function me(role: Role, plan: 'TRIAL' | 'ACTIVE' | 'EXPIRED' = 'TRIAL'): Me {
  return {
    id: 'u1',
    email: 'alice@example.com',
    role,
    tenant: { id: 't1', name: 'Example', plan, trialEndsAt: '2030-01-01T00:00:00Z', trialDaysLeft: 10 },
  };
}

/** Renders `element` at `route` (matched by `path`) with a mock client and a signed-in member. */
export function renderPage(
  element: ReactElement,
  { route, path, client, role = 'OWNER' as Role, plan }: { route: string; path: string; client: Client; role?: Role; plan?: 'TRIAL' | 'ACTIVE' | 'EXPIRED' },
) {
  return render(
    <Provider value={client}>
      <MeContextProvider me={me(role, plan)}>
        <MemoryRouter initialEntries={[route]}>
          <Routes>
            <Route path={path} element={element} />
          </Routes>
        </MemoryRouter>
      </MeContextProvider>
    </Provider>,
  );
}
