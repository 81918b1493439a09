import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useSubscription } from 'urql';
import { gqlFormError, type FormError } from '../api/errors';
import { useMe } from '../auth/MeProvider';
import { RegionsField } from '../components/RegionsField';
import { FormAlert, TextField } from '../components/fields';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { Card, CopyField, PageHeader, ProgressBar, ScanStatusBadge, SeverityBadge } from '../components/ui';
import { graphql } from '../gql';
import type { ConnectAccountQuery } from '../gql/graphql';
import { plural, resourceTypeLabel, scanFinished } from '../lib/format';
import { usePolling } from '../lib/hooks';
import { useTitle } from '../lib/useTitle';
import { nameError, parseRegions, roleArnError } from '../lib/validation';

const CreateAccountDocument = graphql(`
  mutation CreateAccount($name: String!, $regions: [String!]) {
    createAwsAccount(input: { name: $name, regions: $regions }) {
      id
      name
      status
      externalId
    }
  }
`);

const ConnectAccountDocument = graphql(`
  query ConnectAccount($id: ID!) {
    awsAccount(id: $id) {
      id
      name
      status
      accountId
      externalId
      roleArn
      error
      lastVerifiedAt
      setup {
        trustedPrincipalArn
        cloudFormationTemplate
        launchStackUrl
      }
      lastScan {
        id
        status
        regionsDone
        regionsTotal
        resourcesSeen
        findingsOpened
        startedAt
        finishedAt
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

const VerifyAccountDocument = graphql(`
  mutation VerifyAccount($id: ID!, $roleArn: String!) {
    verifyAwsAccount(id: $id, roleArn: $roleArn) {
      id
      status
      accountId
      roleArn
      error
      lastVerifiedAt
      lastScan {
        id
        status
        regionsDone
        regionsTotal
      }
    }
  }
`);

const FirstFindingsDocument = graphql(`
  query FirstFindings($awsAccountId: ID!) {
    findings(first: 8, filter: { awsAccountId: $awsAccountId, status: [OPEN] }) {
      totalCount
      edges {
        node {
          id
          title
          severity
          region
          resourceType
          resourceId
        }
      }
    }
  }
`);

const ScanProgressDocument = graphql(`
  subscription ScanProgress($id: ID!) {
    scanProgress(scanId: $id) {
      id
      status
      regionsDone
      regionsTotal
      findingsOpened
      resourcesSeen
    }
  }
`);

type Account = NonNullable<ConnectAccountQuery['awsAccount']>;
type Step = 'name' | 'role' | 'verify' | 'scan';

const STEPS: { id: Step; label: string }[] = [
  { id: 'name', label: 'Name the account' },
  { id: 'role', label: 'Create the role' },
  { id: 'verify', label: 'Verify the connection' },
  { id: 'scan', label: 'First scan' },
];

export const TEMPLATE_FILE = 'vigil-readonly-role.yaml';

export default function ConnectAccount() {
  useTitle('Connect an AWS account');
  const { can, activePlan } = useMe();
  const { accountId } = useParams();

  if (!can('MANAGE_ACCOUNTS')) {
    return (
      <>
        <PageHeader title="Connect an AWS account" />
        <EmptyState title="Only owners and admins connect AWS accounts" action={<Link to="/accounts">Back to AWS accounts</Link>}>
          Ask an owner or admin of your organisation to connect the account.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Connect an AWS account"
        description="Vigil reads your configuration and CloudTrail activity through a read-only role you create in the account. Nothing is changed in your account."
      />
      {accountId ? <ContinueConnection id={accountId} /> : activePlan ? <NameStep /> : <ExpiredNotice />}
    </>
  );
}

function ExpiredNotice() {
  return (
    <EmptyState title="New connections need an active plan" action={<Link to="/accounts">Back to AWS accounts</Link>}>
      Your trial has ended. Existing data stays readable.
    </EmptyState>
  );
}

function Stepper({ current, complete = false }: { current: Step; complete?: boolean }) {
  const index = complete ? STEPS.length : STEPS.findIndex((s) => s.id === current);
  return (
    <ol className="stepper" aria-label="Connection steps">
      {STEPS.map((s, i) => (
        <li key={s.id} className={i < index ? 'done' : i === index ? 'current' : ''} aria-current={i === index ? 'step' : undefined}>
          <span className="stepper-number" aria-hidden="true">
            {i < index ? '✓' : i + 1}
          </span>
          <span className="stepper-label">
            {s.label}
            {i < index && <span className="sr-only"> (done)</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** A step's heading takes focus when the step appears, so keyboard and screen reader users follow along. */
function StepHeading({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h2 ref={ref} tabIndex={-1} className="step-title">
      {children}
    </h2>
  );
}

function NameStep() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [name, setName] = useState('');
  const [regionList, setRegionList] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, create] = useMutation(CreateAccountDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = nameError(name, 'a name for this account', 100);
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
    navigate(`/accounts/${result.data!.createAwsAccount.id}/connect`, { replace: true });
  }

  return (
    <div className="wizard">
      <Stepper current="name" />
      <Card className="wizard-card">
        {params.get('welcome') && (
          <FormAlert
            tone="success"
            message="Welcome to Vigil! Your 15-day trial has started. Connect an AWS account to get your first findings."
          />
        )}
        <StepHeading>Name the account</StepHeading>
        <p>Pick a name your team will recognise in findings and alerts, such as the environment it runs.</p>
        <form onSubmit={submit} noValidate className="form-narrow">
          <FormAlert message={error && !error.field ? error.message : undefined} />
          <TextField
            label="Account name"
            name="name"
            required
            placeholder="production"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={error?.field === 'name' ? error.message : undefined}
            hint="For example production, staging or billing. You can rename it later."
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
    </div>
  );
}

function ContinueConnection({ id }: { id: string }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: ConnectAccountDocument, variables: { id } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const loaded = data?.awsAccount;
  const [params, setParams] = useSearchParams();
  const scanRunning = loaded?.status === 'CONNECTED' && (!loaded.lastScan || !scanFinished(loaded.lastScan.status));
  // Live scan progress over the WebSocket (the scan now, then each change, until it
  // finishes); polling every 2 s only while there is no scan to follow yet or the
  // subscription failed.
  const scanId = loaded?.lastScan?.id;
  const [live] = useSubscription({ query: ScanProgressDocument, variables: { id: scanId ?? '' }, pause: !scanId || !scanRunning });
  const liveScan = live.data?.scanProgress.id === scanId ? live.data?.scanProgress : undefined;
  const liveFinished = Boolean(liveScan && scanFinished(liveScan.status));
  usePolling(reload, 2000, scanRunning && (!scanId || Boolean(live.error)));
  // Once the scan finishes, fetch the rest (problems, error, times) once.
  useEffect(() => {
    if (liveFinished) reload();
  }, [liveFinished, reload]);
  const account = loaded && liveScan && loaded.lastScan && !scanFinished(loaded.lastScan.status) ? { ...loaded, lastScan: { ...loaded.lastScan, ...liveScan } } : loaded;

  if (!data) {
    if (error) return <ErrorState error={error} onRetry={reload} />;
    return <Loading label="Loading the connection…" />;
  }
  if (!account) {
    return (
      <EmptyState title="This connection does not exist" action={<Link to="/accounts/connect">Start a new connection</Link>}>
        It may have been removed.
      </EmptyState>
    );
  }
  const step: Step = account.status === 'CONNECTED' ? 'scan' : params.get('step') === 'verify' ? 'verify' : 'role';
  const go = (s: Step) => setParams(s === 'verify' ? { step: 'verify' } : {}, { replace: false });

  return (
    <div className="wizard">
      <Stepper current={step} complete={step === 'scan' && Boolean(account.lastScan && scanFinished(account.lastScan.status))} />
      {error && <ErrorState error={error} title="The latest state could not be loaded" onRetry={reload} />}
      <Card className="wizard-card">
        {step === 'role' && <RoleStep account={account} onNext={() => go('verify')} />}
        {step === 'verify' && <VerifyStep account={account} onBack={() => go('role')} />}
        {step === 'scan' && <ScanStep account={account} refreshing={fetching} />}
      </Card>
    </div>
  );
}

function downloadTemplate(yaml: string) {
  const url = URL.createObjectURL(new Blob([yaml], { type: 'application/x-yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = TEMPLATE_FILE;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function RoleStep({ account, onNext }: { account: Account; onNext: () => void }) {
  return (
    <>
      <StepHeading>{`Create the read-only role in “${account.name}”`}</StepHeading>
      <p>
        Deploy the CloudFormation stack below in the AWS account you want to monitor. It creates an IAM role with the AWS
        managed policies <code>SecurityAudit</code> and <code>ViewOnlyAccess</code> that only Vigil can assume, and only with
        this connection’s external ID.
      </p>
      <div className="setup-values">
        <CopyField id="external-id" label="External ID" value={account.externalId} />
        <CopyField id="trusted-principal" label="Vigil’s AWS principal (trusted by the role)" value={account.setup.trustedPrincipalArn} />
      </div>
      <div className="choice-grid">
        <div className="choice">
          <h3>Option A: launch the stack in the AWS console</h3>
          <p>Opens CloudFormation’s quick-create page with the template and external ID filled in. Sign in to the right account first.</p>
          <a className="btn btn-primary" href={account.setup.launchStackUrl} target="_blank" rel="noopener noreferrer">
            Launch stack in AWS <span className="sr-only">(opens in a new tab)</span>
            <span aria-hidden="true"> ↗</span>
          </a>
        </div>
        <div className="choice">
          <h3>Option B: deploy the template yourself</h3>
          <p>
            Download the template (it already contains this connection’s external ID) and deploy it with the console, the CLI or
            your infrastructure code.
          </p>
          <button type="button" className="btn" onClick={() => downloadTemplate(account.setup.cloudFormationTemplate)}>
            Download CloudFormation template
          </button>
          <details className="template-preview">
            <summary>Show the template</summary>
            <pre className="json" tabIndex={0} aria-label="CloudFormation template">
              <code>{account.setup.cloudFormationTemplate}</code>
            </pre>
          </details>
        </div>
      </div>
      <p className="muted">
        When the stack is complete, copy its <strong>RoleArn</strong> output (Outputs tab in the console).
      </p>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={onNext}>
          I have the role ARN
        </button>
        <Link to="/accounts" className="btn btn-ghost">
          Finish later
        </Link>
      </div>
    </>
  );
}

function VerifyStep({ account, onBack }: { account: Account; onBack: () => void }) {
  const [roleArn, setRoleArn] = useState(account.roleArn ?? '');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | undefined>();
  const [{ fetching }, verify] = useMutation(VerifyAccountDocument);
  const failed = account.status === 'ERROR' && account.error;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = roleArnError(roleArn);
    setFieldError(problem);
    setFormError(undefined);
    if (problem) return;
    const result = await verify({ id: account.id, roleArn: roleArn.trim() });
    if (result.error) {
      const fe = gqlFormError(result.error, 'roleArn');
      if (fe.field) setFieldError(fe.message);
      else setFormError(fe.message);
    }
  }

  return (
    <>
      <StepHeading>Verify the connection</StepHeading>
      <p>
        Paste the role’s ARN. Vigil assumes the role with the external ID, confirms the account, and checks that the role refuses
        anyone without the external ID.
      </p>
      {failed && !fetching && (
        <div className="callout callout-error" role="alert">
          <h3>Vigil could not use this role</h3>
          <p>{account.error}</p>
          <p>What to check:</p>
          <ul>
            <li>The ARN is the stack’s RoleArn output, in the account you meant to connect.</li>
            <li>
              The role trusts <code>{account.setup.trustedPrincipalArn}</code>.
            </li>
            <li>
              Its trust policy requires the external ID <code>{account.externalId}</code> (a stack made for another connection has a
              different one).
            </li>
            <li>If you just created the stack, wait a minute: IAM changes take a few seconds to reach every region.</li>
          </ul>
        </div>
      )}
      <form onSubmit={submit} noValidate className="form-narrow">
        <FormAlert message={formError} />
        <TextField
          label="Role ARN"
          name="roleArn"
          className="mono"
          required
          placeholder="arn:aws:iam::123456789012:role/VigilReadOnly"
          value={roleArn}
          onChange={(e) => setRoleArn(e.target.value)}
          error={fieldError}
          hint="The RoleArn output of the CloudFormation stack."
          spellCheck={false}
          autoComplete="off"
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            {fetching ? 'Verifying… (this takes a few seconds)' : failed ? 'Verify again' : 'Verify and connect'}
          </button>
          <button type="button" className="btn btn-ghost" onClick={onBack}>
            Back to the role setup
          </button>
        </div>
      </form>
    </>
  );
}

function ScanStep({ account, refreshing }: { account: Account; refreshing: boolean }) {
  const scan = account.lastScan;
  const finished = scan ? scanFinished(scan.status) : false;
  const [{ data: findings }, refetchFindings] = useQuery({
    query: FirstFindingsDocument,
    variables: { awsAccountId: account.id },
  });
  const reloadFindings = useCallback(() => refetchFindings({ requestPolicy: 'network-only' }), [refetchFindings]);
  usePolling(reloadFindings, 2000, !finished || (findings?.findings.totalCount ?? 0) === 0);
  // One last fetch when the scan finishes, so the list matches the summary.
  useEffect(() => {
    if (finished) reloadFindings();
  }, [finished, reloadFindings]);

  const total = findings?.findings.totalCount ?? 0;
  return (
    <>
      <StepHeading>{finished ? 'Your first scan is done' : 'Scanning your account'}</StepHeading>
      <p>
        <strong>{account.name}</strong> is connected
        {account.accountId ? (
          <>
            {' '}
            (AWS account <span className="mono">{account.accountId}</span>)
          </>
        ) : null}
        . Vigil now reads every enabled region; findings appear below as soon as they are found. Activity ingestion from
        CloudTrail has started too.
      </p>
      <div className="scan-progress" aria-live="polite">
        {scan ? (
          <>
            <div className="scan-progress-head">
              <ScanStatusBadge status={scan.status} />
              <span>
                {scan.status === 'QUEUED'
                  ? 'Waiting for a worker…'
                  : `${scan.regionsDone} of ${scan.regionsTotal || '?'} regions read`}
                {finished ? ` · ${plural(scan.resourcesSeen, 'resource')} inventoried · ${plural(scan.findingsOpened, 'finding')} opened` : ''}
              </span>
              {refreshing && !finished && <span className="spinner spinner-small" aria-hidden="true" />}
            </div>
            <ProgressBar
              label="Scan progress"
              value={finished ? scan.regionsTotal || 1 : scan.regionsDone}
              max={finished ? scan.regionsTotal || 1 : scan.regionsTotal}
            />
            {scan.status === 'FAILED' && (
              <div className="callout callout-error" role="alert">
                The scan failed: {scan.error ?? 'no reason given'}. Vigil retries on the next scheduled scan; you can also start a scan
                from the AWS accounts page.
              </div>
            )}
            {scan.status === 'PARTIAL' && scan.problems.length > 0 && (
              <div className="callout callout-warning">
                <p>Some regions or services could not be read; findings there were neither opened nor resolved:</p>
                <ul>
                  {scan.problems.slice(0, 5).map((p, i) => (
                    <li key={i}>
                      {p.region} · {p.service} {p.operation}: {p.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </>
        ) : (
          <p>The first scan is being queued…</p>
        )}
      </div>

      <h3 className="section-title">
        First findings{' '}
        {total > 0 && <span className="muted">({plural(total, 'open finding')})</span>}
      </h3>
      {total === 0 ? (
        <p className="muted" role="status">
          {finished ? 'No open findings: every check passed.' : 'Nothing yet; findings appear here as the scan finds them.'}
        </p>
      ) : (
        <ul className="finding-preview" aria-label="First findings">
          {findings!.findings.edges.map(({ node: f }) => (
            <li key={f.id}>
              <SeverityBadge severity={f.severity} />
              <Link to={`/findings/${f.id}`}>{f.title}</Link>
              <span className="muted small">
                {resourceTypeLabel(f.resourceType)} <span className="mono">{f.resourceId}</span> · {f.region}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="form-actions">
        <Link to={`/findings?awsAccountId=${account.id}`} className={`btn ${finished ? 'btn-primary' : ''}`}>
          View all findings
        </Link>
        <Link to="/" className="btn btn-ghost">
          Go to the dashboard
        </Link>
      </div>
    </>
  );
}
