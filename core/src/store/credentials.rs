//! Refresh tokens, API keys and invites: secrets we hand out and store only as hashes.
//! Lookups by hash go through the narrow `auth_*` functions, since the tenant is not
//! known until the secret has been found.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use crate::ids::{ApiKeyId, InviteId, TenantId, UserId};

/// A refresh token's state, found by its hash.
#[derive(Debug, Clone, FromRow)]
pub struct RefreshToken {
    pub tenant_id: TenantId,
    pub token_id: Uuid,
    pub user_id: UserId,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a new refresh token of `family`.
pub async fn insert_refresh_token(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: UserId,
    family: Uuid,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into refresh_tokens (tenant_id, token_id, user_id, family_id, token_hash, expires_at)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant)
    .bind(Uuid::now_v7())
    .bind(user)
    .bind(family)
    .bind(hash)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

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

/// Marks a token used, only if nobody used it first (two concurrent refreshes with the
/// same token: one wins, the other is reuse).
pub async fn mark_refresh_token_used(
    conn: &mut PgConnection,
    tenant: TenantId,
    token: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update refresh_tokens set used_at = $3
         where tenant_id = $1 and token_id = $2 and used_at is null and revoked_at is null",
    )
    .bind(tenant)
    .bind(token)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every token of a family.
pub async fn revoke_refresh_family(
    conn: &mut PgConnection,
    tenant: TenantId,
    family: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "update refresh_tokens set revoked_at = coalesce(revoked_at, $3)
         where tenant_id = $1 and family_id = $2",
    )
    .bind(tenant)
    .bind(family)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// An API key as listed (never the key itself).
#[derive(Debug, Clone, FromRow)]
pub struct ApiKey {
    pub tenant_id: TenantId,
    pub api_key_id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An API key's identity, found by its hash.
#[derive(Debug, Clone, FromRow)]
pub struct ApiKeyIdentity {
    pub tenant_id: TenantId,
    pub api_key_id: ApiKeyId,
    pub name: String,
    pub role: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

const API_KEY_COLUMNS: &str =
    "tenant_id, api_key_id, name, prefix, role, created_at, last_used_at, revoked_at";

/// A new API key's stored fields.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: &'a [u8],
    pub role: &'a str,
    pub created_by: Option<UserId>,
}

/// Stores a new API key.
pub async fn insert_api_key(
    conn: &mut PgConnection,
    tenant: TenantId,
    key: NewApiKey<'_>,
) -> Result<ApiKey, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into api_keys (tenant_id, api_key_id, name, prefix, key_hash, role, created_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning {API_KEY_COLUMNS}"
    )))
    .bind(tenant)
    .bind(ApiKeyId::new())
    .bind(key.name)
    .bind(key.prefix)
    .bind(key.hash)
    .bind(key.role)
    .bind(key.created_by)
    .fetch_one(conn)
    .await
}

/// Lists the tenant's API keys, newest first.
pub async fn list_api_keys(
    conn: &mut PgConnection,
    tenant: TenantId,
) -> Result<Vec<ApiKey>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {API_KEY_COLUMNS} from api_keys where tenant_id = $1 order by created_at desc, api_key_id"
    )))
    .bind(tenant)
    .fetch_all(conn)
    .await
}

/// Revokes a key; `None` when the tenant has no such key.
pub async fn revoke_api_key(
    conn: &mut PgConnection,
    tenant: TenantId,
    key: ApiKeyId,
    at: DateTime<Utc>,
) -> Result<Option<ApiKey>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "update api_keys set revoked_at = coalesce(revoked_at, $3)
         where tenant_id = $1 and api_key_id = $2 returning {API_KEY_COLUMNS}"
    )))
    .bind(tenant)
    .bind(key)
    .bind(at)
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

/// Records that a key was used (at most once a minute, to spare writes on busy keys).
pub async fn touch_api_key(
    conn: &mut PgConnection,
    tenant: TenantId,
    key: ApiKeyId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update api_keys set last_used_at = $3 where tenant_id = $1 and api_key_id = $2
         and (last_used_at is null or last_used_at < $3 - interval '1 minute')",
    )
    .bind(tenant)
    .bind(key)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An invitation's state, found by its token's hash.
#[derive(Debug, Clone, FromRow)]
pub struct Invite {
    pub tenant_id: TenantId,
    pub invite_id: InviteId,
    pub email: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A new invitation's stored fields.
#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    pub email: &'a str,
    pub role: &'a str,
    pub hash: &'a [u8],
    pub invited_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
}

/// Stores an invitation.
pub async fn insert_invite(
    conn: &mut PgConnection,
    tenant: TenantId,
    invite: NewInvite<'_>,
) -> Result<Invite, sqlx::Error> {
    sqlx::query_as(
        "insert into invites (tenant_id, invite_id, email, role, token_hash, invited_by, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         returning tenant_id, invite_id, email, role, expires_at, accepted_at",
    )
    .bind(tenant)
    .bind(InviteId::new())
    .bind(invite.email)
    .bind(invite.role)
    .bind(invite.hash)
    .bind(invite.invited_by)
    .bind(invite.expires_at)
    .fetch_one(conn)
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

/// Marks an invitation accepted, only once.
pub async fn accept_invite(
    conn: &mut PgConnection,
    tenant: TenantId,
    invite: InviteId,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update invites set accepted_at = $3 where tenant_id = $1 and invite_id = $2 and accepted_at is null",
    )
    .bind(tenant)
    .bind(invite)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An invitation not yet accepted, as listed to the team's managers.
#[derive(Debug, Clone, FromRow)]
pub struct PendingInvite {
    pub tenant_id: TenantId,
    pub invite_id: InviteId,
    pub email: String,
    pub role: String,
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

const PENDING_COLUMNS: &str =
    "tenant_id, invite_id, email, role, invited_by, created_at, expires_at";

/// The tenant's invitations that can still be accepted at `now`, newest first.
pub async fn list_pending_invites(
    conn: &mut PgConnection,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<Vec<PendingInvite>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {PENDING_COLUMNS} from invites
         where tenant_id = $1 and accepted_at is null and expires_at > $2
         order by created_at desc, invite_id"
    )))
    .bind(tenant)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Revokes (deletes) an invitation not yet accepted; `None` when the tenant has no such
/// invitation. An acceptance racing with it finds nothing to accept.
pub async fn revoke_invite(
    conn: &mut PgConnection,
    tenant: TenantId,
    invite: InviteId,
) -> Result<Option<PendingInvite>, sqlx::Error> {
    Ok(delete_pending(conn, tenant, "invite_id", invite.0)
        .await?
        .pop())
}

/// Revokes every invitation `user` sent that is not yet accepted (when they leave).
pub async fn revoke_invites_sent_by(
    conn: &mut PgConnection,
    tenant: TenantId,
    user: UserId,
) -> Result<Vec<PendingInvite>, sqlx::Error> {
    delete_pending(conn, tenant, "invited_by", user.0).await
}

/// Deletes the tenant's invitations not yet accepted whose `column` is `value`.
async fn delete_pending(
    conn: &mut PgConnection,
    tenant: TenantId,
    column: &'static str,
    value: Uuid,
) -> Result<Vec<PendingInvite>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "delete from invites where tenant_id = $1 and {column} = $2 and accepted_at is null
         returning {PENDING_COLUMNS}"
    )))
    .bind(tenant)
    .bind(value)
    .fetch_all(conn)
    .await
}
