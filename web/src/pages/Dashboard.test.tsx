import { screen } from '@testing-library/react';
import { mockClient, renderPage } from '../test/render';
import Dashboard from './Dashboard';

const account = (scan: { status: string; regionsDone: number; regionsTotal: number; finishedAt: string | null }) => ({
  id: 'acc1',
  name: 'production',
  status: 'CONNECTED',
  accountId: '111111111111',
  error: null,
  lastActivityAt: null,
  lastScan: { id: 's1', createdAt: '2026-03-10T11:00:00Z', findingsOpened: 0, ...scan },
});

const dashboard = (scan: Parameters<typeof account>[0]) => ({
  findingSummary: { total: 0, bySeverity: [], byRule: [] },
  awsAccounts: [account(scan)],
  recentAlerts: { totalCount: 0, edges: [] },
  openAlerts: { totalCount: 0 },
});

describe('Dashboard', () => {
  it('says a first scan is still running instead of that every check passes', async () => {
    const { client } = mockClient({
      Dashboard: dashboard({ status: 'RUNNING', regionsDone: 16, regionsTotal: 24, finishedAt: null }),
      AlertsPerDay: { alertCountsByDay: [] },
    });
    renderPage(<Dashboard />, { route: '/', path: '/', client, role: 'VIEWER' });
    expect(await screen.findByText('Scanning: failing checks appear as regions finish')).toBeInTheDocument();
    expect(screen.getByText(/production: 16 of 24 regions read/)).toBeInTheDocument();
    expect(screen.queryByText('No failing checks')).not.toBeInTheDocument();
  });

  it('says every check passes once the scans have finished clean', async () => {
    const { client } = mockClient({
      Dashboard: dashboard({ status: 'SUCCEEDED', regionsDone: 24, regionsTotal: 24, finishedAt: '2026-03-10T11:05:00Z' }),
      AlertsPerDay: { alertCountsByDay: [] },
    });
    renderPage(<Dashboard />, { route: '/', path: '/', client, role: 'VIEWER' });
    expect(await screen.findByText('No failing checks')).toBeInTheDocument();
  });
});
