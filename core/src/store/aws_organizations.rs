//! AWS Organization connections and their member accounts (which are ordinary
//! connections in `aws_accounts`, linked to the organisation).

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use vigil_domain::AwsAccountStatus;

use super::{aws_accounts, sql};
use crate::{
    db::TenantTx,
    ids::{AwsAccountId, AwsOrganizationId, TenantId},
};

/// An organisation connection as stored. `status` is the management role's: `ERROR`
/// when the last sync failed (`last_sync_error` says why).
#[derive(Debug, Clone, FromRow)]
pub struct AwsOrganization {
    pub tenant_id: TenantId,
    pub aws_organization_id: AwsOrganizationId,
    pub name: String,
    pub status: AwsAccountStatus,
    pub external_id: String,
    pub management_role_arn: Option<String>,
    pub member_role_name: String,
    pub organization_id: Option<String>,
    pub management_account_id: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub next_sync_at: Option<DateTime<Utc>>,
    pub last_sync_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The organisation trail the management connection's ingestion reads, and its bucket.
    pub trail_arn: Option<String>,
    pub trail_bucket: Option<String>,
    /// That trail was logging every region at its last read: it brings every member's
    /// events, so the members' own ingestion reads no CloudTrail of its own.
    pub trail_covers_members: bool,
    /// When the organisation trail was last read through.
    pub trail_read_at: Option<DateTime<Utc>>,
    /// Accounts with log files in the bucket but no connected member connection: not read.
    pub trail_skipped_accounts: Vec<String>,
    /// The regions its member connections cover (`None`: every region each enabled).
    pub regions: Option<Vec<String>>,
    /// The member connection whose role reads the trail bucket (a log-archive account);
    /// `None`: the management role reads it.
    pub trail_reader: Option<AwsAccountId>,
}

const COLUMNS: &str = "tenant_id, aws_organization_id, name, status, external_id, management_role_arn, \
                       member_role_name, organization_id, management_account_id, last_sync_at, next_sync_at, \
                       last_sync_error, created_at, trail_arn, trail_bucket, trail_covers_members, trail_read_at, \
                       trail_skipped_accounts, regions, trail_reader";

/// Creates a pending organisation connection.
pub async fn insert(
    tx: &mut TenantTx,
    name: &str,
    external_id: &str,
    member_role_name: &str,
    management_role_arn: Option<&str>,
    regions: Option<&[String]>,
) -> Result<AwsOrganization, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "insert into aws_organizations (tenant_id, aws_organization_id, name, external_id, member_role_name,
                                        management_role_arn, regions)
         values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(AwsOrganizationId::new())
    .bind(name)
    .bind(external_id)
    .bind(member_role_name)
    .bind(management_role_arn)
    .bind(regions)
    .fetch_one(&mut **tx)
    .await
}

/// Sets the regions of the organisation and of every member connection it holds (`None`:
/// every enabled region).
pub async fn set_regions(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
    regions: Option<&[String]>,
) -> Result<Option<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    let org: Option<AwsOrganization> = sqlx::query_as(sql(format!(
        "update aws_organizations set regions = $3 where tenant_id = $1 and aws_organization_id = $2
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(regions)
    .fetch_optional(&mut **tx)
    .await?;
    if org.is_some() {
        sqlx::query(
            "update aws_accounts set regions = $3 where tenant_id = $1 and aws_organization_id = $2",
        )
        .bind(tenant)
        .bind(id)
        .bind(regions)
        .execute(&mut **tx)
        .await?;
    }
    Ok(org)
}

/// Reads one organisation of the tenant.
pub async fn get(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
) -> Result<Option<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from aws_organizations where tenant_id = $1 and aws_organization_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Reads one organisation of the tenant and locks it, so two syncs of one organisation
/// (a scheduled one and a customer's) add its new members one at a time.
pub async fn lock(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
) -> Result<Option<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from aws_organizations where tenant_id = $1 and aws_organization_id = $2
         for update"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Lists the tenant's organisations by name.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from aws_organizations where tenant_id = $1
         order by lower(name), aws_organization_id"
    )))
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await
}

/// Sets the management role to verify next (kept even when the verification fails, so
/// the customer sees what was tried).
pub async fn set_management_role(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
    role_arn: &str,
) -> Result<Option<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_organizations set management_role_arn = $3
         where tenant_id = $1 and aws_organization_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(role_arn)
    .fetch_optional(&mut **tx)
    .await
}

/// Records a successful sync: connected, AWS's organisation and management account, and
/// when the next sync is due.
pub async fn mark_synced(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
    organization_id: &str,
    management_account_id: &str,
    at: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<Option<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_organizations set status = 'connected', organization_id = $3, management_account_id = $4,
             last_sync_at = $5, next_sync_at = $6, last_sync_error = null
         where tenant_id = $1 and aws_organization_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(organization_id)
    .bind(management_account_id)
    .bind(at)
    .bind(next)
    .fetch_optional(&mut **tx)
    .await
}

