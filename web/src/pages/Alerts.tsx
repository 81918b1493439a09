import { useCallback, useMemo, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { gqlFormError } from '../api/errors';
import { useMe } from '../auth/MeProvider';
import { Dialog } from '../components/Dialog';
import { ExportControl } from '../components/ExportControl';
import { FormAlert, SelectField, TextField } from '../components/fields';
import { Pager, useCursorPages } from '../components/Pager';
import { SeverityFilter } from '../components/SeverityFilter';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { AlertStatusBadge, DescriptionList, JsonBlock, LiveRegion, PageHeader, RichText, SeverityBadge, Time } from '../components/ui';
import { graphql } from '../gql';
import type { AlertFieldsFragment, AlertOrder, AlertStatus } from '../gql/graphql';
import { compact, listParam, textParam, withParam } from '../lib/filters';
import { ALERT_STATUS_LABEL, SEVERITIES, formatDate, formatDateTime, formatRelative, formatTime, plural, resourceTypeLabel, shortArn } from '../lib/format';
import { useAccountNames, useListParams, useTextFilters } from '../lib/hooks';
import { useTitle } from '../lib/useTitle';

graphql(`
  fragment AlertFields on Alert {
    id
    ruleId
    title
    severity
    status
    awsAccountId
    region
    eventName
    eventSource
    principalArn
    sourceIpAddress
    sourceResource
    occurredAt
    firstSeenAt
    lastSeenAt
    eventId
    eventIds
    eventCount
    description
    runbook
    techniques
    acknowledgedBy
  }
`);

const AlertsDocument = graphql(`
  query Alerts($first: Int, $after: String, $filter: AlertFilter, $orderBy: AlertOrder) {
    alerts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AlertFields
        }
      }
    }
  }
`);

/** One alert by ID, for a deep link to an alert that is not on the current page. */
const AlertDocument = graphql(`
  query Alert($id: ID!) {
    alert(id: $id) {
      ...AlertFields
    }
  }
`);

const AlertEventDocument = graphql(`
  query AlertEvent($filter: EventFilter!) {
    events(first: 50, filter: $filter) {
      edges {
        node {
          id
          eventId
          eventName
          eventSource
          region
          principalArn
          principalType
          accessKeyId
          sourceIpAddress
          userAgent
          occurredAt
          errorCode
          raw
        }
      }
    }
  }
`);

/** A sequence alert's steps (with their alerts), and the sequences a step alert is part of. */
const AlertSequenceDocument = graphql(`
  query AlertSequence($id: ID!) {
    alert(id: $id) {
      id
      sequenceSteps {
        step
        name
        occurredAt
        eventId
        alert {
          id
          title
          severity
          principalArn
          sourceIpAddress
          region
          eventName
        }
      }
      sequenceAlerts {
        id
        title
        severity
        lastSeenAt
      }
    }
  }
`);

const HolderDocument = graphql(`
  query IpHolder($ip: String!, $at: DateTime) {
    resourcesByIp(ip: $ip, at: $at) {
      ip
      public
      heldFrom
      heldUntil
      asset {
        id
        resourceType
        resourceId
        region
      }
    }
  }
`);

const AcknowledgeDocument = graphql(`
  mutation AcknowledgeAlert($id: ID!) {
    acknowledgeAlert(id: $id) {
      id
      status
      acknowledgedBy
    }
  }
`);

const CloseDocument = graphql(`
  mutation CloseAlert($id: ID!) {
    closeAlert(id: $id) {
      id
      status
      acknowledgedBy
    }
  }
`);

const STATUSES: AlertStatus[] = ['OPEN', 'ACKNOWLEDGED', 'CLOSED'];
const PERIODS: { value: string; label: string; hours?: number }[] = [
  { value: '24h', label: 'Last 24 hours', hours: 24 },
  { value: '7d', label: 'Last 7 days', hours: 24 * 7 },
  { value: '30d', label: 'Last 30 days', hours: 24 * 30 },
  { value: 'all', label: 'Any time' },
];
/**
 * The server's orders by latest activity, kept in the address bar as `order` (left out for
 * the default, newest first).
 */
const ORDERS: { value: AlertOrder; label: string }[] = [
  { value: 'LAST_SEEN_DESC', label: 'Newest first' },
  { value: 'LAST_SEEN_ASC', label: 'Oldest first' },
];

function alertOrder(params: URLSearchParams): AlertOrder {
  return params.get('order') === 'LAST_SEEN_ASC' ? 'LAST_SEEN_ASC' : 'LAST_SEEN_DESC';
}

/** Params with the filters cleared but the order kept. */
function withoutFilters(params: URLSearchParams): URLSearchParams {
  return withParam(new URLSearchParams(), 'order', params.get('order'));
}

export default function Alerts() {
  useTitle('Alerts');
  const [params, setParams] = useListParams('/alerts');
  const navigate = useNavigate();
  const { alertId } = useParams();
  const accounts = useAccountNames();
  const period = PERIODS.find((p) => p.value === params.get('period')) ?? PERIODS[3];
  // The period's start, fixed while the period stays the same (so the query is stable).
  const since = useMemo(
    () => (period.hours ? new Date(Math.floor(Date.now() / 60_000) * 60_000 - period.hours * 3_600_000).toISOString() : undefined),
    [period.hours],
  );
  const filter = compact({
    status: listParam(params, 'status', STATUSES),
    severity: listParam(params, 'severity', SEVERITIES),
    awsAccountId: textParam(params, 'awsAccountId'),
    eventName: textParam(params, 'eventName'),
    principalArn: textParam(params, 'principalArn'),
    sourceIpAddress: textParam(params, 'sourceIpAddress'),
    since,
  });
  const orderBy = alertOrder(params);
  // A cursor belongs to its order: a new order (or filter) starts again from the first page.
  const pages = useCursorPages(JSON.stringify({ filter, orderBy }));
  const [{ data, error, fetching }, refetch] = useQuery({
    query: AlertsDocument,
    variables: { first: pages.first, after: pages.after, filter, orderBy },
  });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const alerts = useMemo(() => data?.alerts.edges.map((e) => e.node) ?? [], [data]);
  const filtered = [...params.keys()].some((k) => k !== 'order');
  const open = (id: string) => navigate({ pathname: `/alerts/${id}`, search: params.toString() });
  const close = () => navigate({ pathname: '/alerts', search: params.toString() });

  const days = useMemo(() => {
    const groups: { day: string; alerts: AlertFieldsFragment[] }[] = [];
    for (const a of alerts) {
      const day = formatDate(a.lastSeenAt);
      const last = groups[groups.length - 1];
      if (last && last.day === day) last.alerts.push(a);
      else groups.push({ day, alerts: [a] });
    }
    return groups;
  }, [alerts]);

  return (
    <>
      <PageHeader
        title="Alerts"
        description="Suspicious activity detected in your accounts’ CloudTrail, by latest activity. Repeated events of the same rule and principal within an hour join one alert."
        actions={
          <>
            <ExportControl
              kind="alerts"
              noun="alerts"
              filters={{ status: filter.status, severity: filter.severity, awsAccountId: filter.awsAccountId, since }}
            />
            <button type="button" className="btn" onClick={reload} disabled={fetching}>
              {fetching ? 'Refreshing…' : 'Refresh'}
            </button>
          </>
        }
      />
      <AlertFilters params={params} setParams={setParams} accounts={accounts.accounts} filtered={filtered} />
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading label="Loading alerts…" />}
      {data && (
        <>
          <LiveRegion>{plural(data.alerts.totalCount, 'alert')} match the filters.</LiveRegion>
          {alerts.length === 0 ? (
            filtered ? (
              <EmptyState
                title="No alerts match these filters"
                action={
                  <button type="button" className="btn" onClick={() => setParams(withoutFilters(params))}>
                    Clear filters
                  </button>
                }
              />
            ) : (
              <EmptyState title="No alerts yet">
                Vigil reads CloudTrail activity every few minutes and raises an alert when one of the detection rules matches. Quiet is good.
              </EmptyState>
            )
          ) : (
            <div className="timeline-days">
              {days.map((g) => (
                <section key={g.day} className="timeline-day" aria-label={g.day}>
                  <h2 className="timeline-day-title">{g.day}</h2>
                  <ul className="alert-timeline">
                    {g.alerts.map((a) => (
                      <li key={a.id} className={`alert-item ${alertId === a.id ? 'selected' : ''}`}>
                        <span className={`timeline-dot sev-dot-${a.severity.toLowerCase()}`} aria-hidden="true" />
                        <div className="alert-item-main">
                          <div className="alert-item-head">
                            <SeverityBadge severity={a.severity} />
                            <AlertStatusBadge status={a.status} />
                            <button type="button" className="link-button alert-item-title" onClick={() => open(a.id)}>
                              {a.title}
                            </button>
                          </div>
                          <div className="alert-item-meta small muted">
                            <span>{accounts.name(a.awsAccountId)}</span>
                            {a.eventName && <span className="mono">{a.eventName}</span>}
                            <span title={a.principalArn ?? undefined}>{shortArn(a.principalArn)}</span>
                            {a.sourceIpAddress && <span className="mono">{a.sourceIpAddress}</span>}
                            {a.eventCount > 1 && <span>{plural(a.eventCount, 'event')}</span>}
                          </div>
                        </div>
                        <time className="alert-item-time" dateTime={a.lastSeenAt} title={`${formatDateTime(a.lastSeenAt)} (${formatRelative(a.lastSeenAt)})`}>
                          {formatTime(a.lastSeenAt)}
                        </time>
                      </li>
                    ))}
                  </ul>
                </section>
              ))}
            </div>
          )}
          <Pager
            pages={pages}
            shown={alerts.length}
            totalCount={data.alerts.totalCount}
            hasNextPage={data.alerts.pageInfo.hasNextPage}
            endCursor={data.alerts.pageInfo.endCursor}
            noun="alerts"
          />
        </>
      )}
      <Dialog open={Boolean(alertId)} onClose={close} title="Alert" variant="drawer" wide>
        {alertId && <AlertDetailLoader id={alertId} fromPage={alerts.find((a) => a.id === alertId)} accountName={accounts.name} />}
      </Dialog>
    </>
  );
}

