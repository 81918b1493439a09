import { useCallback } from 'react';
import { useQuery } from 'urql';
import { useMe } from '../../auth/MeProvider';
import { Pager, useCursorPages } from '../../components/Pager';
import { EmptyState, QueryState } from '../../components/states';
import { Card, Time } from '../../components/ui';
import { graphql } from '../../gql';
import { useTitle } from '../../lib/useTitle';
import { NotAllowed } from './Settings';

const AuditLogDocument = graphql(`
  query AuditLog($first: Int, $after: String) {
    auditLog(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          occurredAt
          action
          actor
          target
          sourceIp
          details
        }
      }
    }
  }
`);

export default function AuditLog() {
  useTitle('Audit log');
  const { can } = useMe();
  if (!can('READ_AUDIT_LOG')) return <NotAllowed what="read the audit log" />;
  return <AuditLogTable />;
}

function details(value: unknown): string {
  if (!value || (typeof value === 'object' && Object.keys(value as object).length === 0)) return '';
  return JSON.stringify(value);
}

function AuditLogTable() {
  const pages = useCursorPages('audit', 50);
  const [{ data, fetching, error }, refetch] = useQuery({ query: AuditLogDocument, variables: { first: pages.first, after: pages.after } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  return (
    <Card title="Audit log">
      <p className="muted">Sign-ins, changes to members, keys, accounts and rules, newest first.</p>
      <QueryState
        data={data}
        fetching={fetching}
        error={error}
        onRetry={reload}
        isEmpty={(d) => d.auditLog.totalCount === 0}
        empty={<EmptyState title="Nothing recorded yet" />}
      >
        {(d) => (
          <>
            <div className="table-wrap">
              <table className="table table-compact">
                <caption className="sr-only">Audit log entries</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Action</th>
                    <th scope="col">Who</th>
                    <th scope="col">What</th>
                    <th scope="col">From</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {d.auditLog.edges.map(({ node: e }) => (
                    <tr key={e.id}>
                      <td className="nowrap">
                        <Time iso={e.occurredAt} absolute />
                      </td>
                      <td className="mono small">{e.action}</td>
                      <td>{e.actor ?? <span className="muted">—</span>}</td>
                      <td className="break">{e.target ?? <span className="muted">—</span>}</td>
                      <td className="mono small">{e.sourceIp ?? ''}</td>
                      <td className="mono small break">{details(e.details)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              pages={pages}
              shown={d.auditLog.edges.length}
              totalCount={d.auditLog.totalCount}
              hasNextPage={d.auditLog.pageInfo.hasNextPage}
              endCursor={d.auditLog.pageInfo.endCursor}
              noun="entries"
            />
          </>
        )}
      </QueryState>
    </Card>
  );
}
