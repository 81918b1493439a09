//! Helpers for Vigil's end-to-end tests: start the API on a free port against a test
//! database, and wait on conditions with a deadline instead of sleeping.

/// Written (held alone) by the tests that load the shared emulator hard for many seconds
/// (worker processes killed mid-read, an organisation of 21 accounts scanned at once); read
/// by the tests whose single requests make many STS calls (organisation verifications).
/// The emulator is one Python process: beside a heavy test, one verification request was
/// seen to wait past the API's 15 s limit, so these never overlap.
pub static EMULATOR_HEAVY: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

pub mod emulator;

use std::{future::Future, net::SocketAddr, time::Duration};

use serde_json::{Value, json};
use sqlx::{PgPool, postgres::PgConnectOptions};
use tokio_util::sync::CancellationToken;
use vigil_api::Application;
use vigil_core::{
    aws::{ServiceIdentity, session::Sessions},
    clock::Clock,
    config::Config,
    db,
    jobs::{Queue, Runner, RunnerOptions},
};
use vigil_worker::TaskHandler;

/// The JWT secret of test configurations, so tests can forge tokens to attack with.
pub const TEST_JWT_SECRET: &str = "vigil-test-jwt-secret-0123456789abcdef";

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
        ("VIGIL_JWT_SECRET".into(), TEST_JWT_SECRET.into()),
        ("VIGIL_AUTH_RATE_LIMIT".into(), "1000".into()),
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
    /// The API's clock: advance it to move past a trial's end.
    pub clock: Clock,
    shutdown: CancellationToken,
}

/// Tokens answered by sign-up, login and refresh.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    pub expires_in: i64,
}

/// A strong password tests use.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs JSON to a REST path; returns the status and the JSON body (null if none).
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Signs up a new tenant; panics unless it succeeds.
    pub async fn signup(&self, email: &str, organization: &str) -> Tokens {
        let (status, body) = self
            .post_json(
                "/api/v1/auth/signup",
                &json!({ "email": email, "password": PASSWORD, "organization": organization }),
            )
            .await;
        assert_eq!(status, 201, "signup failed: {body}");
        serde_json::from_value(body).expect("token response")
    }

    /// Logs in; panics unless it succeeds.
    pub async fn login(&self, email: &str, password: &str) -> Tokens {
        let (status, body) = self
            .post_json(
                "/api/v1/auth/login",
                &json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(status, 200, "login failed: {body}");
        serde_json::from_value(body).expect("token response")
    }

    /// Runs a GraphQL operation with an optional bearer credential; returns the whole
    /// response (`data` and `errors`).
    pub async fn graphql(&self, bearer: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.expect("request");
        assert!(
            resp.status().as_u16() < 500,
            "GraphQL answered {}",
            resp.status()
        );
        resp.json().await.expect("GraphQL JSON")
    }

    /// Runs a GraphQL operation that must succeed; returns `data`.
    pub async fn graphql_ok(&self, bearer: &str, query: &str, variables: Value) -> Value {
        let body = self.graphql(Some(bearer), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }
}

/// A worker (the real task handler) on the app's database, assuming customers' roles as
/// Vigil's identity in the shared emulator and sharing the app's clock. Tests call
/// `drain()` to run every queued job.
pub fn emulator_worker(app: &TestApp) -> Runner<TaskHandler> {
    emulator_worker_with(app, vigil_worker::handler::Settings::default())
}

/// [`emulator_worker`] with other work settings (backfill, learning period...).
pub fn emulator_worker_with(
    app: &TestApp,
    settings: vigil_worker::handler::Settings,
) -> Runner<TaskHandler> {
    emulator_worker_full(
        app,
        settings,
        RunnerOptions {
            concurrency: 2,
            ..RunnerOptions::default()
        },
    )
}

/// [`emulator_worker`] with other work settings and runner options (short backoffs...).
pub fn emulator_worker_full(
    app: &TestApp,
    settings: vigil_worker::handler::Settings,
    options: RunnerOptions,
) -> Runner<TaskHandler> {
    let sessions = Sessions::new(
        emulator::Emulator::shared().management_base(),
        vigil_worker::REFRESH_BEFORE_EXPIRY,
    );
    Runner::new(
        Queue::new(app.pool.clone(), "test-worker", Duration::from_secs(60)),
        TaskHandler::new(app.pool.clone(), sessions, app.clock.clone()).with_settings(settings),
        options,
    )
}

/// The `extensions.code` of a GraphQL response's first error, if any.
pub fn error_code(body: &Value) -> Option<String> {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
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

/// An AWS identity for tests that make no AWS call: fixed region, no credentials chain
/// (which could otherwise probe the instance metadata service).
pub fn offline_aws() -> ServiceIdentity {
    let config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new("us-east-1"))
        .build();
    ServiceIdentity::new(
        config,
        Some("arn:aws:iam::123456789012:role/VigilService".into()),
    )
}

/// Starts the API with `config` on a test database, without AWS.
pub async fn spawn_app_with(config: Config, pool: PgPool) -> TestApp {
    spawn_app_full(config, pool, offline_aws()).await
}

/// Starts the API with `config`, a test database and an AWS identity.
pub async fn spawn_app_full(config: Config, pool: PgPool, aws: ServiceIdentity) -> TestApp {
    vigil_core::telemetry::init(config.log_format);
    let clock = Clock::system();
    let app = Application::with_parts(config, pool.clone(), clock.clone(), aws)
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
        clock,
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
