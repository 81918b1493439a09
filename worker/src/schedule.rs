//! Periodic work: enqueues recurring jobs. Every worker runs this loop; the jobs'
//! unique keys make the copies harmless (one queued job per key at a time).

use std::time::Duration;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vigil_core::{
    jobs::{self, NewJob},
    tasks::Task,
};

/// Finished jobs are kept this long for inspection.
pub const KEEP_FINISHED_DAYS: u32 = 7;

/// Enqueues the recurring jobs now, then every `every`, until `shutdown`.
pub async fn run(pool: PgPool, every: Duration, shutdown: CancellationToken) {
    loop {
        if let Err(e) = tick(&pool).await {
            tracing::warn!(error = %e, "scheduling recurring jobs failed");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// One pass of the scheduler.
pub async fn tick(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    jobs::enqueue(
        &mut conn,
        NewJob::new(Task::Housekeeping {
            keep_finished_days: KEEP_FINISHED_DAYS,
        })
        .unique("housekeeping"),
    )
    .await?;
    Ok(())
}
