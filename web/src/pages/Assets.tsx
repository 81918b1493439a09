import { createColumnHelper } from '@tanstack/react-table';
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { seenColumns } from '../components/columns';
import { DataTable } from '../components/DataTable';
import { Dialog } from '../components/Dialog';
import { SelectField, TextField } from '../components/fields';
import { Pager, useCursorPages } from '../components/Pager';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { Card, DescriptionList, JsonBlock, LiveRegion, PageHeader, Time } from '../components/ui';
import { graphql } from '../gql';
import type { AssetOrder, AssetsQuery } from '../gql/graphql';
import { diffJson, formatLeaf } from '../lib/diff';
import { compact, serverOrder, textParam, withParam } from '../lib/filters';
import { formatDateTime, plural, resourceTypeLabel, toIsoFromLocalInput, toLocalInput } from '../lib/format';
import { useAccountNames, useListParams } from '../lib/hooks';
import { summariseInventory } from '../lib/inventory';
import { useTitle } from '../lib/useTitle';
import { ipError } from '../lib/validation';

const AssetsDocument = graphql(`
  query Assets($first: Int, $after: String, $filter: AssetFilter, $orderBy: AssetOrder) {
    assets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          awsAccountId
          region
          resourceType
          resourceId
          resourceArn
          firstSeenAt
          lastSeenAt
          deletedAt
        }
      }
    }
  }
`);

const AssetCountsDocument = graphql(`
  query AssetCounts($filter: AssetFilter) {
    assetCounts(filter: $filter) {
      resourceType
      region
      count
    }
  }
`);

const AssetDocument = graphql(`
  query Asset($id: ID!) {
    asset(id: $id) {
      id
      awsAccountId
      region
      resourceType
      resourceId
      resourceArn
      configuration
      tags
      firstSeenAt
      lastSeenAt
      deletedAt
      changes(first: 20) {
        kind
        changedAt
        scanId
        configuration
      }
    }
  }
`);

const IpLookupDocument = graphql(`
  query IpLookup($ip: String!, $at: DateTime) {
    resourcesByIp(ip: $ip, at: $at) {
      ip
      public
      heldFrom
      heldUntil
      asset {
        id
        awsAccountId
        resourceType
        resourceId
        region
        deletedAt
      }
    }
  }
`);

type Row = AssetsQuery['assets']['edges'][number]['node'];
const col = createColumnHelper<Row>();

/**
 * The server's orders, each by the column it sorts: Type from A to Z, the times most recent
 * first. Kept in the address bar as `order` (left out for the default, TYPE).
 */
const ORDER_COLUMN: Record<AssetOrder, string> = { TYPE: 'resourceType', FIRST_SEEN: 'firstSeenAt', LAST_SEEN: 'lastSeenAt' };
const ORDER_HINT: Record<AssetOrder, string> = {
  TYPE: 'Ordered by type, region and resource ID',
  FIRST_SEEN: 'Ordered by first seen, newest first',
  LAST_SEEN: 'Ordered by last seen, most recent first',
};

