//! Webhooks: endpoints told when an alert is raised, a finding opens or is resolved, or a
//! scan finishes; signed (Standard Webhooks), retried, and logged per delivery. Owners
//! and admins manage them: a webhook URL can carry a token (Slack's do).

use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    ids::{WebhookDeliveryId, WebhookId},
    roles::Permission,
    store::{audit, webhooks},
    webhooks::{EVENTS, check_resolves, new_secret, parse_target},
};

use super::{
    context::{parse_id, require, require_active_plan, state, tenant_tx},
    error::{GqlError, GqlResult},
    pagination::{decode_cursor, page_size},
    types::SeverityGql,
};
use crate::{auth::Principal, connection};

/// Webhooks one organization may have.
const MAX_WEBHOOKS: i64 = 20;

/// What a webhook is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "WebhookEvent")]
pub enum WebhookEventGql {
    /// A detection raised a new alert (not when an open alert grows).
    AlertRaised,
    /// A finding was seen for the first time, came back after being resolved, or its
    /// suppression ended. Not sent for an account's first scan: that baseline is announced
    /// once, by its `SCAN_FINISHED` (`findingsOpened`).
    FindingOpened,
    /// A complete re-check no longer sees a finding.
    FindingResolved,
    /// A scan ended (succeeded, partial or failed); always sent whatever `minSeverity`.
    ScanFinished,
}

