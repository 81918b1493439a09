//! Detection rules a tenant wrote (Sigma YAML), stored as written.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use crate::ids::TenantId;

/// A tenant's rule as stored.
#[derive(Debug, Clone, FromRow)]
pub struct StoredRule {
    pub tenant_id: TenantId,
    pub rule_id: Uuid,
    pub title: String,
    pub yaml: String,
    pub enabled: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "tenant_id, rule_id, title, yaml, enabled, created_by, created_at, updated_at";

/// Stores a rule that compiled.
pub async fn insert(
    tx: &mut TenantTx,
    title: &str,
    yaml: &str,
    by: &str,
) -> Result<StoredRule, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(super::sql(format!(
        "insert into detection_rules (tenant_id, rule_id, title, yaml, created_by) values ($1, $2, $3, $4, $5)
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(Uuid::now_v7())
    .bind(title)
    .bind(yaml)
    .bind(by)
    .fetch_one(&mut **tx)
    .await
}

/// Changes a rule's YAML (already compiled) and/or whether it runs.
pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    title_and_yaml: Option<(&str, &str)>,
    enabled: Option<bool>,
) -> Result<Option<StoredRule>, sqlx::Error> {
    let tenant = tx.tenant();
    let (title, yaml) = title_and_yaml.unzip();
    sqlx::query_as(super::sql(format!(
        "update detection_rules set title = coalesce($3, title), yaml = coalesce($4, yaml),
             enabled = coalesce($5, enabled)
         where tenant_id = $1 and rule_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(title)
    .bind(yaml)
    .bind(enabled)
    .fetch_optional(&mut **tx)
    .await
}

/// The tenant's rules, oldest first; `enabled_only` for detection.
pub async fn list(tx: &mut TenantTx, enabled_only: bool) -> Result<Vec<StoredRule>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(super::sql(format!(
        "select {COLUMNS} from detection_rules where tenant_id = $1 and ($2 = false or enabled)
         order by created_at, rule_id"
    )))
    .bind(tenant)
    .bind(enabled_only)
    .fetch_all(&mut **tx)
    .await
}

/// The tenant's rules with these IDs (for alerts that name them), in no order.
pub async fn get_many(tx: &mut TenantTx, ids: &[Uuid]) -> Result<Vec<StoredRule>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(super::sql(format!(
        "select {COLUMNS} from detection_rules where tenant_id = $1 and rule_id = any($2)"
    )))
    .bind(tenant)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await
}

/// Removes a rule.
pub async fn delete(tx: &mut TenantTx, id: Uuid) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query("delete from detection_rules where tenant_id = $1 and rule_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A stored event as a dry run or backtest reads it.
#[derive(Debug, Clone, FromRow)]
pub struct RecordRow {
    /// The connection it belongs to: correlation state and alerts are per connection.
    pub aws_account_id: Uuid,
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub raw: serde_json::Value,
}

/// Recent raw records of the tenant (for dry runs and backtests), newest first, Vigil's
/// own calls excepted. With `names` (lowercase eventNames), only events of those names: a
/// rule that can only match them then looks through its whole window, not the newest
/// `limit` events of every name. Only the transaction's tenant's events are read: the
/// query names the tenant and row-level security enforces it.
pub async fn recent_records(
    tx: &mut TenantTx,
    since: DateTime<Utc>,
    names: Option<Vec<String>>,
    limit: i64,
) -> Result<Vec<RecordRow>, sqlx::Error> {
    let mut q = sqlx::QueryBuilder::new(
        "select aws_account_id, event_id, occurred_at, raw from events where tenant_id = ",
    );
    q.push_bind(tx.tenant())
        .push(" and occurred_at >= ")
        .push_bind(since)
        .push(" and not own");
    // Only when named, so the query with names gets a plan that uses
    // `events_by_lower_name`.
    if let Some(names) = names {
        q.push(" and lower(event_name) = any(")
            .push_bind(names)
            .push(")");
    }
    q.push(" order by occurred_at desc limit ").push_bind(limit);
    q.build_query_as().fetch_all(&mut **tx).await
}
