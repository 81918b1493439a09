import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { gqlFormError } from '../../api/errors';
import { useMe } from '../../auth/MeProvider';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { FormAlert, SelectField, TextField } from '../../components/fields';
import { EmptyState, QueryState } from '../../components/states';
import { Card, OneTimeSecret, Time } from '../../components/ui';
import { graphql } from '../../gql';
import type { ApiKeysQuery, Role } from '../../gql/graphql';
import { ROLE_DESCRIPTION, ROLE_LABEL, apiKeyRoles } from '../../lib/roles';
import { useTitle } from '../../lib/useTitle';
import { nameError } from '../../lib/validation';
import { NotAllowed } from './Settings';

const ApiKeysDocument = graphql(`
  query ApiKeys {
    apiKeys {
      id
      name
      prefix
      role
      createdAt
      lastUsedAt
      revokedAt
    }
  }
`);

const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($name: String!, $role: Role) {
    createApiKey(name: $name, role: $role) {
      key
      apiKey {
        id
        name
        prefix
        role
        createdAt
      }
    }
  }
`);

const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);

type Key = ApiKeysQuery['apiKeys'][number];

export default function ApiKeys() {
  useTitle('API keys');
  const { can } = useMe();
  if (!can('MANAGE_API_KEYS')) return <NotAllowed what="manage API keys" />;
  return <ApiKeysPage />;
}

function ApiKeysPage() {
  // An empty list carries no type names, so say which mutations should refresh it.
  const context = useMemo(() => ({ additionalTypenames: ['ApiKey', 'CreatedApiKey'] }), []);
  const [{ data, fetching, error }, refetch] = useQuery({ query: ApiKeysDocument, context });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [revoking, setRevoking] = useState<Key | null>(null);
  return (
    <div className="settings-grid">
      <Card title="API keys">
        <p className="muted">
          Integrations call the GraphQL API at <code>/graphql</code> with <code>Authorization: Bearer vgl_…</code>.
        </p>
        <QueryState
          data={data}
          fetching={fetching}
          error={error}
          onRetry={reload}
          isEmpty={(d) => d.apiKeys.length === 0}
          empty={<EmptyState title="No API keys yet">Create one for each integration so you can revoke them separately.</EmptyState>}
        >
          {(d) => (
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Role</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.apiKeys.map((k) => (
                    <tr key={k.id} className={k.revokedAt ? 'row-muted' : ''}>
                      <td>{k.name}</td>
                      <td className="mono small">{k.prefix}…</td>
                      <td>{ROLE_LABEL[k.role]}</td>
                      <td>
                        <Time iso={k.createdAt} />
                      </td>
                      <td>{k.lastUsedAt ? <Time iso={k.lastUsedAt} /> : <span className="muted">Never</span>}</td>
                      <td className="cell-actions">
                        {k.revokedAt ? (
                          <span className="badge status-resolved">
                            Revoked <Time iso={k.revokedAt} />
                          </span>
                        ) : (
                          <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => setRevoking(k)}>
                            Revoke<span className="sr-only"> {k.name}</span>
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </Card>
      <CreateKeyCard />
      {revoking && <RevokeDialog apiKey={revoking} onClose={() => setRevoking(null)} />}
    </div>
  );
}

function CreateKeyCard() {
  const { access } = useMe();
  const roles = apiKeyRoles(access);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [errors, setErrors] = useState<{ name?: string; role?: string; form?: string }>({});
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [{ fetching }, create] = useMutation(CreateApiKeyDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const next = { name: nameError(name, 'a name for the key', 100) };
    setErrors(next);
    if (next.name) return;
    const result = await create({ name: name.trim(), role });
    if (result.error) {
      const fe = gqlFormError(result.error, 'name', ['name', 'role']);
      setErrors(fe.field ? { [fe.field]: fe.message } : { form: fe.message });
      return;
    }
    setCreated({ key: result.data!.createApiKey.key, name: result.data!.createApiKey.apiKey.name });
    setName('');
  }

  return (
    <Card title="Create an API key">
      {created ? (
        <OneTimeSecret
          id="new-api-key"
          announcement={`API key “${created.name}” created.`}
          what="key"
          label="API key"
          value={created.key}
          note="Vigil keeps only a hash of it."
          onDone={() => setCreated(null)}
        />
      ) : (
        <form onSubmit={submit} noValidate>
          <FormAlert message={errors.form} />
          <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} error={errors.name} hint="What uses the key, e.g. “SIEM export”." maxLength={100} />
          <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} error={errors.role} hint={ROLE_DESCRIPTION[role]}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </SelectField>
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            {fetching ? 'Creating…' : 'Create key'}
          </button>
        </form>
      )}
    </Card>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: Key; onClose: () => void }) {
  const [{ fetching, error }, revoke] = useMutation(RevokeApiKeyDocument);
  return (
    <ConfirmDialog
      onClose={onClose}
      title={`Revoke “${apiKey.name}”?`}
      description="Integrations using this key stop working at once. This cannot be undone."
      confirmLabel="Revoke key"
      fetching={fetching}
      error={error}
      onConfirm={async () => !(await revoke({ id: apiKey.id })).error}
    />
  );
}
