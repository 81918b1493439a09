import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedError } from 'urql';
import type { WebhooksQuery } from '../../gql/graphql';
import { mockClient, renderPage } from '../../test/render';
import Settings from './Settings';
import { DELIVERY_POLL_MS, DeliveryLog, hasPending } from './WebhookDeliveries';
import { NEW_WEBHOOK, webhookErrors, webhookServerError } from './WebhookForm';
import Webhooks, { webhookChanges } from './Webhooks';

const hook: WebhooksQuery['webhooks'][number] = {
  id: 'wh1',
  name: 'SIEM',
  url: 'https://hooks.example.com/vigil',
  events: ['ALERT_RAISED'],
  minSeverity: 'LOW',
  format: 'VIGIL',
  enabled: true,
  createdBy: 'alice@example.com',
  createdAt: '2026-03-10T11:00:00Z',
  updatedAt: '2026-03-10T11:00:00Z',
};

function delivery(status: 'PENDING' | 'SUCCEEDED' | 'FAILED') {
  return {
    id: 'd1',
    event: 'TEST',
    subjectId: null,
    status,
    attempts: status === 'PENDING' ? 0 : 1,
    responseCode: status === 'SUCCEEDED' ? 200 : null,
    lastError: status === 'FAILED' ? 'the receiver answered HTTP 500' : null,
    requestBody: status === 'PENDING' ? null : '{"type":"TEST","data":{"message":"hello"}}',
    createdAt: '2026-03-10T12:00:00Z',
    lastAttemptAt: status === 'PENDING' ? null : '2026-03-10T12:00:01Z',
    deliveredAt: status === 'SUCCEEDED' ? '2026-03-10T12:00:01Z' : null,
  };
}

function log(...nodes: ReturnType<typeof delivery>[]) {
  return { webhook: { id: 'wh1', deliveries: { totalCount: nodes.length, edges: nodes.map((node) => ({ node })) } } };
}

function badInput(message: string) {
  return new CombinedError({ graphQLErrors: [{ message, extensions: { code: 'BAD_USER_INPUT' } } as never] });
}

function renderWebhooks(resolvers: Record<string, unknown>, role: 'OWNER' | 'ADMIN' | 'ANALYST' | 'VIEWER' = 'OWNER') {
  const mock = mockClient(resolvers);
  renderPage(<Webhooks />, { route: '/settings/webhooks', path: '/settings/webhooks', client: mock.client, role });
  return mock;
}

describe('webhook form checks', () => {
  it('wants an absolute http(s) URL and at least one event; the name only when editing', () => {
    expect(webhookErrors(NEW_WEBHOOK)).toMatchObject({ url: expect.stringMatching(/Enter the URL/), events: undefined, name: undefined });
    const values = { ...NEW_WEBHOOK, url: 'hooks.example.com', events: [] };
    expect(webhookErrors(values)).toMatchObject({ url: expect.stringMatching(/absolute URL/), events: 'Choose at least one event.' });
    expect(webhookErrors({ ...NEW_WEBHOOK, url: 'http://127.0.0.1:9/hook' })).toEqual({ url: undefined, events: undefined, name: undefined });
    expect(webhookErrors({ ...NEW_WEBHOOK, url: 'https://a.example' }, { nameRequired: true }).name).toMatch(/Enter a name/);
    expect(webhookErrors({ ...NEW_WEBHOOK, url: 'https://a.example', name: 'x'.repeat(101) }).name).toMatch(/at most 100/);
  });

  it('puts the server’s refusals next to the field they are about', () => {
    expect(webhookServerError(badInput('url must use https'))).toEqual({ field: 'url', message: 'The URL must use https.' });
    expect(webhookServerError(badInput("url's host could not be resolved"))).toEqual({ field: 'url', message: "The URL's host could not be resolved." });
    expect(
      webhookServerError(
        badInput('url resolves to 127.0.0.1, a loopback, private, link-local or otherwise internal address; webhooks may only call public addresses'),
      ),
    ).toMatchObject({ field: 'url', message: expect.stringMatching(/^The URL resolves to 127\.0\.0\.1, a loopback/) });
    expect(webhookServerError(badInput('events must name at least one event'))).toEqual({ field: 'events', message: 'Events must name at least one event.' });
    expect(webhookServerError(badInput('name must be 1 to 100 characters'))).toMatchObject({ field: 'name' });
    expect(webhookServerError(badInput('an organization can have at most 20 webhooks; delete one first'))).toEqual({
      message: 'An organization can have at most 20 webhooks; delete one first.',
    });
    const forbidden = new CombinedError({ graphQLErrors: [{ message: 'url is not yours', extensions: { code: 'FORBIDDEN' } } as never] });
    expect(webhookServerError(forbidden).field).toBeUndefined();
  });

  it('sends only what an edit changed', () => {
    const same = { name: hook.name, url: hook.url, events: [...hook.events], minSeverity: hook.minSeverity, format: hook.format };
    expect(Object.values(webhookChanges(hook, same)).every((v) => v === undefined)).toBe(true);
    expect(webhookChanges(hook, { ...same, events: ['SCAN_FINISHED', 'ALERT_RAISED'], minSeverity: 'HIGH' })).toEqual({
      name: undefined,
      url: undefined,
      events: ['SCAN_FINISHED', 'ALERT_RAISED'],
      minSeverity: 'HIGH',
      format: undefined,
    });
  });
});

