import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { fetchExport, saveBlob } from '../api/export';
import { gqlFormError } from '../api/errors';
import { session } from '../auth/session';
import { useMe } from '../auth/MeProvider';
import { FormAlert, SelectField, TextAreaField, TextField } from '../components/fields';
import { ErrorState, Loading } from '../components/states';
import { Card, PageHeader, SeverityBadge, Time } from '../components/ui';
import { graphql } from '../gql';
import type { ComplianceReportQuery, ComplianceStatus } from '../gql/graphql';
import { withParam } from '../lib/filters';
import { formatDateTime } from '../lib/format';
import { useAccountNames, useListParams } from '../lib/hooks';
import { useTitle } from '../lib/useTitle';

const FrameworksDocument = graphql(`
  query ComplianceFrameworks {
    complianceFrameworks {
      id
      name
      controlsTotal
      controlsCovered
    }
  }
`);

const ReportDocument = graphql(`
  query ComplianceReport($framework: String!, $awsAccountId: ID) {
    complianceReport(framework: $framework, awsAccountId: $awsAccountId) {
      framework {
        id
        name
        source
      }
      generatedAt
      score
      counts {
        pass
        fail
        notAssessed
        manual
        attested
      }
      accounts {
        awsAccountId
        name
        accountId
        scanStatus
        scannedAt
        eventsIngestedAt
      }
      controls {
        id
        section
        subsection
        title
        level
        automated
        status
        reason
        checks
        failingCount
        suppressedCount
        failingResources {
          findingId
          awsAccountId
          ruleId
          region
          resourceType
          resourceId
          severity
        }
        detection {
          condition
          benchmarkCalls
          watchedCalls
          eventsIngestedAt
          rules {
            ruleId
            title
            enabled
            raisesAlerts
            lastMatch {
              alertId
              at
            }
          }
        }
        attestation {
          id
          owner
          note
          evidenceUrl
          expiresAt
          attestedBy
          attestedAt
          awsAccountId
        }
      }
    }
  }
`);

const AttestDocument = graphql(`
  mutation AttestComplianceControl($input: AttestComplianceControlInput!) {
    attestComplianceControl(input: $input) {
      id
      expiresAt
    }
  }
`);

const RevokeDocument = graphql(`
  mutation RevokeComplianceAttestation($id: ID!) {
    revokeComplianceAttestation(id: $id) {
      id
      revokedAt
    }
  }
`);

type Control = ComplianceReportQuery['complianceReport']['controls'][number];

const STATUS_LABEL: Record<ComplianceStatus, string> = {
  PASS: 'Pass',
  FAIL: 'Fail',
  NOT_ASSESSED: 'Not assessed',
  MANUAL: 'Manual',
  ATTESTED: 'Attested',
};

function StatusBadge({ status }: { status: ComplianceStatus }) {
  return <span className={`badge cstatus cstatus-${status.toLowerCase().replace('_', '-')}`}>{STATUS_LABEL[status]}</span>;
}

const DEFAULT_FRAMEWORK = 'cis-aws-5.0';