impl WebhookEventGql {
    fn as_str(self) -> &'static str {
        match self {
            Self::AlertRaised => EVENTS[0],
            Self::FindingOpened => EVENTS[1],
            Self::FindingResolved => EVENTS[2],
            Self::ScanFinished => EVENTS[3],
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::AlertRaised,
            Self::FindingOpened,
            Self::FindingResolved,
            Self::ScanFinished,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// The body a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "WebhookFormat")]
pub enum WebhookFormatGql {
    /// Vigil's JSON event: `id`, `type`, `timestamp`, `tenantId`, `url` and `data` holding
    /// the alert, finding or scan in the GraphQL API's field names (docs/graphql.md).
    Vigil,
    /// `{"text": ...}`, which Slack's incoming webhooks (and Mattermost's, and others
    /// compatible with them) post to a channel.
    Slack,
}

impl WebhookFormatGql {
    fn as_str(self) -> &'static str {
        match self {
            Self::Vigil => "vigil",
            Self::Slack => "slack",
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(
    name = "WebhookDeliveryStatus",
    remote = "vigil_domain::DeliveryStatus"
)]
pub enum DeliveryStatusGql {
    /// Not sent yet, or failed and waiting for its next attempt.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// Every attempt failed, or the target was refused; not retried any more.
    Failed,
}

/// An endpoint Vigil posts events to, signed with the webhook's secret.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Webhook", complex)]
pub struct WebhookGql {
    /// The webhook's ID.
    pub id: ID,
    /// A label for people.
    pub name: String,
    /// Where events are posted (https; loopback and private addresses are refused).
    pub url: String,
    /// The events sent.
    pub events: Vec<WebhookEventGql>,
    /// Alerts and findings below this severity are not sent.
    pub min_severity: SeverityGql,
    /// The body's shape.
    pub format: WebhookFormatGql,
    /// A disabled webhook is sent nothing; its pending deliveries fail.
    pub enabled: bool,
    /// Who created it.
    pub created_by: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed (a secret rotation included).
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    webhook_id: WebhookId,
}

impl From<webhooks::Webhook> for WebhookGql {
    fn from(w: webhooks::Webhook) -> Self {
        Self {
            id: w.webhook_id.to_string().into(),
            webhook_id: w.webhook_id,
            events: w
                .events
                .iter()
                .filter_map(|e| WebhookEventGql::parse(e))
                .collect(),
            min_severity: w.min_severity.into(),
            format: if w.format == "slack" {
                WebhookFormatGql::Slack
            } else {
                WebhookFormatGql::Vigil
            },
            name: w.name,
            url: w.url,
            enabled: w.enabled,
            created_by: w.created_by,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[ComplexObject]
impl WebhookGql {
    /// The delivery log, newest first (kept 30 days).
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Vec<DeliveryStatusGql>>,
    ) -> GqlResult<WebhookDeliveryConnection> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(decode_cursor::<webhooks::DeliveryCursor>)
            .transpose()?;
        let statuses: Option<Vec<vigil_domain::DeliveryStatus>> =
            status.map(|s| s.iter().map(|&s| s.into()).collect());
        let mut tx = tenant_tx(ctx, p).await?;
        let (rows, total) = webhooks::deliveries(
            &mut tx,
            self.webhook_id,
            statuses.as_deref(),
            after,
            limit + 1,
        )
        .await?;
        Ok(WebhookDeliveryConnection::from_rows(
            rows,
            limit,
            total,
            |d| (d.created_at, d.delivery_id),
            WebhookDeliveryGql::from,
        ))
    }
}

/// One event's delivery to a webhook, with the outcome of its latest attempt.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "WebhookDelivery")]
pub struct WebhookDeliveryGql {
    /// Also sent as the `webhook-id` header: receivers use it to drop repeats.
    pub id: ID,
    /// The webhook it is sent to.
    pub webhook_id: ID,
    /// `ALERT_RAISED`, `FINDING_OPENED`, `FINDING_RESOLVED`, `SCAN_FINISHED`, or `TEST`.
    pub event: String,
    /// The alert, finding or scan the event is about (none for a test).
    pub subject_id: Option<ID>,
    /// Where it stands.
    pub status: DeliveryStatusGql,
    /// Attempts made so far.
    pub attempts: i32,
    /// The HTTP status of the latest answer, if the receiver answered.
    pub response_code: Option<i32>,
    /// Why the latest attempt failed.
    pub last_error: Option<String>,
    /// The exact body sent (fixed at the first attempt; retries resend it).
    pub request_body: Option<String>,
    /// When it was queued, with the change it announces (a VIGIL body's `timestamp`).
    pub created_at: DateTime<Utc>,
    /// When the latest attempt was made; null before the first.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the receiver answered 2xx; null unless `SUCCEEDED`.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<webhooks::Delivery> for WebhookDeliveryGql {
    fn from(d: webhooks::Delivery) -> Self {
        Self {
            id: d.delivery_id.to_string().into(),
            webhook_id: d.webhook_id.to_string().into(),
            event: d.event,
            subject_id: d.subject_id.map(|s| s.to_string().into()),
            status: d.status.into(),
            attempts: d.attempts,
            response_code: d.response_code,
            last_error: d.last_error,
            request_body: d.body,
            created_at: d.created_at,
            last_attempt_at: d.last_attempt_at,
            delivered_at: d.delivered_at,
        }
    }
}

connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDeliveryGql,
    "webhook deliveries"
);

/// A webhook with its signing secret: shown when created and when rotated, never again.
#[derive(Debug, Clone, SimpleObject)]
pub struct WebhookWithSecret {
    /// The signing secret (`whsec_...`, Standard Webhooks). Store it now.
    pub secret: String,
    /// The webhook.
    pub webhook: WebhookGql,
}

#[derive(Default)]
pub struct WebhooksQuery;

#[Object]
impl WebhooksQuery {
    /// The organization's webhooks, oldest first (owners and admins).
    async fn webhooks(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookGql>> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = webhooks::list(&mut tx).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One webhook; another organization's ID, or a malformed one, reads as absent.
    async fn webhook(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<WebhookGql>> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let Ok(id) = id.parse::<WebhookId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(webhooks::get(&mut tx, id).await?.map(Into::into))
    }

    /// One webhook delivery (owners and admins); another organization's reads as absent.
    async fn webhook_delivery(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<Option<WebhookDeliveryGql>> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let Ok(id) = id.parse::<WebhookDeliveryId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(webhooks::delivery(&mut tx, id).await?.map(Into::into))
    }
}

#[derive(Default)]
pub struct WebhooksMutation;

#[Object]
impl WebhooksMutation {
    /// Creates a webhook (owners and admins) and answers its signing secret, shown only
    /// now. The URL must be https and resolve to public addresses only.
    #[allow(clippy::too_many_arguments)]
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        url: String,
        events: Vec<WebhookEventGql>,
        #[graphql(desc = "Alerts and findings below this are not sent; LOW when left out.")]
        min_severity: Option<SeverityGql>,
        #[graphql(desc = "The body's shape; VIGIL when left out.")] format: Option<
            WebhookFormatGql,
        >,
        #[graphql(desc = "A label; defaults to the URL's host.")] name: Option<String>,
    ) -> GqlResult<WebhookWithSecret> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let url = checked_url(ctx, &url).await?;
        let events = checked_events(&events)?;
        let name = match name {
            Some(n) => checked_name(&n)?,
            None => url.host_str().unwrap_or("webhook").to_owned(),
        };
        let secret = new_secret();
        let mut tx = tenant_tx(ctx, p).await?;
        let existing = webhooks::list(&mut tx).await?;
        if existing.len() as i64 >= MAX_WEBHOOKS {
            return Err(GqlError::bad_input(format!(
                "an organization can have at most {MAX_WEBHOOKS} webhooks; delete one first"
            )));
        }
        let created = webhooks::insert(
            &mut tx,
            webhooks::NewWebhook {
                name: &name,
                url: url.as_str(),
                events: &events,
                min_severity: min_severity.unwrap_or(SeverityGql::Low).into(),
                format: format.unwrap_or(WebhookFormatGql::Vigil).as_str(),
                secret: &secret,
                created_by: &p.label,
            },
        )
        .await?;
        audited(p, &mut tx, "webhook.created", &created).await?;
        tx.commit().await?;
        Ok(WebhookWithSecret {
            secret,
            webhook: created.into(),
        })
    }

    /// Changes a webhook (owners and admins); arguments left out stay as they are.
    #[allow(clippy::too_many_arguments)]
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        url: Option<String>,
        events: Option<Vec<WebhookEventGql>>,
        min_severity: Option<SeverityGql>,
        format: Option<WebhookFormatGql>,
        enabled: Option<bool>,
    ) -> GqlResult<WebhookGql> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let webhook_id: WebhookId = parse_id(&id, "webhook")?;
        let url = match url {
            Some(u) => Some(checked_url(ctx, &u).await?),
            None => None,
        };
        let events = events.as_deref().map(checked_events).transpose()?;
        let name = name.as_deref().map(checked_name).transpose()?;
        let mut tx = tenant_tx(ctx, p).await?;
        let updated = webhooks::update(
            &mut tx,
            webhook_id,
            webhooks::Changes {
                name: name.as_deref(),
                url: url.as_ref().map(url::Url::as_str),
                events: events.as_deref(),
                min_severity: min_severity.map(Into::into),
                format: format.map(WebhookFormatGql::as_str),
                enabled,
                secret: None,
            },
        )
        .await?
        .ok_or(GqlError::NotFound("webhook"))?;
        audited(p, &mut tx, "webhook.updated", &updated).await?;
        tx.commit().await?;
        Ok(updated.into())
    }