export default function Assets() {
  useTitle('Assets');
  const [params, setParams] = useListParams('/assets');
  const navigate = useNavigate();
  const { assetId } = useParams();
  const accounts = useAccountNames();
  const awsAccountId = textParam(params, 'awsAccountId');
  const filter = compact({
    awsAccountId,
    resourceType: textParam(params, 'resourceType'),
    region: textParam(params, 'region'),
    includeDeleted: params.get('deleted') === '1' ? true : undefined,
  });
  const { order: orderBy, serverSort } = serverOrder(params, setParams, ORDER_COLUMN, 'TYPE', ['TYPE']);
  // A cursor belongs to its order: a new order (or filter) starts again from the first page.
  const pages = useCursorPages(JSON.stringify({ filter, orderBy }));
  const [{ data, error, fetching }, refetch] = useQuery({ query: AssetsDocument, variables: { first: pages.first, after: pages.after, filter, orderBy } });
  const reload = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  // Counted on the server with the page's filter, less the type and region the inventory itself picks.
  const countFilter = compact({ awsAccountId, includeDeleted: filter.includeDeleted });
  const [inventory] = useQuery({ query: AssetCountsDocument, variables: { filter: countFilter } });
  const summary = useMemo(() => (inventory.data ? summariseInventory(inventory.data.assetCounts) : null), [inventory.data]);
  const set = (name: string, value: string | undefined) => setParams(withParam(params, name, value));

  const columns = useMemo(
    () => [
      col.accessor('resourceType', { header: 'Type', enableSorting: true, cell: (c) => resourceTypeLabel(c.getValue()) }),
      col.accessor('resourceId', {
        header: 'Resource',
        cell: (c) => (
          <Link className="row-link mono" to={{ pathname: `/assets/${c.row.original.id}`, search: params.toString() }}>
            {c.getValue()}
          </Link>
        ),
      }),
      col.accessor('region', { header: 'Region', cell: (c) => <span className="mono small nowrap">{c.getValue()}</span> }),
      col.accessor((r) => accounts.name(r.awsAccountId), { id: 'account', header: 'Account', meta: { className: 'col-optional' } }),
      ...seenColumns(col),
      col.accessor('deletedAt', {
        header: 'State',
        cell: (c) => (c.getValue() ? <span className="badge status-resolved">Deleted</span> : <span className="badge status-live">Present</span>),
      }),
    ],
    [accounts, params],
  );
  const rows = data?.assets.edges.map((e) => e.node) ?? [];

  return (
    <>
      <PageHeader title="Assets" description="Every resource the scans inventoried, with its configuration history and the addresses it held." />
      <div className="grid-2 grid-2-wide-left">
        <Card title="Inventory by type and region">
          {inventory.error ? (
            <ErrorState error={inventory.error} />
          ) : !summary ? (
            <Loading label="Counting resources…" />
          ) : summary.total === 0 ? (
            <EmptyState title="No resources yet">Resources appear after the first scan of a connected account.</EmptyState>
          ) : (
            <Inventory
              summary={summary}
              selectedType={params.get('resourceType') ?? undefined}
              selectedRegion={params.get('region') ?? undefined}
              onType={(type) => set('resourceType', type)}
              onRegion={(region) => set('region', region)}
            />
          )}
        </Card>
        <IpLookup accountName={accounts.name} />
      </div>

      <form className="filters" role="search" aria-label="Filter assets" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Account" value={awsAccountId ?? ''} onChange={(e) => set('awsAccountId', e.target.value)}>
          <option value="">All accounts</option>
          {accounts.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Type" value={params.get('resourceType') ?? ''} onChange={(e) => set('resourceType', e.target.value)}>
          <option value="">All types</option>
          {(summary?.types ?? []).map((t) => (
            <option key={t.type} value={t.type}>
              {resourceTypeLabel(t.type)}
            </option>
          ))}
          {params.get('resourceType') && !summary?.types.some((t) => t.type === params.get('resourceType')) && (
            <option value={params.get('resourceType')!}>{params.get('resourceType')}</option>
          )}
        </SelectField>
        <SelectField label="Region" value={params.get('region') ?? ''} onChange={(e) => set('region', e.target.value)}>
          <option value="">All regions</option>
          {(summary?.regions ?? []).map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
          {params.get('region') && !summary?.regions.includes(params.get('region')!) && (
            <option value={params.get('region')!}>{params.get('region')}</option>
          )}
        </SelectField>
        <div className="field field-inline">
          <label>
            <input type="checkbox" checked={params.get('deleted') === '1'} onChange={(e) => set('deleted', e.target.checked ? '1' : undefined)} /> Include
            deleted resources
          </label>
        </div>
      </form>

      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading label="Loading assets…" />}
      {data && (
        <>
          <LiveRegion>{plural(data.assets.totalCount, 'asset')} match the filters.</LiveRegion>
          <DataTable
            data={rows}
            columns={columns}
            caption="Assets"
            serverSort={serverSort}
            sortHint={ORDER_HINT[orderBy]}
            getRowId={(r) => r.id}
            busy={fetching}
            selectedId={assetId}
            onRowClick={(r) => navigate({ pathname: `/assets/${r.id}`, search: params.toString() })}
            empty={<EmptyState title="No assets match these filters" />}
          />
          <Pager
            pages={pages}
            shown={rows.length}
            totalCount={data.assets.totalCount}
            hasNextPage={data.assets.pageInfo.hasNextPage}
            endCursor={data.assets.pageInfo.endCursor}
            noun="assets"
          />
        </>
      )}
      <Dialog open={Boolean(assetId)} onClose={() => navigate({ pathname: '/assets', search: params.toString() })} title="Asset" variant="drawer" wide>
        {assetId && <AssetDetail id={assetId} accountName={accounts.name} />}
      </Dialog>
    </>
  );
}

function Inventory({
  summary,
  selectedType,
  selectedRegion,
  onType,
  onRegion,
}: {
  summary: ReturnType<typeof summariseInventory>;
  selectedType?: string;
  selectedRegion?: string;
  onType: (type: string | undefined) => void;
  onRegion: (region: string | undefined) => void;
}) {
  const byRegion = summary.regions
    .map((region) => ({ region, count: summary.types.reduce((n, t) => n + (t.byRegion.get(region) ?? 0), 0) }))
    .sort((a, b) => b.count - a.count || a.region.localeCompare(b.region));
  const typeCounts = summary.types.map((t) => ({
    type: t.type,
    // Within the selected region when one is picked, so the two lists answer "what is where".
    count: selectedRegion ? (t.byRegion.get(selectedRegion) ?? 0) : t.total,
  }));
  const maxType = Math.max(1, ...typeCounts.map((t) => t.count));
  const maxRegion = Math.max(1, ...byRegion.map((r) => r.count));
  return (
    <>
      <p className="muted small">
        {plural(summary.total, 'resource')} in {plural(summary.regions.length, 'region')}. Pick a type or a region to filter the list below.
      </p>
      <div className="inventory">
        <div>
          <h3 className="inventory-title">By type{selectedRegion ? ` in ${selectedRegion}` : ''}</h3>
          <ul className="bar-list">
            {typeCounts.map((t) => (
              <li key={t.type}>
                <button
                  type="button"
                  className={`bar-item ${selectedType === t.type ? 'selected' : ''}`}
                  aria-pressed={selectedType === t.type}
                  onClick={() => onType(selectedType === t.type ? undefined : t.type)}
                >
                  <span className="bar-label">{resourceTypeLabel(t.type)}</span>
                  <span className="bar-count">{t.count}</span>
                  <span className="bar" aria-hidden="true" style={{ width: `${(t.count / maxType) * 100}%` }} />
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3 className="inventory-title">By region</h3>
          <ul className="bar-list">
            {byRegion.map((r) => (
              <li key={r.region}>
                <button
                  type="button"
                  className={`bar-item ${selectedRegion === r.region ? 'selected' : ''}`}
                  aria-pressed={selectedRegion === r.region}
                  onClick={() => onRegion(selectedRegion === r.region ? undefined : r.region)}
                >
                  <span className="bar-label mono">{r.region}</span>
                  <span className="bar-count">{r.count}</span>
                  <span className="bar" aria-hidden="true" style={{ width: `${(r.count / maxRegion) * 100}%` }} />
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </>
  );
}

function IpLookup({ accountName }: { accountName: (id: string) => string }) {
  const [ip, setIp] = useState('');
  const [at, setAt] = useState('');
  const [errors, setErrors] = useState<{ ip?: string; at?: string }>({});
  const [query, setQuery] = useState<{ ip: string; at?: string } | null>(null);
  const [{ data, fetching, error }] = useQuery({
    query: IpLookupDocument,
    variables: { ip: query?.ip ?? '', at: query?.at ?? null },
    pause: !query,
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const atIso = at ? toIsoFromLocalInput(at) : undefined;
    const next = { ip: ipError(ip), at: at && !atIso ? 'Enter a valid date and time.' : undefined };
    setErrors(next);
    if (next.ip || next.at) return;
    setQuery({ ip: ip.trim(), at: atIso });
  }

  return (
    <Card title="Who held this IP address?">
      <p className="muted small">Name the resource of your accounts that held an address at a given time, such as the source of a suspicious call.</p>
      <form onSubmit={submit} noValidate className="ip-form">
        <TextField label="IP address" value={ip} onChange={(e) => setIp(e.target.value)} error={errors.ip} placeholder="203.0.113.10" className="mono" />
        <TextField
          label="At (local time; empty for now)"
          type="datetime-local"
          step={1}
          value={at}
          max={toLocalInput(new Date())}
          onChange={(e) => setAt(e.target.value)}
          error={errors.at}
        />
        <div className="form-actions">
          <button type="submit" className="btn">
            Look up
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {query && fetching && <Loading label="Looking up…" />}
        {query && error && <ErrorState error={error} />}
        {query && data && !fetching && (
          data.resourcesByIp.length === 0 ? (
            <p className="muted">
              No resource of your accounts held <span className="mono">{query.ip}</span> at {formatDateTime(query.at ?? new Date().toISOString())}.
            </p>
          ) : (
            <ul className="plain-list ip-results">
              {data.resourcesByIp.map((h) => (
                <li key={`${h.asset.id}-${h.heldFrom}`}>
                  <Link to={`/assets/${h.asset.id}`}>
                    {resourceTypeLabel(h.asset.resourceType)} <span className="mono">{h.asset.resourceId}</span>
                  </Link>
                  <span className="small muted">
                    {' '}
                    {accountName(h.asset.awsAccountId)} · {h.asset.region} · {h.public ? 'public' : 'private'} address · held from{' '}
                    {formatDateTime(h.heldFrom)}
                    {h.heldUntil ? ` until ${formatDateTime(h.heldUntil)}` : ' (still holds it)'}
                  </span>
                </li>
              ))}
            </ul>
          )
        )}
      </div>
    </Card>
  );
}

function AssetDetail({ id, accountName }: { id: string; accountName: (id: string) => string }) {
  const [{ data, error }, refetch] = useQuery({ query: AssetDocument, variables: { id } });
  if (!data) {
    if (error) return <ErrorState error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
    return <Loading label="Loading the asset…" />;
  }
  const a = data.asset;
  if (!a) return <EmptyState title="This asset does not exist">It may belong to an account that was removed.</EmptyState>;
  // Changes are newest first; each one's diff is against the next older configuration.
  const changes = a.changes.map((c, i) => ({ ...c, diff: c.kind === 'modified' ? diffJson(a.changes[i + 1]?.configuration ?? null, c.configuration) : [] }));
  return (
    <article className="detail" aria-label={a.resourceId}>
      <h3 className="detail-title">
        {resourceTypeLabel(a.resourceType)} <span className="mono">{a.resourceId}</span>
      </h3>
      <DescriptionList
        items={[
          ['ARN', a.resourceArn ? <span className="mono break">{a.resourceArn}</span> : null],
          ['Account', accountName(a.awsAccountId)],
          ['Region', a.region],
          ['First seen', <Time iso={a.firstSeenAt} absolute />],
          ['Last seen', <Time iso={a.lastSeenAt} absolute />],
          ['Deleted', a.deletedAt ? <Time iso={a.deletedAt} absolute /> : 'No'],
          ['Findings', <Link to={`/findings?status=ALL&resourceId=${encodeURIComponent(a.resourceId)}`}>Findings on this resource</Link>],
        ]}
      />
      <section>
        <h4>Change history</h4>
        {changes.length === 0 ? (
          <p className="muted">No changes recorded.</p>
        ) : (
          <ol className="timeline">
            {changes.map((c, i) => (
              <li key={i}>
                <div>
                  <strong className={`change-${c.kind}`}>{c.kind[0].toUpperCase() + c.kind.slice(1)}</strong> <Time iso={c.changedAt} absolute />
                </div>
                {c.diff.length > 0 && (
                  <table className="table table-compact diff">
                    <caption className="sr-only">What changed</caption>
                    <thead>
                      <tr>
                        <th scope="col">Setting</th>
                        <th scope="col">Before</th>
                        <th scope="col">After</th>
                      </tr>
                    </thead>
                    <tbody>
                      {c.diff.slice(0, 30).map((d) => (
                        <tr key={d.path}>
                          <th scope="row" className="mono small">
                            {d.path}
                          </th>
                          <td className="mono small diff-before">{d.kind === 'added' ? '—' : formatLeaf(d.before)}</td>
                          <td className="mono small diff-after">{d.kind === 'removed' ? '—' : formatLeaf(d.after)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section>
        <h4>Tags</h4>
        {a.tags && typeof a.tags === 'object' && Object.keys(a.tags as object).length > 0 ? (
          <ul className="tag-list">
            {Object.entries(a.tags as Record<string, unknown>).map(([k, v]) => (
              <li key={k} className="tag">
                {k}={String(v)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No tags.</p>
        )}
      </section>
      <section>
        <h4>Configuration as last seen</h4>
        <JsonBlock value={a.configuration} label="Configuration" />
      </section>
    </article>
  );
}
