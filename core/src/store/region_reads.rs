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
    // One pass over the account's events since the oldest read (the latest write per
    // region), not one look-up per region.
    sqlx::query_scalar(
        "with reads as (
             select region, read_at from region_reads
             where tenant_id = $1 and aws_account_id = $2 and region = any($3) and read_at > $5
         ),
         writes as (
             select region, max(occurred_at) as last_write from events
             where tenant_id = $1 and aws_account_id = $2
               and occurred_at >= (select min(read_at) from reads) - $6
               and event_source = any($4) and read_only is not true and error_code is null and not own
             group by region
         )
         select r.region from reads r
         join aws_accounts a on a.tenant_id = $1 and a.aws_account_id = $2
         left join writes w on w.region = r.region
         where a.activity_read_at > r.read_at
           and (w.last_write is null or w.last_write < r.read_at - $6)
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
