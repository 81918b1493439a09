import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockClient, renderPage } from '../test/render';
import Alerts from './Alerts';

function alert(id: string, lastSeenAt: string) {
  return {
    id,
    ruleId: 'cloudtrail-stop-logging',
    title: `CloudTrail logging stopped ${id}`,
    severity: 'HIGH',
    status: 'OPEN',
    awsAccountId: 'acc1',
    region: 'eu-west-1',
    eventName: 'StopLogging',
    eventSource: 'cloudtrail.amazonaws.com',
    principalArn: 'arn:aws:iam::111111111111:user/mallory',
    sourceIpAddress: '203.0.113.66',
    sourceResource: null,
    occurredAt: lastSeenAt,
    firstSeenAt: lastSeenAt,
    lastSeenAt,
    eventId: `e-${id}`,
    eventIds: [`e-${id}`],
    eventCount: 1,
    description: 'Someone stopped the trail.',
    runbook: null,
    techniques: [],
    acknowledgedBy: null,
  };
}

const NEWER = alert('a2', '2026-03-10T12:00:00Z');
const OLDER = alert('a1', '2026-03-08T09:00:00Z');

function setup(route: string, more: Record<string, unknown> = {}) {
  const alerts = vi.fn((v: Record<string, unknown>) => ({
    alerts: {
      totalCount: 60,
      pageInfo: { hasNextPage: true, endCursor: `end-${v.orderBy}-${v.after ?? 'start'}` },
      edges: (v.orderBy === 'LAST_SEEN_ASC' ? [OLDER, NEWER] : [NEWER, OLDER]).map((node) => ({ node })),
    },
  }));
  const { client, calls } = mockClient({
    AccountNames: { awsAccounts: [{ id: 'acc1', name: 'production', accountId: '111111111111', status: 'CONNECTED' }] },
    Alerts: alerts,
    ...more,
  });
  renderPage(<Alerts />, { route, path: '/alerts/:alertId?', client });
  const last = () => calls.filter((c) => c.name === 'Alerts').slice(-1)[0]?.variables;
  const titles = () => screen.getAllByRole('button', { name: /CloudTrail logging stopped/ }).map((b) => b.textContent);
  return { calls, last, titles };
}

