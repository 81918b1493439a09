//! Pins webhooks end to end against a receiver on loopback: deliveries carry Standard
//! Webhooks signatures that the project's own library verifies, a receiver answering 500
//! gets the same body again after a backoff, a scan and an attack in a connected account
//! reach their tenant's receiver (filtered by severity) and never another tenant's,
//! internal targets are refused by the API and again by the worker at connection time,
//! and another tenant's webhook IDs read as absent.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, extract::State, http::HeaderMap, routing::post};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio_util::sync::CancellationToken;
use vigil_core::jobs::RunnerOptions;
use vigil_tests::{
    TestApp, app_pool, emulator::random_account_id, emulator_worker_full, error_code,
    spawn_app_with, test_config, wait_until,
};
use vigil_worker::handler::Settings;

use crate::activity::connected_with;

const ALLOW_INTERNAL: &[(&str, &str)] = &[("VIGIL_WEBHOOK_ALLOW_INTERNAL", "true")];

const CREATE: &str =
    "mutation($url: String!, $events: [WebhookEvent!]!, $min: Severity, $format: WebhookFormat) {
    createWebhook(url: $url, events: $events, minSeverity: $min, format: $format) {
        secret webhook { id name url events minSeverity format enabled } } }";
const DELIVERY: &str = "query($id: ID!) { webhookDelivery(id: $id) {
    id webhookId event status attempts responseCode lastError requestBody deliveredAt } }";

/// Creates a webhook; answers `createWebhook` (the secret and the webhook).
async fn create(app: &TestApp, token: &str, variables: Value) -> Value {
    app.graphql_ok(token, CREATE, variables).await["createWebhook"].clone()
}

/// Queues a test delivery to a webhook; answers the delivery's ID.
async fn send_test(app: &TestApp, token: &str, webhook: &Value) -> Value {
    app.graphql_ok(
        token,
        "mutation($id: ID!) { testWebhook(id: $id) { id } }",
        json!({ "id": webhook }),
    )
    .await["testWebhook"]["id"]
        .clone()
}

/// A delivery as the API reads it.
async fn delivery_of(app: &TestApp, token: &str, delivery: &Value) -> Value {
    app.graphql_ok(token, DELIVERY, json!({ "id": delivery }))
        .await["webhookDelivery"]
        .clone()
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: String,
}

/// An HTTP receiver on loopback that records requests and answers 500 to the first
/// `fail_first` of them.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    stop: CancellationToken,
}

#[derive(Clone)]
struct ReceiverState {
    got: Arc<Mutex<Vec<Received>>>,
    fail_first: usize,
}

async fn record(
    State(s): State<ReceiverState>,
    headers: HeaderMap,
    body: String,
) -> http::StatusCode {
    let mut got = s.got.lock().unwrap();
    got.push(Received { headers, body });
    if got.len() <= s.fail_first {
        http::StatusCode::INTERNAL_SERVER_ERROR
    } else {
        http::StatusCode::NO_CONTENT
    }
}

