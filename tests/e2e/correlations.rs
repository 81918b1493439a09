//! Pins the correlation rules end to end: injected CloudTrail records read through
//! LookupEvents become one alert per burst, spray or brute force (and none below the
//! threshold), and first-seen rules stay silent while learning, then flag a principal in a
//! new region or from a new address, but not a principal with no history.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::emulator::{Emulator, random_account_id};
use vigil_worker::handler::Settings;

use crate::activity::connected;

fn user(account: &str, name: &str) -> Value {
    json!({ "type": "IAMUser", "userName": name, "accountId": account,
            "arn": format!("arn:aws:iam::{account}:user/{name}"), "principalId": format!("AIDA{name}") })
}

fn failed_login(account: &str, name: &str, ip: &str) -> Value {
    json!({
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
        "userIdentity": { "type": "IAMUser", "userName": name, "accountId": account },
        "sourceIPAddress": ip, "errorMessage": "Failed authentication",
        "responseElements": { "ConsoleLogin": "Failure" }, "additionalEventData": { "MFAUsed": "No" }
    })
}

fn by_rule<'a>(alerts: &'a [Value], rule: &str) -> Vec<&'a Value> {
    alerts.iter().filter(|a| a["ruleId"] == rule).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn bursts_sprays_and_brute_force_raise_one_alert_each_above_their_thresholds(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let now = Utc::now();
    let at = |secs: i64| {
        (now - chrono::Duration::seconds(secs))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let mut records = Vec::new();
    // Twelve denied calls by one principal within two minutes; three by another.
    for (i, name) in [
        "ListUsers",
        "ListRoles",
        "GetAccountAuthorizationDetails",
        "ListBuckets",
    ]
    .iter()
    .cycle()
    .take(12)
    .enumerate()
    {
        records.push(json!({
            "eventSource": "iam.amazonaws.com", "eventName": name, "eventTime": at(120 - i as i64 * 10),
            "userIdentity": user(&account, "intruder"), "sourceIPAddress": "203.0.113.66",
            "errorCode": "AccessDenied", "errorMessage": "not authorized", "readOnly": true
        }));
    }
    for i in 0..3 {
        records.push(json!({
            "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "eventTime": at(100 - i * 10),
            "userIdentity": user(&account, "ci"), "sourceIPAddress": "198.51.100.5",
            "errorCode": "Client.UnauthorizedOperation", "readOnly": true
        }));
    }
    // Six failures for alice from one address; one each for five users from another.
    for i in 0..6 {
        let mut r = failed_login(&account, "alice", "203.0.113.9");
        r["eventTime"] = json!(at(300 - i * 20));
        records.push(r);
    }
    for (i, name) in ["bob", "carol", "dave", "erin", "frank"].iter().enumerate() {
        let mut r = failed_login(&account, name, "198.51.100.77");
        r["eventTime"] = json!(at(200 - i as i64 * 15));
        records.push(r);
    }
    Emulator::shared().inject(&account, records).await;
    c.ingest().await;

    let alerts = c.alerts(json!({})).await;
    let burst = by_rule(&alerts, "vigil-recon-access-denied-burst");
    assert_eq!(burst.len(), 1, "{alerts:#?}");
    assert_eq!(
        burst[0]["principalArn"],
        format!("arn:aws:iam::{account}:user/intruder")
    );
    assert_eq!(burst[0]["eventCount"], 12);
    assert_eq!(burst[0]["severity"], "HIGH");
    assert!(
        burst[0]["runbook"]
            .as_str()
            .unwrap()
            .contains("enumeration")
    );
    // The base rule that only feeds the correlation raises nothing on its own.
    assert!(
        by_rule(&alerts, "vigil-api-call-denied").is_empty(),
        "{alerts:#?}"
    );

    let brute = by_rule(&alerts, "vigil-console-login-brute-force");
    assert_eq!(brute.len(), 1, "{alerts:#?}");
    assert_eq!(brute[0]["sourceIpAddress"], "203.0.113.9");
    assert_eq!(brute[0]["eventCount"], 6);

    let spray = by_rule(&alerts, "vigil-console-login-password-spraying");
    assert_eq!(spray.len(), 1, "{alerts:#?}");
    assert_eq!(spray[0]["sourceIpAddress"], "198.51.100.77");
    assert_eq!(spray[0]["eventCount"], 5);
    // Each failure still shows as context (the correlations say `generate: true`).
    assert!(!by_rule(&alerts, "vigil-console-login-failed").is_empty());

    // Reading the same events again changes nothing.
    c.ingest().await;
    let again = c.alerts(json!({})).await;
    for rule in [
        "vigil-recon-access-denied-burst",
        "vigil-console-login-brute-force",
        "vigil-console-login-password-spraying",
    ] {
        let (a, b) = (by_rule(&alerts, rule), by_rule(&again, rule));
        assert_eq!(a.len(), b.len(), "{rule}");
        assert_eq!(a[0]["eventCount"], b[0]["eventCount"], "{rule}");
    }
}

async fn learning(c: &crate::activity::Connected) -> (Value, Value) {
    let data = c
        .app
        .graphql_ok(
            &c.token,
            "query($id: ID!) { awsAccount(id: $id) { baselineLearning baselineLearningUntil } }",
            json!({ "id": c.connection_id }),
        )
        .await;
    (
        data["awsAccount"]["baselineLearning"].clone(),
        data["awsAccount"]["baselineLearningUntil"].clone(),
    )
}

/// A principal's history two days ago: us-east-1, from one address.
fn history(account: &str, who: &str) -> Vec<Value> {
    let two_days_ago = (Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    (0..3)
        .map(|i| {
            json!({
                "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "awsRegion": "us-east-1",
                "eventTime": two_days_ago, "eventID": format!("history-{who}-{i}"),
                "userIdentity": user(account, who), "sourceIPAddress": "198.51.100.10", "readOnly": true
            })
        })
        .collect()
}

fn call(account: &str, who: &str, region: &str, ip: &str) -> Value {
    json!({
        "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "awsRegion": region,
        "userIdentity": user(account, who), "sourceIPAddress": ip, "readOnly": true
    })
}

#[sqlx::test(migrations = "../migrations")]
async fn first_seen_rules_learn_first_then_flag_new_regions_and_addresses(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let emu = Emulator::shared();
    assert_eq!(
        learning(&c).await.0,
        true,
        "no baseline before the first ingestion"
    );
    emu.inject(&account, history(&account, "dev")).await;
    let no_learning = || Settings {
        baseline_learning: Duration::ZERO,
        ..Settings::default()
    };
    c.ingest_with(no_learning()).await;
    let (is_learning, until) = learning(&c).await;
    assert_eq!(
        is_learning, false,
        "a zero learning period compares at once: {until}"
    );
    // Backfilled history only teaches.
    assert!(c.alerts(json!({})).await.is_empty());

    emu.inject(
        &account,
        vec![
            call(&account, "dev", "ap-southeast-2", "198.51.100.10"),
            call(&account, "dev", "us-east-1", "203.0.113.200"),
            call(&account, "dev", "us-east-1", "198.51.100.10"),
            // A principal without history is not compared with anything.
            call(&account, "newcomer", "eu-west-1", "203.0.113.201"),
        ],
    )
    .await;
    c.ingest_with(no_learning()).await;
    let alerts = c.alerts(json!({})).await;
    let region = by_rule(&alerts, "vigil-first-seen-region");
    assert_eq!(region.len(), 1, "{alerts:#?}");
    assert_eq!(
        region[0]["principalArn"],
        format!("arn:aws:iam::{account}:user/dev")
    );
    assert_eq!(region[0]["severity"], "MEDIUM");
    let ip = by_rule(&alerts, "vigil-first-seen-source-ip");
    assert_eq!(ip.len(), 1, "{alerts:#?}");
    assert_eq!(ip[0]["sourceIpAddress"], "203.0.113.200");
    assert!(
        alerts.iter().all(|a| !a["principalArn"]
            .as_str()
            .unwrap_or("")
            .ends_with("/newcomer")),
        "{alerts:#?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn while_learning_first_seen_rules_stay_silent_and_say_so(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let emu = Emulator::shared();
    emu.inject(&account, history(&account, "dev")).await;
    c.ingest().await;
    emu.inject(
        &account,
        vec![call(&account, "dev", "sa-east-1", "203.0.113.99")],
    )
    .await;
    c.ingest().await;
    let (is_learning, until) = learning(&c).await;
    assert_eq!(is_learning, true);
    let until: chrono::DateTime<Utc> = until.as_str().unwrap().parse().unwrap();
    assert!(until > Utc::now() + chrono::Duration::days(6), "{until}");
    let alerts = c.alerts(json!({})).await;
    assert!(
        by_rule(&alerts, "vigil-first-seen-region").is_empty()
            && by_rule(&alerts, "vigil-first-seen-source-ip").is_empty(),
        "{alerts:#?}"
    );
}
