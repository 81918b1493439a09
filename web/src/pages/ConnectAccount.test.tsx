import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockClient, renderPage } from '../test/render';
import ConnectAccount from './ConnectAccount';

const account = {
  id: 'acc1',
  name: 'production',
  status: 'PENDING',
  accountId: null,
  externalId: 'ext-0123456789abcdefghij0123456789abcdefgh',
  roleArn: null,
  error: null,
  lastVerifiedAt: null,
  setup: {
    trustedPrincipalArn: 'arn:aws:iam::123456789012:user/vigil',
    cloudFormationTemplate: 'Resources: {}',
    launchStackUrl: 'https://console.aws.amazon.com/cloudformation/home#/stacks/quickcreate?param_ExternalId=ext',
  },
  lastScan: null,
};

describe('ConnectAccount', () => {
  it('names the account and moves to the role step', async () => {
    const create = vi.fn(() => ({ createAwsAccount: { id: 'acc1', name: 'production', status: 'PENDING', externalId: account.externalId } }));
    const { client } = mockClient({ CreateAccount: create, ConnectAccount: { awsAccount: account } });
    renderPage(<ConnectAccount />, { route: '/accounts/connect', path: '/accounts/:accountId?/connect', client });
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(screen.getByLabelText(/Account name/)).toHaveAccessibleDescription(/Enter a name for this account/);
    await userEvent.type(screen.getByLabelText(/Account name/), 'production');
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(create).toHaveBeenCalledWith({ name: 'production', regions: null });
    expect(await screen.findByLabelText('External ID')).toHaveValue(account.externalId);
    expect(screen.getByRole('link', { name: /Launch stack in AWS/ })).toHaveAttribute('href', account.setup.launchStackUrl);
    expect(screen.getByRole('listitem', { current: 'step' })).toHaveTextContent('Create the role');
  });

  it('checks the regions before asking the server and sends them sorted, once each', async () => {
    const create = vi.fn(() => ({ createAwsAccount: { id: 'acc1', name: 'eu', status: 'PENDING', externalId: account.externalId } }));
    const { client } = mockClient({ CreateAccount: create, ConnectAccount: { awsAccount: account } });
    renderPage(<ConnectAccount />, { route: '/accounts/connect', path: '/accounts/:accountId?/connect', client });
    await userEvent.type(screen.getByLabelText(/Account name/), 'eu');
    await userEvent.type(screen.getByLabelText(/Regions/), 'eu-west-1, Frankfurt');
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(screen.getByLabelText(/Regions/)).toHaveAccessibleDescription(/"Frankfurt" is not an AWS region name/);
    expect(create).not.toHaveBeenCalled();
    await userEvent.clear(screen.getByLabelText(/Regions/));
    await userEvent.type(screen.getByLabelText(/Regions/), 'eu-west-1 eu-central-1, eu-west-1');
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(create).toHaveBeenCalledWith({ name: 'eu', regions: ['eu-central-1', 'eu-west-1'] });
  });

  it('checks the role ARN before asking the server', async () => {
    const verify = vi.fn();
    const { client } = mockClient({ ConnectAccount: { awsAccount: account }, VerifyAccount: verify });
    renderPage(<ConnectAccount />, { route: '/accounts/acc1/connect?step=verify', path: '/accounts/:accountId/connect', client });
    await userEvent.type(await screen.findByLabelText(/Role ARN/), 'arn:aws:iam::123:role/Vigil');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and connect' }));
    expect(screen.getByLabelText(/Role ARN/)).toHaveAccessibleDescription(/The account must be 12 digits/);
    expect(verify).not.toHaveBeenCalled();
  });

  it('explains a failed verification with what to check', async () => {
    const failed = { ...account, status: 'ERROR', roleArn: 'arn:aws:iam::111111111111:role/Vigil', error: 'Vigil could not assume the role: AWS denied the request.' };
    const { client } = mockClient({ ConnectAccount: { awsAccount: failed } });
    renderPage(<ConnectAccount />, { route: '/accounts/acc1/connect?step=verify', path: '/accounts/:accountId/connect', client });
    expect(await screen.findByRole('alert')).toHaveTextContent('AWS denied the request');
    expect(screen.getByRole('alert')).toHaveTextContent(account.externalId);
    expect(screen.getByRole('button', { name: 'Verify again' })).toBeInTheDocument();
  });

  it('shows scan progress once connected', async () => {
    const connected = {
      ...account,
      status: 'CONNECTED',
      accountId: '111111111111',
      lastScan: { id: 's1', status: 'RUNNING', regionsDone: 3, regionsTotal: 17, resourcesSeen: 0, findingsOpened: 0, startedAt: null, finishedAt: null, error: null, problems: [] },
    };
    const { client } = mockClient({
      ConnectAccount: { awsAccount: connected },
      FirstFindings: { findings: { totalCount: 0, edges: [] } },
    });
    renderPage(<ConnectAccount />, { route: '/accounts/acc1/connect', path: '/accounts/:accountId/connect', client });
    expect(await screen.findByRole('progressbar', { name: 'Scan progress' })).toHaveAttribute('aria-valuetext', '3 of 17');
    expect(screen.getByText('3 of 17 regions read')).toBeInTheDocument();
    expect(screen.getByText(/Nothing yet/)).toBeInTheDocument();
  });

  it('follows the scan over the subscription', async () => {
    const scan = { id: 's1', status: 'RUNNING', regionsDone: 3, regionsTotal: 17, resourcesSeen: 0, findingsOpened: 0, startedAt: null, finishedAt: null, error: null, problems: [] };
    const progress = vi.fn(() => ({ scanProgress: { id: 's1', status: 'RUNNING', regionsDone: 9, regionsTotal: 17, resourcesSeen: 40, findingsOpened: 2 } }));
    const { client } = mockClient({
      ConnectAccount: { awsAccount: { ...account, status: 'CONNECTED', accountId: '111111111111', lastScan: scan } },
      FirstFindings: { findings: { totalCount: 0, edges: [] } },
      ScanProgress: progress,
    });
    renderPage(<ConnectAccount />, { route: '/accounts/acc1/connect', path: '/accounts/:accountId/connect', client });
    expect(await screen.findByText('9 of 17 regions read')).toBeInTheDocument();
    expect(progress).toHaveBeenCalledWith({ id: 's1' });
  });

  it('tells a viewer to ask an admin', () => {
    const { client } = mockClient({});
    renderPage(<ConnectAccount />, { route: '/accounts/connect', path: '/accounts/:accountId?/connect', client, role: 'VIEWER' });
    expect(screen.getByText('Only owners and admins connect AWS accounts')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Continue' })).not.toBeInTheDocument();
  });
});
