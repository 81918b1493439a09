//! The asset inventory with history: each resource stored once per connection, a change
//! record whenever its configuration differs from the previous scan, and the spans of
//! time during which it held each IP address.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, Postgres, QueryBuilder};

use super::sql;

use crate::ids::{AssetId, AwsAccountId, ScanId, TenantId};

/// One resource seen by a scan.
#[derive(Debug, Clone)]
pub struct Observed {
    pub region: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub configuration: serde_json::Value,
    pub tags: serde_json::Value,
    pub ips: Vec<(String, bool)>,
}

/// An asset as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Asset {
    pub tenant_id: TenantId,
    pub asset_id: AssetId,
    pub aws_account_id: AwsAccountId,
    pub region: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub configuration: serde_json::Value,
    pub tags: serde_json::Value,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "a.tenant_id, a.asset_id, a.aws_account_id, a.region, a.resource_type, a.resource_id, a.resource_arn, \
                       a.configuration, a.tags, a.first_seen_at, a.last_seen_at, a.deleted_at";

fn hash(v: &serde_json::Value) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    // serde_json's map is ordered, so equal configurations serialise alike.
    Sha256::digest(v.to_string().as_bytes()).to_vec()
}

/// Records what a scan saw: upserts assets (with change records), marks assets of fully
/// read (region, type) pairs that were not seen as deleted, and opens or closes IP spans.
/// Returns how many assets were seen.
pub async fn apply_scan(
    tx: &mut TenantTx,
    account: AwsAccountId,
    scan: ScanId,
    now: DateTime<Utc>,
    observed: &[Observed],
    complete: &[(String, String)],
) -> Result<u64, sqlx::Error> {
    let tenant = tx.tenant();
    let col = |f: fn(&Observed) -> String| observed.iter().map(f).collect::<Vec<_>>();
    let upserted = sqlx::query(
        "with incoming as (
             select * from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::bytea[], $9::jsonb[])
                 as t(region, resource_type, resource_id, resource_arn, configuration, config_hash, tags)
         ),
         prior as (
             select a.asset_id, a.region, a.resource_type, a.resource_id, a.config_hash, a.deleted_at
             from assets a join incoming i using (region, resource_type, resource_id)
             where a.tenant_id = $1 and a.aws_account_id = $2
         ),
         up as (
             insert into assets (tenant_id, asset_id, aws_account_id, region, resource_type, resource_id, resource_arn,
                                 configuration, config_hash, tags, first_seen_at, last_seen_at)
             select $1, gen_random_uuid(), $2, region, resource_type, resource_id, nullif(resource_arn, ''),
                    configuration, config_hash, tags, $10, $10
             from incoming
             on conflict (tenant_id, aws_account_id, region, resource_type, resource_id) do update set
                 resource_arn = excluded.resource_arn, configuration = excluded.configuration,
                 config_hash = excluded.config_hash, tags = excluded.tags, last_seen_at = excluded.last_seen_at,
                 deleted_at = null
             returning asset_id, region, resource_type, resource_id, configuration, config_hash
         )
         insert into asset_changes (tenant_id, change_id, asset_id, scan_id, changed_at, kind, configuration)
         select $1, gen_random_uuid(), up.asset_id, $11, $10,
                case when p.asset_id is null then 'created' else 'modified' end, up.configuration
         from up left join prior p using (region, resource_type, resource_id)
         where p.asset_id is null or p.config_hash <> up.config_hash or p.deleted_at is not null",
    )
    .bind(tenant)
    .bind(account)
    .bind(col(|o| o.region.clone()))
    .bind(col(|o| o.resource_type.clone()))
    .bind(col(|o| o.resource_id.clone()))
    .bind(col(|o| o.resource_arn.clone().unwrap_or_default()))
    .bind(observed.iter().map(|o| o.configuration.clone()).collect::<Vec<_>>())
    .bind(observed.iter().map(|o| hash(&o.configuration)).collect::<Vec<_>>())
    .bind(observed.iter().map(|o| o.tags.clone()).collect::<Vec<_>>())
    .bind(now)
    .bind(scan)
    .execute(&mut **tx)
    .await?;
    let _ = upserted;

    sqlx::query(
        "with gone as (
             update assets set deleted_at = $3
             where tenant_id = $1 and aws_account_id = $2 and deleted_at is null and last_seen_at < $3
               and (region, resource_type) in (select * from unnest($4::text[], $5::text[]))
             returning asset_id, configuration
         ),
         closed as (
             update asset_ips set seen_until = $3
             where tenant_id = $1 and seen_until is null and asset_id in (select asset_id from gone)
         )
         insert into asset_changes (tenant_id, change_id, asset_id, scan_id, changed_at, kind, configuration)
         select $1, gen_random_uuid(), asset_id, $6, $3, 'deleted', configuration from gone",
    )
    .bind(tenant)
    .bind(account)
    .bind(now)
    .bind(complete.iter().map(|c| c.0.clone()).collect::<Vec<_>>())
    .bind(complete.iter().map(|c| c.1.clone()).collect::<Vec<_>>())
    .bind(scan)
    .execute(&mut **tx)
    .await?;

    // IP spans: open one for every address held now that has no open span, close the
    // open spans of seen assets for addresses they no longer hold.
    let mut regions = Vec::new();
    let mut types = Vec::new();
    let mut ids = Vec::new();
    let mut ips = Vec::new();
    let mut public = Vec::new();
    for o in observed {
        for (ip, is_public) in &o.ips {
            regions.push(o.region.clone());
            types.push(o.resource_type.clone());
            ids.push(o.resource_id.clone());
            ips.push(ip.clone());
            public.push(*is_public);
        }
    }
    sqlx::query(
        "with held as (
             select a.asset_id, h.ip::inet as ip, h.public
             from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bool[]) as h(region, resource_type, resource_id, ip, public)
             join assets a on a.tenant_id = $1 and a.aws_account_id = $2 and a.region = h.region
                 and a.resource_type = h.resource_type and a.resource_id = h.resource_id
         ),
         closed as (
             update asset_ips x set seen_until = $8
             from assets a
             where x.tenant_id = $1 and x.seen_until is null and a.tenant_id = $1 and a.asset_id = x.asset_id
               and a.aws_account_id = $2 and a.last_seen_at = $8
               and (x.asset_id, x.ip) not in (select asset_id, ip from held)
         )
         insert into asset_ips (tenant_id, asset_ip_id, asset_id, ip, public, seen_from)
         select $1, gen_random_uuid(), asset_id, ip, public, $8 from held
         on conflict (tenant_id, asset_id, ip) where seen_until is null do nothing",
    )
    .bind(tenant)
    .bind(account)
    .bind(regions)
    .bind(types)
    .bind(ids)
    .bind(ips)
    .bind(public)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(observed.len() as u64)
}

