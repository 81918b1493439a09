import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockClient, renderPage } from '../test/render';
import Assets from './Assets';

const node = {
  id: 'a1',
  awsAccountId: 'acc1',
  region: 'eu-west-1',
  resourceType: 'AWS::EC2::Instance',
  resourceId: 'i-0abc',
  resourceArn: null,
  firstSeenAt: '2026-03-09T12:00:00Z',
  lastSeenAt: '2026-03-10T12:00:00Z',
  deletedAt: null,
};

describe('Assets', () => {
  it('orders on the server by type or by time, from the first page again', async () => {
    const assets = vi.fn((v: Record<string, unknown>) => ({
      assets: { totalCount: 60, pageInfo: { hasNextPage: true, endCursor: `end-${v.orderBy}-${v.after ?? 'start'}` }, edges: [{ node }] },
    }));
    const { client, calls } = mockClient({
      AccountNames: { awsAccounts: [{ id: 'acc1', name: 'production', accountId: '111111111111', status: 'CONNECTED' }] },
      Assets: assets,
      AssetCounts: { assetCounts: [{ resourceType: node.resourceType, region: node.region, count: 1 }] },
    });
    const last = () => calls.filter((c) => c.name === 'Assets').slice(-1)[0]?.variables;
    renderPage(<Assets />, { route: '/assets', path: '/assets/:assetId?', client });
    await screen.findByRole('link', { name: node.resourceId });
    expect(last()).toMatchObject({ orderBy: 'TYPE', after: null });
    expect(screen.getByRole('table', { name: /Ordered by type, region and resource ID/ })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Type' })).toHaveAttribute('aria-sort', 'ascending');
    // Columns without a server order do not pretend to sort.
    for (const name of ['Resource', 'Region', 'Account', 'State']) {
      expect(within(screen.getByRole('columnheader', { name })).queryByRole('button')).not.toBeInTheDocument();
    }

    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(last()).toMatchObject({ orderBy: 'TYPE', after: 'end-TYPE-start' }));

    await userEvent.click(screen.getByRole('button', { name: 'First seen' }));
    await waitFor(() => expect(last()).toMatchObject({ orderBy: 'FIRST_SEEN', after: null }));
    expect(screen.getByRole('columnheader', { name: 'First seen' })).toHaveAttribute('aria-sort', 'descending');
    expect(screen.getByRole('table', { name: /Ordered by first seen, newest first/ })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: node.resourceId })).toHaveAttribute('href', '/assets/a1?order=FIRST_SEEN');
    expect(calls.filter((c) => c.name === 'Assets').some((c) => c.variables.orderBy === 'FIRST_SEEN' && c.variables.after !== null)).toBe(false);
  });

  it('draws the inventory from the server’s counts, which ignore the type and region it picks', async () => {
    const { client, calls } = mockClient({
      AccountNames: { awsAccounts: [{ id: 'acc1', name: 'production', accountId: '111111111111', status: 'CONNECTED' }] },
      Assets: { assets: { totalCount: 1, pageInfo: { hasNextPage: false, endCursor: null }, edges: [{ node }] } },
      AssetCounts: {
        assetCounts: [
          { resourceType: 'AWS::EC2::Instance', region: 'eu-west-1', count: 1200 },
          { resourceType: 'AWS::EC2::Instance', region: 'us-east-1', count: 3 },
          { resourceType: 'AWS::S3::Bucket', region: 'global', count: 900 },
        ],
      },
    });
    const counts = () => calls.filter((c) => c.name === 'AssetCounts').map((c) => c.variables);
    renderPage(<Assets />, { route: '/assets?awsAccountId=acc1&deleted=1', path: '/assets/:assetId?', client });
    expect(await screen.findByText('2,103 resources in 3 regions. Pick a type or a region to filter the list below.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /^EC2 instance 1203$/ }));
    await waitFor(() => expect(calls.filter((c) => c.name === 'Assets').slice(-1)[0]?.variables.filter).toMatchObject({ resourceType: 'AWS::EC2::Instance' }));
    expect(screen.getByRole('button', { name: /^EC2 instance 1203$/ })).toHaveAttribute('aria-pressed', 'true');
    expect(counts().length).toBeGreaterThan(0);
    for (const v of counts()) expect(v).toEqual({ filter: { awsAccountId: 'acc1', includeDeleted: true } });
  });
});
