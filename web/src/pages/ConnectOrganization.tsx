import { useCallback, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { gqlFormError, type FormError } from '../api/errors';
import { useMe } from '../auth/MeProvider';
import { RegionsField } from '../components/RegionsField';
import { FormAlert, TextField } from '../components/fields';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { AccountStatusBadge, Card, CopyField, PageHeader, Time } from '../components/ui';
import { graphql } from '../gql';
import type { ConnectOrganizationQuery } from '../gql/graphql';
import { plural } from '../lib/format';
import { useTitle } from '../lib/useTitle';
import { nameError, parseRegions, roleArnError } from '../lib/validation';

const CreateOrganizationDocument = graphql(`
  mutation CreateOrganization($name: String!, $regions: [String!]) {
    createAwsOrganization(input: { name: $name, regions: $regions }) {
      id
    }
  }
`);

const ConnectOrganizationDocument = graphql(`
  query ConnectOrganization($id: ID!) {
    awsOrganization(id: $id) {
      id
      name
      status
      externalId
      managementRoleArn
      memberRoleName
      organizationId
      managementAccountId
      lastSyncAt
      nextSyncAt
      lastSyncError
      regions
      trail {
        arn
        bucket
        coversMembers
        readAt
        skippedAccounts
      }
      setup {
        trustedPrincipalArn
        managementTemplate
        stackSetTemplate
      }
      accounts {
        id
        name
        status
        accountId
        error
        organizationalUnitPath
        leftOrganizationAt
      }
    }
  }
`);

const VerifyOrganizationDocument = graphql(`
  mutation VerifyOrganization($id: ID!, $roleArn: String!) {
    verifyAwsOrganization(id: $id, managementRoleArn: $roleArn) {
      id
      status
      lastSyncError
      syncReport {
        seen
        added
        connected
        failed
        left
      }
    }
  }
`);

const SyncOrganizationDocument = graphql(`
  mutation SyncOrganization($id: ID!) {
    syncAwsOrganization(id: $id) {
      id
      status
      lastSyncError
      syncReport {
        seen
        added
        connected
        failed
        left
      }
    }
  }
`);

type Organization = NonNullable<ConnectOrganizationQuery['awsOrganization']>;

export default function ConnectOrganization() {
  useTitle('Connect an AWS Organization');
  const { can, activePlan } = useMe();
  const { organizationId } = useParams();

  if (!can('MANAGE_ACCOUNTS')) {
    return (
      <>
        <PageHeader title="Connect an AWS Organization" />
        <EmptyState title="Only owners and admins connect AWS accounts" action={<Link to="/accounts">Back to AWS accounts</Link>}>
          Ask an owner or admin of your organisation to connect it.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Connect an AWS Organization"
        description="Every account of your organisation, and every account created later, monitored through one read-only role per account that a StackSet deploys for you."
      />
      {organizationId ? (
        <Wizard id={organizationId} />
      ) : activePlan ? (
        <NameStep />
      ) : (
        <EmptyState title="New connections need an active plan" action={<Link to="/accounts">Back to AWS accounts</Link>}>
          Your trial has ended. Existing data stays readable.
        </EmptyState>
      )}
    </>
  );
}

function NameStep() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [regionList, setRegionList] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, create] = useMutation(CreateOrganizationDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = nameError(name, 'a name for this organisation', 100);
    if (problem) {
      setError({ field: 'name', message: problem });
      return;
    }
    const { regions, error: regionsProblem } = parseRegions(regionList);
    if (regionsProblem) {
      setError({ field: 'regions', message: regionsProblem });
      return;
    }
    setError(null);
    const result = await create({ name: name.trim(), regions });
    if (result.error) {
      setError(gqlFormError(result.error, 'name', ['regions']));
      return;
    }
    navigate(`/accounts/organizations/${result.data!.createAwsOrganization.id}`, { replace: true });
  }

  return (
    <Card className="wizard-card">
      <h2 className="step-title">Name the organisation</h2>
      <form onSubmit={submit} noValidate className="form-narrow">
        <FormAlert message={error && !error.field ? error.message : undefined} />
        <TextField
          label="Organisation name"
          name="name"
          required
          placeholder="Acme"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={error?.field === 'name' ? error.message : undefined}
          maxLength={100}
        />
        <RegionsField
          value={regionList}
          onChange={setRegionList}
          error={error?.field === 'regions' ? error.message : undefined}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            {fetching ? 'Creating…' : 'Continue'}
          </button>
          <Link to="/accounts" className="btn btn-ghost">
            Cancel
          </Link>
        </div>
      </form>
    </Card>
  );
}

