import { createColumnHelper } from '@tanstack/react-table';
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { gqlFormError } from '../api/errors';
import { useMe } from '../auth/MeProvider';
import { seenColumns } from '../components/columns';
import { DataTable } from '../components/DataTable';
import { ExportControl } from '../components/ExportControl';
import { Dialog } from '../components/Dialog';
import { FormAlert, SelectField, TextAreaField, TextField } from '../components/fields';
import { Pager, useCursorPages } from '../components/Pager';
import { SeverityFilter } from '../components/SeverityFilter';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { DescriptionList, FindingStatusBadge, JsonBlock, LiveRegion, PageHeader, RichText, SeverityBadge, Time } from '../components/ui';
import { graphql } from '../gql';
import type { FindingOrder, FindingStatus, FindingsQuery, Severity } from '../gql/graphql';
import { compact, listParam, serverOrder, textParam, withParam } from '../lib/filters';
import { FINDING_STATUS_LABEL, SEVERITIES, formatDateTime, plural, resourceTypeLabel, toIsoFromLocalInput } from '../lib/format';
import { useAccountNames, useListParams, useTextFilters } from '../lib/hooks';
import { useTitle } from '../lib/useTitle';

const FindingsDocument = graphql(`
  query Findings($first: Int, $after: String, $filter: FindingFilter, $orderBy: FindingOrder) {
    findings(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          ruleId
          title
          severity
          status
          awsAccountId
          region
          resourceType
          resourceId
          lastSeenAt
          firstSeenAt
        }
      }
    }
  }
`);

const FindingDocument = graphql(`
  query Finding($id: ID!) {
    finding(id: $id) {
      id
      ruleId
      title
      severity
      status
      awsAccountId
      region
      resourceType
      resourceId
      resourceArn
      description
      remediation
      compliance
      evidence
      firstSeenAt
      lastSeenAt
      resolvedAt
      suppressedReason
      suppressedUntil
      suppressedBy
      changes {
        transition
        evaluatedAt
        eventId
        occurredAt
        eventName
        eventSource
        region
        principalArn
        sourceIpAddress
      }
    }
  }
`);

const SuppressDocument = graphql(`
  mutation SuppressFinding($id: ID!, $reason: String!, $until: DateTime) {
    suppressFinding(id: $id, reason: $reason, until: $until) {
      id
      status
      suppressedReason
      suppressedUntil
      suppressedBy
    }
  }
`);

const UnsuppressDocument = graphql(`
  mutation UnsuppressFinding($id: ID!) {
    unsuppressFinding(id: $id) {
      id
      status
      suppressedReason
      suppressedUntil
      suppressedBy
    }
  }
`);

type Row = FindingsQuery['findings']['edges'][number]['node'];
const STATUSES: FindingStatus[] = ['OPEN', 'SUPPRESSED', 'RESOLVED'];
const col = createColumnHelper<Row>();

/**
 * The server's orders, each by the column it sorts (most first: `aria-sort` descending).
 * The order is kept in the address bar as `order` (left out for the default, SEVERITY).
 */
const ORDER_COLUMN: Record<FindingOrder, string> = { SEVERITY: 'severity', LAST_SEEN: 'lastSeenAt', FIRST_SEEN: 'firstSeenAt' };
const ORDER_HINT: Record<FindingOrder, string> = {
  SEVERITY: 'Ordered by severity, most severe first, then most recently seen',
  LAST_SEEN: 'Ordered by last seen, most recent first',
  FIRST_SEEN: 'Ordered by first seen, newest first',
};


/** Params with the filters cleared but the order kept. */
function withoutFilters(params: URLSearchParams): URLSearchParams {
  return withParam(new URLSearchParams(), 'order', params.get('order'));
}

