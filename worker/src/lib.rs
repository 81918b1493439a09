//! Vigil's background worker: claims jobs from the PostgreSQL queue and runs them.

pub mod handler;
pub mod schedule;

use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vigil_core::{
    config::Config,
    db,
    jobs::{Queue, Runner, RunnerOptions},
};

pub use handler::TaskHandler;

/// A unique name for this worker process, written into the leases it holds.
pub fn worker_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().to_string()[..8]
    )
}

/// Runner settings derived from the configuration.
pub fn runner_options(config: &Config) -> RunnerOptions {
    RunnerOptions {
        concurrency: config.worker_concurrency,
        shutdown_grace: config.shutdown_grace,
        ..RunnerOptions::default()
    }
}

/// Runs the worker until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let pool = db::connect_app_pool(
        db::connect_options(&config)?,
        config.database_max_connections,
    )
    .await
    .context("connecting to the database")?;
    run_with_pool(config, pool, shutdown).await
}

/// Runs the worker on an existing application pool (tests pass their own).
pub async fn run_with_pool(
    config: Config,
    pool: PgPool,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let queue = Queue::new(pool.clone(), worker_id(), config.job_lease);
    let scheduler = tokio::spawn(schedule::run(
        pool.clone(),
        Duration::from_secs(3600),
        shutdown.clone(),
    ));
    let runner = Runner::new(queue, TaskHandler::new(pool), runner_options(&config));
    let result = runner.run(shutdown.clone()).await;
    shutdown.cancel();
    let _ = scheduler.await;
    result.context("job runner failed")
}
