//! Scans: one run of the assessment over one connection.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use vigil_domain::ScanStatus;

use super::sql;

use crate::ids::{AwsAccountId, ScanId, TenantId};

/// A scan as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Scan {
    pub tenant_id: TenantId,
    pub scan_id: ScanId,
    pub aws_account_id: AwsAccountId,
    pub status: ScanStatus,
    pub trigger: String,
    pub regions_total: i32,
    pub regions_done: i32,
    pub problems: serde_json::Value,
    pub error: Option<String>,
    pub findings_opened: i32,
    pub findings_resolved: i32,
    pub resources_seen: i32,
    /// The scan may skip the regions unchanged since their last full read (scheduled scans).
    pub incremental: bool,
    /// Regions whose resource services were skipped as unchanged.
    pub regions_unchanged: i32,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "tenant_id, scan_id, aws_account_id, status, trigger, regions_total, regions_done, problems, \
                       error, findings_opened, findings_resolved, resources_seen, incremental, regions_unchanged, created_at, started_at, finished_at";

/// Records a queued scan; an `incremental` one may skip the regions unchanged since their
/// last full read.
pub async fn insert(
    tx: &mut TenantTx,
    account: AwsAccountId,
    trigger: &str,
    incremental: bool,
) -> Result<Scan, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "insert into scans (tenant_id, scan_id, aws_account_id, trigger, incremental) values ($1, $2, $3, $4, $5)
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(ScanId::new())
    .bind(account)
    .bind(trigger)
    .bind(incremental)
    .fetch_one(&mut **tx)
    .await
}

/// Reads one scan.
pub async fn get(tx: &mut TenantTx, id: ScanId) -> Result<Option<Scan>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from scans where tenant_id = $1 and scan_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// The queued or running scan of a connection, if any.
pub async fn active(tx: &mut TenantTx, account: AwsAccountId) -> Result<Option<Scan>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from scans where tenant_id = $1 and aws_account_id = $2 and status in ('queued', 'running')
         order by created_at desc limit 1"
    )))
    .bind(tenant)
    .bind(account)
    .fetch_optional(&mut **tx)
    .await
}

/// The newest scan of each given connection.
pub async fn latest_per_account(
    tx: &mut TenantTx,
    accounts: &[AwsAccountId],
) -> Result<Vec<Scan>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select distinct on (aws_account_id) {COLUMNS} from scans
         where tenant_id = $1 and aws_account_id = any($2)
         order by aws_account_id, created_at desc"
    )))
    .bind(tenant)
    .bind(accounts.iter().map(|a| a.0).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await
}

/// A page of a tenant's scans, newest first, optionally of one connection.
pub async fn page(
    tx: &mut TenantTx,
    account: Option<AwsAccountId>,
    after: Option<(DateTime<Utc>, ScanId)>,
    limit: i64,
) -> Result<(Vec<Scan>, i64), sqlx::Error> {
    let tenant = tx.tenant();
    let (at, id) = after.unzip();
    let rows = sqlx::query_as(sql(format!(
        "select {COLUMNS} from scans
         where tenant_id = $1 and ($2::uuid is null or aws_account_id = $2)
           and ($3::timestamptz is null or (created_at, scan_id) < ($3, $4))
         order by created_at desc, scan_id desc limit $5"
    )))
    .bind(tenant)
    .bind(account)
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let total = sqlx::query_scalar("select count(*) from scans where tenant_id = $1 and ($2::uuid is null or aws_account_id = $2)")
        .bind(tenant)
        .bind(account)
        .fetch_one(&mut **tx)
        .await?;
    Ok((rows, total))
}

/// Marks a scan started (keeping the first start of a rerun); returns it.
pub async fn start(
    tx: &mut TenantTx,
    id: ScanId,
    at: DateTime<Utc>,
) -> Result<Option<Scan>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update scans set status = 'running', started_at = coalesce(started_at, $3) where tenant_id = $1 and scan_id = $2
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(at)
    .fetch_optional(&mut **tx)
    .await
}

/// Sets progress counters.
pub async fn progress(
    tx: &mut TenantTx,
    id: ScanId,
    regions_total: i32,
    regions_done: i32,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update scans set regions_total = $3, regions_done = greatest(regions_done, $4) where tenant_id = $1 and scan_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(regions_total)
    .bind(regions_done)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How a scan ended.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub status: ScanStatus,
    pub error: Option<&'a str>,
    pub problems: serde_json::Value,
    pub findings_opened: i32,
    pub findings_resolved: i32,
    pub resources_seen: i32,
    pub regions_unchanged: i32,
}

/// Records a finished scan.
pub async fn finish(
    tx: &mut TenantTx,
    id: ScanId,
    at: DateTime<Utc>,
    o: Outcome<'_>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update scans set status = $3, error = $4, problems = $5, findings_opened = $6, findings_resolved = $7,
             resources_seen = $8, finished_at = $9, started_at = coalesce(started_at, $9), regions_unchanged = $10
         where tenant_id = $1 and scan_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(o.status)
    .bind(o.error)
    .bind(o.problems)
    .bind(o.findings_opened)
    .bind(o.findings_resolved)
    .bind(o.resources_seen)
    .bind(at)
    .bind(o.regions_unchanged)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
