//! Helpers for Vigil's end-to-end tests: start the API on a free port against a test
//! database, and wait on conditions with a deadline instead of sleeping.

use std::{future::Future, net::SocketAddr, time::Duration};

use sqlx::{PgPool, postgres::PgConnectOptions};
use tokio_util::sync::CancellationToken;
use vigil_api::Application;
use vigil_core::{config::Config, db};

/// A configuration for tests: development mode, a free port, the given overrides.
pub fn test_config(overrides: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> = vec![
        (
            "DATABASE_URL".into(),
            "postgres://unused-in-tests@127.0.0.1/unused".into(),
        ),
        ("VIGIL_ENV".into(), "dev".into()),
        ("VIGIL_LISTEN".into(), "127.0.0.1:0".into()),
        ("VIGIL_MIGRATE_ON_START".into(), "false".into()),
        ("VIGIL_LOG_FORMAT".into(), "pretty".into()),
    ];
    for (k, v) in overrides {
        vars.retain(|(name, _)| name != k);
        vars.push(((*k).into(), (*v).into()));
    }
    Config::from_source(&MapSource(vars)).expect("valid test configuration")
}

struct MapSource(Vec<(String, String)>);

impl vigil_core::config::VarSource for MapSource {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// A running API server, stopped when dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
}

impl TestApp {
    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The application pool (connections run as `vigil_app`) for a test database.
pub async fn app_pool(opts: PgConnectOptions) -> PgPool {
    db::connect_app_pool(opts, 8).await.expect("app pool")
}

/// Starts the API with `config` on a test database.
pub async fn spawn_app_with(config: Config, pool: PgPool) -> TestApp {
    vigil_core::telemetry::init(config.log_format);
    let app = Application::with_pool(config, pool.clone())
        .await
        .expect("API builds");
    let addr = app.local_addr();
    let shutdown = CancellationToken::new();
    tokio::spawn(app.run_until_stopped(shutdown.clone()));
    TestApp {
        addr,
        pool,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client"),
        shutdown,
    }
}

/// Starts the API with the default test configuration.
pub async fn spawn_app(opts: PgConnectOptions) -> TestApp {
    spawn_app_with(test_config(&[]), app_pool(opts).await).await
}

/// Polls `check` until it returns true, failing the test after `within`.
pub async fn wait_until<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