describe('Webhooks page', () => {
  it('is only for owners and admins: analysts see neither the tab nor the page', async () => {
    const { client, calls } = mockClient({});
    renderPage(<Settings />, { route: '/settings', path: '/settings', client, role: 'ANALYST' });
    expect(screen.queryByRole('link', { name: 'Webhooks' })).not.toBeInTheDocument();

    const analyst = renderWebhooks({ Webhooks: { webhooks: [hook] } }, 'ANALYST');
    expect(screen.getByText('Only owners and admins manage webhooks')).toBeInTheDocument();
    expect(analyst.calls.some((c) => c.name === 'Webhooks')).toBe(false);
    expect(calls).toEqual([]);
  });

  it('shows the Webhooks tab to an admin', () => {
    const { client } = mockClient({});
    renderPage(<Settings />, { route: '/settings', path: '/settings', client, role: 'ADMIN' });
    expect(screen.getByRole('link', { name: 'Webhooks' })).toHaveAttribute('href', expect.stringMatching(/\/webhooks$/));
  });

  it('says what is wrong before sending anything', async () => {
    const { calls } = renderWebhooks({ Webhooks: { webhooks: [] } });
    expect(await screen.findByText('No webhooks yet')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    const url = screen.getByRole('textbox', { name: 'URL' });
    expect(url).toHaveAttribute('aria-invalid', 'true');
    expect(url).toHaveAccessibleDescription(/Enter the URL Vigil should post events to/);

    await userEvent.type(url, 'ftp://hooks.example.com/x');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Alert raised' }));
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect(url).toHaveAccessibleDescription(/must start with https:\/\//);
    expect(screen.getByRole('group', { name: /Events/ })).toHaveAccessibleDescription(/Choose at least one event/);
    expect(calls.some((c) => c.name === 'CreateWebhook')).toBe(false);
  });

  it('shows the server’s error next to the URL field', async () => {
    const { calls } = renderWebhooks({ Webhooks: { webhooks: [] }, CreateWebhook: badInput("url's host could not be resolved") });
    await screen.findByText('No webhooks yet');
    const url = screen.getByRole('textbox', { name: 'URL' });
    await userEvent.type(url, 'https://hooks.invalid/x');
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect(await screen.findByText("The URL's host could not be resolved.")).toBeInTheDocument();
    expect(url).toHaveAttribute('aria-invalid', 'true');
    expect(url).toHaveAccessibleDescription(/could not be resolved/);
    expect(calls.find((c) => c.name === 'CreateWebhook')?.variables).toEqual({
      url: 'https://hooks.invalid/x',
      events: ['ALERT_RAISED'],
      minSeverity: 'LOW',
      format: 'VIGIL',
    });
  });

  it('shows a new webhook’s signing secret once', async () => {
    const secret = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==';
    const { calls } = renderWebhooks({
      Webhooks: { webhooks: [] },
      CreateWebhook: (v: Record<string, unknown>) => ({ createWebhook: { secret, webhook: { ...hook, name: v.name, events: v.events } } }),
    });
    await screen.findByText('No webhooks yet');
    await userEvent.type(screen.getByRole('textbox', { name: 'URL' }), '  https://hooks.example.com/vigil ');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Scan finished' }));
    await userEvent.selectOptions(screen.getByLabelText('Minimum severity'), 'HIGH');
    await userEvent.type(screen.getByLabelText('Name'), 'SIEM');
    await userEvent.click(screen.getByRole('button', { name: 'Create webhook' }));

    expect(await screen.findByLabelText('Signing secret')).toHaveValue(secret);
    expect(screen.getByText(/shown only once/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    expect(calls.find((c) => c.name === 'CreateWebhook')?.variables).toEqual({
      url: 'https://hooks.example.com/vigil',
      events: ['ALERT_RAISED', 'SCAN_FINISHED'],
      minSeverity: 'HIGH',
      format: 'VIGIL',
      name: 'SIEM',
    });

    await userEvent.click(screen.getByRole('button', { name: 'I have stored the signing secret' }));
    expect(screen.queryByDisplayValue(secret)).not.toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'URL' })).toHaveValue('');
  });

  it('rotates the secret only after confirming, and shows the new one once', async () => {
    const { calls } = renderWebhooks({
      Webhooks: { webhooks: [hook] },
      WebhookDeliveries: log(),
      RotateWebhookSecret: { rotateWebhookSecret: { secret: 'whsec_bmV3', webhook: { id: 'wh1', updatedAt: '2026-03-11T00:00:00Z' } } },
    });
    expect(await screen.findByRole('heading', { name: 'SIEM' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Rotate secret…' }));
    const dialog = screen.getByRole('dialog', { name: /Rotate the signing secret of “SIEM”/ });
    expect(calls.some((c) => c.name === 'RotateWebhookSecret')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Rotate secret' }));
    expect(within(dialog).getByLabelText('New signing secret')).toHaveValue('whsec_bmV3');
    await userEvent.click(within(dialog).getByRole('button', { name: 'I have stored the signing secret' }));
    expect(screen.queryByDisplayValue('whsec_bmV3')).not.toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('deletes after confirming', async () => {
    const { calls } = renderWebhooks({ Webhooks: { webhooks: [hook] }, WebhookDeliveries: log(), DeleteWebhook: { deleteWebhook: 'wh1' } });
    await screen.findByRole('heading', { name: 'SIEM' });
    await userEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete “SIEM”?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete webhook' }));
    expect(calls.find((c) => c.name === 'DeleteWebhook')?.variables).toEqual({ id: 'wh1' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('turns a webhook off and on from the list', async () => {
    const { calls } = renderWebhooks({
      Webhooks: { webhooks: [hook] },
      WebhookDeliveries: log(),
      UpdateWebhook: { updateWebhook: { ...hook, enabled: false } },
    });
    await userEvent.click(await screen.findByRole('checkbox', { name: /Enabled \(SIEM\)/ }));
    expect(calls.find((c) => c.name === 'UpdateWebhook')?.variables).toEqual({ id: 'wh1', enabled: false });
  });
});

describe('DeliveryLog', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const tick = (ms: number) =>
    act(async () => {
      vi.advanceTimersByTime(ms);
    });

  it('knows when something is pending', () => {
    expect(hasPending([{ status: 'SUCCEEDED' }, { status: 'PENDING' }])).toBe(true);
    expect(hasPending([{ status: 'SUCCEEDED' }, { status: 'FAILED' }])).toBe(false);
    expect(hasPending([])).toBe(false);
  });

  it('sends a test, refreshes every 2 s while it is pending, then stops', async () => {
    let sent = false;
    let reads = 0;
    const { client, calls } = mockClient({
      WebhookDeliveries: () => {
        if (!sent) return log();
        reads += 1;
        return log(delivery(reads < 3 ? 'PENDING' : 'SUCCEEDED'));
      },
      TestWebhook: () => {
        sent = true;
        return { testWebhook: { id: 'd1', status: 'PENDING' } };
      },
    });
    renderPage(<DeliveryLog webhookId="wh1" enabled />, { route: '/', path: '/', client });
    expect(await screen.findByText('No deliveries yet')).toBeInTheDocument();
    const logReads = () => calls.filter((c) => c.name === 'WebhookDeliveries').length;

    await userEvent.click(screen.getByRole('button', { name: 'Send test' }));
    expect(calls.find((c) => c.name === 'TestWebhook')?.variables).toEqual({ id: 'wh1' });
    expect(await screen.findByText('Pending')).toBeInTheDocument();
    expect(screen.getByText('1 delivery, newest first; the log keeps 30 days. Refreshing while a delivery is pending.')).toBeInTheDocument();
    const afterTest = logReads();

    await tick(DELIVERY_POLL_MS);
    expect(logReads()).toBe(afterTest + 1);
    expect(screen.getByText('Pending')).toBeInTheDocument();

    await tick(DELIVERY_POLL_MS);
    expect(logReads()).toBe(afterTest + 2);
    expect(screen.getByText('Succeeded')).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: '200' })).toBeInTheDocument();
    expect(screen.getByText('1 delivery, newest first; the log keeps 30 days.')).toBeInTheDocument();

    await tick(DELIVERY_POLL_MS * 5);
    expect(logReads()).toBe(afterTest + 2);
  });

  it('does not poll when nothing is pending, and expands a delivery’s body', async () => {
    const { client, calls } = mockClient({ WebhookDeliveries: log(delivery('FAILED')) });
    renderPage(<DeliveryLog webhookId="wh1" enabled />, { route: '/', path: '/', client });
    expect(await screen.findByText('Failed')).toBeInTheDocument();
    expect(screen.getByText('the receiver answered HTTP 500')).toBeInTheDocument();
    await tick(DELIVERY_POLL_MS * 3);
    expect(calls.filter((c) => c.name === 'WebhookDeliveries')).toHaveLength(1);

    const toggle = screen.getByRole('button', { name: /Show body/ });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    expect(screen.getByLabelText('Request body of delivery d1')).toHaveTextContent('"message": "hello"');
    expect(screen.getByText(/webhook-id: d1/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Hide body/ })).toHaveAttribute('aria-expanded', 'true');
  });

  it('cannot test a disabled webhook', async () => {
    const { client } = mockClient({ WebhookDeliveries: log() });
    renderPage(<DeliveryLog webhookId="wh1" enabled={false} />, { route: '/', path: '/', client });
    expect(await screen.findByRole('button', { name: 'Send test' })).toBeDisabled();
  });
});