function AlertFilters({
  params,
  setParams,
  accounts,
  filtered,
}: {
  params: URLSearchParams;
  setParams: (p: URLSearchParams) => void;
  accounts: { id: string; name: string }[];
  filtered: boolean;
}) {
  const { text, set, applied } = useTextFilters(params, ['eventName', 'principalArn', 'sourceIpAddress']);
  const status = listParam(params, 'status', STATUSES);
  function submit(e: FormEvent) {
    e.preventDefault();
    setParams(applied());
  }
  return (
    <form className="filters" role="search" aria-label="Filter alerts" onSubmit={submit}>
      <SelectField label="Status" value={status.length === 1 ? status[0] : ''} onChange={(e) => setParams(withParam(params, 'status', e.target.value))}>
        <option value="">All statuses</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {ALERT_STATUS_LABEL[s]}
          </option>
        ))}
      </SelectField>
      <SelectField label="Period" value={params.get('period') ?? 'all'} onChange={(e) => setParams(withParam(params, 'period', e.target.value === 'all' ? '' : e.target.value))}>
        {PERIODS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </SelectField>
      <SelectField label="Account" value={params.get('awsAccountId') ?? ''} onChange={(e) => setParams(withParam(params, 'awsAccountId', e.target.value))}>
        <option value="">All accounts</option>
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Order"
        value={alertOrder(params)}
        onChange={(e) => setParams(withParam(params, 'order', e.target.value === 'LAST_SEEN_DESC' ? '' : e.target.value))}
      >
        {ORDERS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </SelectField>
      <SeverityFilter value={listParam(params, 'severity', SEVERITIES)} onChange={(v) => setParams(withParam(params, 'severity', v))} />
      <TextField label="Event name" placeholder="e.g. StopLogging" value={text.eventName} onChange={(e) => set('eventName', e.target.value)} />
      <TextField label="Principal ARN" value={text.principalArn} onChange={(e) => set('principalArn', e.target.value)} />
      <TextField label="Source IP" value={text.sourceIpAddress} onChange={(e) => set('sourceIpAddress', e.target.value)} />
      <div className="filters-actions">
        <button type="submit" className="btn">
          Apply
        </button>
        {filtered && (
          <button type="button" className="btn btn-ghost" onClick={() => setParams(withoutFilters(params))}>
            Reset
          </button>
        )}
      </div>
    </form>
  );
}

