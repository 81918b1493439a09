import { createColumnHelper } from '@tanstack/react-table';
import { useCallback, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { gqlMessage } from '../../api/errors';
import { useMe } from '../../auth/MeProvider';
import { DataTable } from '../../components/DataTable';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { EmptyState, QueryState } from '../../components/states';
import { Card, DescriptionList, OneTimeSecret, SeverityBadge, Time } from '../../components/ui';
import { graphql } from '../../gql';
import type { WebhookFieldsFragment } from '../../gql/graphql';
import { SEVERITY_LABEL, WEBHOOK_EVENT_LABEL, WEBHOOK_FORMAT_LABEL } from '../../lib/format';
import { useTitle } from '../../lib/useTitle';
import { NotAllowed } from './Settings';
import { DeliveryLog } from './WebhookDeliveries';
import { NEW_WEBHOOK, WebhookForm, type WebhookValues } from './WebhookForm';

graphql(`
  fragment WebhookFields on Webhook {
    id
    name
    url
    events
    minSeverity
    format
    enabled
    createdBy
    createdAt
    updatedAt
  }
`);

const WebhooksDocument = graphql(`
  query Webhooks {
    webhooks {
      ...WebhookFields
    }
  }
`);

const CreateWebhookDocument = graphql(`
  mutation CreateWebhook($url: String!, $events: [WebhookEvent!]!, $minSeverity: Severity!, $format: WebhookFormat!, $name: String) {
    createWebhook(url: $url, events: $events, minSeverity: $minSeverity, format: $format, name: $name) {
      secret
      webhook {
        ...WebhookFields
      }
    }
  }
`);

const UpdateWebhookDocument = graphql(`
  mutation UpdateWebhook(
    $id: ID!
    $name: String
    $url: String
    $events: [WebhookEvent!]
    $minSeverity: Severity
    $format: WebhookFormat
    $enabled: Boolean
  ) {
    updateWebhook(id: $id, name: $name, url: $url, events: $events, minSeverity: $minSeverity, format: $format, enabled: $enabled) {
      ...WebhookFields
    }
  }
`);

const RotateWebhookSecretDocument = graphql(`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) {
      secret
      webhook {
        ...WebhookFields
      }
    }
  }
`);

const DeleteWebhookDocument = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

type Webhook = WebhookFieldsFragment;

export default function Webhooks() {
  useTitle('Webhooks');
  const { can } = useMe();
  if (!can('MANAGE_INTEGRATIONS')) return <NotAllowed what="manage webhooks" />;
  return <WebhooksPage />;
}

function eventsText(events: Webhook['events']): string {
  return events.map((e) => WEBHOOK_EVENT_LABEL[e]).join(', ');
}

const col = createColumnHelper<Webhook>();

function WebhooksPage() {
  // An empty list carries no type names, so say which mutations should refresh it.
  const context = useMemo(() => ({ additionalTypenames: ['Webhook', 'WebhookWithSecret'] }), []);
  const [{ data, fetching, error }, refetch] = useQuery({ query: WebhooksDocument, context });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const webhooks = data?.webhooks;
  // The delivery log of the webhook picked in the list, or of the first one.
  const selected = webhooks?.find((w) => w.id === selectedId) ?? webhooks?.[0] ?? null;

  const columns = useMemo(
    () => [
      col.accessor('name', {
        header: 'Name',
        cell: (c) => (
          <button type="button" className="link-button" onClick={() => setSelectedId(c.row.original.id)}>
            {c.getValue()}
          </button>
        ),
      }),
      col.accessor('url', { header: 'URL', cell: (c) => <span className="mono small break">{c.getValue()}</span> }),
      col.accessor((w) => eventsText(w.events), { id: 'events', header: 'Events', enableSorting: false }),
      col.accessor('minSeverity', { header: 'Min. severity', enableSorting: false, cell: (c) => <SeverityBadge severity={c.getValue()} /> }),
      col.accessor('enabled', { header: 'State', cell: (c) => <EnabledSwitch webhook={c.row.original} /> }),
    ],
    [],
  );

  return (
    <div className="settings-grid">
      <Card title="Webhooks">
        <p className="muted">
          Vigil posts raised alerts, opened and resolved findings and finished scans to your endpoints as they happen, and retries failed deliveries for about
          four hours.
        </p>
        <SigningNote />
        <QueryState
          data={data}
          fetching={fetching}
          error={error}
          onRetry={reload}
          isEmpty={(d) => d.webhooks.length === 0}
          empty={<EmptyState title="No webhooks yet">Add one to send alerts to your SIEM, chat or ticketing system.</EmptyState>}
        >
          {(d) => (
            <DataTable
              data={d.webhooks}
              columns={columns}
              caption="Webhooks. Pick one to see its deliveries"
              getRowId={(w) => w.id}
              onRowClick={(w) => setSelectedId(w.id)}
              selectedId={selected?.id}
            />
          )}
        </QueryState>
      </Card>
      <CreateWebhookCard onCreated={setSelectedId} />
      {selected && <WebhookPanel key={selected.id} webhook={selected} />}
    </div>
  );
}

/** How a receiver checks that a delivery comes from Vigil. */
function SigningNote() {
  return (
    <p className="small signing-note">
      Each delivery is signed the Standard Webhooks way, with the headers <code>webhook-id</code>, <code>webhook-timestamp</code> and{' '}
      <code>webhook-signature</code>: <code>v1,</code> and the base64 HMAC-SHA256 of <code>id.timestamp.body</code>, keyed with the base64-decoded part of the
      secret after <code>whsec_</code>. Refuse a delivery whose signature differs or whose timestamp is more than five minutes old; the details are in{' '}
      <code>docs/graphql.md#webhooks</code>.
    </p>
  );
}

function EnabledSwitch({ webhook: w }: { webhook: Webhook }) {
  const [{ fetching, error }, update] = useMutation(UpdateWebhookDocument);
  return (
    <>
      <label className="switch">
        <input type="checkbox" checked={w.enabled} disabled={fetching} onChange={(e) => void update({ id: w.id, enabled: e.target.checked })} />
        <span>{w.enabled ? 'Enabled' : 'Disabled'}</span>
        <span className="sr-only"> ({w.name})</span>
      </label>
      {error && <p className="field-error">{gqlMessage(error)}</p>}
    </>
  );
}

function CreateWebhookCard({ onCreated }: { onCreated: (id: string) => void }) {
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [, create] = useMutation(CreateWebhookDocument);

  async function submit(v: WebhookValues) {
    const result = await create(
      { url: v.url, events: v.events, minSeverity: v.minSeverity, format: v.format, name: v.name || undefined },
      { additionalTypenames: ['Webhook'] },
    );
    if (result.error || !result.data) return result.error;
    const { secret, webhook } = result.data.createWebhook;
    setCreated({ name: webhook.name, secret });
    onCreated(webhook.id);
    return undefined;
  }

  return (
    <Card title="Add a webhook">
      {created ? (
        <OneTimeSecret
          id="new-webhook-secret"
          announcement={`Webhook “${created.name}” created.`}
          what="signing secret"
          label="Signing secret"
          value={created.secret}
          note="Your receiver checks each delivery’s signature with it."
          onDone={() => setCreated(null)}
        />
      ) : (
        <WebhookForm initial={NEW_WEBHOOK} submitLabel="Create webhook" busyLabel="Creating…" onSubmit={submit} />
      )}
    </Card>
  );
}

/** The picked webhook: its settings, what can be done to it, and its delivery log. */
function WebhookPanel({ webhook: w }: { webhook: Webhook }) {
  const [open, setOpen] = useState<'edit' | 'rotate' | 'delete' | null>(null);
  const close = () => setOpen(null);
  return (
    <Card
      title={w.name}
      className="card-wide"
      actions={
        <>
          <button type="button" className="btn btn-small" onClick={() => setOpen('edit')}>
            Edit…
          </button>
          <button type="button" className="btn btn-small" onClick={() => setOpen('rotate')}>
            Rotate secret…
          </button>
          <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => setOpen('delete')}>
            Delete…
          </button>
        </>
      }
    >
      <DescriptionList
        items={[
          ['URL', <span className="mono small break">{w.url}</span>],
          ['Events', eventsText(w.events)],
          ['Minimum severity', SEVERITY_LABEL[w.minSeverity]],
          ['Format', WEBHOOK_FORMAT_LABEL[w.format]],
          ['State', w.enabled ? 'Enabled' : 'Disabled: nothing is sent'],
          [
            'Created',
            <>
              <Time iso={w.createdAt} />
              {w.createdBy && <> by {w.createdBy}</>}
            </>,
          ],
        ]}
      />
      <DeliveryLog webhookId={w.id} enabled={w.enabled} />
      {open === 'edit' && <EditWebhookDialog webhook={w} onClose={close} />}
      {open === 'rotate' && <RotateSecretDialog webhook={w} onClose={close} />}
      {open === 'delete' && <DeleteWebhookDialog webhook={w} onClose={close} />}
    </Card>
  );
}

