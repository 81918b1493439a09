//! Push delivery: reads the connection's SQS queue, which an EventBridge rule in the
//! customer's account fills with the account's CloudTrail management events (detail type
//! `AWS API Call via CloudTrail`), within seconds of each call instead of CloudTrail's
//! ~5-minute file delivery. Each message's `detail` is the CloudTrail record the trail
//! files hold; the batch is stored and evaluated through the same commit as the other
//! paths (the event ID keeps an event once, whichever path brings it first), and the
//! messages are deleted only after that commit: a crash re-delivers them, never loses them.

use std::{sync::Arc, time::Duration};

use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::Value;
use sqlx::PgPool;
use vigil_core::{
    aws::session::RoleSession, clock::Clock, jobs::JobError, store::aws_accounts::AwsAccount,
    store::push,
};
use vigil_detect::Rule;

use super::{Closing, Prepared, record, retry};
use crate::settings::Settings;

/// The ingestion problem kind of messages that are not this account's CloudTrail events.
pub const MESSAGES_MALFORMED: &str = "push_messages_malformed";
/// Receives per read at most (10 messages each, SQS's maximum): a backlog is worked off in
/// reads of this size, each committed before the next.
const RECEIVES_PER_READ: usize = 10;

/// What one read of a push queue did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PushRead {
    /// Messages received.
    pub received: u64,
    /// Events stored that no path had stored before.
    pub stored: u64,
    /// Messages kept out (not a CloudTrail event of this account).
    pub malformed: u64,
}

/// Why a message is not one of this account's CloudTrail events (completes "a message ...").
fn event_of(body: &str, account_id: &str) -> Result<Value, String> {
    let envelope: Value = serde_json::from_str(body).map_err(|_| "is not JSON".to_owned())?;
    let detail_type = envelope["detail-type"].as_str().unwrap_or_default();
    if !detail_type.ends_with("via CloudTrail") {
        return Err(format!(
            "is not a CloudTrail event (detail-type {detail_type:?})"
        ));
    }
    let account = envelope["account"].as_str().unwrap_or_default();
    let detail = envelope.get("detail").cloned().unwrap_or(Value::Null);
    let recipient = detail["recipientAccountId"].as_str().unwrap_or(account);
    if account != account_id || recipient != account_id {
        return Err("is from another AWS account".to_owned());
    }
    Ok(detail)
}

/// Reads the connection's push queue: up to [`RECEIVES_PER_READ`] receives, each waiting
/// up to `settings.push_wait` for messages, committed and then deleted. `None` when the
/// connection has no push queue (or no account yet).
pub async fn read(
    pool: &PgPool,
    clock: &Clock,
    account: &AwsAccount,
    session: &Arc<RoleSession>,
    settings: &Settings,
    rules: &[Rule],
) -> Result<Option<PushRead>, JobError> {
    let mut tx = vigil_core::db::begin_tenant(pool, account.tenant_id)
        .await
        .map_err(retry)?;
    let url = push::queue_url(&mut tx, account.aws_account_id)
        .await
        .map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    let Some(queue) = url.as_deref().and_then(push::parse_queue_url) else {
        return Ok(None);
    };
    let Some(prepared) = Prepared::new(
        pool,
        clock,
        account,
        &session.target().session_name,
        settings,
        rules,
    )
    .await?
    else {
        return Ok(None);
    };
    let ctx = prepared.ctx();
    let sqs = aws_sdk_sqs::Client::new(&session.sdk_config(&queue.region));
    let url = url.unwrap_or_default();
    let wait = i32::try_from(settings.push_wait.as_secs().min(20)).unwrap_or(20);
    let mut total = PushRead::default();
    for _ in 0..RECEIVES_PER_READ {
        let out = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait)
            .send()
            .await
            .map_err(|e| {
                retry(anyhow::anyhow!(
                    "receiving from the push queue: {}",
                    DisplayErrorContext(&e)
                ))
            })?;
        let messages = out.messages();
        if messages.is_empty() {
            break;
        }
        let mut batch = Vec::new();
        let mut malformed = 0u64;
        let mut why = None;
        for m in messages {
            let parsed = event_of(m.body().unwrap_or_default(), ctx.account_id).and_then(|raw| {
                record::normalize(raw, ctx.own_arn).map_err(|e| format!("has a record that {e}"))
            });
            match parsed {
                Ok(event) => batch.push(event),
                Err(reason) => {
                    malformed += 1;
                    why.get_or_insert(reason);
                }
            }
        }
        let (batch, outside) = ctx.window.split(batch);
        let message = why.map(|reason| {
            format!(
                "{malformed} message(s) on the push queue were kept out: a message {reason}. \
                 Only the EventBridge rule of Vigil's template should send to this queue: \
                 check what else does."
            )
        });
        let closing = Closing {
            outside,
            malformed: message.as_deref().map(|m| (malformed, m)),
            malformed_kind: Some(MESSAGES_MALFORMED),
            ..Closing::default()
        };
        let stored = ctx.commit(&batch, closing).await?;
        // Committed: now the messages may go (kept-out ones too: they are recorded). A
        // failed delete only means they come back, and their event IDs are stored.
        let handles: Vec<(usize, &str)> = messages
            .iter()
            .filter_map(|m| m.receipt_handle())
            .enumerate()
            .collect();
        let entries: Vec<_> = handles
            .iter()
            .filter_map(|(i, h)| {
                aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(*h)
                    .build()
                    .ok()
            })
            .collect();
        if let Err(e) = sqs
            .delete_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            tracing::warn!(error = %DisplayErrorContext(&e), "push messages not deleted; they will be read again");
        }
        total.received += messages.len() as u64;
        total.stored += stored;
        total.malformed += malformed;
        if messages.len() < 10 {
            break;
        }
    }
    Ok(Some(total))
}

/// Pause between polling rounds when a round found nothing to read (no connection with a
/// queue, or all failed): the reads themselves wait on SQS otherwise.
pub const IDLE_PAUSE: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cloudtrail_events_of_the_account_are_taken() {
        let ok = serde_json::json!({ "detail-type": "AWS API Call via CloudTrail", "account": "111111111111",
            "detail": { "eventID": "e", "recipientAccountId": "111111111111" } });
        assert_eq!(
            event_of(&ok.to_string(), "111111111111").unwrap()["eventID"],
            "e"
        );
        assert_eq!(event_of("{", "111111111111").unwrap_err(), "is not JSON");
        assert!(
            event_of(&ok.to_string(), "222222222222")
                .unwrap_err()
                .contains("another")
        );
        let other = serde_json::json!({ "detail-type": "Scheduled Event", "account": "111111111111", "detail": {} });
        assert!(
            event_of(&other.to_string(), "111111111111")
                .unwrap_err()
                .contains("not a CloudTrail")
        );
    }
}
