//! Pins the API's transport hardening: a fragment bomb is refused before any exponential
//! work while `/healthz` keeps answering; mutations spend the tenant's rate per root
//! field; WebSocket sessions get the HTTP limits, a `connection_init` deadline, and close
//! when their principal lapses (user removed or demoted, key revoked, token expired);
//! `/metrics` wants a token and introspection is off outside development; the app's
//! policy connects only to its own origin.

use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{
    PASSWORD, TestApp, app_pool, error_code, spawn_app, spawn_app_with, test_config,
};

use crate::{live::Ws, team::member};

fn reason(body: &Value) -> &str {
    body["errors"][0]["extensions"]["reason"]
        .as_str()
        .unwrap_or("")
}

/// Eleven aliased mutation root fields: eleven units, over a burst of ten.
fn eleven_mutations() -> String {
    (0..11)
        .map(|i| {
            format!(
                "m{i}: acknowledgeAlert(id: \"{}\") {{ id }} ",
                uuid::Uuid::nil()
            )
        })
        .collect()
}

/// An app allowing 60 GraphQL units a minute per tenant: a burst of 10.
async fn rate_limited_app(opts: PgConnectOptions) -> TestApp {
    let config = test_config(&[("VIGIL_GRAPHQL_RATE_LIMIT", "60")]);
    spawn_app_with(config, app_pool(opts).await).await
}

