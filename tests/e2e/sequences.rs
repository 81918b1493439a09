//! Pins sequence rules end to end: an attack scripted with the AWS SDK against the emulator
//! (an IAM user's stolen key used from a new address, a burst of denied enumeration, then
//! an access key created for another user) is read through LookupEvents and raises one
//! CRITICAL sequence alert that links the three step alerts in order, once, however often
//! the events are read; the same steps out of order, or split between two principals,
//! raise none. Another tenant cannot reach the sequence alert.

use std::time::Duration;

use aws_credential_types::Credentials;
use chrono::Utc;
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::emulator::{Emulator, random_account_id};
use vigil_worker::handler::Settings;

use crate::activity::{Connected, connected};

const SEQUENCE: &str = "vigil-sequence-new-origin-recon-then-persistence";
const FIRST_SEEN_IP: &str = "vigil-first-seen-source-ip";
const DENIED_BURST: &str = "vigil-recon-access-denied-burst";
const KEY_FOR_ANOTHER: &str = "vigil-iam-access-key-for-another-user";

const ALERTS: &str = "query($f: AlertFilter) { alerts(first: 100, filter: $f) { edges { node {
    id ruleId title severity principalArn eventCount firstSeenAt lastSeenAt description runbook techniques
    sequenceSteps { step name occurredAt eventId alert { id ruleId principalArn sourceIpAddress } }
    sequenceAlerts { id ruleId } } } } }";

async fn alerts(c: &Connected, filter: Value) -> Vec<Value> {
    c.alerts_selecting(ALERTS, filter).await
}

fn of_rule<'a>(all: &'a [Value], rule: &str) -> Vec<&'a Value> {
    all.iter().filter(|a| a["ruleId"] == rule).collect()
}

fn arn(account: &str, user: &str) -> String {
    format!("arn:aws:iam::{account}:user/{user}")
}

/// First-seen rules compare at once (no learning period).
fn no_learning() -> Settings {
    Settings {
        baseline_learning: Duration::ZERO,
        ..Settings::default()
    }
}

