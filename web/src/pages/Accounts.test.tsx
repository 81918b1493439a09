import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedError } from 'urql';
import { TrialBanner } from '../components/TrialBanner';
import { mockClient, renderPage } from '../test/render';
import Accounts from './Accounts';

const connected = {
  id: 'acc1',
  name: 'production',
  status: 'CONNECTED',
  accountId: '111111111111',
  roleArn: 'arn:aws:iam::111111111111:role/VigilReadOnly',
  error: null,
  lastVerifiedAt: '2026-03-10T12:00:00Z',
  lastActivityAt: '2026-03-10T12:00:00Z',
  trailArn: null,
  regions: null,
  pushQueueUrl: null,
  ingestionProblems: [],
  createdAt: '2026-03-10T11:00:00Z',
  lastJobFailure: null,
  lastScan: {
    id: 's1',
    status: 'SUCCEEDED',
    trigger: 'connect',
    createdAt: '2026-03-10T11:00:00Z',
    startedAt: '2026-03-10T11:00:01Z',
    finishedAt: '2026-03-10T11:01:00Z',
    regionsDone: 17,
    regionsTotal: 17,
    findingsOpened: 12,
    findingsResolved: 0,
    resourcesSeen: 140,
    error: null,
    problems: [],
  },
};

describe('Accounts', () => {
  it('shows the trail read, the regions watched and what ingestion had to keep out', async () => {
    const pinned = {
      ...connected,
      trailArn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
      regions: ['eu-west-1', 'us-east-1'],
      ingestionProblems: [
        {
          kind: 'EVENT_TIME_OUT_OF_WINDOW',
          message: '3 records dated outside the accepted window were kept out',
          count: 3,
          lastSeenAt: '2026-03-10T12:00:00Z',
        },
      ],
    };
    const { client } = mockClient({ Accounts: { awsAccounts: [pinned] } });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client, role: 'ANALYST' });
    expect(await screen.findByText('arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail')).toBeInTheDocument();
    expect(screen.getByText('eu-west-1, us-east-1')).toBeInTheDocument();
    expect(screen.getByText('1 activity problem')).toBeInTheDocument();
    expect(screen.getByText(/3 records dated outside the accepted window were kept out/)).toBeInTheDocument();
  });

  it('shows the scan job that gave up, beside the button that starts a new one', async () => {
    const failed = {
      ...connected,
      lastJobFailure: {
        kind: 'scan_account',
        error: 'lost with its worker 11 times (last: worker-7 stopped renewing the lease)',
        failedAt: '2026-03-10T12:30:00Z',
        attempts: 0,
        rescues: 11,
      },
    };
    const { client } = mockClient({ Accounts: { awsAccounts: [failed] } });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client, role: 'ADMIN' });
    expect(await screen.findByText('The last scan job gave up')).toBeInTheDocument();
    expect(screen.getByText(/lost with its worker 11 times/)).toBeInTheDocument();
    expect(screen.getByText(/its worker was lost 11 times/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Scan now' })).toBeEnabled();
  });

  it('offers owners and admins to connect, scan, rename and remove', async () => {
    const { client } = mockClient({ Accounts: { awsAccounts: [connected] } });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client, role: 'ADMIN' });
    expect(await screen.findByRole('heading', { name: 'production' })).toBeInTheDocument();
    for (const name of ['Connect an account', 'Scan now', 'Rename', 'Remove']) {
      expect(screen.getByRole(name === 'Connect an account' ? 'link' : 'button', { name })).toBeInTheDocument();
    }
  });

  it('turns push delivery on with the queue URL, and shows why the API refused one', async () => {
    const foreign = 'https://sqs.us-east-1.amazonaws.com/222222222222/VigilPush';
    const own = 'https://sqs.us-east-1.amazonaws.com/111111111111/VigilPush';
    const { client, calls } = mockClient({
      Accounts: { awsAccounts: [connected] },
      SetPushQueue: (v: Record<string, unknown>) =>
        v.queueUrl === foreign
          ? new CombinedError({
              graphQLErrors: [
                {
                  message: "the queue belongs to AWS account 222222222222, not to this connection's 111111111111",
                  extensions: { code: 'BAD_USER_INPUT' },
                },
              ],
            })
          : { setAwsAccountPushQueue: { __typename: 'AwsAccount', id: 'acc1', pushQueueUrl: v.queueUrl } },
    });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client, role: 'ADMIN' });
    expect(await screen.findByText(/Off: activity arrives with the trail files/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Push delivery' }));
    const field = screen.getByRole('textbox', { name: 'Push queue URL' });
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(screen.getByText(/Paste the PushQueueUrl output/)).toBeInTheDocument();
    await userEvent.type(field, foreign);
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findByText(/The queue belongs to AWS account 222222222222/)).toBeInTheDocument();
    await userEvent.clear(field);
    await userEvent.type(field, own);
    await userEvent.click(screen.getByRole('button', { name: 'Turn on' }));
    expect(await screen.findByRole('heading', { name: 'production' })).toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Push queue URL' })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.name === 'SetPushQueue').map((c) => c.variables)).toEqual([
      { id: 'acc1', queueUrl: foreign },
      { id: 'acc1', queueUrl: own },
    ]);
  });

  it('shows the push queue of an account that has push delivery on', async () => {
    const pushed = { ...connected, pushQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/VigilPush' };
    const { client } = mockClient({ Accounts: { awsAccounts: [pushed] } });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client, role: 'ANALYST' });
    expect(await screen.findByText('https://sqs.us-east-1.amazonaws.com/111111111111/VigilPush')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Push delivery' })).not.toBeInTheDocument();
  });

  it('shows an analyst the accounts without the buttons they cannot use', async () => {
    const { client } = mockClient({ Accounts: { awsAccounts: [connected] } });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client, role: 'ANALYST' });
    expect(await screen.findByRole('heading', { name: 'production' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Connect an account' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Scan now' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Findings' })).toBeInTheDocument();
  });

  it('stops new connections and scans once the trial has ended', async () => {
    const { client } = mockClient({ Accounts: { awsAccounts: [connected] } });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client, role: 'OWNER', plan: 'EXPIRED' });
    expect(await screen.findByRole('heading', { name: 'production' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Connect an account' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Scan now' })).not.toBeInTheDocument();
  });

  it('shows the error state with a retry when the list cannot be loaded', async () => {
    const { CombinedError } = await import('urql');
    const { client } = mockClient({ Accounts: new CombinedError({ networkError: new Error('down') }) });
    renderPage(<Accounts />, { route: '/accounts', path: '/accounts', client });
    expect(await screen.findByRole('alert')).toHaveTextContent(/could not be reached/);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

describe('TrialBanner', () => {
  it('counts the days left and explains what happens after', () => {
    render(<TrialBanner tenant={{ plan: 'TRIAL', trialDaysLeft: 3, trialEndsAt: '2030-01-04T00:00:00Z' }} />);
    expect(screen.getByRole('region', { name: 'Plan' })).toHaveTextContent('Free trial: 3 days left');
    expect(screen.getByRole('region', { name: 'Plan' })).toHaveClass('banner-urgent');
  });
  it('shows the expired state', () => {
    render(<TrialBanner tenant={{ plan: 'EXPIRED', trialEndsAt: '2030-01-04T00:00:00Z' }} />);
    expect(screen.getByRole('region', { name: 'Plan' })).toHaveTextContent(/Your trial has ended .* stays readable/);
  });
  it('says nothing on a paid plan', () => {
    const { container } = render(<TrialBanner tenant={{ plan: 'ACTIVE' }} />);
    expect(container).toBeEmptyDOMElement();
  });
});