/// The API on a runtime of its own (two threads), so that a request that blocks the
/// server's threads cannot also stop the test's clock and client: the test then fails
/// instead of hanging.
struct IsolatedApp {
    addr: std::net::SocketAddr,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl IsolatedApp {
    fn start(opts: PgConnectOptions) -> Self {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let app = rt.block_on(spawn_app(opts));
            addr_tx.send(app.addr).unwrap();
            let _ = stop_rx.recv();
            drop(app);
            // Threads stuck in a request (the old code's 2^40 walk) are abandoned.
            rt.shutdown_background();
        });
        let addr = addr_rx.recv().expect("the API starts");
        Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for IsolatedApp {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_fragment_bomb_is_refused_while_healthz_keeps_answering(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = IsolatedApp::start(opts);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = |path: &str| format!("http://{}{path}", app.addr);
    let signup: Value = http
        .post(url("/api/v1/auth/signup"))
        .json(&json!({ "email": "bomb@example.com", "password": PASSWORD, "organization": "Bomb" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signup["access_token"].as_str().unwrap().to_owned();
    let bomb = vigil_api::graphql::limits::fragment_bomb(40);

    let checks = async {
        // More bombs than the server has threads, with and without a credential.
        let bombs = join_all((0..4).map(|i| {
            let mut req = http.post(url("/graphql")).json(&json!({ "query": bomb }));
            if i % 2 == 1 {
                req = req.bearer_auth(&token);
            }
            async move {
                let resp = req.send().await.expect("the bomb is answered in time");
                assert_eq!(resp.status(), 200);
                let body: Value = resp.json().await.unwrap();
                assert_eq!(
                    error_code(&body).as_deref(),
                    Some("BAD_USER_INPUT"),
                    "{body}"
                );
                assert_eq!(reason(&body), "SIZE_LIMIT", "{body}");
            }
        }));
        let health = async {
            for _ in 0..20 {
                let resp = http
                    .get(url("/healthz"))
                    .send()
                    .await
                    .expect("/healthz answers while bombs are sent");
                assert_eq!(resp.status(), 200);
            }
        };
        futures::join!(bombs, health);
        // And again once they are done: nothing is left running.
        let resp = http.get(url("/healthz")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
    };
    tokio::time::timeout(Duration::from_secs(60), checks)
        .await
        .expect("the checks finish");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_mutation_spends_the_tenant_rate_per_root_field(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = rate_limited_app(opts).await;
    let token = app.signup("rate@example.com", "Rate").await.access_token;
    let post = |query: String| {
        app.http
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .json(&json!({ "query": query }))
            .send()
    };
    // A query is one unit however many root fields it has.
    let fields: String = (0..11).map(|i| format!("q{i}: me {{ email }} ")).collect();
    let resp = post(format!("{{ {fields} }}")).await.unwrap();
    assert_eq!(resp.status(), 200);
    // Eleven aliased mutations in one request are eleven units: more than the burst.
    let fields = eleven_mutations();
    let resp = post(format!("mutation {{ {fields} }}")).await.unwrap();
    assert_eq!(resp.status(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body).as_deref(), Some("RATE_LIMITED"), "{body}");
    // Spread through a fragment at the root they count the same.
    let spread = format!("mutation {{ ...M }} fragment M on Mutation {{ {fields} }}");
    let resp = post(spread).await.unwrap();
    assert_eq!(resp.status(), 429);
}

/// The close code of the next message, failing unless the socket closes within `within`.
async fn closed_with(ws: &mut Ws, within: Duration) -> u16 {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let msg = ws.next(left).await.expect("the socket is closed in time");
        if msg["type"] == "closed" {
            return msg["code"].as_u64().expect("a close code") as u16;
        }
    }
}

/// An app whose WebSockets re-check their credential every 200 ms.
async fn rechecking_app(opts: PgConnectOptions) -> TestApp {
    let config = test_config(&[("VIGIL_WS_RECHECK_INTERVAL", "200ms")]);
    spawn_app_with(config, app_pool(opts).await).await
}

const ALERTS: &str = "subscription { alertRaised { ruleId } }";

#[sqlx::test(migrations = "../migrations")]
async fn a_socket_that_never_sends_connection_init_is_closed(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let config = test_config(&[("VIGIL_WS_INIT_TIMEOUT", "500ms")]);
    let app = spawn_app_with(config, app_pool(opts).await).await;
    let mut ws = Ws::connect(&app).await.unwrap();
    assert_eq!(closed_with(&mut ws, Duration::from_secs(5)).await, 4408);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_removed_or_demoted_users_socket_is_closed(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = rechecking_app(opts).await;
    let owner = app.signup("owner@ws.example", "Ws").await.access_token;
    let leaving = member(&app, &owner, "leaving@ws.example", "ANALYST").await;
    let demoted = member(&app, &owner, "demoted@ws.example", "ADMIN").await;
    let staying = member(&app, &owner, "staying@ws.example", "ANALYST").await;
    let mut sockets = Vec::new();
    for token in [&leaving, &demoted, &staying] {
        let mut ws = Ws::open(&app, token).await.unwrap();
        ws.subscribe("1", ALERTS, json!({})).await;
        sockets.push(ws);
    }
    let users = app
        .graphql_ok(&owner, "{ users { id email } }", json!({}))
        .await;
    let id = |email: &str| {
        users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == email)
            .unwrap()["id"]
            .clone()
    };
    app.graphql_ok(
        &owner,
        "mutation($id: ID!) { removeUser(userId: $id) }",
        json!({ "id": id("leaving@ws.example") }),
    )
    .await;
    app.graphql_ok(
        &owner,
        "mutation($id: ID!) { changeUserRole(userId: $id, role: VIEWER) { id } }",
        json!({ "id": id("demoted@ws.example") }),
    )
    .await;
    let [leaving_ws, demoted_ws, staying_ws] = &mut sockets[..] else {
        unreachable!()
    };
    assert_eq!(closed_with(leaving_ws, Duration::from_secs(5)).await, 4403);
    assert_eq!(closed_with(demoted_ws, Duration::from_secs(5)).await, 4403);
    // A member in good standing keeps the socket through several checks.
    assert_eq!(staying_ws.next(Duration::from_secs(1)).await, None);
    staying_ws
        .subscribe("2", "{ me { email } }", json!({}))
        .await;
    let me = staying_ws.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        me["payload"]["data"]["me"]["email"], "staying@ws.example",
        "{me}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_revoked_api_keys_socket_is_closed(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = rechecking_app(opts).await;
    let owner = app.signup("keys@ws.example", "Keys").await.access_token;
    let created = app
        .graphql_ok(
            &owner,
            "mutation { createApiKey(name: \"siem\", role: VIEWER) { key apiKey { id } } }",
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap();
    let mut ws = Ws::open(&app, key).await.unwrap();
    ws.subscribe("1", ALERTS, json!({})).await;
    assert_eq!(ws.next(Duration::from_millis(600)).await, None);
    app.graphql_ok(
        &owner,
        "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
        json!({ "id": created["createApiKey"]["apiKey"]["id"] }),
    )
    .await;
    assert_eq!(closed_with(&mut ws, Duration::from_secs(5)).await, 4403);
}

#[sqlx::test(migrations = "../migrations")]
async fn websocket_operations_get_the_http_limits(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = rate_limited_app(opts).await;
    let token = app.signup("limits@ws.example", "Limits").await.access_token;
    let mut ws = Ws::open(&app, &token).await.unwrap();
    let refusal = |m: &Value| {
        let e = &m["payload"]["errors"][0]["extensions"];
        (
            e["code"].as_str().unwrap_or("").to_owned(),
            e["reason"].as_str().unwrap_or("").to_owned(),
        )
    };
    // Each answer is followed by its `complete`.
    async fn answer(ws: &mut Ws, id: &str) -> Value {
        loop {
            let m = ws.next(Duration::from_secs(5)).await.expect("an answer");
            if m["id"] == id && m["type"] == "next" {
                return m;
            }
        }
    }

    let aliases: String = (0..60).map(|i| format!("a{i}: me {{ email }} ")).collect();
    ws.subscribe("1", &format!("{{ {aliases} }}"), json!({}))
        .await;
    let m = ws.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        refusal(&m),
        ("BAD_USER_INPUT".into(), "ALIAS_LIMIT".into()),
        "{m}"
    );

    let long = format!("{{ me {{ email }} }} # {}", "x".repeat(40 * 1024));
    ws.subscribe("2", &long, json!({})).await;
    let m = answer(&mut ws, "2").await;
    assert_eq!(
        refusal(&m),
        ("BAD_USER_INPUT".into(), "SIZE_LIMIT".into()),
        "{m}"
    );

    // The burst is 10 units; eleven mutation root fields are over it.
    let fields = eleven_mutations();
    ws.subscribe("3", &format!("mutation {{ {fields} }}"), json!({}))
        .await;
    let m = answer(&mut ws, "3").await;
    assert_eq!(refusal(&m).0, "RATE_LIMITED", "{m}");
    // Within the limits, an operation is answered as over HTTP.
    ws.subscribe("4", "{ me { email } }", json!({})).await;
    let m = answer(&mut ws, "4").await;
    assert_eq!(
        m["payload"]["data"]["me"]["email"], "limits@ws.example",
        "{m}"
    );
}

/// A production-mode app (no development shortcuts) with `overrides`.
async fn production_app(opts: PgConnectOptions, overrides: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("VIGIL_ENV", "production")];
    vars.extend_from_slice(overrides);
    spawn_app_with(test_config(&vars), app_pool(opts).await).await
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_want_the_configured_token_outside_development(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let token = "metrics-token-0123456789";
    let app = production_app(opts.clone(), &[("VIGIL_METRICS_TOKEN", token)]).await;
    let get = |bearer: Option<&str>| {
        let mut req = app.http.get(app.url("/metrics"));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        req.send()
    };
    for wrong in [None, Some("metrics-token-0123456780"), Some("")] {
        let resp = get(wrong).await.unwrap();
        assert_eq!(resp.status(), 401, "{wrong:?}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated", "{body}");
    }
    let resp = get(Some(token)).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("vigil_jobs"));

    // Without a token, production does not serve them at all.
    let closed = production_app(opts, &[]).await;
    let resp = closed
        .http
        .get(closed.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "metrics_disabled", "{body}");
}

#[sqlx::test(migrations = "../migrations")]
async fn introspection_is_off_outside_development_unless_enabled(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let probe = "{ __schema { queryType { name } } }";
    let app = production_app(opts.clone(), &[]).await;
    let body = app.graphql(None, probe, json!({})).await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    assert!(body["data"].is_null(), "{body}");
    // `__typename` is not introspection: clients rely on it.
    let body = app.graphql(None, "{ __typename }", json!({})).await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");

    let enabled = production_app(opts, &[("VIGIL_GRAPHQL_INTROSPECTION", "true")]).await;
    let body = enabled.graphql(None, probe, json!({})).await;
    assert_eq!(
        body["data"]["__schema"]["queryType"]["name"], "Query",
        "{body}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_apps_policy_connects_only_to_its_own_origin(_: PgPoolOptions, opts: PgConnectOptions) {
    let dir = std::env::temp_dir().join(format!("vigil-csp-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Vigil</title>",
    )
    .unwrap();
    let config = test_config(&[
        ("VIGIL_WEB_DIR", dir.to_str().unwrap()),
        ("VIGIL_PUBLIC_URL", "https://vigil.example.com"),
    ]);
    let app = spawn_app_with(config, app_pool(opts).await).await;
    let resp = app.http.get(app.url("/")).send().await.unwrap();
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    let connect = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("connect-src"))
        .unwrap();
    // Not `ws:` or `wss:` alone, which allow any host.
    assert_eq!(
        connect, "connect-src 'self' wss://vigil.example.com",
        "{csp}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_socket_closes_once_its_access_token_expires(_: PgPoolOptions, opts: PgConnectOptions) {
    use vigil_api::auth::tokens::{ACCESS_TTL, JwtKeys};
    let app = rechecking_app(opts).await;
    let owner = app.signup("expiry@ws.example", "Expiry").await.access_token;
    let keys = JwtKeys::new(&vigil_tests::TEST_JWT_SECRET.to_owned().into());
    let claims = keys.verify(&owner).unwrap();
    // Issued so that it expires (past the 30 s leeway) about three seconds from now.
    let issued = chrono::Utc::now() - ACCESS_TTL - chrono::Duration::seconds(27);
    let (token, _) = keys
        .issue(claims.sub, claims.tid, claims.role, issued)
        .unwrap();
    let mut ws = Ws::open(&app, &token).await.unwrap();
    ws.subscribe("1", ALERTS, json!({})).await;
    assert_eq!(closed_with(&mut ws, Duration::from_secs(10)).await, 4403);
}
