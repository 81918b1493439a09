//! AWS account connections.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use vigil_domain::AwsAccountStatus;

use super::sql;

use crate::ids::{AwsAccountId, AwsOrganizationId, TenantId};

/// A connection as stored.
#[derive(Debug, Clone, FromRow)]
pub struct AwsAccount {
    pub tenant_id: TenantId,
    pub aws_account_id: AwsAccountId,
    pub name: String,
    pub status: AwsAccountStatus,
    pub external_id: String,
    pub role_arn: Option<String>,
    pub account_id: Option<String>,
    pub error: Option<String>,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// First-seen rules learn silently until then (unset before the first ingestion).
    pub baseline_until: Option<DateTime<Utc>>,
    /// The trail ingestion reads, pinned by the first ingestion that found one.
    pub trail_arn: Option<String>,
    /// What ingestion had to keep out or work around, by kind (see [`record_ingest_problem`]).
    pub ingest_problems: serde_json::Value,
    /// When the last ingestion that read every region's new events started.
    pub activity_read_at: Option<DateTime<Utc>>,
    /// The organisation this account was connected through, if any.
    pub aws_organization_id: Option<AwsOrganizationId>,
    /// Where the account sits in its organisation (`Root/Prod/Payments`), as last synced.
    pub organizational_unit_path: Option<String>,
    /// When an organisation sync last found the account gone from its organisation.
    pub left_organization_at: Option<DateTime<Utc>>,
    /// The regions scans and ingestion cover (`None`: every region the account enabled).
    pub regions: Option<Vec<String>>,
}

pub(crate) const COLUMNS: &str = "tenant_id, aws_account_id, name, status, external_id, role_arn, account_id, error, \
                       last_verified_at, last_activity_at, created_at, baseline_until, trail_arn, ingest_problems, activity_read_at, \
                       aws_organization_id, organizational_unit_path, left_organization_at, regions";

/// Pins the trail ingestion reads (or unpins it with `None`: the next ingestion picks
/// one). Returns the connection, `None` when it does not exist.
pub async fn pin_trail(
    tx: &mut TenantTx,
    id: AwsAccountId,
    trail_arn: Option<&str>,
) -> Result<Option<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_accounts set trail_arn = $3 where tenant_id = $1 and aws_account_id = $2
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(trail_arn)
    .fetch_optional(&mut **tx)
    .await
}

/// Adds `count` occurrences of an ingestion problem of `kind`, keeping the latest message.
pub async fn record_ingest_problem(
    tx: &mut TenantTx,
    id: AwsAccountId,
    kind: &str,
    message: &str,
    count: u64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update aws_accounts set ingest_problems = ingest_problems || jsonb_build_object($3::text, jsonb_build_object(
             'count', coalesce((ingest_problems -> $3 ->> 'count')::bigint, 0) + $5,
             'message', $4::text, 'lastSeenAt', $6::timestamptz))
         where tenant_id = $1 and aws_account_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(kind)
    .bind(message)
    .bind(i64::try_from(count).unwrap_or(i64::MAX))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Starts the first-seen baseline on the first ingestion (later calls keep the first
/// value). Returns when learning ends.
pub async fn start_baseline(
    tx: &mut TenantTx,
    id: AwsAccountId,
    until: DateTime<Utc>,
) -> Result<DateTime<Utc>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar(
        "update aws_accounts set baseline_until = coalesce(baseline_until, $3)
         where tenant_id = $1 and aws_account_id = $2 returning baseline_until",
    )
    .bind(tenant)
    .bind(id)
    .bind(until)
    .fetch_one(&mut **tx)
    .await
}

/// Records that an ingestion run which started at `at` read every region's new events
/// (incremental rescans trust the stored events up to then).
pub async fn activity_read(
    tx: &mut TenantTx,
    id: AwsAccountId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update aws_accounts set activity_read_at = greatest(coalesce(activity_read_at, $3), $3)
         where tenant_id = $1 and aws_account_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Creates a pending connection.
pub async fn insert(
    tx: &mut TenantTx,
    name: &str,
    external_id: &str,
    regions: Option<&[String]>,
) -> Result<AwsAccount, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "insert into aws_accounts (tenant_id, aws_account_id, name, external_id, regions)
         values ($1, $2, $3, $4, $5) returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(AwsAccountId::new())
    .bind(name)
    .bind(external_id)
    .bind(regions)
    .fetch_one(&mut **tx)
    .await
}

/// Sets the regions a connection covers (`None`: every enabled region).
pub async fn set_regions(
    tx: &mut TenantTx,
    id: AwsAccountId,
    regions: Option<&[String]>,
) -> Result<Option<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_accounts set regions = $3 where tenant_id = $1 and aws_account_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(regions)
    .fetch_optional(&mut **tx)
    .await
}