describe('Alerts', () => {
  it('asks the server for newest first by default', async () => {
    const { last, titles } = setup('/alerts');
    await screen.findByRole('button', { name: NEWER.title });
    expect(last()).toMatchObject({ first: 25, after: null, filter: {}, orderBy: 'LAST_SEEN_DESC' });
    expect(screen.getByRole('combobox', { name: 'Order' })).toHaveValue('LAST_SEEN_DESC');
    expect(titles()).toEqual([NEWER.title, OLDER.title]);
  });

  it('switches to oldest first on the server, from the first page again', async () => {
    const { calls, last, titles } = setup('/alerts?status=OPEN');
    await screen.findByRole('button', { name: NEWER.title });
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(last()).toMatchObject({ orderBy: 'LAST_SEEN_DESC', after: 'end-LAST_SEEN_DESC-start' }));

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Order' }), 'Oldest first');
    await waitFor(() => expect(last()).toMatchObject({ orderBy: 'LAST_SEEN_ASC', after: null, filter: { status: ['OPEN'] } }));
    expect(calls.filter((c) => c.name === 'Alerts').some((c) => c.variables.orderBy === 'LAST_SEEN_ASC' && c.variables.after !== null)).toBe(false);
    expect(await screen.findByText('Showing 1–2 of 60 alerts')).toBeInTheDocument();
    // The rows come as the server orders them, the days too.
    expect(titles()).toEqual([OLDER.title, NEWER.title]);
    const days = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(days).toHaveLength(2);
    expect(within(screen.getByRole('region', { name: days[0]! })).getByRole('button', { name: OLDER.title })).toBeInTheDocument();
  });

  it('reads the order from the address bar, where it is no filter to reset', async () => {
    const { last } = setup('/alerts?order=LAST_SEEN_ASC');
    await screen.findByRole('button', { name: OLDER.title });
    expect(last()).toMatchObject({ after: null, orderBy: 'LAST_SEEN_ASC' });
    expect(screen.getByRole('combobox', { name: 'Order' })).toHaveValue('LAST_SEEN_ASC');
    expect(screen.queryByRole('button', { name: 'Reset' })).not.toBeInTheDocument();

    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Order' }), 'Newest first');
    await waitFor(() => expect(last()).toMatchObject({ orderBy: 'LAST_SEEN_DESC', after: null }));
  });

  it('opens a deep-linked alert that is not on the page by its ID', async () => {
    const FAR = alert('a9', '2025-11-01T08:00:00Z');
    const { calls } = setup('/alerts/a9', { Alert: (v: Record<string, unknown>) => ({ alert: v.id === 'a9' ? FAR : null }) });
    const panel = await screen.findByRole('article', { name: FAR.title });
    expect(within(panel).getByRole('heading', { name: FAR.title })).toBeInTheDocument();
    expect(calls.filter((c) => c.name === 'Alert').map((c) => c.variables)).toEqual([{ id: 'a9' }]);
  });

  it("shows a sequence alert's steps as a timeline linking each step's alert", async () => {
    const SEQ = { ...alert('s1', '2026-03-10T12:20:00Z'), ruleId: 'vigil-sequence-new-origin-recon-then-persistence', title: 'New origin, then persistence', severity: 'CRITICAL' };
    const step = (n: number, name: string, id: string, title: string, at: string, eventName: string) => ({
      step: n,
      name,
      occurredAt: at,
      eventId: `ev-${id}`,
      alert: { id, title, severity: 'HIGH', principalArn: 'arn:aws:iam::111111111111:user/intruder', sourceIpAddress: '203.0.113.9', region: 'us-east-1', eventName },
    });
    const { calls } = setup('/alerts/s1', {
      Alert: { alert: SEQ },
      AlertSequence: (v: Record<string, unknown>) => ({
        alert: {
          id: v.id,
          sequenceSteps: [
            step(1, 'New address or region', 'x1', 'Principal calling from a new address', '2026-03-10T12:00:00Z', 'ListUsers'),
            step(2, 'Reconnaissance', 'x2', 'Burst of denied API calls', '2026-03-10T12:10:00Z', 'ListRoles'),
            step(3, 'Persistence or defense evasion', 'x3', 'Access key created for a named IAM user', '2026-03-10T12:20:00Z', 'CreateAccessKey'),
          ],
          sequenceAlerts: [],
        },
      }),
    });
    const timeline = await screen.findByRole('list', { name: 'Steps of the sequence' });
    const items = within(timeline).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.sequence-step-name')?.textContent)).toEqual([
      'Step 1: New address or region',
      'Step 2: Reconnaissance',
      'Step 3: Persistence or defense evasion',
    ]);
    expect(within(items[1]!).getByRole('link', { name: 'Burst of denied API calls' })).toHaveAttribute('href', '/alerts/x2');
    expect(items[2]).toHaveTextContent('user/intruder from 203.0.113.9 · CreateAccessKey · us-east-1');
    expect(calls.filter((c) => c.name === 'AlertSequence').map((c) => c.variables)).toEqual([{ id: 's1' }]);
  });

  it('links a step alert to the sequences it is part of, and shows nothing for others', async () => {
    setup('/alerts/a2', {
      AlertSequence: (v: Record<string, unknown>) => ({
        alert: { id: v.id, sequenceSteps: [], sequenceAlerts: [{ id: 's1', title: 'New origin, then persistence', severity: 'CRITICAL', lastSeenAt: '2026-03-10T12:20:00Z' }] },
      }),
    });
    const part = await screen.findByRole('list', { name: 'Sequences this alert is part of' });
    expect(within(part).getByRole('link', { name: 'New origin, then persistence' })).toHaveAttribute('href', '/alerts/s1');
    expect(screen.queryByRole('list', { name: 'Steps of the sequence' })).not.toBeInTheDocument();
  });

  it('says so when a deep-linked alert does not exist', async () => {
    setup('/alerts/nope', { Alert: { alert: null } });
    expect(await screen.findByText('This alert could not be found')).toBeInTheDocument();
    expect(screen.queryByText(/500 most recent/)).not.toBeInTheDocument();
  });
});
