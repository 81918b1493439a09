//! The few statements that work across tenants, kept apart from the tenant stores (which
//! take a [`crate::db::TenantTx`]) so that each is visible as such:
//!
//! - **credential look-ups** that find a credential's tenant before one is known (a refresh
//!   token, an API key, an invitation, a login), through the narrow `auth_*` SQL functions;
//! - **the scheduler**, which finds every tenant's connections that are due;
//! - **housekeeping**: retention of events, correlation state and webhook deliveries, and
//!   the sweep that ends scans no job runs any more.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use super::{
    aws_accounts::Due,
    credentials::{ApiKeyIdentity, Invite, RefreshToken},
    users::LoginRecord,
};
use crate::ids::{AwsAccountId, TenantId};

/// Finds a refresh token by hash, in any tenant.
pub async fn find_refresh_token(
    conn: &mut PgConnection,
    hash: &[u8],
) -> Result<Option<RefreshToken>, sqlx::Error> {
    sqlx::query_as(
        "select tenant_id, token_id, user_id, family_id, expires_at, used_at, revoked_at
         from auth_refresh_token($1)",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await
}

/// Finds an API key by hash, in any tenant.
pub async fn find_api_key(
    conn: &mut PgConnection,
    hash: &[u8],
) -> Result<Option<ApiKeyIdentity>, sqlx::Error> {
    sqlx::query_as("select tenant_id, api_key_id, name, role, revoked_at from auth_api_key($1)")
        .bind(hash)
        .fetch_optional(conn)
        .await
}

/// Finds an invitation by its token's hash, in any tenant.
pub async fn find_invite(
    conn: &mut PgConnection,
    hash: &[u8],
) -> Result<Option<Invite>, sqlx::Error> {
    sqlx::query_as(
        "select tenant_id, invite_id, email, role, expires_at, accepted_at from auth_invite($1)",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await
}

/// Finds the login record of a (normalised) email across tenants, through the narrow
/// `auth_user_by_email` lookup.
pub async fn login_record(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<LoginRecord>, sqlx::Error> {
    sqlx::query_as("select tenant_id, user_id, password_hash, role from auth_user_by_email($1)")
        .bind(email)
        .fetch_optional(conn)
        .await
}

/// Connections whose `kind` of work is due at `now`, across tenants, for connected or
/// failing accounts of tenants whose plan allows work (`due_aws_accounts`).
pub async fn due_accounts(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    kind: Due,
) -> Result<Vec<(TenantId, AwsAccountId)>, sqlx::Error> {
    let kind = match kind {
        Due::Scan => "scan",
        Due::Ingest => "ingest",
    };
    sqlx::query_as("select tenant_id, aws_account_id from due_aws_accounts($1, $2)")
        .bind(now)
        .bind(kind)
        .fetch_all(conn)
        .await
}

/// Drops the daily partitions older than `keep_days` (all tenants). Returns how many.
pub async fn drop_expired_events(
    conn: &mut PgConnection,
    today: NaiveDate,
    keep_days: i64,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("select drop_event_partitions_before($1)")
        .bind(today - chrono::Duration::days(keep_days))
        .fetch_one(conn)
        .await
}

/// Forgets finished deliveries created before `before`, for every tenant (housekeeping).
pub async fn prune_deliveries(
    conn: &mut PgConnection,
    before: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select prune_webhook_deliveries($1)")
        .bind(before)
        .fetch_one(conn)
        .await
}

/// Forgets matches older than `matches_before` and values last seen before
/// `baselines_before`, for every tenant. Returns how many rows went.
pub async fn prune_correlations(
    conn: &mut PgConnection,
    matches_before: DateTime<Utc>,
    baselines_before: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select prune_correlation_state($1, $2)")
        .bind(matches_before)
        .bind(baselines_before)
        .fetch_one(conn)
        .await
}

/// Ends every scan left open (queued or running, created over `older_than` ago) whose
/// connection has no queued or running scan job: left behind by an older version or by
/// anything that ended a job without its scan. Returns how many ended (as FAILED, with
/// the reason in `error`).
pub async fn close_orphaned_scans(
    conn: &mut PgConnection,
    older_than: std::time::Duration,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("select close_orphaned_scans(make_interval(secs => $1))")
        .bind(older_than.as_secs_f64())
        .fetch_one(conn)
        .await
}