export default function Compliance() {
  useTitle('Compliance');
  const [params, setParams] = useListParams('/compliance');
  const accounts = useAccountNames();
  const framework = params.get('framework') ?? DEFAULT_FRAMEWORK;
  const awsAccountId = params.get('awsAccountId') || null;
  const [{ data: frameworks }] = useQuery({ query: FrameworksDocument });
  const [{ data, error }, refetch] = useQuery({ query: ReportDocument, variables: { framework, awsAccountId } });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const [exportError, setExportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);

  async function downloadCsv() {
    setExporting(true);
    setExportError(null);
    const q = new URLSearchParams({ framework, format: 'csv' });
    if (awsAccountId) q.set('awsAccountId', awsAccountId);
    try {
      const { blob, filename } = await fetchExport(session, `/api/v1/export/compliance?${q.toString()}`, `vigil-${framework}.csv`);
      saveBlob(blob, filename);
    } catch (e) {
      setExportError(e instanceof Error ? e.message : 'The export failed.');
    } finally {
      setExporting(false);
    }
  }

  const sections = useMemo(() => {
    const out: { section: string; controls: Control[] }[] = [];
    for (const c of data?.complianceReport.controls ?? []) {
      const last = out[out.length - 1];
      if (last && last.section === c.section) last.controls.push(c);
      else out.push({ section: c.section, controls: [c] });
    }
    return out;
  }, [data]);

  const report = data?.complianceReport;
  return (
    <>
      <PageHeader
        title="Compliance"
        description="Each control of the framework, judged from the latest completed scan of your accounts and from Vigil's detections. Manual controls can be attested."
        actions={
          <div className="export-control no-print">
            <button type="button" className="btn" onClick={() => void downloadCsv()} disabled={exporting}>
              {exporting ? 'Exporting…' : 'Download CSV'}
            </button>
            <button type="button" className="btn" onClick={() => window.print()}>
              Print or save as PDF
            </button>
            {exportError && (
              <p className="field-error export-error" role="alert">
                {exportError}
              </p>
            )}
          </div>
        }
      />
      <form className="filters no-print" aria-label="Choose the report" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Framework" value={framework} onChange={(e) => setParams(withParam(params, 'framework', e.target.value === DEFAULT_FRAMEWORK ? undefined : e.target.value))}>
          {(frameworks?.complianceFrameworks ?? [{ id: DEFAULT_FRAMEWORK, name: 'CIS AWS Foundations Benchmark v5.0.0' }]).map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Account" value={awsAccountId ?? ''} onChange={(e) => setParams(withParam(params, 'awsAccountId', e.target.value))}>
          <option value="">All accounts</option>
          {accounts.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
      </form>
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading label="Building the report…" />}
      {report && (
        <>
          <Card title={report.framework.name}>
            <div className="compliance-summary">
              <p className="compliance-score">
                <strong>{report.score === null || report.score === undefined ? '—' : `${report.score.toFixed(1)}%`}</strong>
                <span className="small muted"> of assessed controls pass</span>
              </p>
              <ul className="compliance-counts" aria-label="Controls by status">
                <li>
                  <StatusBadge status="PASS" /> {report.counts.pass}
                </li>
                <li>
                  <StatusBadge status="FAIL" /> {report.counts.fail}
                </li>
                <li>
                  <StatusBadge status="NOT_ASSESSED" /> {report.counts.notAssessed}
                </li>
                <li>
                  <StatusBadge status="MANUAL" /> {report.counts.manual}
                </li>
                <li>
                  <StatusBadge status="ATTESTED" /> {report.counts.attested}
                </li>
              </ul>
            </div>
            <p className="small muted">
              Generated {formatDateTime(report.generatedAt)} over{' '}
              {report.accounts.length === 0
                ? 'no connected account'
                : report.accounts
                    .map((a) => `${a.name}${a.scannedAt ? ` (scanned ${formatDateTime(a.scannedAt)})` : ' (never scanned)'}`)
                    .join(', ')}
              . Catalogue: {report.framework.source}.
            </p>
          </Card>
          {sections.map((s) => (
            <section key={s.section} className="compliance-section" aria-label={s.section}>
              <h2>{s.section}</h2>
              <ul className="compliance-controls">
                {s.controls.map((c) => (
                  <li key={c.id}>
                    <ControlItem control={c} framework={report.framework.id} awsAccountId={awsAccountId} accountName={accounts.name} onChange={reload} />
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </>
  );
}

function ControlItem({
  control: c,
  framework,
  awsAccountId,
  accountName,
  onChange,
}: {
  control: Control;
  framework: string;
  awsAccountId: string | null;
  accountName: (id: string) => string;
  onChange: () => void;
}) {
  const { can } = useMe();
  const [{ fetching: revoking, error: revokeError }, revoke] = useMutation(RevokeDocument);
  const attestable = !c.automated && can('TRIAGE_FINDINGS');
  return (
    <details className="compliance-control" data-control={c.id} data-status={c.status}>
      <summary>
        <span className="mono control-id">{c.id}</span> <span className="control-title">{c.title}</span> <StatusBadge status={c.status} />
        {c.failingCount > 0 && <span className="small muted"> {c.failingCount} failing</span>}
      </summary>
      <div className="control-body">
        <p>{c.reason}</p>
        <p className="small muted">
          {c.level ?? ''} · {c.automated ? 'Automated' : 'Manual'} in the framework
          {c.suppressedCount > 0 ? ` · ${c.suppressedCount} suppressed finding(s) do not count` : ''}
        </p>
        {c.checks.length > 0 && (
          <p>
            Vigil checks:{' '}
            {c.checks.map((r, i) => (
              <span key={r}>
                {i > 0 && ', '}
                <Link to={{ pathname: '/findings', search: new URLSearchParams({ ruleId: r, ...(awsAccountId ? { awsAccountId } : {}) }).toString() }} className="mono">
                  {r}
                </Link>
              </span>
            ))}
          </p>
        )}
        {c.failingResources.length > 0 && (
          <table className="table compliance-failing">
            <caption className="sr-only">Failing resources of control {c.id}</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Resource</th>
                <th scope="col">Account</th>
                <th scope="col">Region</th>
                <th scope="col">Check</th>
              </tr>
            </thead>
            <tbody>
              {c.failingResources.map((f) => (
                <tr key={f.findingId}>
                  <td>
                    <SeverityBadge severity={f.severity} />
                  </td>
                  <td>
                    <Link to={`/findings/${f.findingId}`} className="mono">
                      {f.resourceId}
                    </Link>
                  </td>
                  <td>{accountName(f.awsAccountId)}</td>
                  <td className="mono small">{f.region}</td>
                  <td className="mono small">{f.ruleId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {c.failingCount > c.failingResources.length && (
          <p className="small">
            {c.failingCount - c.failingResources.length} more:{' '}
            <Link to={{ pathname: '/findings', search: new URLSearchParams({ ruleId: c.checks[0] ?? '' }).toString() }}>see the findings</Link>.
          </p>
        )}
        {c.detection && (
          <div className="callout callout-info">
            <strong>Evidenced by Vigil&apos;s detections</strong> ({c.detection.condition}). Events ingested:{' '}
            {c.detection.eventsIngestedAt ? <Time iso={c.detection.eventsIngestedAt} /> : 'never'}.
            {c.detection.benchmarkCalls.length > 0 && (
              <>
                {' '}
                Watches {c.detection.watchedCalls.length} of the {c.detection.benchmarkCalls.length} calls the benchmark names
                {c.detection.watchedCalls.length > 0 ? `: ${c.detection.watchedCalls.join(', ')}` : ''}.
              </>
            )}
            <ul>
              {c.detection.rules.map((r) => (
                <li key={r.ruleId}>
                  <span className="mono small">{r.ruleId}</span> — {r.title} ({r.enabled ? 'on' : 'off'}
                  {r.raisesAlerts ? '' : ', feeds a correlation'}); last match:{' '}
                  {r.lastMatch ? <Link to={`/alerts/${r.lastMatch.alertId}`}>{formatDateTime(r.lastMatch.at)}</Link> : 'none yet'}
                </li>
              ))}
            </ul>
          </div>
        )}
        {c.attestation && (
          <div className="callout callout-info">
            <strong>Attested</strong> by {c.attestation.attestedBy} on {formatDateTime(c.attestation.attestedAt)}, owner {c.attestation.owner}, until{' '}
            {formatDateTime(c.attestation.expiresAt)}
            {c.attestation.awsAccountId ? ` for ${accountName(c.attestation.awsAccountId)}` : ' for every account'}: {c.attestation.note}
            {c.attestation.evidenceUrl && (
              <>
                {' '}
                — <a href={c.attestation.evidenceUrl} rel="noopener noreferrer" target="_blank">evidence</a>
              </>
            )}
            {attestable && (
              <div className="no-print">
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={revoking}
                  onClick={() => void revoke({ id: c.attestation!.id }).then((r) => !r.error && onChange())}
                >
                  {revoking ? 'Revoking…' : 'Revoke attestation'}
                </button>
                <FormAlert message={revokeError ? gqlFormError(revokeError).message : undefined} />
              </div>
            )}
          </div>
        )}
        {attestable && !c.attestation && <AttestForm framework={framework} controlId={c.id} awsAccountId={awsAccountId} onDone={onChange} />}
      </div>
    </details>
  );
}

/** A date `days` from now as `YYYY-MM-DD` (a date input's value). */
function dateIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function AttestForm({ framework, controlId, awsAccountId, onDone }: { framework: string; controlId: string; awsAccountId: string | null; onDone: () => void }) {
  const [owner, setOwner] = useState('');
  const [note, setNote] = useState('');
  const [evidenceUrl, setEvidenceUrl] = useState('');
  const [expires, setExpires] = useState(dateIn(90));
  const [{ fetching, error }, attest] = useMutation(AttestDocument);

  function submit(e: FormEvent) {
    e.preventDefault();
    void attest({
      input: {
        framework,
        controlId,
        awsAccountId,
        owner,
        note,
        evidenceUrl: evidenceUrl.trim() || null,
        expiresAt: new Date(`${expires}T23:59:59Z`).toISOString(),
      },
    }).then((r) => {
      if (!r.error) onDone();
    });
  }
  const formError = error ? gqlFormError(error).message : undefined;
  return (
    <form className="attest-form no-print" onSubmit={submit} aria-label={`Attest control ${controlId}`}>
      <h3 className="small">Attest this control{awsAccountId ? ' for this account' : ' for every account'}</h3>
      <TextField label="Owner" required maxLength={200} value={owner} onChange={(e) => setOwner(e.target.value)} />
      <TextAreaField label="What was checked" required maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      <TextField label="Evidence link (https)" type="url" pattern="https://.*" value={evidenceUrl} onChange={(e) => setEvidenceUrl(e.target.value)} />
      <TextField label="Valid until" type="date" required min={dateIn(1)} max={dateIn(365)} value={expires} onChange={(e) => setExpires(e.target.value)} />
      <FormAlert message={formError} />
      <button type="submit" className="btn" disabled={fetching}>
        {fetching ? 'Attesting…' : 'Attest'}
      </button>
    </form>
  );
}
