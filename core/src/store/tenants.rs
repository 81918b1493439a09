//! Tenants: customer organisations and their plan.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgConnection};

use crate::ids::TenantId;

/// A tenant as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Tenant {
    pub tenant_id: TenantId,
    pub name: String,
    pub plan: String,
    pub trial_ends_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Creates a tenant on the trial plan; the transaction's tenant must be `tenant`.
pub async fn insert_trial(
    conn: &mut PgConnection,
    tenant: TenantId,
    name: &str,
    trial_ends_at: DateTime<Utc>,
) -> Result<Tenant, sqlx::Error> {
    sqlx::query_as(
        "insert into tenants (tenant_id, name, plan, trial_ends_at) values ($1, $2, 'trial', $3)
         returning tenant_id, name, plan, trial_ends_at, created_at",
    )
    .bind(tenant)
    .bind(name)
    .bind(trial_ends_at)
    .fetch_one(conn)
    .await
}

/// Reads the tenant.
pub async fn get(conn: &mut PgConnection, tenant: TenantId) -> Result<Option<Tenant>, sqlx::Error> {
    sqlx::query_as(
        "select tenant_id, name, plan, trial_ends_at, created_at from tenants where tenant_id = $1",
    )
    .bind(tenant)
    .fetch_optional(conn)
    .await
}
