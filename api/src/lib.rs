//! Vigil's HTTP surface. `main.rs` parses the command line and configuration, then
//! calls [`Application`]; everything testable lives here.

pub mod auth;
pub mod client_ip;
pub mod connect;
pub mod error;
pub mod graphql;
pub mod http;
pub mod input;
pub mod live;
pub mod state;

use std::net::SocketAddr;

use anyhow::Context;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use vigil_core::{aws::ServiceIdentity, clock::Clock, config::Config, db};

pub use state::AppState;

/// A bound, ready-to-serve API server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the database (applying migrations unless disabled) and binds
    /// `VIGIL_LISTEN`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let options = db::connect_options(&config)?;
        if config.migrate_on_start {
            db::migrate(options.clone())
                .await
                .context("applying database migrations")?;
        }
        let pool = db::connect_app_pool(options, config.database_max_connections)
            .await
            .context("connecting to the database")?;
        Self::with_pool(config, pool).await
    }

    /// Binds `VIGIL_LISTEN` with an existing application pool (tests pass their own).
    pub async fn with_pool(config: Config, pool: PgPool) -> anyhow::Result<Self> {
        let aws = ServiceIdentity::from_env(config.trusted_principal_arn.clone()).await;
        Self::with_parts(config, pool, Clock::system(), aws).await
    }

    /// Binds `VIGIL_LISTEN` with an existing pool, clock and AWS identity (tests move
    /// the clock and aim AWS at the emulator).
    pub async fn with_parts(
        config: Config,
        pool: PgPool,
        clock: Clock,
        aws: ServiceIdentity,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding VIGIL_LISTEN={}", config.listen))?;
        auth::password::prepare().await;
        Ok(Self {
            listener,
            state: AppState::new(pool, config, clock, aws),
        })
    }

    /// The address actually bound (port 0 picks a free one).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The shared state, for tests that want to reach the pool.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` is cancelled, then finishes in-flight requests.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        // The principal customers' roles trust is needed by the first `createAwsAccount`:
        // discover it now rather than on a customer's request (a failure is logged, and
        // that request tries again).
        let aws = self.state.aws.clone();
        tokio::spawn(async move {
            if let Err(e) = aws.principal_arn().await {
                tracing::warn!(error = %e, "Vigil's own AWS identity could not be determined yet");
            }
        });
        let (auth_limits, graphql_limits, sts_limits) = (
            self.state.auth_limits.clone(),
            self.state.graphql_limits.clone(),
            self.state.sts_limits.clone(),
        );
        tokio::spawn(auth::limits::sweep(
            move || {
                auth_limits.forget_idle();
                graphql_limits.forget_idle();
                sts_limits.forget_idle();
            },
            std::time::Duration::from_secs(60),
            shutdown.clone(),
        ));
        tokio::spawn(
            self.state
                .live
                .clone()
                .run(self.state.pool.clone(), shutdown.clone()),
        );
        let router = http::router(self.state);
        tracing::info!(addr = %self.listener.local_addr()?, "vigil-api listening");
        axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await?;
        Ok(())
    }
}
