//! Pins subscriptions over graphql-transport-ws on `/graphql/ws`: a scan's progress
//! streams to its tenant until the scan finishes, an alert raised reaches its tenant's
//! `alertRaised` and nobody else's, another tenant's scan ID is not found, and a
//! connection without a valid credential is refused.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};
use vigil_tests::{TestApp, emulator::Emulator, emulator::random_account_id, emulator_worker};

use crate::activity::connected;

/// A graphql-transport-ws client (the security tests reuse it).
pub(crate) struct Ws(pub(crate) WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>);

impl Ws {
    /// Opens the WebSocket, without `connection_init`.
    pub(crate) async fn connect(app: &TestApp) -> Result<Self, String> {
        let mut req = format!("ws://{}/graphql/ws", app.addr)
            .into_client_request()
            .unwrap();
        req.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (ws, _) = connect_async(req).await.map_err(|e| e.to_string())?;
        Ok(Ws(ws))
    }

    /// Opens a graphql-transport-ws connection; `Err` holds why it was refused.
    pub(crate) async fn open(app: &TestApp, credential: &str) -> Result<Self, String> {
        let mut ws = Self::connect(app).await?;
        let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {credential}") } });
        ws.0.send(Message::text(init.to_string())).await.unwrap();
        match ws.next(Duration::from_secs(5)).await {
            Some(m) if m["type"] == "connection_ack" => Ok(ws),
            other => Err(format!("{other:?}")),
        }
    }

    pub(crate) async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let msg = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } });
        self.0.send(Message::text(msg.to_string())).await.unwrap();
    }

    /// The next protocol message (pings answered), or `None` on timeout or close.
    pub(crate) async fn next(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .ok()??;
            match msg.ok()? {
                Message::Text(t) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v["type"] == "ping" {
                        let pong = json!({ "type": "pong" }).to_string();
                        self.0.send(Message::text(pong)).await.ok()?;
                        continue;
                    }
                    return Some(v);
                }
                Message::Close(frame) => {
                    return Some(
                        json!({ "type": "closed", "code": frame.map(|f| u16::from(f.code)) }),
                    );
                }
                _ => continue,
            }
        }
    }
}

const PROGRESS: &str = "subscription($id: ID!) { scanProgress(scanId: $id) { id status regionsDone regionsTotal findingsOpened } }";

#[sqlx::test(migrations = "../migrations")]
async fn a_scan_streams_its_progress_to_its_tenant_until_it_finishes(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let scans = c
        .app
        .graphql_ok(
            &c.token,
            "{ scans(first: 1) { edges { node { id status } } } }",
            json!({}),
        )
        .await;
    let scan_id = scans["scans"]["edges"][0]["node"]["id"].clone();
    assert_eq!(scans["scans"]["edges"][0]["node"]["status"], "QUEUED");

    let mut ws = Ws::open(&c.app, &c.token).await.unwrap();
    ws.subscribe("1", PROGRESS, json!({ "id": scan_id })).await;
    let first = ws.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(first["type"], "next", "{first}");
    assert_eq!(first["payload"]["data"]["scanProgress"]["status"], "QUEUED");

    // Another organization cannot follow it: the scan does not exist for them.
    let other = c
        .app
        .signup(&format!("other@{account}.example"), "Other")
        .await
        .access_token;
    let mut stranger = Ws::open(&c.app, &other).await.unwrap();
    stranger
        .subscribe("9", PROGRESS, json!({ "id": scan_id }))
        .await;
    let refused = stranger.next(Duration::from_secs(5)).await.unwrap();
    // An execution error, as for a query: no data, the same code.
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(refused["payload"]["data"], Value::Null, "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );

    let mut findings = Ws::open(&c.app, &c.token).await.unwrap();
    findings
        .subscribe(
            "f",
            "subscription { findingChanged { ruleId status awsAccountId } }",
            json!({}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    emulator_worker(&c.app).drain().await.unwrap();
    let mut seen = vec![first];
    loop {
        let m = ws
            .next(Duration::from_secs(20))
            .await
            .expect("the stream ends with complete");
        if m["type"] == "complete" {
            break;
        }
        assert_eq!(m["type"], "next", "{m}");
        seen.push(m);
    }
    let statuses: Vec<&str> = seen
        .iter()
        .map(|m| {
            m["payload"]["data"]["scanProgress"]["status"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(statuses.contains(&"RUNNING"), "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), "SUCCEEDED", "{statuses:?}");
    // The scan's new findings were announced as they opened.
    let opened = findings.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        opened["payload"]["data"]["findingChanged"]["status"], "OPEN",
        "{opened}"
    );
    assert_eq!(
        opened["payload"]["data"]["findingChanged"]["awsAccountId"],
        c.connection_id
    );
    let last = &seen.last().unwrap()["payload"]["data"]["scanProgress"];
    assert_eq!(last["regionsDone"], last["regionsTotal"]);
    assert!(
        last["findingsOpened"].as_i64().unwrap() > 0 || last["regionsTotal"].as_i64().unwrap() > 0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_raised_alert_reaches_its_tenant_only_and_bad_credentials_are_refused(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let other = c
        .app
        .signup(&format!("b@{account}.example"), "Bystander")
        .await
        .access_token;
    let query = "subscription { alertRaised { ruleId severity principalArn } }";
    let mut mine = Ws::open(&c.app, &c.token).await.unwrap();
    mine.subscribe("a", query, json!({})).await;
    let mut theirs = Ws::open(&c.app, &other).await.unwrap();
    theirs.subscribe("b", query, json!({})).await;
    // Subscriptions are registered once the server has read them; give it a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;

    Emulator::shared()
        .inject(
            &account,
            vec![json!({
                "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
                "userIdentity": { "type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account },
                "sourceIPAddress": "198.51.100.23", "responseElements": { "ConsoleLogin": "Success" },
                "additionalEventData": { "MFAUsed": "No" }
            })],
        )
        .await;
    c.ingest().await;
    let mut rules = Vec::new();
    while let Some(m) = mine.next(Duration::from_secs(3)).await {
        assert_eq!(m["type"], "next", "{m}");
        rules.push(
            m["payload"]["data"]["alertRaised"]["ruleId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(
        rules
            .iter()
            .any(|r| r == "vigil-root-console-login-without-mfa"),
        "{rules:?}"
    );
    assert_eq!(
        theirs.next(Duration::from_secs(1)).await,
        None,
        "another tenant heard an alert"
    );

    let refused = Ws::open(&c.app, "vgl_not-a-real-key").await;
    assert!(refused.is_err(), "a forged key was accepted");
    let anonymous = Ws::open(&c.app, "").await;
    assert!(anonymous.is_err());
}