/// Records a failed sync with a human explanation; the members stay as they were.
pub async fn mark_sync_failed(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
    error: &str,
    at: DateTime<Utc>,
    next: DateTime<Utc>,
) -> Result<Option<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_organizations set status = 'error', last_sync_at = $3, next_sync_at = $4,
             last_sync_error = $5
         where tenant_id = $1 and aws_organization_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(at)
    .bind(next)
    .bind(error)
    .fetch_optional(&mut **tx)
    .await
}

/// Sets when the organisation's next sync is due.
pub async fn set_next_sync(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update aws_organizations set next_sync_at = $3 where tenant_id = $1 and aws_organization_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a read of the organisation trail that went through every member's folders
/// (their events were committed before, each with its member's cursors and file marks).
pub async fn trail_read(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
    read: &TrailRead<'_>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update aws_organizations set trail_arn = $3, trail_bucket = $4, trail_covers_members = $5,
             trail_read_at = $6, trail_skipped_accounts = $7
         where tenant_id = $1 and aws_organization_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(read.trail_arn)
    .bind(read.bucket)
    .bind(read.covers_members)
    .bind(read.at)
    .bind(read.skipped_accounts)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What one read of the organisation trail found (see [`trail_read`]).
#[derive(Debug, Clone, Copy)]
pub struct TrailRead<'a> {
    pub trail_arn: &'a str,
    pub bucket: &'a str,
    pub covers_members: bool,
    pub at: DateTime<Utc>,
    pub skipped_accounts: &'a [String],
}

/// Deletes an organisation; its member connections (and everything of them) go by cascade.
pub async fn delete(tx: &mut TenantTx, id: AwsOrganizationId) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query(
        "delete from aws_organizations where tenant_id = $1 and aws_organization_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the member connection whose role reads the trail bucket (`None`: the management
/// role). `Ok(None)` when the organisation does not exist or `reader` is not one of its
/// member connections.
pub async fn set_trail_reader(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
    reader: Option<AwsAccountId>,
) -> Result<Option<AwsOrganization>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update aws_organizations set trail_reader = $3
         where tenant_id = $1 and aws_organization_id = $2
           and ($3::uuid is null or exists (
               select 1 from aws_accounts a
               where a.tenant_id = $1 and a.aws_organization_id = $2 and a.aws_account_id = $3))
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(reader)
    .fetch_optional(&mut **tx)
    .await
}

/// The organisation's member connections, by name.
pub async fn members(
    tx: &mut TenantTx,
    id: AwsOrganizationId,
) -> Result<Vec<aws_accounts::AwsAccount>, sqlx::Error> {
    let tenant = tx.tenant();
    let columns = aws_accounts::COLUMNS;
    sqlx::query_as(sql(format!(
        "select {columns} from aws_accounts where tenant_id = $1 and aws_organization_id = $2
         order by lower(name), aws_account_id"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

/// Creates a pending member connection carrying the organisation's external ID, with the
/// account and role it is to be verified with (it is scheduled only once verified).
pub async fn insert_member(
    tx: &mut TenantTx,
    org: &AwsOrganization,
    name: &str,
    ou_path: &str,
    account_id: &str,
    role_arn: &str,
) -> Result<aws_accounts::AwsAccount, sqlx::Error> {
    let tenant = tx.tenant();
    let columns = aws_accounts::COLUMNS;
    sqlx::query_as(sql(format!(
        "insert into aws_accounts (tenant_id, aws_account_id, name, external_id, aws_organization_id,
                                   organizational_unit_path, account_id, role_arn, regions)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning {columns}"
    )))
    .bind(tenant)
    .bind(AwsAccountId::new())
    .bind(name)
    .bind(&org.external_id)
    .bind(org.aws_organization_id)
    .bind(ou_path)
    .bind(account_id)
    .bind(role_arn)
    .bind(&org.regions)
    .fetch_one(&mut **tx)
    .await
}

/// Records a member seen in the organisation: its OU path, and back from having left.
pub async fn member_seen(
    tx: &mut TenantTx,
    id: AwsAccountId,
    ou_path: &str,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update aws_accounts set organizational_unit_path = $3, left_organization_at = null
         where tenant_id = $1 and aws_account_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(ou_path)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks a member gone from the organisation (the first time it is seen gone); the
/// connection and its data stay.
pub async fn member_left(
    tx: &mut TenantTx,
    id: AwsAccountId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update aws_accounts set left_organization_at = coalesce(left_organization_at, $3)
         where tenant_id = $1 and aws_account_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
