import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { gqlFormError, gqlMessage } from '../../api/errors';
import { useMe } from '../../auth/MeProvider';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { FormAlert, SelectField, TextField } from '../../components/fields';
import { QueryState } from '../../components/states';
import { Card, CopyField, Time } from '../../components/ui';
import { graphql } from '../../gql';
import type { InvitationsQuery, InviteUserMutation, Role, TeamQuery } from '../../gql/graphql';
import { ROLE_DESCRIPTION, ROLE_LABEL, grantableRoles, mayGrant } from '../../lib/roles';
import { useTitle } from '../../lib/useTitle';
import { emailError } from '../../lib/validation';

const TeamDocument = graphql(`
  query Team {
    users {
      id
      email
      role
      createdAt
    }
  }
`);

const InviteDocument = graphql(`
  mutation InviteUser($email: String!, $role: Role!) {
    inviteUser(email: $email, role: $role) {
      id
      email
      role
      expiresAt
      token
      url
    }
  }
`);

const ChangeRoleDocument = graphql(`
  mutation ChangeUserRole($userId: ID!, $role: Role!) {
    changeUserRole(userId: $userId, role: $role) {
      id
      role
    }
  }
`);

const InvitationsDocument = graphql(`
  query Invitations {
    invitations {
      id
      email
      role
      createdAt
      expiresAt
    }
  }
`);

const RevokeInvitationDocument = graphql(`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) {
      id
    }
  }
`);

const RemoveUserDocument = graphql(`
  mutation RemoveUser($userId: ID!) {
    removeUser(userId: $userId)
  }
`);

type Member = TeamQuery['users'][number];

