//! Webhooks and their delivery log. Deliveries of events are created by the
//! `webhook_fanout` trigger (migration 11); test deliveries here. The signing secret is
//! read only by [`target`], for the worker; every other read leaves it out.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use vigil_domain::{DeliveryStatus, Severity};

use super::sql;
use crate::{
    ids::{TenantId, WebhookDeliveryId, WebhookId},
    jobs::{self, NewJob},
    tasks::Task,
    webhooks::{TEST_ATTEMPTS, TEST_EVENT},
};

/// A webhook as stored, without its secret.
#[derive(Debug, Clone, FromRow)]
pub struct Webhook {
    pub tenant_id: TenantId,
    pub webhook_id: WebhookId,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub min_severity: Severity,
    pub format: String,
    pub enabled: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "tenant_id, webhook_id, name, url, events, min_severity, format, enabled, created_by, created_at, updated_at";

/// A webhook to create.
#[derive(Debug, Clone)]
pub struct NewWebhook<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub events: &'a [String],
    pub min_severity: Severity,
    pub format: &'a str,
    pub secret: &'a str,
    pub created_by: &'a str,
}

/// Creates a webhook.
pub async fn insert(tx: &mut TenantTx, new: NewWebhook<'_>) -> Result<Webhook, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "insert into webhooks (tenant_id, webhook_id, name, url, events, min_severity, format, secret, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(WebhookId::new())
    .bind(new.name)
    .bind(new.url)
    .bind(new.events)
    .bind(new.min_severity)
    .bind(new.format)
    .bind(new.secret)
    .bind(new.created_by)
    .fetch_one(&mut **tx)
    .await
}

/// The tenant's webhooks, oldest first.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<Webhook>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from webhooks where tenant_id = $1 order by created_at, webhook_id"
    )))
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await
}

/// Reads one webhook.
pub async fn get(tx: &mut TenantTx, id: WebhookId) -> Result<Option<Webhook>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from webhooks where tenant_id = $1 and webhook_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Changes to a webhook; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Changes<'a> {
    pub name: Option<&'a str>,
    pub url: Option<&'a str>,
    pub events: Option<&'a [String]>,
    pub min_severity: Option<Severity>,
    pub format: Option<&'a str>,
    pub enabled: Option<bool>,
    /// A new signing secret (rotation).
    pub secret: Option<&'a str>,
}

/// Applies changes; `None` when there is no such webhook.
pub async fn update(
    tx: &mut TenantTx,
    id: WebhookId,
    c: Changes<'_>,
) -> Result<Option<Webhook>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update webhooks set name = coalesce($3, name), url = coalesce($4, url), events = coalesce($5, events),
             min_severity = coalesce($6, min_severity), format = coalesce($7, format),
             enabled = coalesce($8, enabled), secret = coalesce($9, secret)
         where tenant_id = $1 and webhook_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(c.name)
    .bind(c.url)
    .bind(c.events)
    .bind(c.min_severity)
    .bind(c.format)
    .bind(c.enabled)
    .bind(c.secret)
    .fetch_optional(&mut **tx)
    .await
}

