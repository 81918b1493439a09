import { render } from '@testing-library/react';
import type { DocumentNode } from 'graphql';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Provider, type Client } from 'urql';
import { fromValue, never, pipe, take, toPromise } from 'wonka';
import { MeContextProvider, type Me, type MeAccess } from '../auth/MeProvider';
import type { Permission, Role } from '../gql/graphql';

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
    // client.query(...).toPromise(), as the rule dry run calls it.
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

const EVERYTHING: Permission[] = [
  'READ',
  'TRIAGE_FINDINGS',
  'TRIAGE_ALERTS',
  'MANAGE_ACCOUNTS',
  'MANAGE_USERS',
  'MANAGE_API_KEYS',
  'READ_AUDIT_LOG',
  'MANAGE_INTEGRATIONS',
];

/**
 * The `access` the server reports for `role`: a copy of its table
 * (`vigil_core::roles::Role::allows` and `may_grant`) for tests only; the app reads the
 * server's answer.
 */
export function accessFor(role: Role): MeAccess {
  switch (role) {
    case 'OWNER':
      return { role, permissions: EVERYTHING, grantableRoles: ['OWNER', 'ADMIN', 'ANALYST', 'VIEWER'] };
    case 'ADMIN':
      return { role, permissions: EVERYTHING, grantableRoles: ['ADMIN', 'ANALYST', 'VIEWER'] };
    case 'ANALYST':
      return { role, permissions: ['READ', 'TRIAGE_FINDINGS', 'TRIAGE_ALERTS'], grantableRoles: [] };
    case 'VIEWER':
      return { role, permissions: ['READ'], grantableRoles: [] };
  }
}

/** Renders `element` at `route` (matched by `path`) with a mock client and a signed-in member. */
export function renderPage(
  element: ReactElement,
  { route, path, client, role = 'OWNER' as Role, plan }: { route: string; path: string; client: Client; role?: Role; plan?: 'TRIAL' | 'ACTIVE' | 'EXPIRED' },
) {
  return render(
    <Provider value={client}>
      <MeContextProvider me={me(role, plan)} access={accessFor(role)}>
        <MemoryRouter initialEntries={[route]}>
          <Routes>
            <Route path={path} element={element} />
          </Routes>
        </MemoryRouter>
      </MeContextProvider>
    </Provider>,
  );
}