export default function Findings() {
  useTitle('Findings');
  const [params, setParams] = useListParams('/findings');
  const navigate = useNavigate();
  const { findingId } = useParams();
  const accounts = useAccountNames();

  // Default view: open findings. `status=ALL` shows every status.
  const statusParam = params.get('status');
  const status = statusParam === 'ALL' ? [] : statusParam ? listParam(params, 'status', STATUSES) : (['OPEN'] as FindingStatus[]);
  const severity = listParam(params, 'severity', SEVERITIES);
  const filter = compact({
    status,
    severity,
    awsAccountId: textParam(params, 'awsAccountId'),
    region: textParam(params, 'region'),
    ruleId: textParam(params, 'ruleId'),
    resourceId: textParam(params, 'resourceId'),
  });
  const { order: orderBy, serverSort } = serverOrder(params, setParams, ORDER_COLUMN, 'SEVERITY');
  // A cursor belongs to its order: a new order (or filter) starts again from the first page.
  const pages = useCursorPages(JSON.stringify({ filter, orderBy }));
  const [{ data, fetching, error }, refetch] = useQuery({
    query: FindingsDocument,
    variables: { first: pages.first, after: pages.after, filter, orderBy },
  });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);

  const columns = useMemo(
    () => [
      col.accessor('severity', {
        header: 'Severity',
        enableSorting: true,
        sortDescFirst: true,
        cell: (c) => <SeverityBadge severity={c.getValue()} />,
      }),
      col.accessor('title', {
        header: 'Finding',
        meta: { className: 'col-title' },
        cell: (c) => (
          <Link to={{ pathname: `/findings/${c.row.original.id}`, search: params.toString() }} className="row-link">
            {c.getValue()}
          </Link>
        ),
      }),
      col.accessor((r) => `${r.resourceType} ${r.resourceId}`, {
        id: 'resource',
        header: 'Resource',
        cell: (c) => (
          <div className="cell-stack">
            <span className="small muted">{resourceTypeLabel(c.row.original.resourceType)}</span>
            <span className="mono small truncate" title={c.row.original.resourceId}>
              {c.row.original.resourceId}
            </span>
          </div>
        ),
      }),
      col.accessor((r) => accounts.name(r.awsAccountId), { id: 'account', header: 'Account', meta: { className: 'col-optional' } }),
      col.accessor('region', { header: 'Region', cell: (c) => <span className="mono small nowrap">{c.getValue()}</span> }),
      col.accessor('status', { header: 'Status', cell: (c) => <FindingStatusBadge status={c.getValue()} /> }),
      ...seenColumns(col),
    ],
    [accounts, params],
  );

  const rows = data?.findings.edges.map((e) => e.node) ?? [];
  const setFilter = (name: string, value: string | string[] | undefined) => setParams(withParam(params, name, value));
  const closeDetail = () => navigate({ pathname: '/findings', search: params.toString() });
  const filtered = [...params.keys()].some((k) => k !== 'order');

  return (
    <>
      <PageHeader
        title="Findings"
        description="Configuration problems found by the scans of your AWS accounts. Suppressed findings stay suppressed across rescans."
        actions={<ExportControl kind="findings" noun="findings" filters={{ status, severity, awsAccountId: textParam(params, 'awsAccountId') }} />}
      />
      <FindingFilters
        status={statusParam === 'ALL' ? 'ALL' : (status[0] ?? 'OPEN')}
        severity={severity}
        params={params}
        accounts={accounts.accounts}
        onStatus={(v) => setFilter('status', v === 'OPEN' ? undefined : v)}
        onSeverity={(v) => setFilter('severity', v)}
        onApply={(next) => setParams(next)}
        onClear={() => setParams(withoutFilters(params))}
        filtered={filtered}
      />
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading label="Loading findings…" />}
      {data && (
        <>
          <LiveRegion>{plural(data.findings.totalCount, 'finding')} match the filters.</LiveRegion>
          <DataTable
            data={rows}
            columns={columns}
            caption="Findings"
            serverSort={serverSort}
            sortHint={ORDER_HINT[orderBy]}
            getRowId={(r) => r.id}
            busy={fetching}
            selectedId={findingId}
            onRowClick={(r) => navigate({ pathname: `/findings/${r.id}`, search: params.toString() })}
            empty={
              filtered ? (
                <EmptyState title="No findings match these filters" action={<button type="button" className="btn" onClick={() => setParams(withoutFilters(params))}>Clear filters</button>} />
              ) : (
                <EmptyState title="No open findings">
                  Either every check passes, or no scan has finished yet. <Link to="/accounts">See your accounts’ scans</Link>.
                </EmptyState>
              )
            }
          />
          <Pager
            pages={pages}
            shown={rows.length}
            totalCount={data.findings.totalCount}
            hasNextPage={data.findings.pageInfo.hasNextPage}
            endCursor={data.findings.pageInfo.endCursor}
            noun="findings"
          />
          {fetching && <span className="sr-only">Updating…</span>}
        </>
      )}
      <Dialog open={Boolean(findingId)} onClose={closeDetail} title="Finding" variant="drawer" wide>
        {findingId && <FindingDetail id={findingId} accountName={accounts.name} />}
      </Dialog>
    </>
  );
}