    /// Replaces a webhook's signing secret at once (owners and admins); answers the new
    /// one, shown only now. Deliveries already sent keep the old signature.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<WebhookWithSecret> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let webhook_id: WebhookId = parse_id(&id, "webhook")?;
        let secret = new_secret();
        let mut tx = tenant_tx(ctx, p).await?;
        let updated = webhooks::update(
            &mut tx,
            webhook_id,
            webhooks::Changes {
                secret: Some(&secret),
                ..Default::default()
            },
        )
        .await?
        .ok_or(GqlError::NotFound("webhook"))?;
        audited(p, &mut tx, "webhook.secret_rotated", &updated).await?;
        tx.commit().await?;
        Ok(WebhookWithSecret {
            secret,
            webhook: updated.into(),
        })
    }

    /// Deletes a webhook and its delivery log (owners and admins); answers its ID.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let webhook_id: WebhookId = parse_id(&id, "webhook")?;
        let mut tx = tenant_tx(ctx, p).await?;
        let deleted = webhooks::delete(&mut tx, webhook_id)
            .await?
            .ok_or(GqlError::NotFound("webhook"))?;
        audited(p, &mut tx, "webhook.deleted", &deleted).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Queues a signed test delivery (`TEST`) to an enabled webhook (owners and admins);
    /// follow it with `webhookDelivery(id)` or the webhook's `deliveries`. While a test
    /// of the webhook is still pending, answers that one instead of queueing another.
    async fn test_webhook(&self, ctx: &Context<'_>, id: ID) -> GqlResult<WebhookDeliveryGql> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let webhook_id: WebhookId = parse_id(&id, "webhook")?;
        require_active_plan(ctx, p).await?;
        let mut tx = tenant_tx(ctx, p).await?;
        let webhook = webhooks::get(&mut tx, webhook_id)
            .await?
            .ok_or(GqlError::NotFound("webhook"))?;
        if !webhook.enabled {
            return Err(GqlError::bad_input(
                "the webhook is disabled; enable it to test it",
            ));
        }
        let delivery = webhooks::queue_test(&mut tx, webhook_id).await?;
        tx.commit().await?;
        Ok(delivery.into())
    }
}

/// The URL checked for form and for where its host resolves.
async fn checked_url(ctx: &Context<'_>, raw: &str) -> GqlResult<url::Url> {
    let allow_internal = state(ctx)?.config.webhook_allow_internal;
    let url = parse_target(raw, allow_internal).map_err(|e| GqlError::bad_input(e.to_string()))?;
    check_resolves(&url, allow_internal)
        .await
        .map_err(|e| GqlError::bad_input(e.to_string()))?;
    Ok(url)
}

fn checked_events(events: &[WebhookEventGql]) -> GqlResult<Vec<String>> {
    if events.is_empty() {
        return Err(GqlError::bad_input("events must name at least one event"));
    }
    let mut names: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

fn checked_name(name: &str) -> GqlResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(GqlError::bad_input("name must be 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

/// Records a webhook change in the audit log; the URL stays out (it may hold a token).
async fn audited(
    p: &Principal,
    tx: &mut vigil_core::db::TenantTx,
    action: &str,
    w: &webhooks::Webhook,
) -> GqlResult<()> {
    audit::record(
        tx,
        &p.actor(),
        action,
        Some(&w.name),
        json!({
            "webhook_id": w.webhook_id,
            "host": url::Url::parse(&w.url).ok().and_then(|u| u.host_str().map(str::to_owned)),
            "events": w.events,
            "min_severity": w.min_severity,
            "format": w.format,
            "enabled": w.enabled,
        }),
    )
    .await?;
    Ok(())
}
