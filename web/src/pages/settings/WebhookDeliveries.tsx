import { createColumnHelper } from '@tanstack/react-table';
import { useCallback, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { gqlMessage } from '../../api/errors';
import { DataTable } from '../../components/DataTable';
import { FormAlert } from '../../components/fields';
import { EmptyState, QueryState } from '../../components/states';
import { CopyButton, DeliveryStatusBadge, JsonBlock, LiveRegion, Time } from '../../components/ui';
import { graphql } from '../../gql';
import type { WebhookDeliveriesQuery } from '../../gql/graphql';
import { DELIVERY_STATUS_LABEL, deliveryEventLabel, formatDateTime, plural } from '../../lib/format';
import { usePolling } from '../../lib/hooks';

const DeliveriesDocument = graphql(`
  query WebhookDeliveries($id: ID!, $first: Int!) {
    webhook(id: $id) {
      id
      deliveries(first: $first) {
        totalCount
        edges {
          node {
            id
            event
            subjectId
            status
            attempts
            responseCode
            lastError
            requestBody
            createdAt
            lastAttemptAt
            deliveredAt
          }
        }
      }
    }
  }
`);

const TestWebhookDocument = graphql(`
  mutation TestWebhook($id: ID!) {
    testWebhook(id: $id) {
      id
      status
    }
  }
`);

/** The latest deliveries shown. */
export const DELIVERIES_SHOWN = 20;
/** How often the log is read again while a delivery is pending. */
export const DELIVERY_POLL_MS = 2000;

type Delivery = NonNullable<WebhookDeliveriesQuery['webhook']>['deliveries']['edges'][number]['node'];

/** Whether the log should keep refreshing: some delivery is still waiting for an attempt. */
export function hasPending(deliveries: readonly Pick<Delivery, 'status'>[]): boolean {
  return deliveries.some((d) => d.status === 'PENDING');
}

/** The body as sent, indented when it is JSON (both formats are). */
function parsedBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const col = createColumnHelper<Delivery>();

/**
 * A webhook's latest deliveries, newest first, read again every 2 s while one is pending;
 * "Send test" queues a signed test delivery and shows it arrive.
 */
export function DeliveryLog({ webhookId, enabled }: { webhookId: string; enabled: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: DeliveriesDocument, variables: { id: webhookId, first: DELIVERIES_SHOWN } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [{ fetching: testing }, test] = useMutation(TestWebhookDocument);
  const [testError, setTestError] = useState<string | undefined>();
  const deliveries = useMemo(() => data?.webhook?.deliveries.edges.map((e) => e.node) ?? [], [data]);
  const pending = hasPending(deliveries);
  usePolling(reload, DELIVERY_POLL_MS, pending);

  async function sendTest() {
    setTestError(undefined);
    const result = await test({ id: webhookId });
    if (result.error) setTestError(gqlMessage(result.error));
    else reload();
  }

  const columns = useMemo(
    () => [
      col.accessor('event', { header: 'Event', cell: (c) => deliveryEventLabel(c.getValue()) }),
      col.accessor('status', { header: 'Status', cell: (c) => <DeliveryStatusBadge status={c.getValue()} /> }),
      col.accessor('attempts', { header: 'Attempts', meta: { className: 'num' } }),
      col.accessor('responseCode', {
        header: 'Response',
        meta: { className: 'num' },
        cell: (c) => c.getValue() ?? <span className="muted">—</span>,
      }),
      col.accessor('lastError', {
        header: 'Last error',
        enableSorting: false,
        cell: (c) => (c.getValue() ? <span className="small break">{c.getValue()}</span> : <span className="muted">—</span>),
      }),
      col.accessor('createdAt', { header: 'Created', cell: (c) => <Time iso={c.getValue()} /> }),
      col.accessor('deliveredAt', { header: 'Delivered', cell: (c) => <Time iso={c.getValue()} /> }),
      col.display({
        id: 'body',
        header: () => <span className="sr-only">Request body</span>,
        meta: { className: 'cell-actions' },
        cell: (c) => (
          <button type="button" className="btn btn-small btn-ghost" aria-expanded={c.row.getIsExpanded()} onClick={c.row.getToggleExpandedHandler()}>
            {c.row.getIsExpanded() ? 'Hide body' : 'Show body'}
            <span className="sr-only">
              {' '}
              of the {deliveryEventLabel(c.row.original.event)} delivery of {formatDateTime(c.row.original.createdAt)}
            </span>
          </button>
        ),
      }),
    ],
    [],
  );

  return (
    <section className="delivery-log" aria-labelledby={`deliveries-${webhookId}`}>
      <div className="section-header">
        <h3 id={`deliveries-${webhookId}`}>Deliveries</h3>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => void sendTest()}
          disabled={testing || !enabled}
          title={enabled ? undefined : 'Enable the webhook to test it.'}
        >
          {testing ? 'Sending…' : 'Send test'}
        </button>
      </div>
      <FormAlert message={testError} />
      <QueryState
        data={data}
        fetching={fetching}
        error={error}
        onRetry={reload}
        loadingLabel="Loading deliveries…"
        isEmpty={(d) => !d.webhook || d.webhook.deliveries.edges.length === 0}
        empty={
          data && !data.webhook ? (
            <EmptyState title="This webhook no longer exists" />
          ) : (
            <EmptyState title="No deliveries yet">Events appear here as they are sent. Send a test to see one now.</EmptyState>
          )
        }
      >
        {(d) => (
          <>
            <p className="small muted">
              {d.webhook!.deliveries.totalCount > deliveries.length
                ? `The latest ${deliveries.length} of ${plural(d.webhook!.deliveries.totalCount, 'delivery', 'deliveries')}`
                : plural(deliveries.length, 'delivery', 'deliveries')}
              , newest first; the log keeps 30 days.
              {pending && ' Refreshing while a delivery is pending.'}
            </p>
            <DataTable
              data={deliveries}
              columns={columns}
              caption="Deliveries"
              getRowId={(r) => r.id}
              busy={fetching && !pending}
              renderExpanded={(r) => (
                <div className="delivery-body">
                  <p className="small">
                    Sent with <code>webhook-id: {r.id}</code>
                    {r.lastAttemptAt && (
                      <>
                        ; last attempt <Time iso={r.lastAttemptAt} absolute />
                      </>
                    )}
                    .
                  </p>
                  {r.requestBody ? (
                    <>
                      <JsonBlock value={parsedBody(r.requestBody)} label={`Request body of delivery ${r.id}`} />
                      <CopyButton value={r.requestBody} label="Copy the exact body" />
                    </>
                  ) : (
                    <p className="muted">Not built yet: the body is made at the first attempt.</p>
                  )}
                </div>
              )}
            />
          </>
        )}
      </QueryState>
      <LiveRegion>{deliveries[0] ? `Latest delivery: ${deliveryEventLabel(deliveries[0].event)}, ${DELIVERY_STATUS_LABEL[deliveries[0].status]}` : ''}</LiveRegion>
    </section>
  );
}