function FindingFilters({
  status,
  severity,
  params,
  accounts,
  onStatus,
  onSeverity,
  onApply,
  onClear,
  filtered,
}: {
  status: string;
  severity: Severity[];
  params: URLSearchParams;
  accounts: { id: string; name: string }[];
  onStatus: (v: string) => void;
  onSeverity: (v: Severity[]) => void;
  onApply: (next: URLSearchParams) => void;
  onClear: () => void;
  filtered: boolean;
}) {
  const { text, set, applied } = useTextFilters(params, ['ruleId', 'resourceId', 'region']);
  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(applied());
  }
  return (
    <form className="filters" role="search" aria-label="Filter findings" onSubmit={submit}>
      <SelectField label="Status" value={status} onChange={(e) => onStatus(e.target.value)}>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {FINDING_STATUS_LABEL[s]}
          </option>
        ))}
        <option value="ALL">All statuses</option>
      </SelectField>
      <SelectField
        label="Account"
        value={params.get('awsAccountId') ?? ''}
        onChange={(e) => onApply(withParam(params, 'awsAccountId', e.target.value))}
      >
        <option value="">All accounts</option>
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </SelectField>
      <SeverityFilter value={severity} onChange={onSeverity} />
      <TextField label="Check ID" placeholder="e.g. ec2-sg-ssh-open" value={text.ruleId} onChange={(e) => set('ruleId', e.target.value)} />
      <TextField label="Resource ID" value={text.resourceId} onChange={(e) => set('resourceId', e.target.value)} />
      <TextField label="Region" placeholder="e.g. eu-west-1" value={text.region} onChange={(e) => set('region', e.target.value)} />
      <div className="filters-actions">
        <button type="submit" className="btn">
          Apply
        </button>
        {filtered && (
          <button type="button" className="btn btn-ghost" onClick={onClear}>
            Reset
          </button>
        )}
      </div>
    </form>
  );
}

/** The event in the AWS console's CloudTrail event history (which keeps 90 days). */
export function cloudTrailEventUrl(region: string, eventId: string): string {
  return `https://console.aws.amazon.com/cloudtrail/home?region=${encodeURIComponent(region)}#/events/${encodeURIComponent(eventId)}`;
}

