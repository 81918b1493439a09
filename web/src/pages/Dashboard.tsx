import { useCallback, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { useMe } from '../auth/MeProvider';
import { AlertsChart } from '../components/AlertsChart';
import { EmptyState, ErrorState, Loading, QueryState } from '../components/states';
import { AccountStatusBadge, Card, PageHeader, ScanStatusBadge, SeverityBadge, Time } from '../components/ui';
import { graphql } from '../gql';
import { SEVERITIES, SEVERITY_LABEL, plural, scanFinished, shortArn } from '../lib/format';
import { usePolling } from '../lib/hooks';
import { browserTimeZone, bucketsFromCounts, windowStart } from '../lib/timeseries';
import { useTitle } from '../lib/useTitle';

const DashboardDocument = graphql(`
  query Dashboard {
    findingSummary {
      total
      bySeverity {
        severity
        count
      }
      byRule {
        ruleId
        title
        severity
        count
      }
    }
    awsAccounts {
      id
      name
      status
      accountId
      error
      lastActivityAt
      lastScan {
        id
        status
        createdAt
        finishedAt
        regionsDone
        regionsTotal
        findingsOpened
      }
    }
    recentAlerts: alerts(first: 6) {
      totalCount
      edges {
        node {
          id
          title
          severity
          status
          lastSeenAt
          principalArn
          sourceIpAddress
          eventCount
        }
      }
    }
    openAlerts: alerts(first: 1, filter: { status: [OPEN] }) {
      totalCount
    }
  }
`);

const AlertsPerDayDocument = graphql(`
  query AlertsPerDay($since: DateTime!, $timeZone: String) {
    alertCountsByDay(since: $since, timeZone: $timeZone) {
      day
      severity
      count
    }
  }
`);

const DAYS = 7;

export default function Dashboard() {
  useTitle('Dashboard');
  const { can } = useMe();
  const [{ data, fetching, error }, refetch] = useQuery({ query: DashboardDocument });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const scanning = data?.awsAccounts.some((a) => a.lastScan && !scanFinished(a.lastScan.status)) ?? false;
  usePolling(reload, 5000, scanning);

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Open findings, recent alerts and the state of your connected AWS accounts."
        actions={
          can('MANAGE_ACCOUNTS') && data && data.awsAccounts.length > 0 ? (
            <Link className="btn" to="/accounts/connect">
              Connect an account
            </Link>
          ) : undefined
        }
      />
      <QueryState
        data={data}
        fetching={fetching}
        error={error}
        onRetry={reload}
        loadingLabel="Loading the dashboard…"
        isEmpty={(d) => d.awsAccounts.length === 0}
        empty={<NoAccounts />}
      >
        {(d) => (
          <div className="dashboard">
            <section className="stat-row" aria-labelledby="open-findings-title">
              <h2 id="open-findings-title" className="sr-only">
                Open findings by severity
              </h2>
              <Link to="/findings?status=OPEN" className="stat stat-total">
                <span className="stat-value">{d.findingSummary.total.toLocaleString('en')}</span>
                <span className="stat-label">Open findings</span>
              </Link>
              {SEVERITIES.map((s) => {
                const count = d.findingSummary.bySeverity.find((b) => b.severity === s)?.count ?? 0;
                return (
                  <Link key={s} to={`/findings?status=OPEN&severity=${s}`} className={`stat stat-${s.toLowerCase()}`}>
                    <span className="stat-value">{count.toLocaleString('en')}</span>
                    <span className="stat-label">{SEVERITY_LABEL[s]}</span>
                  </Link>
                );
              })}
              <Link to="/alerts?status=OPEN" className="stat stat-alerts">
                <span className="stat-value">{d.openAlerts.totalCount.toLocaleString('en')}</span>
                <span className="stat-label">Open alerts</span>
              </Link>
            </section>

            <div className="grid-2">
              <Card title={`Alerts over the last ${DAYS} days`} actions={<Link to="/alerts">All alerts</Link>}>
                <AlertsOverTime />
              </Card>
              <Card title="Top failing checks" actions={<Link to="/findings">All findings</Link>}>
                {d.findingSummary.byRule.length === 0 ? (
                  scanning ? (
                    <EmptyState title="Scanning: failing checks appear as regions finish">
                      {d.awsAccounts
                        .filter((a) => a.lastScan && !scanFinished(a.lastScan.status))
                        .map((a) => `${a.name}: ${a.lastScan?.regionsDone ?? 0} of ${a.lastScan?.regionsTotal || '?'} regions read`)
                        .join('; ')}
                      .
                    </EmptyState>
                  ) : (
                    <EmptyState title="No failing checks">Every check passes on the last complete scans.</EmptyState>
                  )
                ) : (
                  <ol className="rank-list">
                    {d.findingSummary.byRule.slice(0, 6).map((r) => (
                      <li key={r.ruleId}>
                        <SeverityBadge severity={r.severity} />
                        <Link to={`/findings?status=OPEN&ruleId=${encodeURIComponent(r.ruleId)}`} className="rank-title">
                          {r.title}
                        </Link>
                        <span className="rank-count">{plural(r.count, 'resource')}</span>
                      </li>
                    ))}
                  </ol>
                )}
              </Card>
            </div>

            <div className="grid-2">
              <Card title="Most recent alerts" actions={<Link to="/alerts">Alert timeline</Link>}>
                {d.recentAlerts.edges.length === 0 ? (
                  <EmptyState title="No alerts yet">
                    Vigil reads your accounts’ CloudTrail activity every few minutes and raises an alert when a detection rule matches.
                  </EmptyState>
                ) : (
                  <ul className="alert-list">
                    {d.recentAlerts.edges.map(({ node: a }) => (
                      <li key={a.id}>
                        <SeverityBadge severity={a.severity} />
                        <div className="alert-list-main">
                          <Link to={`/alerts/${a.id}`}>{a.title}</Link>
                          <span className="muted small">
                            {shortArn(a.principalArn)}
                            {a.sourceIpAddress ? ` from ${a.sourceIpAddress}` : ''}
                            {a.eventCount > 1 ? ` · ${plural(a.eventCount, 'event')}` : ''}
                          </span>
                        </div>
                        <Time iso={a.lastSeenAt} />
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
              <Card title="AWS accounts" actions={<Link to="/accounts">Manage accounts</Link>}>
                <div className="table-wrap">
                  <table className="table table-compact">
                    <caption className="sr-only">Connected AWS accounts and their last scan</caption>
                    <thead>
                      <tr>
                        <th scope="col">Account</th>
                        <th scope="col">Status</th>
                        <th scope="col">Last scan</th>
                        <th scope="col">Opened</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.awsAccounts.map((a) => (
                        <tr key={a.id}>
                          <td>
                            <div>{a.name}</div>
                            <div className="muted small mono">{a.accountId ?? 'not verified'}</div>
                          </td>
                          <td>
                            <AccountStatusBadge status={a.status} />
                          </td>
                          <td>
                            {a.lastScan ? (
                              <>
                                <ScanStatusBadge status={a.lastScan.status} />{' '}
                                {scanFinished(a.lastScan.status) ? (
                                  <Time iso={a.lastScan.finishedAt} />
                                ) : (
                                  <span className="muted small">
                                    {a.lastScan.regionsDone}/{a.lastScan.regionsTotal || '?'} regions
                                  </span>
                                )}
                              </>
                            ) : (
                              <span className="muted">Never</span>
                            )}
                          </td>
                          <td>{a.lastScan ? a.lastScan.findingsOpened : '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </Card>
            </div>
          </div>
        )}
      </QueryState>
    </>
  );
}

function AlertsOverTime() {
  // The window starts at local midnight six days ago and the server counts days in the
  // browser's time zone; both fixed for the life of the page.
  const [period] = useState(() => {
    const now = new Date();
    return { now, variables: { since: windowStart(DAYS, now).toISOString(), timeZone: browserTimeZone() } };
  });
  const [{ data, error }] = useQuery({ query: AlertsPerDayDocument, variables: period.variables });
  const buckets = useMemo(() => (data ? bucketsFromCounts(data.alertCountsByDay, DAYS, period.now) : null), [data, period.now]);
  if (error) return <ErrorState error={error} title="The chart could not be loaded" />;
  if (!buckets) return <Loading label="Loading the chart…" />;
  return <AlertsChart buckets={buckets} />;
}

function NoAccounts() {
  const { can, activePlan } = useMe();
  return (
    <div className="onboarding-cta">
      <h2>Connect your first AWS account</h2>
      <p>
        Vigil needs a read-only IAM role in your account. The setup takes about five minutes: name the account, deploy a
        CloudFormation stack we prepare for you, and paste the role’s ARN. The first scan starts right away.
      </p>
      {can('MANAGE_ACCOUNTS') ? (
        activePlan ? (
          <Link className="btn btn-primary" to="/accounts/connect">
            Connect an AWS account
          </Link>
        ) : (
          <p className="muted">New connections need an active plan.</p>
        )
      ) : (
        <p className="muted">Ask an owner or admin of your organisation to connect an account.</p>
      )}
    </div>
  );
}