/// Deletes a webhook and its delivery log; pending deliveries are dropped.
pub async fn delete(tx: &mut TenantTx, id: WebhookId) -> Result<Option<Webhook>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "delete from webhooks where tenant_id = $1 and webhook_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// One event's delivery to one webhook.
#[derive(Debug, Clone, FromRow)]
pub struct Delivery {
    pub tenant_id: TenantId,
    pub delivery_id: WebhookDeliveryId,
    pub webhook_id: WebhookId,
    pub event: String,
    pub subject_id: Option<uuid::Uuid>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub response_code: Option<i32>,
    pub last_error: Option<String>,
    pub body: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

const DELIVERY_COLUMNS: &str = "tenant_id, delivery_id, webhook_id, event, subject_id, status, attempts, response_code, \
                                last_error, body, created_at, last_attempt_at, delivered_at";

/// Keyset position in a delivery log: created, ID.
pub type DeliveryCursor = (DateTime<Utc>, WebhookDeliveryId);

/// A page of a webhook's deliveries, newest first, and how many match in all.
pub async fn deliveries(
    tx: &mut TenantTx,
    webhook: WebhookId,
    statuses: Option<&[DeliveryStatus]>,
    after: Option<DeliveryCursor>,
    limit: i64,
) -> Result<(Vec<Delivery>, i64), sqlx::Error> {
    let tenant = tx.tenant();
    const FILTER: &str =
        "tenant_id = $1 and webhook_id = $2 and ($3::text[] is null or status = any($3))";
    let rows = sqlx::query_as(sql(format!(
        "select {DELIVERY_COLUMNS} from webhook_deliveries where {FILTER}
           and ($4::timestamptz is null or (created_at, delivery_id) < ($4, $5))
         order by created_at desc, delivery_id desc limit $6"
    )))
    .bind(tenant)
    .bind(webhook)
    .bind(statuses)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let total = sqlx::query_scalar(sql(format!(
        "select count(*) from webhook_deliveries where {FILTER}"
    )))
    .bind(tenant)
    .bind(webhook)
    .bind(statuses)
    .fetch_one(&mut **tx)
    .await?;
    Ok((rows, total))
}

/// Reads one delivery.
pub async fn delivery(
    tx: &mut TenantTx,
    id: WebhookDeliveryId,
) -> Result<Option<Delivery>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {DELIVERY_COLUMNS} from webhook_deliveries where tenant_id = $1 and delivery_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Queues a test delivery to a webhook (and its job) in the caller's transaction, or
/// answers the one already pending: a webhook has at most one test in flight, so repeated
/// calls cannot flood the shared queue.
pub async fn queue_test(tx: &mut TenantTx, webhook: WebhookId) -> Result<Delivery, sqlx::Error> {
    let tenant = tx.tenant();
    // The job's unique key is what limits tests: it frees itself however the job ends.
    let key = format!("webhook-test:{webhook}");
    let delivery_id = WebhookDeliveryId::new();
    let queued = jobs::enqueue(
        tx,
        NewJob::new(Task::DeliverWebhook {
            tenant_id: tenant,
            delivery_id,
        })
        .tenant(tenant)
        .unique(&key)
        .max_attempts(TEST_ATTEMPTS),
    )
    .await?;
    if queued.is_none() {
        let pending: WebhookDeliveryId = sqlx::query_scalar(
            "select (payload ->> 'delivery_id')::uuid from jobs
             where unique_key = $1 and state in ('queued', 'running')",
        )
        .bind(&key)
        .fetch_one(&mut **tx)
        .await?;
        return delivery(tx, pending).await?.ok_or(sqlx::Error::RowNotFound);
    }
    sqlx::query_as(sql(format!(
        "insert into webhook_deliveries (tenant_id, delivery_id, webhook_id, event)
         values ($1, $2, $3, $4) returning {DELIVERY_COLUMNS}"
    )))
    .bind(tenant)
    .bind(delivery_id)
    .bind(webhook)
    .bind(TEST_EVENT)
    .fetch_one(&mut **tx)
    .await
}

/// Where and how a delivery is sent: what the worker needs, secret included.
#[derive(Debug, Clone, FromRow)]
pub struct Target {
    pub url: String,
    pub format: String,
    pub enabled: bool,
    pub secret: String,
}

/// A delivery and its webhook's target, for sending; `None` when either is gone.
pub async fn target(
    tx: &mut TenantTx,
    id: WebhookDeliveryId,
) -> Result<Option<(Delivery, Target)>, sqlx::Error> {
    let tenant = tx.tenant();
    let Some(delivery) = delivery(tx, id).await? else {
        return Ok(None);
    };
    let target = sqlx::query_as(
        "select url, format, enabled, secret from webhooks where tenant_id = $1 and webhook_id = $2",
    )
    .bind(tenant)
    .bind(delivery.webhook_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(target.map(|t| (delivery, t)))
}

/// Fixes the body a delivery sends (first attempt only; later ones resend it).
pub async fn set_body(
    tx: &mut TenantTx,
    id: WebhookDeliveryId,
    body: &str,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update webhook_deliveries set body = $3 where tenant_id = $1 and delivery_id = $2 and body is null",
    )
    .bind(tenant)
    .bind(id)
    .bind(body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub at: DateTime<Utc>,
    /// `pending` (another attempt follows), `succeeded` or `failed`.
    pub status: DeliveryStatus,
    pub response_code: Option<i32>,
    pub error: Option<&'a str>,
}

/// Records an attempt.
pub async fn record_attempt(
    tx: &mut TenantTx,
    id: WebhookDeliveryId,
    a: Attempt<'_>,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "update webhook_deliveries set attempts = attempts + 1, status = $3, response_code = $4, last_error = $5,
             last_attempt_at = $6, delivered_at = case when $3 = 'succeeded' then $6 end
         where tenant_id = $1 and delivery_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(a.status)
    .bind(a.response_code)
    .bind(a.error)
    .bind(a.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