function FindingDetail({ id, accountName }: { id: string; accountName: (id: string) => string }) {
  const { can } = useMe();
  const [{ data, error }, refetch] = useQuery({ query: FindingDocument, variables: { id } });
  const [suppressing, setSuppressing] = useState(false);
  const [{ fetching: lifting, error: liftError }, unsuppress] = useMutation(UnsuppressDocument);

  if (!data) {
    if (error) return <ErrorState error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
    return <Loading label="Loading the finding…" />;
  }
  const f = data.finding;
  if (!f) return <EmptyState title="This finding does not exist">It may belong to an account that was removed.</EmptyState>;

  const history: { at: string; what: string }[] = [
    { at: f.firstSeenAt, what: 'First seen by a scan' },
    ...(f.resolvedAt ? [{ at: f.resolvedAt, what: 'Resolved: a complete re-check no longer saw it' }] : []),
    { at: f.lastSeenAt, what: f.status === 'RESOLVED' ? 'Last seen' : 'Last seen (most recent scan that saw it)' },
  ].sort((a, b) => a.at.localeCompare(b.at));

  return (
    <article className="detail" aria-label={f.title}>
      <div className="detail-head">
        <SeverityBadge severity={f.severity} />
        <FindingStatusBadge status={f.status} />
        <span className="mono small muted">{f.ruleId}</span>
      </div>
      <h3 className="detail-title">{f.title}</h3>

      {can('TRIAGE_FINDINGS') && (
        <div className="detail-actions">
          {f.status === 'SUPPRESSED' ? (
            <button type="button" className="btn" disabled={lifting} onClick={() => void unsuppress({ id: f.id })}>
              {lifting ? 'Lifting…' : 'Lift suppression'}
            </button>
          ) : (
            <button type="button" className="btn" onClick={() => setSuppressing(true)}>
              Suppress…
            </button>
          )}
          <FormAlert message={liftError ? gqlFormError(liftError).message : undefined} />
        </div>
      )}

      {f.status === 'SUPPRESSED' && (
        <div className="callout callout-info">
          <strong>Suppressed</strong>
          {f.suppressedBy ? ` by ${f.suppressedBy}` : ''}
          {f.suppressedUntil ? ` until ${formatDateTime(f.suppressedUntil)}` : ' until lifted'}: {f.suppressedReason}
        </div>
      )}

      <section>
        <h4>Why it matters</h4>
        <RichText text={f.description} />
      </section>
      <section>
        <h4>How to fix it</h4>
        <RichText text={f.remediation} />
      </section>
      <section>
        <h4>Compliance</h4>
        {f.compliance.length === 0 ? (
          <p className="muted">No compliance references.</p>
        ) : (
          <ul className="tag-list">
            {f.compliance.map((c) => (
              <li key={c} className="tag">
                {c}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h4>Resource</h4>
        <DescriptionList
          items={[
            ['Type', resourceTypeLabel(f.resourceType)],
            ['ID', <span className="mono break">{f.resourceId}</span>],
            ['ARN', f.resourceArn ? <span className="mono break">{f.resourceArn}</span> : null],
            ['Region', f.region],
            ['Account', accountName(f.awsAccountId)],
          ]}
        />
      </section>
      <section>
        <h4>What the scan saw</h4>
        <JsonBlock value={f.evidence} label="Evidence" />
      </section>
      <section>
        <h4>What changed it</h4>
        {f.changes.length === 0 ? (
          <p className="muted">No CloudTrail event on this resource was seen between the evaluation before and the one that opened or resolved it.</p>
        ) : (
          <ul className="change-list" aria-label="Changes">
            {f.changes.map((c) => (
              <li key={`${c.evaluatedAt}-${c.eventId}`}>
                <strong>{c.transition === 'RESOLVED' ? 'Resolved after' : 'Opened after'}</strong>{' '}
                <a href={cloudTrailEventUrl(c.region, c.eventId)} target="_blank" rel="noreferrer" className="mono">
                  {c.eventName}
                </a>{' '}
                by <span className="mono break">{c.principalArn ?? 'unknown principal'}</span>
                {c.sourceIpAddress ? (
                  <>
                    {' '}
                    from <span className="mono">{c.sourceIpAddress}</span>
                  </>
                ) : null}{' '}
                at <Time iso={c.occurredAt} absolute /> <span className="muted small">(event {c.eventId})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h4>History</h4>
        <ol className="timeline">
          {history.map((h, i) => (
            <li key={i}>
              <Time iso={h.at} absolute /> — {h.what}
            </li>
          ))}
          {f.status === 'SUPPRESSED' && <li>Suppressed{f.suppressedBy ? ` by ${f.suppressedBy}` : ''}</li>}
        </ol>
      </section>

      <SuppressDialog open={suppressing} findingId={f.id} title={f.title} onClose={() => setSuppressing(false)} />
    </article>
  );
}

function SuppressDialog({ open, findingId, title, onClose }: { open: boolean; findingId: string; title: string; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [errors, setErrors] = useState<{ reason?: string; until?: string; form?: string }>({});
  const [{ fetching }, suppress] = useMutation(SuppressDocument);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    if (!reason.trim()) next.reason = 'Say why this finding is accepted; your team sees it.';
    const untilIso = toIsoFromLocalInput(until);
    if (until && !untilIso) next.until = 'Enter a valid date and time.';
    else if (untilIso && new Date(untilIso) <= new Date()) next.until = 'Pick a time in the future.';
    setErrors(next);
    if (next.reason || next.until) return;
    const result = await suppress({ id: findingId, reason: reason.trim(), until: untilIso ?? null });
    if (result.error) {
      const fe = gqlFormError(result.error, 'reason', ['reason', 'until']);
      setErrors(fe.field ? { [fe.field]: fe.message } : { form: fe.message });
      return;
    }
    setReason('');
    setUntil('');
    onClose();
  }

  return (
    <Dialog open={open} onClose={onClose} title="Suppress finding" description={title}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={errors.form} />
        <TextAreaField
          label="Reason"
          required
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={errors.reason}
          hint="For example: accepted risk, compensating control, false positive."
        />
        <TextField
          label="Suppress until (optional)"
          type="datetime-local"
          value={until}
          onChange={(e) => setUntil(e.target.value)}
          error={errors.until}
          hint="Leave empty to keep it suppressed until someone lifts it."
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={fetching}>
            {fetching ? 'Suppressing…' : 'Suppress finding'}
          </button>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