/// Filters of the asset list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub aws_account_id: Option<AwsAccountId>,
    pub resource_type: Option<String>,
    pub region: Option<String>,
    pub include_deleted: bool,
}

/// Appends `filter`'s conditions that are set, and only those, to a query over `assets a`
/// or `asset_rollups a` (`deleted` is the rollups' column for `a.deleted_at is not null`).
fn push_filter(q: &mut QueryBuilder<Postgres>, tenant: TenantId, f: &Filter, deleted: &str) {
    q.push(" where a.tenant_id = ").push_bind(tenant);
    if let Some(account) = f.aws_account_id {
        q.push(" and a.aws_account_id = ").push_bind(account);
    }
    if let Some(kind) = &f.resource_type {
        q.push(" and a.resource_type = ").push_bind(kind.clone());
    }
    if let Some(region) = &f.region {
        q.push(" and a.region = ").push_bind(region.clone());
    }
    if !f.include_deleted {
        q.push(format_args!(" and {deleted}"));
    }
}

/// How an asset list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// By type, region and resource ID.
    #[default]
    Type,
    /// Most recently discovered first: what appeared in the accounts lately.
    FirstSeen,
    /// Most recently seen by a scan first.
    LastSeen,
}

/// Keyset position in an asset list: type, region, resource ID and ID for [`Order::Type`]
/// (the shape cursors had before there were other orders), or the order's tag, its time and
/// the ID for the time orders, so a cursor cannot be used with another order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cursor {
    Type(String, String, String, AssetId),
    Time(i32, DateTime<Utc>, AssetId),
}

impl Order {
    /// An asset's cursor in this order.
    pub fn cursor(self, a: &Asset) -> Cursor {
        match self {
            Order::Type => Cursor::Type(
                a.resource_type.clone(),
                a.region.clone(),
                a.resource_id.clone(),
                a.asset_id,
            ),
            Order::FirstSeen => Cursor::Time(1, a.first_seen_at, a.asset_id),
            Order::LastSeen => Cursor::Time(2, a.last_seen_at, a.asset_id),
        }
    }

    /// Whether `cursor` was made by this order.
    pub fn made(self, cursor: &Cursor) -> bool {
        matches!(
            (self, cursor),
            (Order::Type, Cursor::Type(..))
                | (Order::FirstSeen, Cursor::Time(1, ..))
                | (Order::LastSeen, Cursor::Time(2, ..))
        )
    }

