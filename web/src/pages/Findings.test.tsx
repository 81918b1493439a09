import { screen, waitFor, within } from '@testing-library/react';
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
  compliance: ['CIS AWS Foundations v5.0.0 5.3', 'AWS FSBP EC2.13'],
  evidence: { port: 22 },
  resolvedAt: null,
  suppressedReason: null,
  suppressedUntil: null,
  suppressedBy: null,
  changes: [
    {
      transition: 'OPENED',
      evaluatedAt: '2026-03-09T12:00:05Z',
      eventId: 'ev-42',
      occurredAt: '2026-03-09T11:59:58Z',
      eventName: 'AuthorizeSecurityGroupIngress',
      eventSource: 'ec2.amazonaws.com',
      region: 'eu-west-1',
      principalArn: 'arn:aws:iam::111111111111:user/mallory',
      sourceIpAddress: '203.0.113.9',
    },
  ],
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
    expect(calls.find((c) => c.name === 'Findings')?.variables).toMatchObject({ first: 25, after: null, filter: { status: ['OPEN'] }, orderBy: 'SEVERITY' });
  });

  it('orders on the server by the sortable headers, from the first page again', async () => {
    const findings = vi.fn((v: Record<string, unknown>) => ({
      findings: { totalCount: 60, pageInfo: { hasNextPage: true, endCursor: `end-${v.orderBy}-${v.after ?? 'start'}` }, edges: [{ node }] },
    }));
    const { client, calls } = mockClient({ ...resolvers().resolvers, Findings: findings });
    const last = () => calls.filter((c) => c.name === 'Findings').slice(-1)[0]?.variables;
    renderPage(<Findings />, { route: '/findings', path: '/findings/:findingId?', client });
    await screen.findByRole('link', { name: node.title });
    expect(screen.getByRole('table', { name: /Ordered by severity, most severe first/ })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Severity' })).toHaveAttribute('aria-sort', 'descending');
    for (const name of ['First seen', 'Last seen']) {
      const header = screen.getByRole('columnheader', { name });
      expect(header).toHaveAttribute('aria-sort', 'none');
      expect(within(header).getByRole('button', { name })).toBeInTheDocument();
    }
    // Columns without a server order do not pretend to sort.
    for (const name of ['Finding', 'Resource', 'Account', 'Region', 'Status']) {
      const header = screen.getByRole('columnheader', { name });
      expect(within(header).queryByRole('button')).not.toBeInTheDocument();
      expect(header).not.toHaveAttribute('aria-sort');
    }

    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(last()).toMatchObject({ orderBy: 'SEVERITY', after: 'end-SEVERITY-start' }));
    expect(await screen.findByText('Showing 26–26 of 60 findings')).toBeInTheDocument();

    // A cursor belongs to its order: the new order starts from the first page.
    await userEvent.click(screen.getByRole('button', { name: 'Last seen' }));
    await waitFor(() => expect(last()).toMatchObject({ orderBy: 'LAST_SEEN', after: null, filter: { status: ['OPEN'] } }));
    expect(await screen.findByText('Showing 1–1 of 60 findings')).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Last seen' })).toHaveAttribute('aria-sort', 'descending');
    expect(screen.getByRole('columnheader', { name: 'Severity' })).toHaveAttribute('aria-sort', 'none');
    expect(screen.getByRole('table', { name: /Ordered by last seen, most recent first/ })).toBeInTheDocument();
    // The order is kept in the address bar, which the row links carry.
    expect(screen.getByRole('link', { name: node.title })).toHaveAttribute('href', '/findings/f1?order=LAST_SEEN');
    expect(calls.filter((c) => c.name === 'Findings').some((c) => c.variables.orderBy === 'LAST_SEEN' && c.variables.after !== null)).toBe(false);

    // Every order is most-first: clicking the current one again changes nothing.
    const before = calls.length;
    await userEvent.click(screen.getByRole('button', { name: 'Last seen' }));
    expect(screen.getByRole('columnheader', { name: 'Last seen' })).toHaveAttribute('aria-sort', 'descending');
    expect(calls.slice(before).every((c) => c.variables.orderBy !== 'SEVERITY')).toBe(true);
  });

  it('reads the order from the address bar, where it is no filter to reset', async () => {
    const { client, calls } = mockClient(resolvers().resolvers);
    renderPage(<Findings />, { route: '/findings?order=FIRST_SEEN', path: '/findings/:findingId?', client });
    await screen.findByRole('link', { name: node.title });
    expect(calls.find((c) => c.name === 'Findings')?.variables).toMatchObject({ after: null, filter: { status: ['OPEN'] }, orderBy: 'FIRST_SEEN' });
    expect(screen.getByRole('columnheader', { name: 'First seen' })).toHaveAttribute('aria-sort', 'descending');
    expect(screen.queryByRole('button', { name: 'Reset' })).not.toBeInTheDocument();

    // Back to the default order, which the address bar leaves out.
    await userEvent.click(screen.getByRole('button', { name: 'Severity' }));
    await waitFor(() => expect(calls.filter((c) => c.name === 'Findings').slice(-1)[0].variables).toMatchObject({ orderBy: 'SEVERITY', after: null }));
    expect(screen.getByRole('link', { name: node.title })).toHaveAttribute('href', '/findings/f1');
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

  it('shows the CloudTrail event that opened the finding, linked to the event', async () => {
    const { client } = mockClient(resolvers().resolvers);
    renderPage(<Findings />, { route: '/findings/f1', path: '/findings/:findingId?', client });
    const changes = await screen.findByRole('list', { name: 'Changes' });
    expect(within(changes).getByText('Opened after')).toBeInTheDocument();
    expect(within(changes).getByText('arn:aws:iam::111111111111:user/mallory')).toBeInTheDocument();
    expect(within(changes).getByText('203.0.113.9')).toBeInTheDocument();
    expect(within(changes).getByRole('link', { name: 'AuthorizeSecurityGroupIngress' })).toHaveAttribute(
      'href',
      'https://console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/ev-42',
    );
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
