//! When each region of a connection was last read in full, and which regions no write call
//! has touched since: what an incremental rescan may skip (see docs/decisions.md,
//! "Incremental rescans").

use chrono::{DateTime, Duration, Utc};

use crate::{db::TenantTx, ids::AwsAccountId};

/// Records that `regions` were read in full by a scan that started at `at`.
pub async fn record(
    tx: &mut TenantTx,
    account: AwsAccountId,
    regions: &[String],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "insert into region_reads (tenant_id, aws_account_id, region, read_at)
         select $1, $2, region, $4 from unnest($3::text[]) region
         on conflict (tenant_id, aws_account_id, region)
         do update set read_at = greatest(region_reads.read_at, excluded.read_at)",
    )
    .bind(tenant)
    .bind(account)
    .bind(regions)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The `regions` that need no new read of the services whose events come from
/// `event_sources`: read in full after `fresh_after`, with an ingestion of every region's
/// events since, and no successful write call from those sources stored since (other than
/// Vigil's own), counting calls dated up to `margin` before the read. A region never read,
/// or not ingested since its read, is not unchanged.
pub async fn unchanged(
    tx: &mut TenantTx,
    account: AwsAccountId,
    regions: &[String],
    event_sources: &[&str],
    fresh_after: DateTime<Utc>,
    margin: Duration,
) -> Result<Vec<String>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar(
        "select r.region from region_reads r
         join aws_accounts a on a.tenant_id = r.tenant_id and a.aws_account_id = r.aws_account_id
         where r.tenant_id = $1 and r.aws_account_id = $2 and r.region = any($3)
           and r.read_at > $5 and a.activity_read_at > r.read_at
           and not exists (
               select 1 from events e
               where e.tenant_id = $1 and e.aws_account_id = $2 and e.region = r.region
                 and e.occurred_at >= r.read_at - $6 and e.event_source = any($4)
                 and e.read_only is not true and e.error_code is null and not e.own)
         order by r.region",
    )
    .bind(tenant)
    .bind(account)
    .bind(regions)
    .bind(event_sources)
    .bind(fresh_after)
    .bind(margin)
    .fetch_all(&mut **tx)
    .await
}
