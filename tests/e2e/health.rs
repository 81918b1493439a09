//! Pins the operational endpoints: liveness, readiness, metrics, and JSON 404s.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{spawn_app, spawn_app_with, test_config};

#[sqlx::test(migrations = "../migrations")]
async fn healthz_and_readyz_answer_200_with_a_database(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app(opts).await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn readyz_answers_503_when_the_database_does_not(_: PgPoolOptions, opts: PgConnectOptions) {
    // A pool aimed at a port where nothing listens: the process lives, the database is gone.
    let unreachable = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(1))
        .connect_lazy_with(opts.port(1));
    let app = spawn_app_with(test_config(&[]), unreachable).await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["error"]["code"], "database_unavailable");
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_expose_request_counts_latencies_and_jobs_by_state(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    sqlx::query(
        "insert into jobs (kind, payload) values ('housekeeping', '{}'), ('housekeeping', '{}')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    app.http.get(app.url("/healthz")).send().await.unwrap();
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines().any(
            |l| l.starts_with("vigil_http_requests_total{") && l.contains("route=\"/healthz\"")
        ),
        "{text}"
    );
    assert!(
        text.contains("vigil_http_request_duration_seconds"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l == "vigil_jobs{state=\"queued\"} 2"),
        "{text}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_paths_answer_a_json_404(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app(opts).await;
    let resp = app
        .http
        .get(app.url("/no/such/thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_web_app_is_served_with_client_side_routes_but_api_paths_stay_404(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let dir = std::env::temp_dir().join(format!("vigil-web-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Vigil app</title>",
    )
    .unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log('vigil')").unwrap();
    let config = test_config(&[("VIGIL_WEB_DIR", dir.to_str().unwrap())]);
    let app = spawn_app_with(config, vigil_tests::app_pool(opts).await).await;

    for route in ["/", "/findings", "/settings/api-keys"] {
        let resp = app.http.get(app.url(route)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{route}");
        let csp = resp.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert_eq!(resp.headers()["x-frame-options"], "DENY");
        assert!(resp.text().await.unwrap().contains("Vigil app"), "{route}");
    }
    let js = app
        .http
        .get(app.url("/assets/app.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(js.text().await.unwrap(), "console.log('vigil')");

    // API paths and non-GET requests never fall through to the app.
    for (method, route) in [
        (reqwest::Method::GET, "/api/v1/no-such-endpoint"),
        (reqwest::Method::GET, "/graphql/nope"),
        (reqwest::Method::POST, "/findings"),
    ] {
        let resp = app
            .http
            .request(method, app.url(route))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{route}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{route}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
