//! Dispatches each [`Task`] to the code that does it.

use std::time::Duration;

use sqlx::PgPool;
use vigil_core::{
    jobs::{self, Handler, JobContext, JobError},
    tasks::Task,
};

/// The worker's handler for every product task.
pub struct TaskHandler {
    pool: PgPool,
}

impl TaskHandler {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl Handler for TaskHandler {
    type Payload = Task;

    async fn handle(&self, _ctx: JobContext, task: Task) -> Result<(), JobError> {
        match task {
            Task::Housekeeping { keep_finished_days } => {
                let age = Duration::from_secs(u64::from(keep_finished_days) * 86_400);
                let deleted = jobs::prune_finished(&self.pool, age)
                    .await
                    .map_err(|e| JobError::Retry(e.into()))?;
                tracing::info!(deleted, "pruned finished jobs");
                Ok(())
            }
        }
    }
}
