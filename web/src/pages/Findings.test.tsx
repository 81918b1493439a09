import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockClient, renderPage } from '../test/render';
import Findings from './Findings';

const node = {
  id: 'f1',
  ruleId: 'ec2-sg-ssh-open',
  title: 'Security group allows SSH (22) from the internet',
  severity: 'HIGH',
  status: 'OPEN',
  awsAccountId: 'acc1',
  region: 'eu-west-1',
  resourceType: 'AWS::EC2::SecurityGroup',
  resourceId: 'sg-123',
  lastSeenAt: '2026-03-10T12:00:00Z',
  firstSeenAt: '2026-03-09T12:00:00Z',
};

const detail = {
  ...node,
  resourceArn: 'arn:aws:ec2:eu-west-1:111111111111:security-group/sg-123',
  description: 'Anyone can reach port 22.',
  remediation: 'Remove the rule with `aws ec2 revoke-security-group-ingress`.',
  compliance: ['CIS AWS Foundations v3.0.0 5.2'],
  evidence: { port: 22 },
  resolvedAt: null,
  suppressedReason: null,
  suppressedUntil: null,
  suppressedBy: null,
};

function resolvers(suppress = vi.fn((v: Record<string, unknown>) => ({ suppressFinding: { id: v.id, status: 'SUPPRESSED', suppressedReason: v.reason, suppressedUntil: null, suppressedBy: 'alice@example.com' } }))) {
  return {
    suppress,
    resolvers: {
      AccountNames: { awsAccounts: [{ id: 'acc1', name: 'production', accountId: '111111111111', status: 'CONNECTED' }] },
      Findings: { findings: { totalCount: 1, pageInfo: { hasNextPage: false, endCursor: 'c1' }, edges: [{ node }] } },
      Finding: { finding: detail },
      SuppressFinding: suppress,
    },
  };
}

describe('Findings', () => {
  it('lists findings with the default filter of open ones', async () => {
    const { client, calls } = mockClient(resolvers().resolvers);
    renderPage(<Findings />, { route: '/findings', path: '/findings/:findingId?', client });
    expect(await screen.findByRole('link', { name: node.title })).toBeInTheDocument();
    expect(screen.getByText('Showing 1–1 of 1 findings')).toBeInTheDocument();
    expect(calls.find((c) => c.name === 'Findings')?.variables).toMatchObject({ first: 25, after: null, filter: { status: ['OPEN'] } });
  });

  it('turns the address bar into the filter', async () => {
    const { client, calls } = mockClient(resolvers().resolvers);
    renderPage(<Findings />, { route: '/findings?status=ALL&severity=CRITICAL,HIGH&region=eu-west-1', path: '/findings/:findingId?', client });
    await screen.findByRole('link', { name: node.title });
    expect(calls.find((c) => c.name === 'Findings')?.variables.filter).toEqual({ severity: ['CRITICAL', 'HIGH'], region: 'eu-west-1' });
    expect(screen.getByRole('checkbox', { name: 'Critical' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Low' })).not.toBeChecked();
  });

  it('shows a viewer the detail without the suppress button', async () => {
    const { client } = mockClient(resolvers().resolvers);
    renderPage(<Findings />, { route: '/findings/f1', path: '/findings/:findingId?', client, role: 'VIEWER' });
    const panel = await screen.findByRole('dialog', { name: 'Finding' });
    expect(await within(panel).findByText('How to fix it')).toBeInTheDocument();
    expect(within(panel).getByText('aws ec2 revoke-security-group-ingress').tagName).toBe('CODE');
    expect(within(panel).queryByRole('button', { name: /Suppress/ })).not.toBeInTheDocument();
  });

  it('lets an analyst suppress with a reason, required before sending', async () => {
    const { resolvers: r, suppress } = resolvers();
    const { client } = mockClient(r);
    renderPage(<Findings />, { route: '/findings/f1', path: '/findings/:findingId?', client, role: 'ANALYST' });
    const panel = await screen.findByRole('dialog', { name: 'Finding' });
    await userEvent.click(await within(panel).findByRole('button', { name: 'Suppress…' }));
    const dialog = screen.getByRole('dialog', { name: 'Suppress finding' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Suppress finding' }));
    expect(within(dialog).getByLabelText(/Reason/)).toHaveAccessibleDescription(/Say why this finding is accepted/);
    expect(suppress).not.toHaveBeenCalled();

    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'Bastion behind the VPN');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Suppress finding' }));
    expect(suppress).toHaveBeenCalledWith({ id: 'f1', reason: 'Bastion behind the VPN', until: null });
  });
});