impl Receiver {
    async fn start(fail_first: usize) -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/hook", post(record))
            .with_state(ReceiverState {
                got: got.clone(),
                fail_first,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stopped.cancelled_owned())
                .await
                .unwrap();
        });
        Self { url, got, stop }
    }

    fn requests(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The bodies received, parsed.
    fn events(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Worker settings that let deliveries reach loopback receivers.
fn loopback_settings() -> Settings {
    Settings {
        webhook_allow_internal: true,
        ..Settings::default()
    }
}

/// Runs a worker with short backoffs until `done`.
async fn work_until<F, Fut>(app: &TestApp, settings: Settings, what: &str, done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let runner = emulator_worker_full(
        app,
        settings,
        RunnerOptions {
            concurrency: 2,
            poll_interval: Duration::from_millis(100),
            backoff_base: Duration::from_millis(200),
            backoff_cap: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(5),
            ..RunnerOptions::default()
        },
    );
    let stop = CancellationToken::new();
    let running = tokio::spawn(runner.run(stop.clone()));
    wait_until(Duration::from_secs(60), what, done).await;
    stop.cancel();
    running.await.unwrap().unwrap();
}

fn verify(secret: &str, r: &Received) -> Result<(), standardwebhooks::WebhookError> {
    standardwebhooks::Webhook::new(secret)?.verify(r.body.as_bytes(), &r.headers)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_test_delivery_is_signed_and_retried_after_a_500(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app_with(test_config(ALLOW_INTERNAL), app_pool(opts).await).await;
    let owner = app
        .signup("owner@hooks.example", "Hooks")
        .await
        .access_token;
    let receiver = Receiver::start(1).await;
    let created = create(
        &app,
        &owner,
        json!({ "url": receiver.url, "events": ["ALERT_RAISED"] }),
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(created["webhook"]["name"], "127.0.0.1");
    assert_eq!(created["webhook"]["minSeverity"], "LOW");
    assert_eq!(created["webhook"]["format"], "VIGIL");
    let id = created["webhook"]["id"].clone();
    // The secret is never readable again.
    let listed = app
        .graphql_ok(&owner, "{ webhooks { id url enabled } }", json!({}))
        .await;
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(&secret));

    let queued = app
        .graphql_ok(
            &owner,
            "mutation($id: ID!) { testWebhook(id: $id) { id event status attempts } }",
            json!({ "id": id }),
        )
        .await["testWebhook"]
        .clone();
    assert_eq!(queued["event"], "TEST");
    assert_eq!(queued["status"], "PENDING");
    let delivery = queued["id"].clone();
    work_until(
        &app,
        loopback_settings(),
        "the retried delivery succeeds",
        || async { delivery_of(&app, &owner, &delivery).await["status"] == "SUCCEEDED" },
    )
    .await;

    let requests = receiver.requests();
    assert_eq!(requests.len(), 2, "one 500, then the retry");
    for r in &requests {
        verify(&secret, r).expect("the signature verifies with the Standard Webhooks library");
        assert_eq!(r.headers["webhook-id"], delivery.as_str().unwrap());
        assert_eq!(r.headers["vigil-event"], "TEST");
        assert_eq!(r.headers["content-type"], "application/json");
    }
    assert_eq!(
        requests[0].body, requests[1].body,
        "a retry resends the same body"
    );
    let body: Value = serde_json::from_str(&requests[0].body).unwrap();
    assert_eq!(body["id"], delivery);
    assert_eq!(body["type"], "TEST");
    assert!(body["data"]["test"]["message"].is_string(), "{body}");

    // A tampered body, or another secret, does not verify.
    let mut tampered = requests[1].clone();
    tampered.body = tampered.body.replace("TEST", "ALERT_RAISED");
    assert!(verify(&secret, &tampered).is_err());
    assert!(verify(&vigil_core::webhooks::new_secret(), &requests[1]).is_err());

    let d = delivery_of(&app, &owner, &delivery).await;
    assert_eq!(d["attempts"], 2);
    assert_eq!(d["responseCode"], 204, "the receiver's answer: {d}");
    assert!(d["lastError"].is_null(), "{d}");
    assert_eq!(d["requestBody"].as_str().unwrap(), requests[0].body);
    assert!(d["deliveredAt"].is_string());

    // A rotated secret signs from then on; the old one no longer verifies.
    let rotated = app
        .graphql_ok(
            &owner,
            "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }",
            json!({ "id": id }),
        )
        .await["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(rotated, secret);
    let again = send_test(&app, &owner, &id).await;
    work_until(
        &app,
        loopback_settings(),
        "the second test is delivered",
        || async { receiver.requests().len() == 3 },
    )
    .await;
    let third = &receiver.requests()[2];
    assert_eq!(third.headers["webhook-id"], again.as_str().unwrap());
    verify(&rotated, third).expect("the new secret verifies");
    assert!(verify(&secret, third).is_err());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_receiver_that_keeps_failing_ends_failed_after_the_last_attempt(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app_with(test_config(ALLOW_INTERNAL), app_pool(opts).await).await;
    let owner = app
        .signup("owner@fails.example", "Fails")
        .await
        .access_token;
    let receiver = Receiver::start(usize::MAX).await;
    let id = create(
        &app,
        &owner,
        json!({ "url": receiver.url, "events": ["SCAN_FINISHED"] }),
    )
    .await["webhook"]["id"]
        .clone();
    let delivery = send_test(&app, &owner, &id).await;
    work_until(
        &app,
        loopback_settings(),
        "the delivery gives up",
        || async { delivery_of(&app, &owner, &delivery).await["status"] == "FAILED" },
    )
    .await;
    let d = delivery_of(&app, &owner, &delivery).await;
    let attempts = vigil_core::webhooks::TEST_ATTEMPTS;
    assert_eq!(d["attempts"], attempts);
    assert_eq!(receiver.requests().len(), attempts as usize);
    assert_eq!(d["responseCode"], 500);
    assert_eq!(d["lastError"], "the receiver answered HTTP 500");
    let log = app
        .graphql_ok(
            &owner,
            "query($id: ID!) { webhook(id: $id) { deliveries(first: 10, status: [FAILED]) { totalCount edges { node { id } } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(log["webhook"]["deliveries"]["totalCount"], 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_scan_and_an_attack_reach_their_tenant_only(_: PgPoolOptions, opts: PgConnectOptions) {
    let account = random_account_id();
    let c = connected_with(opts, &account, ALLOW_INTERNAL).await;
    let ours = Receiver::start(0).await;
    let theirs = Receiver::start(0).await;
    let secret = create(
        &c.app,
        &c.token,
        json!({
            "url": ours.url,
            "events": ["ALERT_RAISED", "FINDING_OPENED", "FINDING_RESOLVED", "SCAN_FINISHED"],
            "min": "HIGH",
        }),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another tenant on the same service, with a webhook for everything.
    let other = c
        .app
        .signup("owner@other.example", "Other")
        .await
        .access_token;
    create(&c.app, &other, json!({ "url": theirs.url, "events": ["ALERT_RAISED", "FINDING_OPENED", "SCAN_FINISHED"], "min": "INFO" })).await;

    // The scan queued on connecting, and an attack (a security group opened to the
    // world, a key for another user, a root login without MFA) read by ingestion.
    crate::activity::attack(&account).await;
    c.ingest_with(loopback_settings()).await;
    let scans = c
        .app
        .graphql_ok(
            &c.token,
            "{ scans(first: 5) { edges { node { id status findingsOpened } } } }",
            json!({}),
        )
        .await;
    let scan = scans["scans"]["edges"][0]["node"].clone();
    assert!(
        matches!(scan["status"].as_str(), Some("SUCCEEDED" | "PARTIAL")),
        "{scan}"
    );
    let high = open_high(&c).await;
    assert!(!high.is_empty(), "the seeded account has high findings");
    let alerts = c.alerts(json!({})).await;
    let root = alerts
        .iter()
        .find(|a| {
            a["ruleId"] == "vigil-root-console-login-without-mfa"
                || a["eventName"] == "ConsoleLogin"
        })
        .expect("the root login raised an alert")
        .clone();

    // Deliveries run in the ingestion's worker; wait for the last ones. The first scan's
    // findings are the account's baseline: announced by SCAN_FINISHED alone.
    let expected = 1 + alerts
        .iter()
        .filter(|a| matches!(a["severity"].as_str(), Some("CRITICAL" | "HIGH")))
        .count();
    wait_until(
        Duration::from_secs(30),
        "every delivery arrives",
        || async { ours.requests().len() >= expected },
    )
    .await;
    let events = ours.events();
    let of = |events: &[Value], t: &str| {
        events
            .iter()
            .filter(|e| e["type"] == t)
            .cloned()
            .collect::<Vec<_>>()
    };
    let finished = of(&events, "SCAN_FINISHED");
    assert_eq!(finished.len(), 1, "{events:?}");
    assert_eq!(finished[0]["data"]["scan"]["id"], scan["id"]);
    assert_eq!(finished[0]["data"]["scan"]["accountId"], account);
    assert_eq!(
        finished[0]["data"]["scan"]["findingsOpened"],
        scan["findingsOpened"]
    );
    assert!(scan["findingsOpened"].as_i64().unwrap() >= high.len() as i64);
    assert!(
        of(&events, "FINDING_OPENED").is_empty(),
        "the baseline is not sent finding by finding: {events:?}"
    );

    // What goes wrong after the baseline is sent: RDP opened to the world, then a rescan.
    crate::activity::open_to_world(&account, "10.67.0.0/16", "rdp-for-a-vendor", 3389).await;
    let before = events.len();
    c.app
        .graphql_ok(
            &c.token,
            "mutation($id: ID!) { startScan(awsAccountId: $id) { id } }",
            json!({ "id": c.connection_id }),
        )
        .await;
    c.ingest_with(loopback_settings()).await;
    let now_high = open_high(&c).await;
    let new_high: Vec<Value> = now_high
        .iter()
        .filter(|id| !high.contains(id))
        .cloned()
        .collect();
    assert!(
        !new_high.is_empty(),
        "the open RDP port is a new high finding"
    );
    wait_until(
        Duration::from_secs(30),
        "the rescan's deliveries arrive",
        || async {
            of(&ours.events(), "SCAN_FINISHED").len() == 2
                && ours.requests().len() >= before + 1 + new_high.len()
        },
    )
    .await;
    let requests = ours.requests();
    for r in &requests {
        verify(&secret, r).expect("every delivery verifies");
    }
    let events = ours.events();
    let opened = of(&events, "FINDING_OPENED");
    let mut opened_ids: Vec<Value> = opened
        .iter()
        .map(|e| e["data"]["finding"]["id"].clone())
        .collect();
    let mut new_ids = new_high.clone();
    opened_ids.sort_by_key(Value::to_string);
    new_ids.sort_by_key(Value::to_string);
    assert_eq!(
        opened_ids, new_ids,
        "one delivery per new HIGH or CRITICAL finding, none below"
    );
    for e in &opened {
        assert!(matches!(
            e["data"]["finding"]["severity"].as_str(),
            Some("CRITICAL" | "HIGH")
        ));
        assert!(e["data"]["finding"]["title"].is_string());
    }
    assert!(opened.iter().any(|e| {
        e["data"]["finding"]["title"]
            .as_str()
            .unwrap()
            .contains("RDP")
    }));
    let raised = of(&events, "ALERT_RAISED");
    let alert = raised
        .iter()
        .find(|e| e["data"]["alert"]["id"] == root["id"])
        .expect("the root login's alert was delivered");
    assert_eq!(alert["data"]["alert"]["sourceIpAddress"], "198.51.100.23");
    assert_eq!(
        alert["tenantId"],
        c.app
            .graphql_ok(&c.token, "{ tenant { id } }", json!({}))
            .await["tenant"]["id"]
    );
    assert!(
        alert["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/alerts/{}", root["id"].as_str().unwrap()))
    );
    assert!(of(&events, "TEST").is_empty() && of(&events, "FINDING_RESOLVED").is_empty());
    // The trigger's jobs carry the attempt budget the worker's code assumes.
    let budgets: Vec<i32> =
        sqlx::query_scalar("select distinct max_attempts from jobs where kind = 'deliver_webhook'")
            .fetch_all(&c.app.pool)
            .await
            .unwrap();
    assert_eq!(budgets, [vigil_core::webhooks::MAX_ATTEMPTS]);
    assert!(
        theirs.requests().is_empty(),
        "another tenant's receiver got {:?}",
        theirs.events()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn internal_targets_are_refused(_: PgPoolOptions, opts: PgConnectOptions) {
    let pool = app_pool(opts).await;
    let app = spawn_app_with(test_config(&[]), pool.clone()).await;
    let owner = app.signup("owner@ssrf.example", "Ssrf").await.access_token;
    for (url, says) in [
        ("http://127.0.0.1:9/hook", "url must use https"),
        ("https://127.0.0.1/hook", "127.0.0.1"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
        ),
        ("https://10.0.0.8/hook", "10.0.0.8"),
        ("https://[::1]/hook", "::1"),
        ("https://[fd00:ec2::254]/", "fd00:ec2::254"),
        ("https://localhost/hook", "internal address"),
        (
            "https://user:pass@hooks.example.com/",
            "user name or password",
        ),
        ("https://hooks.invalid/", "could not be resolved"),
        ("file:///etc/passwd", "http or https"),
    ] {
        let body = app
            .graphql(
                Some(&owner),
                CREATE,
                json!({ "url": url, "events": ["ALERT_RAISED"] }),
            )
            .await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{url}: {body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{url}: {message}");
        assert!(
            !message.contains("pass@"),
            "the URL is not echoed: {message}"
        );
    }
    let none = app
        .graphql(
            Some(&owner),
            CREATE,
            json!({ "url": "https://8.8.8.8/hook", "events": [] }),
        )
        .await;
    assert_eq!(
        error_code(&none).as_deref(),
        Some("BAD_USER_INPUT"),
        "{none}"
    );
    let listed = app
        .graphql_ok(&owner, "{ webhooks { id } }", json!({}))
        .await;
    assert_eq!(listed["webhooks"], json!([]));

    // A name accepted while internal targets were allowed (as if re-pointed since) is
    // refused again by a worker that does not allow them, when it resolves the name to
    // connect: nothing is sent.
    let permissive = spawn_app_with(test_config(ALLOW_INTERNAL), pool).await;
    let receiver = Receiver::start(0).await;
    let by_name = receiver
        .url
        .replace("http://127.0.0.1", "https://localhost");
    let id = create(
        &permissive,
        &owner,
        json!({ "url": by_name, "events": ["SCAN_FINISHED"] }),
    )
    .await["webhook"]["id"]
        .clone();
    let delivery = send_test(&permissive, &owner, &id).await;
    work_until(
        &app,
        Settings::default(),
        "the delivery is refused",
        || async { delivery_of(&app, &owner, &delivery).await["status"] == "FAILED" },
    )
    .await;
    let d = delivery_of(&app, &owner, &delivery).await;
    assert_eq!(d["attempts"], 1, "refusal is not retried: {d}");
    assert!(
        d["lastError"]
            .as_str()
            .unwrap()
            .contains("internal address"),
        "{d}"
    );
    assert!(receiver.requests().is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn webhooks_are_for_owners_and_admins_of_their_tenant(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app_with(test_config(ALLOW_INTERNAL), app_pool(opts).await).await;
    let owner = app.signup("owner@a.example", "A").await.access_token;
    let intruder = app.signup("owner@b.example", "B").await.access_token;
    let receiver = Receiver::start(0).await;
    let id = create(
        &app,
        &owner,
        json!({ "url": receiver.url, "events": ["ALERT_RAISED"] }),
    )
    .await["webhook"]["id"]
        .clone();
    let delivery = send_test(&app, &owner, &id).await;

    // Another tenant: absent everywhere, and nothing changes.
    let read = app
        .graphql_ok(
            &intruder,
            "query($id: ID!, $d: ID!) { webhook(id: $id) { id } webhookDelivery(id: $d) { id } webhooks { id } }",
            json!({ "id": id, "d": delivery }),
        )
        .await;
    assert_eq!(
        read,
        json!({ "webhook": null, "webhookDelivery": null, "webhooks": [] })
    );
    for mutation in [
        "mutation($id: ID!) { updateWebhook(id: $id, enabled: false) { id } }",
        "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }",
        "mutation($id: ID!) { testWebhook(id: $id) { id } }",
        "mutation($id: ID!) { deleteWebhook(id: $id) }",
    ] {
        let body = app
            .graphql(Some(&intruder), mutation, json!({ "id": id }))
            .await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("NOT_FOUND"),
            "{mutation}: {body}"
        );
    }
    let mine = app
        .graphql_ok(
            &owner,
            "query($id: ID!) { webhook(id: $id) { enabled } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(mine["webhook"]["enabled"], true);

    // Keys of the same tenant: an admin's may manage webhooks, an analyst's and a
    // viewer's may not even list them.
    for (role, allowed) in [("ADMIN", true), ("ANALYST", false), ("VIEWER", false)] {
        let key = app
            .graphql_ok(
                &owner,
                "mutation($role: Role) { createApiKey(name: \"k\", role: $role) { key } }",
                json!({ "role": role }),
            )
            .await["createApiKey"]["key"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = app
            .graphql(Some(&key), "{ webhooks { id } }", json!({}))
            .await;
        if allowed {
            assert_eq!(body["data"]["webhooks"][0]["id"], id, "{role}: {body}");
        } else {
            assert_eq!(
                error_code(&body).as_deref(),
                Some("FORBIDDEN"),
                "{role}: {body}"
            );
        }
    }

    // Update, disable (a disabled webhook cannot be tested), delete.
    let updated = app
        .graphql_ok(
            &owner,
            "mutation($id: ID!) { updateWebhook(id: $id, name: \"SOC\", events: [SCAN_FINISHED, ALERT_RAISED], minSeverity: CRITICAL, format: SLACK, enabled: false) { name events minSeverity format enabled } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        updated["updateWebhook"],
        json!({ "name": "SOC", "events": ["ALERT_RAISED", "SCAN_FINISHED"], "minSeverity": "CRITICAL", "format": "SLACK", "enabled": false })
    );
    let body = app
        .graphql(
            Some(&owner),
            "mutation($id: ID!) { testWebhook(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    let audit = app
        .graphql_ok(
            &owner,
            "{ auditLog(first: 20) { edges { node { action details } } } }",
            json!({}),
        )
        .await
        .to_string();
    assert!(
        audit.contains("webhook.created") && audit.contains("webhook.updated"),
        "{audit}"
    );
    assert!(
        !audit.contains(&receiver.url),
        "the audit log keeps the URL out"
    );
    let deleted = app
        .graphql_ok(
            &owner,
            "mutation($id: ID!) { deleteWebhook(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["deleteWebhook"], id);
    let gone = app
        .graphql_ok(
            &owner,
            "query($d: ID!) { webhookDelivery(id: $d) { id } }",
            json!({ "d": delivery }),
        )
        .await;
    assert!(
        gone["webhookDelivery"].is_null(),
        "the log goes with the webhook"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn slack_format_posts_text(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app_with(test_config(ALLOW_INTERNAL), app_pool(opts).await).await;
    let owner = app
        .signup("owner@slack.example", "Slack")
        .await
        .access_token;
    let receiver = Receiver::start(0).await;
    let id = create(
        &app,
        &owner,
        json!({ "url": receiver.url, "events": ["ALERT_RAISED"], "format": "SLACK" }),
    )
    .await["webhook"]["id"]
        .clone();
    send_test(&app, &owner, &id).await;
    work_until(
        &app,
        loopback_settings(),
        "the Slack message arrives",
        || async { !receiver.requests().is_empty() },
    )
    .await;
    let body = &receiver.events()[0];
    let text = body["text"].as_str().unwrap();
    assert!(text.starts_with("Test delivery from Vigil"), "{text}");
    assert!(text.contains("|Open in Vigil>"), "{text}");
    assert_eq!(body.as_object().unwrap().len(), 1, "only `text`: {body}");
}

/// The ids of the tenant's open HIGH and CRITICAL findings.
async fn open_high(c: &crate::activity::Connected) -> Vec<Value> {
    c.app
        .graphql_ok(
            &c.token,
            "{ findings(first: 100, filter: { severity: [CRITICAL, HIGH], status: [OPEN] }) { edges { node { id } } } }",
            json!({}),
        )
        .await["findings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect()
}
