//! Refresh tokens, API keys and invites: secrets we hand out and store only as hashes.
//! Lookups by hash go through the narrow `auth_*` functions, since the tenant is not
//! known until the secret has been found.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::roles::Role;
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
    tx: &mut TenantTx,
    user: UserId,
    family: Uuid,
    hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks a token used, only if nobody used it first (two concurrent refreshes with the
/// same token: one wins, the other is reuse).
pub async fn mark_refresh_token_used(
    tx: &mut TenantTx,
    token: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query(
        "update refresh_tokens set used_at = $3
         where tenant_id = $1 and token_id = $2 and used_at is null and revoked_at is null",
    )
    .bind(tenant)
    .bind(token)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every token of a family.
pub async fn revoke_refresh_family(
    tx: &mut TenantTx,
    family: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query(
        "update refresh_tokens set revoked_at = coalesce(revoked_at, $3)
         where tenant_id = $1 and family_id = $2",
    )
    .bind(tenant)
    .bind(family)
    .bind(at)
    .execute(&mut **tx)
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
    pub role: Role,
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
    pub role: Role,
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
    pub role: Role,
    pub created_by: Option<UserId>,
}

/// Stores a new API key.
pub async fn insert_api_key(tx: &mut TenantTx, key: NewApiKey<'_>) -> Result<ApiKey, sqlx::Error> {
    let tenant = tx.tenant();
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
    .fetch_one(&mut **tx)
    .await
}

/// Lists the tenant's API keys, newest first.
pub async fn list_api_keys(tx: &mut TenantTx) -> Result<Vec<ApiKey>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {API_KEY_COLUMNS} from api_keys where tenant_id = $1 order by created_at desc, api_key_id"
    )))
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await
}

/// Revokes a key; `None` when the tenant has no such key.
pub async fn revoke_api_key(
    tx: &mut TenantTx,
    key: ApiKeyId,
    at: DateTime<Utc>,
) -> Result<Option<ApiKey>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "update api_keys set revoked_at = coalesce(revoked_at, $3)
         where tenant_id = $1 and api_key_id = $2 returning {API_KEY_COLUMNS}"
    )))
    .bind(tenant)
    .bind(key)
    .bind(at)
    .fetch_optional(&mut **tx)
    .await
}

/// Records that a key was used (at most once a minute, to spare writes on busy keys).
pub async fn touch_api_key(
    tx: &mut TenantTx,
    key: ApiKeyId,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update api_keys set last_used_at = $3 where tenant_id = $1 and api_key_id = $2
         and (last_used_at is null or last_used_at < $3 - interval '1 minute')",
    )
    .bind(tenant)
    .bind(key)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An invitation's state, found by its token's hash.
#[derive(Debug, Clone, FromRow)]
pub struct Invite {
    pub tenant_id: TenantId,
    pub invite_id: InviteId,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A new invitation's stored fields.
#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    pub email: &'a str,
    pub role: Role,
    pub hash: &'a [u8],
    pub invited_by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
}

/// Stores an invitation.
pub async fn insert_invite(
    tx: &mut TenantTx,
    invite: NewInvite<'_>,
) -> Result<Invite, sqlx::Error> {
    let tenant = tx.tenant();
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
    .fetch_one(&mut **tx)
    .await
}

/// Marks an invitation accepted, only once.
pub async fn accept_invite(
    tx: &mut TenantTx,
    invite: InviteId,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query(
        "update invites set accepted_at = $3 where tenant_id = $1 and invite_id = $2 and accepted_at is null",
    )
    .bind(tenant)
    .bind(invite)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An invitation not yet accepted, as listed to the team's managers.
#[derive(Debug, Clone, FromRow)]
pub struct PendingInvite {
    pub tenant_id: TenantId,
    pub invite_id: InviteId,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

const PENDING_COLUMNS: &str =
    "tenant_id, invite_id, email, role, invited_by, created_at, expires_at";

/// The tenant's invitations that can still be accepted at `now`, newest first.
pub async fn list_pending_invites(
    tx: &mut TenantTx,
    now: DateTime<Utc>,
) -> Result<Vec<PendingInvite>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {PENDING_COLUMNS} from invites
         where tenant_id = $1 and accepted_at is null and expires_at > $2
         order by created_at desc, invite_id"
    )))
    .bind(tenant)
    .bind(now)
    .fetch_all(&mut **tx)
    .await
}

/// Revokes (deletes) an invitation not yet accepted; `None` when the tenant has no such
/// invitation. An acceptance racing with it finds nothing to accept.
pub async fn revoke_invite(
    tx: &mut TenantTx,
    invite: InviteId,
) -> Result<Option<PendingInvite>, sqlx::Error> {
    Ok(delete_pending(tx, "invite_id", invite.0).await?.pop())
}

/// Revokes every invitation `user` sent that is not yet accepted (when they leave).
pub async fn revoke_invites_sent_by(
    tx: &mut TenantTx,
    user: UserId,
) -> Result<Vec<PendingInvite>, sqlx::Error> {
    delete_pending(tx, "invited_by", user.0).await
}

/// Deletes the tenant's invitations not yet accepted whose `column` is `value`.
async fn delete_pending(
    tx: &mut TenantTx,
    column: &'static str,
    value: Uuid,
) -> Result<Vec<PendingInvite>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "delete from invites where tenant_id = $1 and {column} = $2 and accepted_at is null
         returning {PENDING_COLUMNS}"
    )))
    .bind(tx.tenant())
    .bind(value)
    .fetch_all(&mut **tx)
    .await
}