function AlertDetailLoader({
  id,
  fromPage,
  accountName,
}: {
  id: string;
  fromPage?: AlertFieldsFragment;
  accountName: (id: string) => string;
}) {
  if (fromPage) return <AlertDetail alert={fromPage} accountName={accountName} />;
  return <AlertLookup id={id} accountName={accountName} />;
}

function AlertLookup({ id, accountName }: { id: string; accountName: (id: string) => string }) {
  const [{ data, error }, refetch] = useQuery({ query: AlertDocument, variables: { id } });
  if (!data) {
    if (error) return <ErrorState error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
    return <Loading label="Loading the alert…" />;
  }
  if (!data.alert) return <EmptyState title="This alert could not be found">It may belong to a removed account, or the link may be wrong.</EmptyState>;
  return <AlertDetail alert={data.alert} accountName={accountName} />;
}

function mitreUrl(technique: string): string {
  const [base, sub] = technique.split('.');
  return `https://attack.mitre.org/techniques/${base}/${sub ? `${sub}/` : ''}`;
}

function AlertDetail({ alert: a, accountName }: { alert: AlertFieldsFragment; accountName: (id: string) => string }) {
  const { can } = useMe();
  const [{ fetching: acking, error: ackError }, acknowledge] = useMutation(AcknowledgeDocument);
  const [{ fetching: closing, error: closeError }, closeAlert] = useMutation(CloseDocument);
  const actionError = ackError ?? closeError;
  const resource = a.sourceResource as { assetId?: string; resourceType?: string; resourceId?: string; region?: string } | null;
  const { search } = useLocation();

  return (
    <article className="detail" aria-label={a.title}>
      <div className="detail-head">
        <SeverityBadge severity={a.severity} />
        <AlertStatusBadge status={a.status} />
        <span className="mono small muted">{a.ruleId}</span>
      </div>
      <h3 className="detail-title">{a.title}</h3>
      {can('TRIAGE_ALERTS') && a.status !== 'CLOSED' && (
        <div className="detail-actions">
          {a.status === 'OPEN' && (
            <button type="button" className="btn" disabled={acking} onClick={() => void acknowledge({ id: a.id })}>
              {acking ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          )}
          <button type="button" className="btn" disabled={closing} onClick={() => void closeAlert({ id: a.id })}>
            {closing ? 'Closing…' : 'Close alert'}
          </button>
        </div>
      )}
      <FormAlert message={actionError ? gqlFormError(actionError).message : undefined} />
      {a.acknowledgedBy && (
        <p className="muted small">
          {a.status === 'CLOSED' ? 'Handled' : 'Acknowledged'} by {a.acknowledgedBy}
        </p>
      )}

      <section>
        <h4>What happened</h4>
        <DescriptionList
          items={[
            ['Principal', a.principalArn ? <span className="mono break">{a.principalArn}</span> : null],
            ['Source IP', a.sourceIpAddress ? <span className="mono">{a.sourceIpAddress}</span> : null],
            ['Resource holding the IP then', <IpHolder key="holder" alert={a} resource={resource} />],
            ['Event', a.eventName ? <span className="mono">{`${a.eventSource ?? ''} ${a.eventName}`.trim()}</span> : null],
            ['Account', accountName(a.awsAccountId)],
            ['Region', a.region],
            ['First event', <Time key="occ" iso={a.occurredAt} absolute />],
            ['Latest event', <Time key="last" iso={a.lastSeenAt} absolute />],
            ['Events', plural(a.eventCount, 'event')],
          ]}
        />
      </section>
      <SequenceLinks alertId={a.id} search={search} />
      <section>
        <h4>Why it matters</h4>
        <RichText text={a.description} />
      </section>
      {a.runbook && (
        <section>
          <h4>What to do first</h4>
          <RichText text={a.runbook} />
        </section>
      )}
      {a.techniques.length > 0 && (
        <section>
          <h4>MITRE ATT&amp;CK</h4>
          <ul className="tag-list">
            {a.techniques.map((t) => (
              <li key={t}>
                <a className="tag" href={mitreUrl(t)} target="_blank" rel="noopener noreferrer">
                  {t}
                  <span className="sr-only"> (opens in a new tab)</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h4>Raw CloudTrail event</h4>
        <RawEvent alert={a} />
        {a.eventIds.length > 1 && (
          <details>
            <summary>Event IDs in this alert ({a.eventIds.length}{a.eventCount > a.eventIds.length ? ` of ${a.eventCount}` : ''})</summary>
            <ul className="mono small id-list">
              {a.eventIds.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </details>
        )}
      </section>
    </article>
  );
}

/**
 * For a sequence alert, its steps as a timeline (when, which step, the step's alert, who
 * and from where); for a step alert, the sequences it is part of. Nothing for other alerts.
 */
function SequenceLinks({ alertId, search }: { alertId: string; search: string }) {
  const [{ data, error }] = useQuery({ query: AlertSequenceDocument, variables: { id: alertId } });
  if (error) return <ErrorState error={error} title="The linked alerts could not be loaded" />;
  const steps = data?.alert?.sequenceSteps ?? [];
  const sequences = data?.alert?.sequenceAlerts ?? [];
  const to = (id: string) => ({ pathname: `/alerts/${encodeURIComponent(id)}`, search });
  return (
    <>
      {steps.length > 0 && (
        <section>
          <h4>Steps of the sequence</h4>
          <ol className="timeline sequence-timeline" aria-label="Steps of the sequence">
            {steps.map((s) => (
              <li key={`${s.step}-${s.alert.id}`}>
                <div className="sequence-step-head">
                  <Time iso={s.occurredAt} absolute />
                  <span className="sequence-step-name">
                    Step {s.step}: {s.name}
                  </span>
                </div>
                <div>
                  <SeverityBadge severity={s.alert.severity} /> <Link to={to(s.alert.id)}>{s.alert.title}</Link>
                </div>
                <div className="small muted">
                  <span title={s.alert.principalArn ?? undefined}>{shortArn(s.alert.principalArn)}</span>
                  {s.alert.sourceIpAddress && (
                    <>
                      {' from '}
                      <span className="mono">{s.alert.sourceIpAddress}</span>
                    </>
                  )}
                  {s.alert.eventName && (
                    <>
                      {' · '}
                      <span className="mono">{s.alert.eventName}</span>
                    </>
                  )}
                  {s.alert.region && ` · ${s.alert.region}`}
                </div>
              </li>
            ))}
          </ol>
        </section>
      )}
      {sequences.length > 0 && (
        <section>
          <h4>Part of a sequence</h4>
          <ul className="plain-list" aria-label="Sequences this alert is part of">
            {sequences.map((q) => (
              <li key={q.id}>
                <SeverityBadge severity={q.severity} /> <Link to={to(q.id)}>{q.title}</Link> <Time iso={q.lastSeenAt} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function IpHolder({
  alert,
  resource,
}: {
  alert: AlertFieldsFragment;
  resource: { assetId?: string; resourceType?: string; resourceId?: string; region?: string } | null;
}) {
  const ip = alert.sourceIpAddress ?? '';
  const looksLikeIp = /^[0-9a-fA-F.:]+$/.test(ip) && (ip.includes('.') || ip.includes(':'));
  const [{ data, fetching }] = useQuery({
    query: HolderDocument,
    variables: { ip, at: alert.occurredAt },
    pause: Boolean(resource) || !looksLikeIp,
  });
  if (resource?.resourceId) {
    const label = (
      <>
        {resourceTypeLabel(resource.resourceType ?? '')} <span className="mono">{resource.resourceId}</span>
        {resource.region ? ` (${resource.region})` : ''}
      </>
    );
    return resource.assetId ? <Link to={`/assets/${resource.assetId}`}>{label}</Link> : label;
  }
  if (!ip) return <span className="muted">No source address</span>;
  if (!looksLikeIp) return <span className="muted">{`Called through ${ip} (an AWS service, not an address)`}</span>;
  if (fetching && !data) return <span className="muted">Looking up…</span>;
  const held = data?.resourcesByIp ?? [];
  if (held.length === 0) return <span className="muted">None of your resources held this address then (it is outside your accounts).</span>;
  return (
    <ul className="plain-list">
      {held.map((h) => (
        <li key={h.asset.id}>
          <Link to={`/assets/${h.asset.id}`}>
            {resourceTypeLabel(h.asset.resourceType)} <span className="mono">{h.asset.resourceId}</span>
          </Link>{' '}
          ({h.asset.region})
        </li>
      ))}
    </ul>
  );
}

function RawEvent({ alert }: { alert: AlertFieldsFragment }) {
  // Events have no lookup by ID: ask for the alert's second, by name, and pick its event ID.
  const at = new Date(alert.occurredAt);
  const [{ data, error, fetching }] = useQuery({
    query: AlertEventDocument,
    variables: {
      filter: compact({
        awsAccountId: alert.awsAccountId,
        eventName: alert.eventName ?? undefined,
        since: new Date(at.getTime() - 1000).toISOString(),
        until: new Date(at.getTime() + 1000).toISOString(),
      }),
    },
  });
  if (error) return <ErrorState error={error} title="The event could not be loaded" />;
  if (fetching && !data) return <Loading label="Loading the event…" />;
  const event = data?.events.edges.map((e) => e.node).find((e) => e.eventId === alert.eventId);
  if (!event) {
    return (
      <p className="muted">
        The event <span className="mono">{alert.eventId}</span> is no longer stored (events are kept for a limited time).
      </p>
    );
  }
  return (
    <>
      <DescriptionList
        items={[
          ['Event ID', <span className="mono break">{event.eventId}</span>],
          ['Identity type', event.principalType],
          ['Access key', event.accessKeyId ? <span className="mono">{event.accessKeyId}</span> : null],
          ['User agent', event.userAgent ? <span className="break">{event.userAgent}</span> : null],
          ['Error', event.errorCode],
        ]}
      />
      <JsonBlock value={event.raw} label="Raw CloudTrail event" />
    </>
  );
}
