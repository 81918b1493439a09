//! Pins tenant detection rules: clear errors naming the line and field, dry runs over the
//! tenant's recent events, listing with the built-in rules, enabling and deleting, and
//! who may manage them; tenant correlations: checked references, backtests over stored
//! events, alerts once enabled, and kept to their tenant.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::{db, ids::AwsAccountId, store::events};
use vigil_tests::{
    emulator::{Emulator, random_account_id},
    error_code, spawn_app,
};

use crate::activity::{connected, tenant_of};

const CREATE: &str = "mutation($y: String!) { createDetectionRule(yaml: $y) { id title severity builtin enabled techniques } }";
const TEST: &str =
    "query($y: String!) { testDetectionRule(yaml: $y) { scanned matched matchedEventIds } }";

const RULE: &str = "title: Snapshots deleted
id: acme-snapshot-deleted
description: Someone deletes EBS snapshots (our backups).
runbook: Check the ticket; restore from the replica account.
tags: [attack.impact, attack.t1485]
logsource: { product: aws, service: cloudtrail }
detection:
  sel:
    eventName: DeleteSnapshot
  condition: sel
level: high
";

#[sqlx::test(migrations = "../migrations")]
async fn tenant_rules_are_validated_dry_run_listed_and_managed(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@rules.example", "Rules")
        .await
        .access_token;
    let tenant = app.graphql_ok(&owner, "{ tenant { id } }", json!({})).await["tenant"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // Errors name the line and field.
    let bad = RULE.replace(
        "eventName: DeleteSnapshot",
        "eventName|base32: DeleteSnapshot",
    );
    let body = app.graphql(Some(&owner), CREATE, json!({ "y": bad })).await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["line"], 9);
    assert_eq!(body["errors"][0]["extensions"]["field"], "eventName|base32");
    let yaml = app
        .graphql(Some(&owner), CREATE, json!({ "y": "title: [unclosed" }))
        .await;
    assert_eq!(error_code(&yaml).as_deref(), Some("BAD_USER_INPUT"));

    // Dry run over the tenant's recent events (Vigil's own calls are not looked at).
    let now = chrono::Utc::now();
    let event_at = |id: &str, name: &str, own: bool, minutes_ago: i64| events::NewEvent {
        event_id: id.into(),
        occurred_at: now - chrono::Duration::minutes(minutes_ago),
        event_name: name.into(),
        event_source: "ec2.amazonaws.com".into(),
        region: "eu-west-1".into(),
        principal_arn: None,
        principal_type: None,
        access_key_id: None,
        source_ip: None,
        user_agent: None,
        error_code: None,
        read_only: Some(false),
        resources: json!([]),
        own,
        raw: json!({ "eventID": id, "eventName": name, "eventSource": "ec2.amazonaws.com" }),
    };
    let event = |id: &str, name: &str, own: bool| event_at(id, name, own, 5);
    let mut tx = db::begin_tenant(&app.pool, tenant).await.unwrap();
    events::insert(
        &mut tx,
        AwsAccountId::new(),
        &[
            event("e1", "DeleteSnapshot", false),
            event("e2", "DescribeSnapshots", false),
            event("e3", "DeleteSnapshot", true),
            // Newer calls of other names, and the same deletion two days earlier.
            event_at("e4", "DescribeVolumes", false, 1),
            event_at("e5", "DescribeVolumes", false, 1),
            event_at("e6", "DescribeVolumes", false, 1),
            event_at("e0", "DeleteSnapshot", false, 2 * 24 * 60),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // The rule names its eventName, so only those events are read: the newer calls of
    // other names do not use up the limit and the older deletion is found.
    let dry = app
        .graphql_ok(
            &owner,
            "query($y: String!) { testDetectionRule(yaml: $y, limit: 2) { scanned matched matchedEventIds complete } }",
            json!({ "y": RULE }),
        )
        .await["testDetectionRule"]
        .clone();
    assert_eq!(dry["scanned"], 2, "{dry}");
    assert_eq!(dry["matched"], 2, "{dry}");
    assert_eq!(dry["matchedEventIds"], json!(["e1", "e0"]));
    // A rule that can match any name reads the newest events of every name.
    let any_name = RULE.replace(
        "eventName: DeleteSnapshot",
        "eventSource: ec2.amazonaws.com",
    );
    let dry = app
        .graphql_ok(
            &owner,
            "query($y: String!) { testDetectionRule(yaml: $y, limit: 2) { scanned matched } }",
            json!({ "y": any_name }),
        )
        .await["testDetectionRule"]
        .clone();
    assert_eq!(
        (dry["scanned"].clone(), dry["matched"].clone()),
        (json!(2), json!(2)),
        "{dry}"
    );
    let all =
        app.graphql_ok(&owner, TEST, json!({ "y": any_name })).await["testDetectionRule"].clone();
    assert_eq!(all["scanned"], 6, "every event but Vigil's own: {all}");

    // Saved, listed after the built-in rules, switched off, deleted.
    let created =
        app.graphql_ok(&owner, CREATE, json!({ "y": RULE })).await["createDetectionRule"].clone();
    assert_eq!(
        (created["severity"].as_str(), created["builtin"].as_bool()),
        (Some("HIGH"), Some(false))
    );
    assert_eq!(created["techniques"], json!(["T1485"]));
    let list = app
        .graphql_ok(
            &owner,
            "{ detectionRules { id builtin enabled } }",
            json!({}),
        )
        .await;
    let rules = list["detectionRules"].as_array().unwrap();
    assert!(rules.iter().filter(|r| r["builtin"] == true).count() >= 30);
    assert!(rules.iter().any(|r| r["id"] == created["id"]));
    let off = app
        .graphql_ok(
            &owner,
            "mutation($id: ID!) { updateDetectionRule(id: $id, enabled: false) { enabled } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(off["updateDetectionRule"]["enabled"], false);
    app.graphql_ok(
        &owner,
        "mutation($id: ID!) { deleteDetectionRule(id: $id) }",
        json!({ "id": created["id"] }),
    )
    .await;

    // Analysts and viewers read rules but do not manage them.
    let key = app
        .graphql_ok(
            &owner,
            "mutation { createApiKey(name: \"soc\", role: ANALYST) { key } }",
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        error_code(&app.graphql(Some(&key), CREATE, json!({ "y": RULE })).await).as_deref(),
        Some("FORBIDDEN")
    );
    app.graphql_ok(&key, "{ detectionRules { id } }", json!({}))
        .await;
}

/// Three snapshot deletions by one principal within ten minutes, counted from the
/// tenant's own rule above.
const BURST: &str = "title: Snapshots deleted in a burst
id: acme-snapshot-burst
description: One principal deletes several snapshots within minutes.
tags: [attack.impact, attack.t1485]
level: critical
correlation:
  type: event_count
  rules: [acme-snapshot-deleted]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition: { gte: 3 }
";

const BACKTEST: &str = "query($y: String!) { testDetectionRule(yaml: $y) { kind scanned matched complete capped wouldRaiseCount wouldRaise { awsAccountId group firstEventAt lastEventAt count sampleEventIds } } }";
const CREATE_FULL: &str = "mutation($y: String!) { createDetectionRule(yaml: $y) { id sigmaId kind title severity techniques enabled } }";

fn deletion(id: &str, who: &str, at: chrono::DateTime<chrono::Utc>) -> events::NewEvent {
    let arn = format!("arn:aws:iam::111122223333:user/{who}");
    events::NewEvent {
        event_id: id.into(),
        occurred_at: at,
        event_name: "DeleteSnapshot".into(),
        event_source: "ec2.amazonaws.com".into(),
        region: "eu-west-1".into(),
        principal_arn: Some(arn.clone()),
        principal_type: Some("IAMUser".into()),
        access_key_id: None,
        source_ip: None,
        user_agent: None,
        error_code: None,
        read_only: Some(false),
        resources: json!([]),
        own: false,
        raw: json!({ "eventID": id, "eventName": "DeleteSnapshot", "eventSource": "ec2.amazonaws.com",
                     "userIdentity": { "type": "IAMUser", "arn": arn } }),
    }
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn tenant_correlations_are_checked_backtested_raise_alerts_and_stay_in_their_tenant(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let (app, owner) = (&c.app, c.token.as_str());
    let tenant = tenant_of(&c).await.parse().unwrap();
    let connection: AwsAccountId = c.connection_id.as_str().unwrap().parse().unwrap();

    // A correlation naming a rule that does not exist (yet) is refused, naming it; so is
    // a timespan longer than Vigil keeps matches, and a correlation of a correlation.
    for query in [CREATE_FULL, BACKTEST] {
        let body = app.graphql(Some(owner), query, json!({ "y": BURST })).await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], "rules", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["line"], 8, "{body}");
        assert!(
            message(&body).contains(
                "`acme-snapshot-deleted` is not the id of a built-in rule or of one of yours"
            ),
            "{body}"
        );
    }
    let long = BURST.replace("timespan: 10m", "timespan: 3d");
    let body = app
        .graphql(Some(owner), CREATE_FULL, json!({ "y": long }))
        .await;
    assert_eq!(error_code(&body).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "timespan");
    assert!(message(&body).contains("at most 24h"), "{body}");
    let chained = BURST.replace(
        "[acme-snapshot-deleted]",
        "[vigil-recon-access-denied-burst]",
    );
    let body = app
        .graphql(Some(owner), CREATE_FULL, json!({ "y": chained }))
        .await;
    assert!(message(&body).contains("is a correlation"), "{body}");

    // The base rule, saved; a second rule may not take its id.
    let base = app
        .graphql_ok(owner, CREATE_FULL, json!({ "y": RULE }))
        .await["createDetectionRule"]
        .clone();
    assert_eq!(
        (base["kind"].as_str(), base["sigmaId"].as_str()),
        (Some("SINGLE"), Some("acme-snapshot-deleted"))
    );
    let twin = app
        .graphql(
            Some(owner),
            CREATE_FULL,
            json!({ "y": RULE.replace("title: Snapshots deleted", "title: Twin") }),
        )
        .await;
    assert_eq!(error_code(&twin).as_deref(), Some("BAD_USER_INPUT"));
    assert_eq!(twin["errors"][0]["extensions"]["field"], "id", "{twin}");

    // Stored history: mallory deletes three snapshots within five minutes (a burst), bob
    // two (below the threshold), and mallory three more spread over an hour (no window
    // of ten minutes holds three).
    let now = chrono::Utc::now();
    let ago = |minutes: i64| now - chrono::Duration::minutes(minutes);
    let mut tx = db::begin_tenant(&app.pool, tenant).await.unwrap();
    events::insert(
        &mut tx,
        connection,
        &[
            deletion("m1", "mallory", ago(24 * 60)),
            deletion("m2", "mallory", ago(24 * 60 - 2)),
            deletion("m3", "mallory", ago(24 * 60 - 4)),
            deletion("b1", "bob", ago(600)),
            deletion("b2", "bob", ago(598)),
            deletion("s1", "mallory", ago(300)),
            deletion("s2", "mallory", ago(270)),
            deletion("s3", "mallory", ago(240)),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // The backtest reports mallory's burst, and only it.
    let test =
        app.graphql_ok(owner, BACKTEST, json!({ "y": BURST })).await["testDetectionRule"].clone();
    assert_eq!(test["kind"], "CORRELATION", "{test}");
    assert_eq!(
        (
            &test["scanned"],
            &test["matched"],
            &test["complete"],
            &test["capped"]
        ),
        (&json!(8), &json!(8), &json!(true), &json!(false)),
        "{test}"
    );
    assert_eq!(test["wouldRaiseCount"], 1, "{test}");
    let alert = &test["wouldRaise"][0];
    assert_eq!(alert["group"], "arn:aws:iam::111122223333:user/mallory");
    assert_eq!(alert["awsAccountId"], c.connection_id);
    assert_eq!(alert["count"], 3);
    assert_eq!(alert["sampleEventIds"], json!(["m1", "m2", "m3"]));
    let first: chrono::DateTime<chrono::Utc> =
        alert["firstEventAt"].as_str().unwrap().parse().unwrap();
    let last: chrono::DateTime<chrono::Utc> =
        alert["lastEventAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        (first.timestamp(), last.timestamp()),
        (ago(24 * 60).timestamp(), ago(24 * 60 - 4).timestamp())
    );
    // With a threshold of two, bob's pair counts too.
    let two = app
        .graphql_ok(
            owner,
            BACKTEST,
            json!({ "y": BURST.replace("gte: 3", "gte: 2") }),
        )
        .await["testDetectionRule"]["wouldRaiseCount"]
        .clone();
    assert_eq!(two, 2);

    // Saved. The backtest wrote nothing: no alert yet.
    let burst = app
        .graphql_ok(owner, CREATE_FULL, json!({ "y": BURST }))
        .await["createDetectionRule"]
        .clone();
    assert_eq!(burst["kind"], "CORRELATION");
    assert_eq!(burst["severity"], "CRITICAL");
    assert_eq!(burst["techniques"], json!(["T1485"]));
    let burst_id = burst["id"].as_str().unwrap().to_owned();
    assert!(burst_id.starts_with("tenant:"), "{burst}");
    assert!(c.alerts(json!({})).await.is_empty());
    // Its base rule cannot go while it counts it, nor change its id.
    let body = app
        .graphql(
            Some(owner),
            "mutation($id: ID!) { deleteDetectionRule(id: $id) }",
            json!({ "id": base["id"] }),
        )
        .await;
    assert_eq!(error_code(&body).as_deref(), Some("BAD_USER_INPUT"));
    assert!(
        message(&body).contains("“Snapshots deleted in a burst”"),
        "{body}"
    );
    let body = app
        .graphql(
            Some(owner),
            "mutation($id: ID!, $y: String!) { updateDetectionRule(id: $id, yaml: $y) { id } }",
            json!({ "id": base["id"], "y": RULE.replace("acme-snapshot-deleted", "acme-renamed") }),
        )
        .await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );

    // Live, while the correlation is disabled: a burst raises no correlation alert, and the
    // base rule, which nothing enabled counts, alerts on its own.
    let at = |secs: i64| {
        (now - chrono::Duration::seconds(secs))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let burst_of = |who: &str, from_secs: i64| -> Vec<Value> {
        (0..3)
            .map(|i| {
                json!({
                    "eventSource": "ec2.amazonaws.com", "eventName": "DeleteSnapshot",
                    "eventTime": at(from_secs - i * 30),
                    "userIdentity": { "type": "IAMUser", "userName": who, "accountId": account,
                                      "arn": format!("arn:aws:iam::{account}:user/{who}") },
                    "sourceIPAddress": "203.0.113.66",
                    "requestParameters": { "snapshotId": format!("snap-{who}-{i}") },
                    "readOnly": false
                })
            })
            .collect()
    };
    let switch = |enabled: bool| {
        app.graphql_ok(
            owner,
            "mutation($id: ID!, $on: Boolean!) { updateDetectionRule(id: $id, enabled: $on) { enabled } }",
            json!({ "id": burst_id, "on": enabled }),
        )
    };
    switch(false).await;
    Emulator::shared()
        .inject(&account, burst_of("early", 300))
        .await;
    c.ingest().await;
    let alerts = c.alerts(json!({})).await;
    assert!(
        alerts.iter().all(|a| a["ruleId"] != burst_id),
        "{alerts:#?}"
    );
    let own: Vec<&Value> = alerts
        .iter()
        .filter(|a| a["ruleId"] == base["id"])
        .collect();
    assert_eq!(own.len(), 1, "{alerts:#?}");
    assert_eq!(own[0]["eventCount"], 3);
    assert_eq!(own[0]["techniques"], json!(["T1485"]), "its YAML's tags");

    // Enabled: the intruder's burst raises the correlation's alert, like any other; the
    // base rule, which now only feeds it, raises nothing more.
    switch(true).await;
    Emulator::shared()
        .inject(&account, burst_of("intruder", 120))
        .await;
    c.ingest().await;
    let alerts = c.alerts(json!({})).await;
    let raised: Vec<&Value> = alerts.iter().filter(|a| a["ruleId"] == burst_id).collect();
    assert_eq!(raised.len(), 1, "{alerts:#?}");
    assert_eq!(raised[0]["title"], "Snapshots deleted in a burst");
    assert_eq!(raised[0]["severity"], "CRITICAL");
    assert_eq!(raised[0]["eventCount"], 3);
    assert_eq!(raised[0]["techniques"], json!(["T1485"]));
    assert_eq!(
        raised[0]["principalArn"],
        format!("arn:aws:iam::{account}:user/intruder")
    );
    let own: Vec<&Value> = alerts
        .iter()
        .filter(|a| a["ruleId"] == base["id"])
        .collect();
    assert_eq!(own.len(), 1, "only the early one: {alerts:#?}");
    assert_eq!(own[0]["eventCount"], 3, "{alerts:#?}");

    // Another tenant sees none of it: not the rules, not the alert, not the events; it
    // cannot name the first tenant's rule, even by its stored ID, nor change or delete
    // the correlation.
    let other = app
        .signup("owner@other.example", "Other")
        .await
        .access_token;
    let listed = app
        .graphql_ok(&other, "{ detectionRules { id builtin } }", json!({}))
        .await;
    assert!(
        listed["detectionRules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["builtin"] == true),
        "{listed}"
    );
    let by_stored_id = BURST.replace(
        "[acme-snapshot-deleted]",
        &format!("[\"{}\"]", base["id"].as_str().unwrap()),
    );
    for yaml in [BURST.to_owned(), by_stored_id] {
        let body = app
            .graphql(Some(&other), BACKTEST, json!({ "y": yaml }))
            .await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{body}"
        );
        assert!(message(&body).contains("is not the id"), "{body}");
    }
    // With a base rule of its own under the same id, its backtest reads only its own
    // (no) events.
    app.graphql_ok(&other, CREATE_FULL, json!({ "y": RULE }))
        .await;
    let theirs = app
        .graphql_ok(&other, BACKTEST, json!({ "y": BURST }))
        .await["testDetectionRule"]
        .clone();
    assert_eq!(
        (&theirs["scanned"], &theirs["wouldRaiseCount"]),
        (&json!(0), &json!(0)),
        "{theirs}"
    );
    for query in [
        "mutation($id: ID!) { deleteDetectionRule(id: $id) }",
        "mutation($id: ID!) { updateDetectionRule(id: $id, enabled: false) { id } }",
    ] {
        let body = app
            .graphql(Some(&other), query, json!({ "id": burst_id }))
            .await;
        assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"), "{body}");
    }
    let their_alerts = app
        .graphql_ok(&other, "{ alerts(first: 10) { totalCount } }", json!({}))
        .await;
    assert_eq!(their_alerts["alerts"]["totalCount"], 0);
}
