//! Sends webhook deliveries: the event's body is built once (later attempts resend the same
//! bytes), signed the Standard Webhooks way, and posted by a client that only connects to
//! public addresses, follows no redirects and uses no proxy. Each attempt is written to the
//! delivery log; the job queue's retries and backoff are the delivery's.

use std::{sync::Arc, time::Duration};

use anyhow::anyhow;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::json;
use sqlx::PgPool;
use vigil_core::{
    clock::Clock,
    db::{self, TenantTx},
    ids::{AwsAccountId, FindingId, ScanId, TenantId, WebhookDeliveryId},
    jobs::{JobContext, JobError},
    render,
    store::{
        alerts, aws_accounts, findings, scans,
        webhooks::{self, Attempt, Delivery},
    },
    webhooks::{TEST_EVENT, TargetError, parse_target, resolve},
};
use vigil_domain::DeliveryStatus;

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Resolves names for the webhook client, refusing internal addresses: checking at
/// connection time is what defeats a name re-pointed after the URL was accepted.
struct PublicOnly {
    allow_internal: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_internal = self.allow_internal;
        Box::pin(async move {
            let addrs = resolve(name.as_str(), 0, allow_internal).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Posts deliveries.
pub struct Sender {
    client: reqwest::Client,
    allow_internal: bool,
    /// Where the web app is, for links in payloads.
    public_url: String,
}

impl Sender {
    /// A sender; `allow_internal` is the operator's `VIGIL_WEBHOOK_ALLOW_INTERNAL`.
    pub fn new(allow_internal: bool, public_url: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly { allow_internal }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("Vigil-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow_internal,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Makes one attempt at a delivery and records it.
    pub async fn deliver(
        &self,
        pool: &PgPool,
        clock: &Clock,
        ctx: &JobContext,
        tenant: TenantId,
        id: WebhookDeliveryId,
    ) -> Result<(), JobError> {
        let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
        let Some((delivery, target)) = webhooks::target(&mut tx, id).await.map_err(retry)? else {
            return Ok(()); // the webhook was deleted, and its log with it
        };
        if delivery.status != DeliveryStatus::Pending {
            return Ok(());
        }
        if !target.enabled {
            finish(
                &mut tx,
                id,
                clock,
                DeliveryStatus::Failed,
                None,
                Some("the webhook was disabled"),
            )
            .await?;
            return tx.commit().await.map_err(retry);
        }
        let body = match &delivery.body {
            Some(body) => body.clone(),
            None => match self.body(&mut tx, &delivery, &target.format).await? {
                Some(body) => {
                    webhooks::set_body(&mut tx, id, &body)
                        .await
                        .map_err(retry)?;
                    body
                }
                None => {
                    let gone = format!(
                        "the {} was deleted before it could be sent",
                        subject_kind(&delivery.event)
                    );
                    finish(
                        &mut tx,
                        id,
                        clock,
                        DeliveryStatus::Failed,
                        None,
                        Some(&gone),
                    )
                    .await?;
                    return tx.commit().await.map_err(retry);
                }
            },
        };
        tx.commit().await.map_err(retry)?;

        let outcome = self
            .post(&target.url, &target.secret, &delivery, &body, clock)
            .await;
        let last = ctx.attempt >= ctx.max_attempts;
        let mut conn = db::begin_tenant(pool, tenant).await.map_err(retry)?;
        let result = match outcome {
            Ok(code) => {
                finish(
                    &mut conn,
                    id,
                    clock,
                    DeliveryStatus::Succeeded,
                    Some(code),
                    None,
                )
                .await?;
                Ok(())
            }
            Err(Failure {
                code,
                message,
                permanent,
            }) => {
                let status = if last || permanent {
                    DeliveryStatus::Failed
                } else {
                    DeliveryStatus::Pending
                };
                finish(&mut conn, id, clock, status, code, Some(&message)).await?;
                Err(if permanent {
                    JobError::Permanent(anyhow!(message))
                } else {
                    JobError::Retry(anyhow!(message))
                })
            }
        };
        conn.commit().await.map_err(retry)?;
        tracing::info!(
            delivery_id = %id,
            webhook_id = %delivery.webhook_id,
            event = %delivery.event,
            attempt = ctx.attempt,
            ok = result.is_ok(),
            "webhook delivery attempted"
        );
        result
    }

    /// Sends the signed request; answers the 2xx status. Errors never carry the URL (it
    /// may hold a token).
    async fn post(
        &self,
        url: &str,
        secret: &str,
        delivery: &Delivery,
        body: &str,
        clock: &Clock,
    ) -> Result<i32, Failure> {
        let url = parse_target(url, self.allow_internal).map_err(Failure::refused)?;
        let message_id = delivery.delivery_id.to_string();
        let timestamp = clock.now().timestamp();
        let signature = standardwebhooks::Webhook::new(secret)
            .and_then(|w| w.sign(&message_id, timestamp, body.as_bytes()))
            .map_err(|_| {
                Failure::permanent("the webhook's signing secret is unusable; rotate it")
            })?;
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .header("vigil-event", &delivery.event)
            .body(body.to_owned())
            .send()
            .await
            .map_err(Failure::transport)?;
        let status = response.status();
        if status.is_success() {
            return Ok(i32::from(status.as_u16()));
        }
        Err(Failure {
            code: Some(i32::from(status.as_u16())),
            message: format!("the receiver answered HTTP {}", status.as_u16()),
            permanent: false,
        })
    }

    /// The body of a delivery, or `None` when its subject no longer exists.
    async fn body(
        &self,
        tx: &mut TenantTx,
        d: &Delivery,
        format: &str,
    ) -> Result<Option<String>, JobError> {
        let tenant = d.tenant_id;
        let (key, data, summary, link) = match (d.event.as_str(), d.subject_id) {
            (TEST_EVENT, _) | (_, None) => (
                "test",
                json!({ "message": "A test delivery from Vigil: this webhook works." }),
                "Test delivery from Vigil: this webhook works.".to_owned(),
                format!("{}/settings/webhooks", self.public_url),
            ),
            ("ALERT_RAISED", Some(id)) => {
                let Some(a) = alerts::get(tx, id).await.map_err(retry)? else {
                    return Ok(None);
                };
                let account = account_id(tx, a.aws_account_id).await?;
                let summary = format!(
                    "{} alert: {} ({} in {}{})",
                    a.severity.as_str().to_uppercase(),
                    a.title,
                    a.principal_arn.as_deref().unwrap_or("unknown principal"),
                    account,
                    a.source_ip
                        .as_deref()
                        .map(|ip| format!(", from {ip}"))
                        .unwrap_or_default(),
                );
                let link = format!("{}/alerts/{}", self.public_url, a.alert_id);
                ("alert", render::alert_json(&a, &account), summary, link)
            }
            ("FINDING_OPENED" | "FINDING_RESOLVED", Some(id)) => {
                let Some(f) = findings::get(tx, FindingId(id)).await.map_err(retry)? else {
                    return Ok(None);
                };
                let account = account_id(tx, f.aws_account_id).await?;
                let data = render::finding_json(&f, &account);
                let verb = if d.event == "FINDING_OPENED" {
                    "opened"
                } else {
                    "resolved"
                };
                let summary = format!(
                    "{} finding {verb}: {} on {} ({}, {})",
                    f.severity.as_str().to_uppercase(),
                    data["title"].as_str().unwrap_or(&f.rule_id),
                    f.resource_id,
                    account,
                    f.region,
                );
                let link = format!("{}/findings/{}", self.public_url, f.finding_id);
                ("finding", data, summary, link)
            }
            (_, Some(id)) => {
                let Some(s) = scans::get(tx, ScanId(id)).await.map_err(retry)? else {
                    return Ok(None);
                };
                let account = account_id(tx, s.aws_account_id).await?;
                let summary = format!(
                    "Scan of {account} finished {}: {} findings opened, {} resolved",
                    s.status.as_str().to_uppercase(),
                    s.findings_opened,
                    s.findings_resolved,
                );
                let link = format!("{}/accounts", self.public_url);
                ("scan", render::scan_json(&s, &account), summary, link)
            }
        };
        let body = if format == "slack" {
            json!({ "text": format!("{} <{}|Open in Vigil>", slack_escape(&summary), link) })
        } else {
            json!({
                "id": d.delivery_id.to_string(),
                "type": d.event,
                "timestamp": d.created_at,
                "tenantId": tenant.to_string(),
                "url": link,
                "data": { key: data },
            })
        };
        Ok(Some(body.to_string()))
    }
}

/// Why an attempt failed, without the URL.
struct Failure {
    code: Option<i32>,
    message: String,
    /// Retrying cannot help (the target is refused).
    permanent: bool,
}

impl Failure {
    fn permanent(message: &str) -> Self {
        Self {
            code: None,
            message: message.to_owned(),
            permanent: true,
        }
    }

    fn refused(e: TargetError) -> Self {
        Self::permanent(&e.to_string())
    }

    fn transport(e: reqwest::Error) -> Self {
        // The resolver's refusal arrives wrapped in a connect error.
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        while let Some(err) = source {
            if let Some(refused) = err.downcast_ref::<TargetError>() {
                return Self::refused(refused.clone());
            }
            source = err.source();
        }
        let message = if e.is_timeout() {
            format!("no answer within {} s", TIMEOUT.as_secs())
        } else if e.is_connect() {
            "could not connect to the receiver".to_owned()
        } else {
            format!("the request failed: {}", e.without_url())
        };
        Self {
            code: None,
            message,
            permanent: false,
        }
    }
}

async fn finish(
    tx: &mut TenantTx,
    id: WebhookDeliveryId,
    clock: &Clock,
    status: DeliveryStatus,
    response_code: Option<i32>,
    error: Option<&str>,
) -> Result<(), JobError> {
    webhooks::record_attempt(
        tx,
        id,
        Attempt {
            at: clock.now(),
            status,
            response_code,
            error,
        },
    )
    .await
    .map_err(retry)
}

async fn account_id(tx: &mut TenantTx, id: AwsAccountId) -> Result<String, JobError> {
    Ok(aws_accounts::get(tx, id)
        .await
        .map_err(retry)?
        .and_then(|a| a.account_id)
        .unwrap_or_default())
}

fn subject_kind(event: &str) -> &'static str {
    match event {
        "ALERT_RAISED" => "alert",
        "SCAN_FINISHED" => "scan",
        _ => "finding",
    }
}

/// Slack's three control characters in message text.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn retry(e: impl Into<anyhow::Error>) -> JobError {
    JobError::Retry(e.into())
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;

    #[test]
    fn slack_text_cannot_inject_links_or_mentions() {
        assert_eq!(
            slack_escape("<!channel> & <https://evil|click>"),
            "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"
        );
    }

    #[tokio::test]
    async fn the_client_refuses_names_of_internal_addresses() {
        let resolver = PublicOnly {
            allow_internal: false,
        };
        let name: Name = "localhost".parse().unwrap();
        let err = match resolver.resolve(name).await {
            Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<SocketAddr>>()),
            Err(e) => e,
        };
        assert!(err.downcast_ref::<TargetError>().is_some(), "{err}");
    }
}