/** The arguments of `updateWebhook` that differ from the webhook as it is. */
export function webhookChanges(w: Webhook, v: WebhookValues) {
  const sameEvents = [...w.events].sort().join() === [...v.events].sort().join();
  return {
    name: v.name !== w.name ? v.name : undefined,
    url: v.url !== w.url ? v.url : undefined,
    events: sameEvents ? undefined : v.events,
    minSeverity: v.minSeverity !== w.minSeverity ? v.minSeverity : undefined,
    format: v.format !== w.format ? v.format : undefined,
  };
}

function EditWebhookDialog({ webhook: w, onClose }: { webhook: Webhook; onClose: () => void }) {
  const [, update] = useMutation(UpdateWebhookDocument);
  const initial: WebhookValues = { name: w.name, url: w.url, events: w.events, minSeverity: w.minSeverity, format: w.format };
  return (
    <Dialog open onClose={onClose} title={`Edit “${w.name}”`} wide>
      <WebhookForm
        initial={initial}
        nameRequired
        submitLabel="Save changes"
        busyLabel="Saving…"
        onCancel={onClose}
        onSubmit={async (v) => {
          const changes = webhookChanges(w, v);
          if (Object.values(changes).every((c) => c === undefined)) {
            onClose();
            return undefined;
          }
          const result = await update({ id: w.id, ...changes });
          if (!result.error) onClose();
          return result.error;
        }}
      />
    </Dialog>
  );
}

