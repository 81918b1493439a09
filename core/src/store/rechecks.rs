//! Re-check on change: the (region, service) pairs that stored write events changed,
//! waiting for the connection's targeted re-check. Written in the ingestion's transaction,
//! so a re-check is asked for exactly when its events are stored; deleted in the
//! re-check's, and only what it read, so a request made meanwhile survives it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::{db::TenantTx, ids::AwsAccountId};

/// One pair waiting for a re-check.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Pending {
    pub region: String,
    pub service: String,
    pub event_id: String,
    pub requested_at: DateTime<Utc>,
}

/// Asks for a re-check of `service` in `region` because of `event_id`.
pub async fn request(
    tx: &mut TenantTx,
    account: AwsAccountId,
    region: &str,
    service: &str,
    event_id: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "insert into pending_rechecks (tenant_id, aws_account_id, region, service, event_id, requested_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (tenant_id, aws_account_id, region, service)
         do update set event_id = excluded.event_id,
                       requested_at = greatest(pending_rechecks.requested_at, excluded.requested_at)",
    )
    .bind(tenant)
    .bind(account)
    .bind(region)
    .bind(service)
    .bind(event_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What waits for the connection's re-check.
pub async fn pending(
    tx: &mut TenantTx,
    account: AwsAccountId,
) -> Result<Vec<Pending>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(
        "select region, service, event_id, requested_at from pending_rechecks
         where tenant_id = $1 and aws_account_id = $2 order by region, service",
    )
    .bind(tenant)
    .bind(account)
    .fetch_all(&mut **tx)
    .await
}

/// Deletes the pairs a re-check read, unless asked for again since.
pub async fn done(
    tx: &mut TenantTx,
    account: AwsAccountId,
    read: &[Pending],
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "delete from pending_rechecks p using unnest($3::text[], $4::text[], $5::timestamptz[]) r(region, service, at)
         where p.tenant_id = $1 and p.aws_account_id = $2 and p.region = r.region and p.service = r.service
           and p.requested_at <= r.at",
    )
    .bind(tenant)
    .bind(account)
    .bind(read.iter().map(|p| p.region.clone()).collect::<Vec<_>>())
    .bind(read.iter().map(|p| p.service.clone()).collect::<Vec<_>>())
    .bind(read.iter().map(|p| p.requested_at).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records on a scan that it was a re-check, and what it read.
pub async fn mark_scan(
    tx: &mut TenantTx,
    scan: crate::ids::ScanId,
    scope: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query("update scans set recheck = $3 where tenant_id = $1 and scan_id = $2")
        .bind(tenant)
        .bind(scan)
        .bind(scope)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a re-check read (`{"regions": [...], "services": [...], "events": [...]}`); `None`
/// for other scans.
pub async fn scan_scope(
    tx: &mut TenantTx,
    scan: crate::ids::ScanId,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    let tenant = tx.tenant();
    let scope: Option<Option<serde_json::Value>> =
        sqlx::query_scalar("select recheck from scans where tenant_id = $1 and scan_id = $2")
            .bind(tenant)
            .bind(scan)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(scope.flatten())
}

/// The connections (all tenants) with a re-check pending longer than `older_than`: the
/// scheduler queues theirs (the job's unique key makes that a no-op when one is queued or
/// running).
pub async fn stale(
    conn: &mut sqlx::PgConnection,
    older_than: std::time::Duration,
) -> Result<Vec<(crate::ids::TenantId, AwsAccountId)>, sqlx::Error> {
    sqlx::query_as(
        "select tenant_id, aws_account_id from stale_rechecks(make_interval(secs => $1))",
    )
    .bind(older_than.as_secs_f64())
    .fetch_all(conn)
    .await
}