/// An IAM user of `account` (created by the account's administrator, with the victim the
/// attacker will give a key to) with two days of history from 198.51.100.10; answers an
/// IAM client signed with the user's own access key, as an attacker holding it would.
async fn user_with_history(account: &str, name: &str) -> aws_sdk_iam::Client {
    let emu = Emulator::shared();
    let admin = aws_sdk_iam::Client::new(&emu.account_config(account, "us-east-1").await);
    admin.create_user().user_name(name).send().await.unwrap();
    let key = admin
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let two_days_ago = (Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let history = (0..3)
        .map(|i| {
            json!({
                "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets", "awsRegion": "us-east-1",
                "eventTime": two_days_ago, "eventID": format!("history-{name}-{i}"),
                "userIdentity": { "type": "IAMUser", "userName": name, "accountId": account,
                                  "arn": arn(account, name), "principalId": format!("AIDA{name}") },
                "sourceIPAddress": "198.51.100.10", "readOnly": true
            })
        })
        .collect();
    emu.inject(account, history).await;
    let creds = Credentials::new(
        key.access_key_id(),
        key.secret_access_key(),
        None,
        None,
        "stolen",
    );
    aws_sdk_iam::Client::new(&emu.config_with(creds, "us-east-1").await)
}

/// Waits for the wall clock's next second: CloudTrail times events to the second, and
/// steps in the same second are in either order.
async fn next_second() {
    let now = Utc::now();
    let ms = 1000 - i64::from(now.timestamp_subsec_millis()) + 20;
    tokio::time::sleep(Duration::from_millis(u64::try_from(ms).unwrap_or(1000))).await;
}

/// Reconnaissance: ten IAM calls by `iam`'s user, all denied.
async fn denied_burst(account: &str, iam: &aws_sdk_iam::Client) {
    Emulator::shared()
        .add_fault(json!({ "accountId": account, "service": "iam", "operation": "ListRoles", "kind": "access_denied", "count": 10 }))
        .await;
    for _ in 0..10 {
        let denied = iam.list_roles().send().await;
        assert!(denied.is_err(), "the fault denies ListRoles");
    }
}

/// Persistence: an access key for the user `victim`.
async fn key_for_victim(iam: &aws_sdk_iam::Client) {
    iam.create_access_key()
        .user_name("victim")
        .send()
        .await
        .unwrap();
}

/// A connection whose users `names` have history, read once (the baseline).
async fn account_with_users(
    opts: PgConnectOptions,
    names: &[&str],
) -> (String, Connected, Vec<aws_sdk_iam::Client>) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let admin = aws_sdk_iam::Client::new(
        &Emulator::shared()
            .account_config(&account, "us-east-1")
            .await,
    );
    admin
        .create_user()
        .user_name("victim")
        .send()
        .await
        .unwrap();
    let mut clients = Vec::new();
    for name in names {
        clients.push(user_with_history(&account, name).await);
    }
    c.ingest_with(no_learning()).await;
    (account, c, clients)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_address_then_recon_then_persistence_raises_one_sequence_alert_linking_its_steps(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let (account, c, clients) = account_with_users(opts, &["intruder"]).await;
    let intruder = &clients[0];
    assert!(
        of_rule(&alerts(&c, json!({})).await, SEQUENCE).is_empty(),
        "history alone raises nothing"
    );

    // The stolen key, from an address the user never used: a look around (new address),
    next_second().await;
    intruder.list_users().send().await.unwrap();
    // then enumeration that is mostly refused (reconnaissance),
    next_second().await;
    denied_burst(&account, intruder).await;
    // then a key for another user (persistence).
    next_second().await;
    key_for_victim(intruder).await;
    c.ingest_with(no_learning()).await;

    let all = alerts(&c, json!({})).await;
    let who = arn(&account, "intruder");
    let sequences = of_rule(&all, SEQUENCE);
    assert_eq!(sequences.len(), 1, "{all:#?}");
    let seq = sequences[0];
    assert_eq!(seq["severity"], "CRITICAL");
    assert_eq!(seq["principalArn"], who);
    assert!(seq["runbook"].as_str().unwrap().contains("compromised"));
    assert!(
        seq["techniques"]
            .as_array()
            .unwrap()
            .contains(&json!("T1098.001"))
    );
    let steps = seq["sequenceSteps"].as_array().unwrap();
    let rules: Vec<&str> = steps
        .iter()
        .map(|s| s["alert"]["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [FIRST_SEEN_IP, DENIED_BURST, KEY_FOR_ANOTHER],
        "{steps:#?}"
    );
    let numbers: Vec<i64> = steps.iter().map(|s| s["step"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(
        steps
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "New address or region",
            "Reconnaissance",
            "Persistence or defense evasion"
        ]
    );
    let times: Vec<chrono::DateTime<Utc>> = steps
        .iter()
        .map(|s| s["occurredAt"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    // The sequence alert spans its steps.
    assert_eq!(
        seq["firstSeenAt"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .unwrap(),
        times[0]
    );
    assert_eq!(
        seq["lastSeenAt"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .unwrap(),
        times[2]
    );
    // Each step is the intruder's own alert, and knows its sequence.
    for step in steps {
        assert_eq!(step["alert"]["principalArn"], who, "{step:#?}");
        let alert = all.iter().find(|a| a["id"] == step["alert"]["id"]).unwrap();
        assert_eq!(
            alert["sequenceAlerts"],
            json!([{ "id": seq["id"], "ruleId": SEQUENCE }])
        );
        assert_eq!(alert["sequenceSteps"], json!([]), "a step is no sequence");
    }
    assert_eq!(steps[0]["alert"]["sourceIpAddress"], "127.0.0.1");

    // Reading the same events again (a restarted or repeated ingestion) raises nothing more.
    c.ingest_with(no_learning()).await;
    let again = alerts(&c, json!({ "ruleId": SEQUENCE })).await;
    assert_eq!(again.len(), 1, "{again:#?}");
    assert_eq!(again[0]["id"], seq["id"]);
    assert_eq!(again[0]["eventCount"], seq["eventCount"]);
    assert_eq!(again[0]["sequenceSteps"], seq["sequenceSteps"]);

    // Another organization cannot reach it, nor its steps.
    let other = c
        .app
        .signup("other@sequences.example", "Other")
        .await
        .access_token;
    let seen = c
        .app
        .graphql_ok(
            &other,
            "query($id: ID!) { alert(id: $id) { id sequenceSteps { step } } }",
            json!({ "id": seq["id"] }),
        )
        .await;
    assert_eq!(seen["alert"], Value::Null);
    let theirs = c
        .app
        .graphql_ok(
            &other,
            "{ alerts(first: 100) { edges { node { id sequenceSteps { step } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(theirs["alerts"]["edges"], json!([]));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_same_steps_out_of_order_or_by_two_principals_raise_no_sequence(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let (account, c, clients) = account_with_users(opts, &["early", "scout", "builder"]).await;
    let (early, scout, builder) = (&clients[0], &clients[1], &clients[2]);
    // Out of order: the key for another user first (from the new address), then the
    // enumeration.
    next_second().await;
    key_for_victim(early).await;
    next_second().await;
    denied_burst(&account, early).await;
    // Two principals: one arrives from a new address and enumerates, the other creates the key.
    scout.list_users().send().await.unwrap();
    next_second().await;
    denied_burst(&account, scout).await;
    next_second().await;
    key_for_victim(builder).await;
    c.ingest_with(no_learning()).await;

    let all = alerts(&c, json!({})).await;
    // Every step alert is there...
    for (user, rules) in [
        ("early", &[FIRST_SEEN_IP, DENIED_BURST, KEY_FOR_ANOTHER][..]),
        ("scout", &[FIRST_SEEN_IP, DENIED_BURST][..]),
        ("builder", &[FIRST_SEEN_IP, KEY_FOR_ANOTHER][..]),
    ] {
        for rule in rules {
            assert!(
                all.iter()
                    .any(|a| a["ruleId"] == *rule && a["principalArn"] == arn(&account, user)),
                "{user} {rule}: {all:#?}"
            );
        }
    }
    // ...but no sequence.
    assert!(of_rule(&all, SEQUENCE).is_empty(), "{all:#?}");
    assert!(
        all.iter().all(|a| a["sequenceAlerts"] == json!([])),
        "{all:#?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn steps_read_by_separate_workers_complete_once_and_a_repeat_grows_the_same_alert(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let (account, c, clients) = account_with_users(opts, &["intruder"]).await;
    let intruder = &clients[0];
    // Each ingestion below runs on a worker of its own: the steps meet only through the
    // database.
    next_second().await;
    intruder.list_users().send().await.unwrap();
    c.ingest_with(no_learning()).await;
    next_second().await;
    denied_burst(&account, intruder).await;
    c.ingest_with(no_learning()).await;
    assert!(
        of_rule(&alerts(&c, json!({})).await, SEQUENCE).is_empty(),
        "two steps of three raise nothing"
    );
    next_second().await;
    key_for_victim(intruder).await;
    c.ingest_with(no_learning()).await;
    let first = alerts(&c, json!({ "ruleId": SEQUENCE })).await;
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0]["eventCount"], 3);
    assert_eq!(first[0]["sequenceSteps"].as_array().unwrap().len(), 3);

    // The same persistence again within the hour: the same incident, grown, not a new alert.
    next_second().await;
    key_for_victim(intruder).await;
    c.ingest_with(no_learning()).await;
    let grown = alerts(&c, json!({ "ruleId": SEQUENCE })).await;
    assert_eq!(grown.len(), 1, "{grown:#?}");
    assert_eq!(grown[0]["id"], first[0]["id"]);
    assert_eq!(grown[0]["eventCount"], 4);
    // Its step alert grew too, so the links are the same three alerts.
    let ids = |a: &Value| -> Vec<Value> {
        a["sequenceSteps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["alert"]["id"].clone())
            .collect()
    };
    assert_eq!(ids(&grown[0]), ids(&first[0]));
    assert!(grown[0]["lastSeenAt"].as_str() > first[0]["lastSeenAt"].as_str());
}