/// Reads one connection of the tenant.
pub async fn get(tx: &mut TenantTx, id: AwsAccountId) -> Result<Option<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from aws_accounts where tenant_id = $1 and aws_account_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Reads several connections of the tenant (for DataLoaders).
pub async fn get_many(
    tx: &mut TenantTx,
    ids: &[AwsAccountId],
) -> Result<Vec<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from aws_accounts where tenant_id = $1 and aws_account_id = any($2)"
    )))
    .bind(tenant)
    .bind(ids.iter().map(|i| i.0).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await
}

/// Lists the tenant's connections by name.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from aws_accounts where tenant_id = $1 order by lower(name), aws_account_id"
    )))
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await
}

/// Renames a connection.
pub async fn rename(
    tx: &mut TenantTx,
    id: AwsAccountId,
    name: &str,
) -> Result<Option<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_accounts set name = $3 where tenant_id = $1 and aws_account_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(name)
    .fetch_optional(&mut **tx)
    .await
}

/// Whether the tenant already has a connection to this 12-digit account (other than `except`).
pub async fn account_taken(
    tx: &mut TenantTx,
    account_id: &str,
    except: AwsAccountId,
) -> Result<Option<String>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar(
        "select name from aws_accounts where tenant_id = $1 and account_id = $2 and aws_account_id <> $3",
    )
    .bind(tenant)
    .bind(account_id)
    .bind(except)
    .fetch_optional(&mut **tx)
    .await
}

/// Records a successful verification: connected, with the role and account.
pub async fn mark_connected(
    tx: &mut TenantTx,
    id: AwsAccountId,
    role_arn: &str,
    account_id: &str,
    at: DateTime<Utc>,
) -> Result<Option<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_accounts set status = 'connected', role_arn = $3, account_id = $4, error = null,
             last_verified_at = $5
         where tenant_id = $1 and aws_account_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(role_arn)
    .bind(account_id)
    .bind(at)
    .fetch_optional(&mut **tx)
    .await
}

/// Records a failure with a human explanation; `role_arn` is kept when given so the
/// customer sees what was tried.
pub async fn mark_error(
    tx: &mut TenantTx,
    id: AwsAccountId,
    role_arn: Option<&str>,
    error: &str,
) -> Result<Option<AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_accounts set status = 'error', role_arn = coalesce($3, role_arn), error = $4
         where tenant_id = $1 and aws_account_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(role_arn)
    .bind(error)
    .fetch_optional(&mut **tx)
    .await
}

/// Records that the role worked again (after an error) or still works.
pub async fn mark_healthy(
    tx: &mut TenantTx,
    id: AwsAccountId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update aws_accounts set status = 'connected', error = null, last_verified_at = $3
         where tenant_id = $1 and aws_account_id = $2 and role_arn is not null",
    )
    .bind(tenant)
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes a connection; everything of it goes by cascade.
pub async fn delete(tx: &mut TenantTx, id: AwsAccountId) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query("delete from aws_accounts where tenant_id = $1 and aws_account_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Which periodic work is due.
#[derive(Debug, Clone, Copy)]
pub enum Due {
    Scan,
    Ingest,
}

/// Sets when `kind` of work is next due for a connection.
pub async fn set_next_due(
    tx: &mut TenantTx,
    id: AwsAccountId,
    kind: Due,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    let statement = match kind {
        Due::Scan => {
            "update aws_accounts set next_scan_at = $3 where tenant_id = $1 and aws_account_id = $2"
        }
        Due::Ingest => {
            "update aws_accounts set next_ingest_at = $3 where tenant_id = $1 and aws_account_id = $2"
        }
    };
    sqlx::query(statement)
        .bind(tenant)
        .bind(id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