    /// The time column of a time order (unused by `Type`, whose cursors leave it null) and
    /// the ORDER BY.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            Order::Type => (
                "a.first_seen_at",
                "a.resource_type, a.region, a.resource_id, a.asset_id",
            ),
            Order::FirstSeen => ("a.first_seen_at", "a.first_seen_at desc, a.asset_id desc"),
            Order::LastSeen => ("a.last_seen_at", "a.last_seen_at desc, a.asset_id desc"),
        }
    }
}

/// Assets matching `filter` counted by (resource type, region), in that order: read from
/// `asset_rollups` (exact, kept by the assets' own statements).
pub async fn counts(
    tx: &mut TenantTx,
    filter: &Filter,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let mut q = QueryBuilder::new(
        "select a.resource_type, a.region, sum(a.assets)::bigint from asset_rollups a",
    );
    push_filter(&mut q, tx.tenant(), filter, "not a.deleted");
    q.push(" group by 1, 2 order by 1, 2");
    q.build_query_as().fetch_all(&mut **tx).await
}

/// How many assets match `filter`, from `asset_rollups` (exact).
pub async fn count(tx: &mut TenantTx, filter: &Filter) -> Result<i64, sqlx::Error> {
    let mut q = QueryBuilder::new("select coalesce(sum(a.assets), 0)::bigint from asset_rollups a");
    push_filter(&mut q, tx.tenant(), filter, "not a.deleted");
    q.build_query_scalar().fetch_one(&mut **tx).await
}

/// A page of assets in `order` after the cursor `after` ([`count`] says how many match).
/// Only the filters set are written into the query, so each order is read from its index.
pub async fn page(
    tx: &mut TenantTx,
    filter: &Filter,
    order: Order,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Asset>, sqlx::Error> {
    let (time, order_by) = order.sql();
    let mut q = QueryBuilder::new(format!("select {COLUMNS} from assets a"));
    push_filter(&mut q, tx.tenant(), filter, "a.deleted_at is null");
    match after {
        Some(Cursor::Type(t, r, i, id)) => {
            q.push(" and (a.resource_type, a.region, a.resource_id, a.asset_id) > (")
                .push_bind(t)
                .push(", ")
                .push_bind(r)
                .push(", ")
                .push_bind(i)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        Some(Cursor::Time(_, at, id)) => {
            q.push(format_args!(" and ({time}, a.asset_id) < ("))
                .push_bind(at)
                .push(", ")
                .push_bind(id)
                .push(")");
        }
        None => {}
    }
    q.push(format_args!(" order by {order_by} limit "))
        .push_bind(limit);
    q.build_query_as().fetch_all(&mut **tx).await
}

/// Reads one asset.
pub async fn get(tx: &mut TenantTx, id: AssetId) -> Result<Option<Asset>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from assets a where a.tenant_id = $1 and a.asset_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// One change of an asset.
#[derive(Debug, Clone, FromRow)]
pub struct Change {
    pub change_id: uuid::Uuid,
    pub scan_id: Option<ScanId>,
    pub changed_at: DateTime<Utc>,
    pub kind: String,
    pub configuration: Option<serde_json::Value>,
}

/// An asset's changes, newest first.
pub async fn changes(
    tx: &mut TenantTx,
    id: AssetId,
    limit: i64,
) -> Result<Vec<Change>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(
        "select change_id, scan_id, changed_at, kind, configuration from asset_changes
         where tenant_id = $1 and asset_id = $2 order by changed_at desc, change_id limit $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// A resource that held an address, and over which span.
#[derive(Debug, Clone, FromRow)]
pub struct IpHolder {
    #[sqlx(flatten)]
    pub asset: Asset,
    pub ip: String,
    pub public: bool,
    pub seen_from: DateTime<Utc>,
    pub seen_until: Option<DateTime<Utc>>,
}

/// The resources that held `ip` at `at` (the question an investigator asks of an
/// address seen in an event).
pub async fn by_ip(
    tx: &mut TenantTx,
    ip: &str,
    at: DateTime<Utc>,
) -> Result<Vec<IpHolder>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS}, host(x.ip) as ip, x.public, x.seen_from, x.seen_until
         from asset_ips x join assets a on a.tenant_id = x.tenant_id and a.asset_id = x.asset_id
         where x.tenant_id = $1 and x.ip = $2::inet and x.seen_from <= $3 and (x.seen_until is null or x.seen_until >= $3)
         order by x.seen_from desc"
    )))
    .bind(tenant)
    .bind(ip)
    .bind(at)
    .fetch_all(&mut **tx)
    .await
}
