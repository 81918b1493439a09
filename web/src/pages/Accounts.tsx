import { useCallback, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { gqlFormError, gqlMessage } from '../api/errors';
import { useMe } from '../auth/MeProvider';
import { Dialog } from '../components/Dialog';
import { FormAlert, TextField } from '../components/fields';
import { EmptyState, QueryState } from '../components/states';
import { AccountStatusBadge, DescriptionList, PageHeader, ProgressBar, ScanStatusBadge, Time } from '../components/ui';
import { graphql } from '../gql';
import type { AccountsQuery } from '../gql/graphql';
import { plural, scanFinished } from '../lib/format';
import { usePolling } from '../lib/hooks';
import { useTitle } from '../lib/useTitle';
import { nameError } from '../lib/validation';

const AccountsDocument = graphql(`
  query Accounts {
    awsAccounts {
      id
      name
      status
      accountId
      roleArn
      error
      lastVerifiedAt
      lastActivityAt
      trailArn
      regions
      pushQueueUrl
      ingestionProblems {
        kind
        message
        count
        lastSeenAt
      }
      createdAt
      lastJobFailure {
        kind
        error
        failedAt
        attempts
        rescues
      }
      lastScan {
        id
        status
        trigger
        createdAt
        startedAt
        finishedAt
        regionsUnchanged
        regionsDone
        regionsTotal
        findingsOpened
        findingsResolved
        resourcesSeen
        error
        problems {
          region
          service
          operation
          message
        }
      }
    }
  }
`);

const StartScanDocument = graphql(`
  mutation StartScan($awsAccountId: ID!) {
    startScan(awsAccountId: $awsAccountId) {
      id
      status
      awsAccountId
    }
  }
`);

const RenameDocument = graphql(`
  mutation RenameAccount($id: ID!, $name: String!) {
    renameAwsAccount(id: $id, name: $name) {
      id
      name
    }
  }
`);

const PushQueueDocument = graphql(`
  mutation SetPushQueue($id: ID!, $queueUrl: String) {
    setAwsAccountPushQueue(id: $id, queueUrl: $queueUrl) {
      id
      pushQueueUrl
    }
  }
`);

const DeleteDocument = graphql(`
  mutation DeleteAccount($id: ID!) {
    deleteAwsAccount(id: $id)
  }
`);

type Account = AccountsQuery['awsAccounts'][number];

const OrganizationsDocument = graphql(`
  query Organizations {
    awsOrganizations {
      id
      name
      status
      organizationId
      lastSyncError
      accounts {
        id
      }
    }
  }
`);

/** The connected AWS Organizations, each linking to its page (members, sync, templates). */
function Organizations() {
  const [{ data }] = useQuery({ query: OrganizationsDocument });
  const orgs = data?.awsOrganizations ?? [];
  if (orgs.length === 0) return null;
  return (
    <section aria-labelledby="organizations-title">
      <h2 id="organizations-title" className="section-title">
        AWS Organizations
      </h2>
      <ul className="account-list">
        {orgs.map((o) => (
          <li key={o.id} className="card">
            <Link to={`/accounts/organizations/${o.id}`}>{o.name}</Link> <AccountStatusBadge status={o.status} />{' '}
            <span className="muted">
              {o.organizationId ? <span className="mono">{o.organizationId}</span> : null} · {plural(o.accounts.length, 'member account')}
            </span>
            {o.lastSyncError && <p className="small muted">{o.lastSyncError}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default function Accounts() {
  useTitle('AWS accounts');
  const { can, activePlan } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: AccountsDocument });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const scanning = data?.awsAccounts.some((a) => a.lastScan && !scanFinished(a.lastScan.status)) ?? false;
  usePolling(reload, 3000, scanning);
  const [renaming, setRenaming] = useState<Account | null>(null);
  const [removing, setRemoving] = useState<Account | null>(null);
  const [pushing, setPushing] = useState<Account | null>(null);

  return (
    <>
      <PageHeader
        title="AWS accounts"
        description="The accounts Vigil monitors through a read-only role in each."
        actions={
          can('MANAGE_ACCOUNTS') && activePlan ? (
            <>
              <Link className="btn" to="/accounts/organizations/connect">
                Connect an organisation
              </Link>
              <Link className="btn btn-primary" to="/accounts/connect">
                Connect an account
              </Link>
            </>
          ) : undefined
        }
      />
      <Organizations />
      <QueryState
        data={data}
        fetching={fetching}
        error={error}
        onRetry={reload}
        isEmpty={(d) => d.awsAccounts.length === 0}
        empty={
          <EmptyState
            title="No AWS accounts connected"
            action={
              can('MANAGE_ACCOUNTS') && activePlan ? (
                <Link className="btn btn-primary" to="/accounts/connect">
                  Connect your first account
                </Link>
              ) : undefined
            }
          >
            {can('MANAGE_ACCOUNTS') ? 'Connecting an account takes about five minutes.' : 'Ask an owner or admin to connect one.'}
          </EmptyState>
        }
      >
        {(d) => (
          <ul className="account-list">
            {d.awsAccounts.map((a) => (
              <AccountCard key={a.id} account={a} onRename={() => setRenaming(a)} onRemove={() => setRemoving(a)} onPush={() => setPushing(a)} />
            ))}
          </ul>
        )}
      </QueryState>
      {renaming && <RenameDialog account={renaming} onClose={() => setRenaming(null)} />}
      {removing && <RemoveDialog account={removing} onClose={() => setRemoving(null)} />}
      {pushing && <PushDialog account={pushing} onClose={() => setPushing(null)} />}
    </>
  );
}

function AccountCard({
  account: a,
  onRename,
  onRemove,
  onPush,
}: {
  account: Account;
  onRename: () => void;
  onRemove: () => void;
  onPush: () => void;
}) {
  const { can, activePlan } = useMe();
  const [{ fetching, error }, startScan] = useMutation(StartScanDocument);
  const scan = a.lastScan;
  const running = scan && !scanFinished(scan.status);
  return (
    <li className="card account-card">
      <div className="account-card-head">
        <div>
          <h2 className="card-title">{a.name}</h2>
          <p className="muted small mono">{a.accountId ? `AWS account ${a.accountId}` : 'Not verified yet'}</p>
        </div>
        <AccountStatusBadge status={a.status} />
      </div>
      {a.status === 'ERROR' && a.error && (
        <div className="callout callout-error">
          <strong>Vigil cannot use the role.</strong> {a.error}
        </div>
      )}
      <DescriptionList
        items={[
          ['Role', a.roleArn ? <span className="mono break">{a.roleArn}</span> : null],
          ['Last verified', <Time iso={a.lastVerifiedAt} />],
          ['Latest activity read', <Time iso={a.lastActivityAt} />],
          ['Trail read', a.trailArn ? <span className="mono break">{a.trailArn}</span> : null],
          ['Regions', a.regions ? <span className="mono break">{a.regions.join(', ')}</span> : 'Every region the account has enabled'],
          [
            'Push delivery',
            a.pushQueueUrl ? (
              <span>
                On: <span className="mono break">{a.pushQueueUrl}</span>
              </span>
            ) : (
              'Off: activity arrives with the trail files and CloudTrail lookups, minutes late'
            ),
          ],
          [
            'Last scan',
            scan ? (
              <span>
                <ScanStatusBadge status={scan.status} />{' '}
                {running ? (
                  `${scan.regionsDone} of ${scan.regionsTotal || '?'} regions`
                ) : (
                  <>
                    <Time iso={scan.finishedAt} /> · {plural(scan.resourcesSeen, 'resource')} · {scan.findingsOpened} opened, {scan.findingsResolved}{' '}
                    resolved
                    {scan.regionsUnchanged > 0 &&
                      ` · EC2 and RDS not read again in ${scan.regionsUnchanged} of ${scan.regionsTotal} regions (no change in CloudTrail since their last full read)`}
                  </>
                )}
              </span>
            ) : (
              'Never'
            ),
          ],
        ]}
      />
      {running && scan && <ProgressBar label={`Scan of ${a.name}`} value={scan.regionsDone} max={scan.regionsTotal} />}
      {scan?.status === 'FAILED' && scan.error && <p className="field-error">The scan failed: {scan.error}</p>}
      {scan?.status === 'PARTIAL' && scan.problems.length > 0 && (
        <details>
          <summary>{plural(scan.problems.length, 'region or service', 'regions or services')} could not be read</summary>
          <ul className="small">
            {scan.problems.map((p, i) => (
              <li key={i}>
                {p.region} · {p.service} {p.operation}: {p.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      {a.lastJobFailure && (
        <div className="callout callout-error" role="status">
          <strong>{a.lastJobFailure.kind === 'scan_account' ? 'The last scan job gave up' : 'Reading activity gave up'}</strong>{' '}
          <Time iso={a.lastJobFailure.failedAt} />: {a.lastJobFailure.error}
          {a.lastJobFailure.rescues > 0 && ` (its worker was lost ${plural(a.lastJobFailure.rescues, 'time')})`}.{' '}
          {a.lastJobFailure.kind === 'scan_account'
            ? 'Start a new scan with "Scan now"; scheduled scans also try again.'
            : 'Vigil tries again at the next ingestion interval.'}
        </div>
      )}
      {a.ingestionProblems.length > 0 && (
        <details>
          <summary>{plural(a.ingestionProblems.length, 'activity problem')}</summary>
          <ul className="small">
            {a.ingestionProblems.map((p) => (
              <li key={p.kind}>
                {p.message} ({plural(p.count, 'time')}, last <Time iso={p.lastSeenAt} />)
              </li>
            ))}
          </ul>
        </details>
      )}
      <FormAlert message={error ? gqlMessage(error) : undefined} />
      <div className="card-actions-row">
        <Link to={`/findings?awsAccountId=${a.id}`} className="btn btn-small">
          Findings
        </Link>
        {can('MANAGE_ACCOUNTS') && (
          <>
            {a.status === 'CONNECTED' && activePlan && (
              <button type="button" className="btn btn-small" disabled={fetching || Boolean(running)} onClick={() => void startScan({ awsAccountId: a.id })}>
                {running ? 'Scanning…' : fetching ? 'Starting…' : 'Scan now'}
              </button>
            )}
            {a.status !== 'CONNECTED' && activePlan && (
              <Link to={`/accounts/${a.id}/connect${a.status === 'ERROR' ? '?step=verify' : ''}`} className="btn btn-small btn-primary">
                {a.status === 'ERROR' ? 'Fix the connection' : 'Continue setup'}
              </Link>
            )}
            {a.status === 'CONNECTED' && (
              <button type="button" className="btn btn-small btn-ghost" onClick={onPush}>
                Push delivery
              </button>
            )}
            <button type="button" className="btn btn-small btn-ghost" onClick={onRename}>
              Rename
            </button>
            <button type="button" className="btn btn-small btn-danger-ghost" onClick={onRemove}>
              Remove
            </button>
          </>
        )}
      </div>
    </li>
  );
}

function RenameDialog({ account, onClose }: { account: Account; onClose: () => void }) {
  const [name, setName] = useState(account.name);
  const [error, setError] = useState<string | undefined>();
  const [{ fetching }, rename] = useMutation(RenameDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = nameError(name, 'a name', 100);
    setError(problem);
    if (problem) return;
    const result = await rename({ id: account.id, name: name.trim() });
    if (result.error) setError(gqlFormError(result.error, 'name').message);
    else onClose();
  }
  return (
    <Dialog open onClose={onClose} title={`Rename “${account.name}”`}>
      <form onSubmit={submit} noValidate>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={error} maxLength={100} required />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            Save
          </button>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Turns push delivery on with the queue the template's PushDelivery option created, or off. */
function PushDialog({ account, onClose }: { account: Account; onClose: () => void }) {
  const [url, setUrl] = useState(account.pushQueueUrl ?? '');
  const [error, setError] = useState<string | undefined>();
  const [{ fetching }, save] = useMutation(PushQueueDocument);
  async function apply(queueUrl: string | null) {
    const result = await save({ id: account.id, queueUrl });
    if (result.error) setError(gqlFormError(result.error, 'queueUrl').message);
    else onClose();
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = url.trim();
    if (!trimmed) {
      setError('Paste the PushQueueUrl output of the stack, or turn push delivery off.');
      return;
    }
    void apply(trimmed);
  }
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Push delivery for “${account.name}”`}
      description="Deploy the stack with PushDelivery set to true, then paste its PushQueueUrl output: Vigil reads the events from that queue within seconds of each API call, and re-checks what they changed."
    >
      <form onSubmit={submit} noValidate>
        <TextField
          label="Push queue URL"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={error}
          placeholder={`https://sqs.us-east-1.amazonaws.com/${account.accountId ?? '123456789012'}/VigilPush`}
          autoComplete="off"
          className="mono"
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            Turn on
          </button>
          {account.pushQueueUrl && (
            <button type="button" className="btn btn-danger-ghost" disabled={fetching} onClick={() => void apply(null)}>
              Turn off
            </button>
          )}
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RemoveDialog({ account, onClose }: { account: Account; onClose: () => void }) {
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [{ fetching }, remove] = useMutation(DeleteDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (confirm.trim() !== account.name) {
      setError(`Type ${account.name} to confirm.`);
      return;
    }
    const result = await remove({ id: account.id }, { additionalTypenames: ['AwsAccount', 'Finding', 'Alert', 'Asset'] });
    if (result.error) setError(gqlMessage(result.error));
    else onClose();
  }
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Remove “${account.name}”?`}
      description="Vigil stops monitoring the account and deletes its findings, alerts, assets and events. Delete the CloudFormation stack in AWS to remove the role."
    >
      <form onSubmit={submit} noValidate>
        <TextField label={`Type ${account.name} to confirm`} value={confirm} onChange={(e) => setConfirm(e.target.value)} error={error} autoComplete="off" />
        <div className="form-actions">
          <button type="submit" className="btn btn-danger" disabled={fetching}>
            Remove account
          </button>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
