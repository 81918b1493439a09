import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockClient, renderPage } from '../test/render';
import ConnectOrganization from './ConnectOrganization';

const org = {
  id: 'org1',
  name: 'Acme',
  status: 'PENDING',
  externalId: 'ext-0123456789abcdefghij0123456789abcdefgh',
  managementRoleArn: null,
  memberRoleName: 'VigilReadOnly',
  organizationId: null,
  managementAccountId: null,
  lastSyncAt: null,
  nextSyncAt: null,
  lastSyncError: null,
  regions: null,
  trail: null,
  setup: {
    trustedPrincipalArn: 'arn:aws:iam::123456789012:user/vigil',
    managementTemplate: 'Resources: { VigilManagementRole: {} }',
    stackSetTemplate: 'Resources: { VigilMemberRoles: {} }',
  },
  accounts: [],
};

const member = (n: number, extra: object = {}) => ({
  id: `acc${n}`,
  name: `member-${n} (11111111111${n})`,
  status: 'CONNECTED',
  accountId: `11111111111${n}`,
  error: null,
  organizationalUnitPath: 'Root/Workloads',
  leftOrganizationAt: null,
  ...extra,
});

describe('ConnectOrganization', () => {
  it('names the organisation', async () => {
    const create = vi.fn(() => ({ createAwsOrganization: { id: 'org1' } }));
    const { client } = mockClient({ CreateOrganization: create, ConnectOrganization: { awsOrganization: org } });
    renderPage(<ConnectOrganization />, { route: '/accounts/organizations/connect', path: '/accounts/organizations/connect', client });
    await userEvent.type(screen.getByLabelText(/Organisation name/), 'Acme');
    await userEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(create).toHaveBeenCalledWith({ name: 'Acme', regions: null });
  });

  it('shows the templates and checks the management role ARN before asking the server', async () => {
    const verify = vi.fn();
    const { client } = mockClient({ ConnectOrganization: { awsOrganization: org }, VerifyOrganization: verify });
    renderPage(<ConnectOrganization />, { route: '/accounts/organizations/org1', path: '/accounts/organizations/:organizationId', client });
    expect(await screen.findByLabelText(/External ID/)).toHaveValue(org.externalId);
    expect(screen.getByRole('button', { name: /vigil-organization-management.yaml/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /vigil-organization-stackset.yaml/ })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/Management role ARN/), 'arn:aws:iam::123:role/Vigil');
    await userEvent.click(screen.getByRole('button', { name: 'Verify and connect' }));
    expect(screen.getByLabelText(/Management role ARN/)).toHaveAccessibleDescription(/The account must be 12 digits/);
    expect(verify).not.toHaveBeenCalled();
  });

  it('lists the members with their status, errors and who left, the regions and the organisation trail', async () => {
    const connected = {
      ...org,
      status: 'CONNECTED',
      organizationId: 'o-abcdefghij',
      managementAccountId: '222222222222',
      regions: ['eu-west-1', 'us-east-1'],
      trail: {
        arn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/organization',
        bucket: 'org-trail-222222222222',
        coversMembers: true,
        readAt: '2026-12-01T00:00:00Z',
        skippedAccounts: ['333333333333'],
      },
      accounts: [
        member(1),
        member(2, { status: 'ERROR', error: 'the StackSet has not deployed to this account yet' }),
        member(3, { leftOrganizationAt: '2026-12-01T00:00:00Z' }),
      ],
    };
    const { client } = mockClient({ ConnectOrganization: { awsOrganization: connected } });
    renderPage(<ConnectOrganization />, { route: '/accounts/organizations/org1', path: '/accounts/organizations/:organizationId', client });
    const table = await screen.findByRole('table', { name: 'Member accounts' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toHaveTextContent('the StackSet has not deployed');
    expect(rows[3]).toHaveTextContent('Left the organisation');
    expect(screen.getByText(/1 account connected of 3/)).toBeInTheDocument();
    expect(screen.getByText('eu-west-1, us-east-1')).toBeInTheDocument();
    expect(screen.getByText(/brings every member's activity/)).toHaveTextContent(
      /Not read: log files of 1 account with no connected member \(333333333333\)/,
    );
    expect(screen.getByRole('button', { name: 'Sync now' })).toBeInTheDocument();
  });

  it('explains a failed sync', async () => {
    const failed = { ...org, status: 'ERROR', lastSyncError: 'Vigil could not assume the management role: AWS denied the request.' };
    const { client } = mockClient({ ConnectOrganization: { awsOrganization: failed } });
    renderPage(<ConnectOrganization />, { route: '/accounts/organizations/org1', path: '/accounts/organizations/:organizationId', client });
    expect(await screen.findByRole('alert')).toHaveTextContent('AWS denied the request');
    expect(screen.getByRole('button', { name: 'Verify again' })).toBeInTheDocument();
  });
});
