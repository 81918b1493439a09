//! The audit log: who did what security-relevant thing, when and from where.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use crate::ids::{ApiKeyId, UserId};

/// Who acted.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub api_key_id: Option<ApiKeyId>,
    /// A readable name (email, or the API key's name).
    pub label: Option<String>,
    pub source_ip: Option<std::net::IpAddr>,
}

/// One entry as stored.
#[derive(Debug, Clone, FromRow)]
pub struct AuditEntry {
    pub audit_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<UserId>,
    pub actor_api_key_id: Option<ApiKeyId>,
    pub actor_label: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub details: serde_json::Value,
    pub source_ip: Option<String>,
}

/// Records an action in the tenant's audit log.
pub async fn record(
    tx: &mut TenantTx,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "insert into audit_log (tenant_id, audit_id, actor_user_id, actor_api_key_id, actor_label,
                                action, target, details, source_ip)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::inet)",
    )
    .bind(tenant)
    .bind(Uuid::now_v7())
    .bind(actor.user_id)
    .bind(actor.api_key_id)
    .bind(actor.label.as_deref())
    .bind(action)
    .bind(target)
    .bind(details)
    .bind(actor.source_ip.map(|ip| ip.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A page of the log, newest first, after the keyset position `after`.
pub async fn page(
    tx: &mut TenantTx,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let tenant = tx.tenant();
    let (at, id) = after.unzip();
    sqlx::query_as(
        "select audit_id, occurred_at, actor_user_id, actor_api_key_id, actor_label, action, target,
                details, host(source_ip) as source_ip
         from audit_log
         where tenant_id = $1 and ($2::timestamptz is null or (occurred_at, audit_id) < ($2, $3))
         order by occurred_at desc, audit_id desc
         limit $4",
    )
    .bind(tenant)
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// How many entries the tenant's log holds.
pub async fn count(tx: &mut TenantTx) -> Result<i64, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar("select count(*) from audit_log where tenant_id = $1")
        .bind(tenant)
        .fetch_one(&mut **tx)
        .await
}