function RotateSecretDialog({ webhook: w, onClose }: { webhook: Webhook; onClose: () => void }) {
  const [{ fetching, error }, rotate] = useMutation(RotateWebhookSecretDocument);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <ConfirmDialog
      onClose={onClose}
      title={`Rotate the signing secret of “${w.name}”?`}
      description={secret ? undefined : 'Deliveries from now on are signed with a new secret and the current one stops working at once: update your receiver right after.'}
      confirmLabel="Rotate secret"
      fetching={fetching}
      error={error}
      onConfirm={async () => {
        const result = await rotate({ id: w.id });
        if (result.data) setSecret(result.data.rotateWebhookSecret.secret);
        // The dialog stays open to show the new secret once.
        return false;
      }}
      outcome={
        secret ? (
          <OneTimeSecret
            id="rotated-webhook-secret"
            announcement="New signing secret made."
            what="signing secret"
            label="New signing secret"
            value={secret}
            note="Deliveries already sent keep their old signature."
            onDone={onClose}
          />
        ) : undefined
      }
    />
  );
}

function DeleteWebhookDialog({ webhook: w, onClose }: { webhook: Webhook; onClose: () => void }) {
  const [{ fetching, error }, remove] = useMutation(DeleteWebhookDocument);
  return (
    <ConfirmDialog
      onClose={onClose}
      title={`Delete “${w.name}”?`}
      description="Vigil stops posting to it at once and its delivery log goes with it. This cannot be undone."
      confirmLabel="Delete webhook"
      fetching={fetching}
      error={error}
      onConfirm={async () => !(await remove({ id: w.id }, { additionalTypenames: ['Webhook'] })).error}
    />
  );
}