export default function Team() {
  useTitle('Team');
  const { can } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: TeamDocument });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [removing, setRemoving] = useState<Member | null>(null);
  return (
    <div className="settings-grid">
      <Card title="Members">
        <QueryState data={data} fetching={fetching} error={error} onRetry={reload}>
          {(d) => (
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">Members of your organisation</caption>
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Member since</th>
                    {can('MANAGE_USERS') && (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {d.users.map((u) => (
                    <MemberRow key={u.id} member={u} onRemove={() => setRemoving(u)} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </Card>
      {can('MANAGE_USERS') && <InviteCard />}
      {can('MANAGE_USERS') && <InvitationsCard />}
      {removing && <RemoveDialog member={removing} onClose={() => setRemoving(null)} />}
    </div>
  );
}

function MemberRow({ member: u, onRemove }: { member: Member; onRemove: () => void }) {
  const { me, access, can } = useMe();
  const [{ fetching, error }, changeRole] = useMutation(ChangeRoleDocument);
  const self = u.id === me.id;
  const editable = can('MANAGE_USERS') && !self && mayGrant(access, u.role);
  return (
    <tr>
      <td>
        {u.email}
        {self && <span className="muted"> (you)</span>}
      </td>
      <td>
        {editable ? (
          <>
            <label className="sr-only" htmlFor={`role-${u.id}`}>
              Role of {u.email}
            </label>
            <select
              id={`role-${u.id}`}
              className="input input-small"
              value={u.role}
              disabled={fetching}
              onChange={(e) => void changeRole({ userId: u.id, role: e.target.value as Role })}
            >
              {grantableRoles(access).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
            {error && <p className="field-error">{gqlMessage(error)}</p>}
          </>
        ) : (
          ROLE_LABEL[u.role]
        )}
      </td>
      <td>
        <Time iso={u.createdAt} />
      </td>
      {can('MANAGE_USERS') && (
        <td className="cell-actions">
          {editable && (
            <button type="button" className="btn btn-small btn-danger-ghost" onClick={onRemove}>
              Remove<span className="sr-only"> {u.email}</span>
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

function InviteCard() {
  const { access } = useMe();
  const roles = grantableRoles(access);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('ANALYST');
  const [errors, setErrors] = useState<{ email?: string; role?: string; form?: string }>({});
  const [invite, setInvite] = useState<InviteUserMutation['inviteUser'] | null>(null);
  const [{ fetching }, send] = useMutation(InviteDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const next = { email: emailError(email) };
    setErrors(next);
    if (next.email) return;
    const result = await send({ email: email.trim(), role }, { additionalTypenames: ['Invitation'] });
    if (result.error) {
      const fe = gqlFormError(result.error, 'email', ['email', 'role']);
      setErrors(fe.field ? { [fe.field]: fe.message } : { form: fe.message });
      return;
    }
    setInvite(result.data!.inviteUser);
    setEmail('');
  }

  return (
    <Card title="Invite someone">
      {invite ? (
        <div className="one-time">
          <FormAlert tone="success" message={`Invitation created for ${invite.email} as ${ROLE_LABEL[invite.role]}.`} />
          <p>
            Send this link to {invite.email}. It works once, until <Time iso={invite.expiresAt} absolute />, and is shown only now.
          </p>
          <CopyField id="invite-url" label="Invitation link" value={invite.url} />
          <button type="button" className="btn" onClick={() => setInvite(null)}>
            Invite someone else
          </button>
        </div>
      ) : (
        <form onSubmit={submit} noValidate>
          <FormAlert message={errors.form} />
          <TextField label="Email" type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
          <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} error={errors.role} hint={ROLE_DESCRIPTION[role]}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </SelectField>
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            {fetching ? 'Creating…' : 'Create invitation'}
          </button>
        </form>
      )}
    </Card>
  );
}

type Invitation = InvitationsQuery['invitations'][number];

/** Invitations not yet accepted, each revocable (its link stops working at once). */
function InvitationsCard() {
  const { access } = useMe();
  // An empty list carries no typename for the cache to invalidate on: name it.
  const context = useMemo(() => ({ additionalTypenames: ['Invitation'] }), []);
  const [{ data, fetching, error }, refetch] = useQuery({ query: InvitationsDocument, context });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  return (
    <Card title="Pending invitations">
      <QueryState data={data} fetching={fetching} error={error} onRetry={reload}>
        {(d) =>
          d.invitations.length === 0 ? (
            <p className="muted">No invitation is waiting to be accepted.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">Invitations not yet accepted</caption>
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.invitations.map((i) => (
                    <tr key={i.id}>
                      <td>{i.email}</td>
                      <td>{ROLE_LABEL[i.role]}</td>
                      <td>
                        <Time iso={i.expiresAt} />
                      </td>
                      <td className="cell-actions">
                        {mayGrant(access, i.role) && (
                          <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => setRevoking(i)}>
                            Revoke<span className="sr-only"> the invitation of {i.email}</span>
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      {revoking && <RevokeDialog invitation={revoking} onClose={() => setRevoking(null)} />}
    </Card>
  );
}

function RevokeDialog({ invitation, onClose }: { invitation: Invitation; onClose: () => void }) {
  const [{ fetching, error }, revoke] = useMutation(RevokeInvitationDocument);
  return (
    <ConfirmDialog
      onClose={onClose}
      title={`Revoke the invitation of ${invitation.email}?`}
      description="Its link stops working at once. You can invite them again later."
      confirmLabel="Revoke invitation"
      fetching={fetching}
      error={error}
      onConfirm={async () => !(await revoke({ id: invitation.id }, { additionalTypenames: ['Invitation'] })).error}
    />
  );
}

function RemoveDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const [{ fetching, error }, remove] = useMutation(RemoveUserDocument);
  return (
    <ConfirmDialog
      onClose={onClose}
      title={`Remove ${member.email}?`}
      description="They lose access at once and their sessions end."
      confirmLabel="Remove member"
      fetching={fetching}
      error={error}
      onConfirm={async () => !(await remove({ userId: member.id }, { additionalTypenames: ['User'] })).error}
    />
  );
}