function download(yaml: string, file: string) {
  const url = URL.createObjectURL(new Blob([yaml], { type: 'application/x-yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Template({ title, yaml, file, children }: { title: string; yaml: string; file: string; children: React.ReactNode }) {
  return (
    <div className="choice">
      <h3>{title}</h3>
      {children}
      <button type="button" className="btn" onClick={() => download(yaml, file)}>
        Download {file}
      </button>
      <details className="template-preview">
        <summary>Show the template</summary>
        <pre className="json" tabIndex={0} aria-label={title}>
          <code>{yaml}</code>
        </pre>
      </details>
    </div>
  );
}

function Wizard({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery({ query: ConnectOrganizationDocument, variables: { id } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  if (!data) {
    if (error) return <ErrorState error={error} onRetry={reload} />;
    return <Loading label="Loading the organisation…" />;
  }
  const org = data.awsOrganization;
  if (!org) {
    return (
      <EmptyState title="This organisation does not exist" action={<Link to="/accounts/organizations/connect">Start again</Link>}>
        It may have been removed.
      </EmptyState>
    );
  }
  return (
    <div className="org-wizard">
      <Card className="wizard-card">
        <h2 className="step-title">{`1. Deploy the two templates in the management account of “${org.name}”`}</h2>
        <div className="setup-values">
          <CopyField id="external-id" label="External ID (one for the whole organisation)" value={org.externalId} />
          <CopyField id="trusted-principal" label="Vigil’s AWS principal (trusted by the roles)" value={org.setup.trustedPrincipalArn} />
        </div>
        <div className="choice-grid">
          <Template title="Management account role" yaml={org.setup.managementTemplate} file="vigil-organization-management.yaml">
            <p>
              A read-only role Vigil assumes with the external ID to list your accounts and OUs (and to monitor the management
              account). Copy the stack’s <strong>ManagementRoleArn</strong> output.
            </p>
          </Template>
          <Template title="StackSet for every member account" yaml={org.setup.stackSetTemplate} file="vigil-organization-stackset.yaml">
            <p>
              A service-managed StackSet with automatic deployment: it creates the role <code>{org.memberRoleName}</code> in every
              account of the OUs you give it (your root ID <code>r-…</code> for all), including accounts created later.
            </p>
          </Template>
        </div>
      </Card>
      <Card className="wizard-card">
        <VerifyStep org={org} onDone={reload} />
      </Card>
      {org.status !== 'PENDING' && (
        <Card className="wizard-card">
          <Members org={org} onSynced={reload} />
        </Card>
      )}
    </div>
  );
}

function VerifyStep({ org, onDone }: { org: Organization; onDone: () => void }) {
  const [roleArn, setRoleArn] = useState(org.managementRoleArn ?? '');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [{ fetching }, verify] = useMutation(VerifyOrganizationDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = roleArnError(roleArn);
    setFieldError(problem);
    setFormError(undefined);
    if (problem) return;
    const result = await verify({ id: org.id, roleArn: roleArn.trim() });
    if (result.error) {
      const fe = gqlFormError(result.error, 'managementRoleArn');
      if (fe.field) setFieldError(fe.message);
      else setFormError(fe.message);
      return;
    }
    onDone();
  }

  return (
    <>
      <h2 className="step-title">2. Verify the management role</h2>
      <p>Vigil assumes the role, lists every account and OU, and connects each active account through its member role.</p>
      {org.status === 'ERROR' && org.lastSyncError && !fetching && (
        <div className="callout callout-error" role="alert">
          <h3>The last sync failed</h3>
          <p>{org.lastSyncError}</p>
        </div>
      )}
      <form onSubmit={submit} noValidate className="form-narrow">
        <FormAlert message={formError} />
        <TextField
          label="Management role ARN"
          name="managementRoleArn"
          className="mono"
          required
          placeholder="arn:aws:iam::123456789012:role/VigilOrganizationReadOnly"
          value={roleArn}
          onChange={(e) => setRoleArn(e.target.value)}
          error={fieldError}
          hint="The ManagementRoleArn output of the management account stack."
          spellCheck={false}
          autoComplete="off"
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            {fetching ? 'Verifying… (a few seconds per account)' : org.status === 'PENDING' ? 'Verify and connect' : 'Verify again'}
          </button>
        </div>
      </form>
    </>
  );
}

function Members({ org, onSynced }: { org: Organization; onSynced: () => void }) {
  const [{ fetching }, sync] = useMutation(SyncOrganizationDocument);
  const [syncError, setSyncError] = useState<string | undefined>();
  const connected = org.accounts.filter((a) => a.status === 'CONNECTED' && !a.leftOrganizationAt).length;

  async function syncNow() {
    setSyncError(undefined);
    const result = await sync({ id: org.id });
    if (result.error) setSyncError(gqlFormError(result.error).message);
    onSynced();
  }

  return (
    <>
      <h2 className="step-title">3. Member accounts</h2>
      <p>
        {org.organizationId ? (
          <>
            Organisation <span className="mono">{org.organizationId}</span>, management account{' '}
            <span className="mono">{org.managementAccountId}</span>.{' '}
          </>
        ) : null}
        {plural(connected, 'account')} connected of {org.accounts.length}. Last sync <Time iso={org.lastSyncAt} />, next{' '}
        <Time iso={org.nextSyncAt} />. Regions watched:{' '}
        {org.regions ? <span className="mono">{org.regions.join(', ')}</span> : 'every region each account has enabled'}.
      </p>
      {org.trail ? (
        <p>
          Organisation trail <span className="mono break">{org.trail.arn}</span>
          {org.trail.bucket ? (
            <>
              {' '}
              (bucket <span className="mono">{org.trail.bucket}</span>)
            </>
          ) : null}
          , last read <Time iso={org.trail.readAt} />.{' '}
          {org.trail.coversMembers
            ? "It brings every member's activity, so members read no CloudTrail of their own."
            : 'It does not log every region, so each member also reads its own activity.'}
          {org.trail.skippedAccounts.length > 0
            ? ` Not read: log files of ${plural(org.trail.skippedAccounts.length, 'account')} with no connected member (${org.trail.skippedAccounts.join(', ')}).`
            : null}
        </p>
      ) : null}
      <FormAlert message={syncError} />
      <div className="form-actions">
        <button type="button" className="btn" onClick={syncNow} disabled={fetching}>
          {fetching ? 'Syncing…' : 'Sync now'}
        </button>
        <Link to="/accounts" className="btn btn-ghost">
          Go to AWS accounts
        </Link>
      </div>
      <table className="table" aria-label="Member accounts">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">AWS account ID</th>
            <th scope="col">OU</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {org.accounts.map((a) => (
            <tr key={a.id}>
              <td>
                <Link to={`/findings?awsAccountId=${a.id}`}>{a.name}</Link>
              </td>
              <td className="mono">{a.accountId}</td>
              <td>{a.organizationalUnitPath}</td>
              <td>
                <AccountStatusBadge status={a.status} />
                {a.leftOrganizationAt && (
                  <span className="badge">
                    Left the organisation <Time iso={a.leftOrganizationAt} />
                  </span>
                )}
                {a.status === 'ERROR' && a.error && <p className="small muted">{a.error}</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
