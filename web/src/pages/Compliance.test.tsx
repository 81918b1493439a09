import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockClient, renderPage } from '../test/render';
import Compliance from './Compliance';

const control = (over: Record<string, unknown>) => ({
  section: '1 Identity and Access Management',
  subsection: null,
  level: 'Level 1',
  automated: true,
  reason: 'no open finding of iam-root-access-keys',
  checks: ['iam-root-access-keys'],
  failingCount: 0,
  suppressedCount: 0,
  failingResources: [],
  detection: null,
  attestation: null,
  ...over,
});

const report = {
  complianceReport: {
    framework: { id: 'cis-aws-5.0', name: 'CIS Amazon Web Services Foundations Benchmark v5.0.0', source: 'prowler' },
    generatedAt: '2026-03-10T12:00:00Z',
    score: 50,
    counts: { pass: 1, fail: 1, notAssessed: 0, manual: 1, attested: 0 },
    accounts: [{ awsAccountId: 'acc1', name: 'production', accountId: '111111111111', scanStatus: 'SUCCEEDED', scannedAt: '2026-03-10T11:00:00Z', eventsIngestedAt: null }],
    controls: [
      control({ id: '1.1', title: 'Maintain current contact details', automated: false, status: 'MANUAL', reason: 'not automatable', checks: [] }),
      control({ id: '1.3', title: "Ensure no 'root' user account access key exists", status: 'PASS' }),
      control({
        id: '5.3',
        section: '5 Networking',
        title: 'Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports',
        status: 'FAIL',
        reason: '1 open finding of ec2-sg-ssh-open',
        checks: ['ec2-sg-ssh-open'],
        failingCount: 1,
        failingResources: [{ findingId: 'f1', awsAccountId: 'acc1', ruleId: 'ec2-sg-ssh-open', region: 'eu-west-1', resourceType: 'AWS::EC2::SecurityGroup', resourceId: 'sg-123', severity: 'HIGH' }],
      }),
    ],
  },
};

const resolvers = (attest = vi.fn((_v: Record<string, unknown>) => ({ attestComplianceControl: { id: 'a1', expiresAt: '2026-06-01T00:00:00Z' } }))) => ({
  attest,
  resolvers: {
    AccountNames: { awsAccounts: [{ id: 'acc1', name: 'production', accountId: '111111111111', status: 'CONNECTED' }] },
    ComplianceFrameworks: { complianceFrameworks: [{ id: 'cis-aws-5.0', name: 'CIS Amazon Web Services Foundations Benchmark v5.0.0', controlsTotal: 63, controlsCovered: 34 }] },
    ComplianceReport: report,
    AttestComplianceControl: attest,
  },
});

describe('Compliance', () => {
  it('shows the score, the sections and a failing control with its resource', async () => {
    const { client, calls } = mockClient(resolvers().resolvers);
    renderPage(<Compliance />, { route: '/compliance', path: '/compliance', client, role: 'VIEWER' });
    expect(await screen.findByText('50.0%')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: '5 Networking' })).toBeInTheDocument();
    const failing = document.querySelector('[data-control="5.3"]') as HTMLElement;
    expect(within(failing).getByText('Fail')).toBeInTheDocument();
    expect(within(failing).getByRole('link', { name: 'sg-123' })).toHaveAttribute('href', '/findings/f1');
    expect(calls.find((c) => c.name === 'ComplianceReport')?.variables).toMatchObject({ framework: 'cis-aws-5.0', awsAccountId: null });
    // A viewer cannot attest.
    expect(screen.queryByRole('form', { name: 'Attest control 1.1' })).not.toBeInTheDocument();
  });

  it('lets an analyst attest a manual control', async () => {
    const { attest, resolvers: r } = resolvers();
    const { client } = mockClient(r);
    renderPage(<Compliance />, { route: '/compliance', path: '/compliance', client, role: 'ANALYST' });
    await screen.findByText('50.0%');
    const manual = document.querySelector('[data-control="1.1"]') as HTMLElement;
    await userEvent.click(within(manual).getByText('Maintain current contact details'));
    await userEvent.type(within(manual).getByLabelText(/Owner/), 'Security team');
    await userEvent.type(within(manual).getByLabelText(/What was checked/), 'Reviewed');
    await userEvent.click(within(manual).getByRole('button', { name: 'Attest' }));
    expect(attest).toHaveBeenCalledTimes(1);
    expect(attest.mock.calls[0][0]).toMatchObject({ input: { framework: 'cis-aws-5.0', controlId: '1.1', awsAccountId: null, owner: 'Security team', note: 'Reviewed' } });
  });
});
