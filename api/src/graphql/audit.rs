//! The audit log, readable by owners and admins.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use vigil_core::{roles::Permission, store::audit};

use super::{
    context::{require, tenant_tx},
    error::GqlResult,
    pagination::{decode_cursor, page_size},
};
use crate::connection;

/// One security-relevant action.
#[derive(Debug, Clone, SimpleObject)]
pub struct AuditEntry {
    /// The entry's ID.
    pub id: ID,
    /// When the action happened.
    pub occurred_at: DateTime<Utc>,
    /// What happened, e.g. `user.login`, `user.login_failed`, `api_key.created`.
    pub action: String,
    /// Who did it: an email, or `API key <name>`.
    pub actor: Option<String>,
    /// The user who acted, if a user did.
    pub actor_user_id: Option<ID>,
    /// The API key that acted, if a key did.
    pub actor_api_key_id: Option<ID>,
    /// What it was done to (an email, a key name, an account).
    pub target: Option<String>,
    /// Where the request came from.
    pub source_ip: Option<String>,
    /// Further facts, as JSON.
    pub details: async_graphql::Json<serde_json::Value>,
}

connection!(
    AuditLogConnection,
    AuditLogEdge,
    AuditEntry,
    "audit log entries"
);

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The tenant's audit log, newest first (owners and admins).
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<AuditLogConnection> {
        let p = require(ctx, Permission::ReadAuditLog)?;
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(decode_cursor::<(DateTime<Utc>, Uuid)>)
            .transpose()?;
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = audit::page(&mut tx, after, limit + 1).await?;
        let total = audit::count(&mut tx).await?;
        Ok(AuditLogConnection::from_rows(
            rows,
            limit,
            total,
            |r| (r.occurred_at, r.audit_id),
            |r| AuditEntry {
                id: r.audit_id.to_string().into(),
                occurred_at: r.occurred_at,
                action: r.action,
                actor: r.actor_label,
                actor_user_id: r.actor_user_id.map(|u| u.to_string().into()),
                actor_api_key_id: r.actor_api_key_id.map(|k| k.to_string().into()),
                target: r.target,
                source_ip: r.source_ip,
                details: async_graphql::Json(r.details),
            },
        ))
    }
}
