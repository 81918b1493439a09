//! The push-delivery loop: every worker reads every connection's push queue continually
//! (SQS long polling, so a message is read within about a second of its arrival). Several
//! workers reading one queue are harmless: SQS hands each message to one reader at a time,
//! and an event read twice is stored once.

use std::{sync::Arc, time::Duration};

use futures::{StreamExt, stream};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vigil_core::store::push;

use crate::{activity::push::IDLE_PAUSE, handler::TaskHandler};

/// Queues read at once by one worker.
const CONCURRENT_QUEUES: usize = 16;

/// Reads the push queues until `shutdown`.
pub async fn run(pool: PgPool, handler: Arc<TaskHandler>, shutdown: CancellationToken) {
    loop {
        let read = tokio::select! {
            _ = shutdown.cancelled() => return,
            read = round(&pool, &handler) => read,
        };
        if read == 0 {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(IDLE_PAUSE) => {}
            }
        }
    }
}

/// One read of every connection's queue; returns how many queues were read without error.
pub async fn round(pool: &PgPool, handler: &TaskHandler) -> usize {
    let accounts = match pool.acquire().await {
        Ok(mut conn) => push::accounts(&mut conn).await,
        Err(e) => Err(e),
    };
    let accounts = match accounts {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "listing push queues failed");
            return 0;
        }
    };
    stream::iter(accounts)
        .map(|(tenant, id)| async move {
            match handler.read_push(tenant, id).await {
                Ok(Some(read)) => {
                    if read.received > 0 {
                        tracing::info!(aws_account_id = %id, received = read.received,
                            stored = read.stored, malformed = read.malformed, "push events read");
                    }
                    1
                }
                Ok(None) => 0,
                Err(e) => {
                    tracing::warn!(aws_account_id = %id, error = %e, "reading the push queue failed");
                    // One failing queue must not spin the loop for the others.
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    0
                }
            }
        })
        .buffer_unordered(CONCURRENT_QUEUES)
        .fold(0, |n, ok| async move { n + ok })
        .await
}
