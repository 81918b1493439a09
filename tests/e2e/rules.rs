//! Pins tenant detection rules: clear errors naming the line and field, dry runs over the
//! tenant's recent events, listing with the built-in rules, enabling and deleting, and
//! who may manage them.

use serde_json::json;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::{db, ids::AwsAccountId, store::events};
use vigil_tests::{error_code, spawn_app};

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
        "eventName|base64: DeleteSnapshot",
    );
    let body = app.graphql(Some(&owner), CREATE, json!({ "y": bad })).await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["line"], 9);
    assert_eq!(body["errors"][0]["extensions"]["field"], "eventName|base64");
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
