//! Vigil's background worker: claims jobs from the PostgreSQL queue and runs them.

pub mod activity;
pub mod handler;
pub mod organization;
pub mod push;
pub mod scan;
pub mod schedule;
pub mod settings;
pub mod webhooks;

use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vigil_core::{
    aws::{ServiceIdentity, session::Sessions},
    clock::Clock,
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

/// Credentials are refreshed this long before they expire.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// The `vigil-worker` process: configuration from the environment, logs, then [`run`]
/// until SIGTERM or SIGINT. (A function, so that the end-to-end tests' own worker binary is
/// this very process: they kill it with SIGKILL.)
pub fn main_from_env() -> std::process::ExitCode {
    use std::process::ExitCode;
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vigil-worker: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vigil-worker: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        vigil_core::telemetry::init(config.log_format);
        let shutdown = CancellationToken::new();
        let signal = shutdown.clone();
        tokio::spawn(async move {
            vigil_core::shutdown::signalled().await;
            signal.cancel();
        });
        match run(config, shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "vigil-worker failed");
                eprintln!("vigil-worker: {e:#}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Runs the worker until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let pool = db::connect_app_pool(
        db::connect_options(&config)?,
        config.database_max_connections,
    )
    .await
    .context("connecting to the database")?;
    let aws = ServiceIdentity::from_env(config.trusted_principal_arn.clone()).await;
    run_with(config, pool, Clock::system(), aws, shutdown).await
}

/// Runs the worker with an existing pool, clock and AWS identity (tests pass their own).
pub async fn run_with(
    config: Config,
    pool: PgPool,
    clock: Clock,
    aws: ServiceIdentity,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let queue = Queue::new(pool.clone(), worker_id(), config.job_lease);
    let schedule = schedule::Schedule {
        pool: pool.clone(),
        clock: clock.clone(),
        scan_interval: config.scan_interval,
        ingest_interval: config.ingest_interval,
        organization_sync_interval: config.organization_sync_interval,
    };
    let scheduler = tokio::spawn(schedule::run(schedule, shutdown.clone()));
    let sessions = Sessions::new(aws.config.clone(), REFRESH_BEFORE_EXPIRY);
    let settings = settings::Settings::from_config(&config);
    let pusher = tokio::spawn(push::run(
        pool.clone(),
        std::sync::Arc::new(
            TaskHandler::new(pool.clone(), sessions.clone(), clock.clone())
                .with_settings(settings.clone()),
        ),
        shutdown.clone(),
    ));
    let runner = Runner::new(
        queue,
        TaskHandler::new(pool, sessions, clock).with_settings(settings),
        runner_options(&config),
    );
    let result = runner.run(shutdown.clone()).await;
    shutdown.cancel();
    let _ = scheduler.await;
    let _ = pusher.await;
    result.context("job runner failed")
}
