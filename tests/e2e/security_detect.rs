//! Pins the detection and ingestion hardening of issue 20: rules past the parser's limits
//! are refused without harming the process, dry runs need an active plan, a session merely
//! named like Vigil's is still alerted on, trail records dated outside the accepted
//! window are kept out of the shared events table, and a trail created later neither
//! replaces the one Vigil reads nor goes unnoticed.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{
    emulator::{Emulator, random_account_id},
    error_code, spawn_app,
};

use crate::activity::{Connected, connected, logging_trail, tenant_of};

const CREATE: &str = "mutation($y: String!) { createDetectionRule(yaml: $y) { id } }";
const TEST: &str =
    "query($y: String!) { testDetectionRule(yaml: $y) { scanned matched complete } }";

fn rule_with_condition(condition: &str) -> String {
    format!(
        "title: Deep\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n  sel:\n    eventName: StopLogging\n  condition: {condition}\n"
    )
}

#[sqlx::test(migrations = "../migrations")]
async fn a_condition_nested_100000_deep_is_refused_and_the_server_keeps_answering(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let owner = app.signup("owner@deep.example", "Deep").await.access_token;
    let deep = rule_with_condition(&format!(
        "{}sel{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    ));
    for query in [TEST, CREATE] {
        let body = app.graphql(Some(&owner), query, json!({ "y": deep })).await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{body}"
        );
    }
    // Small enough for every size limit: the depth limit refuses it, naming itself.
    let nested = rule_with_condition(&format!("{}sel{}", "(".repeat(40), ")".repeat(40)));
    let body = app
        .graphql(Some(&owner), TEST, json!({ "y": nested }))
        .await;
    assert_eq!(error_code(&body).as_deref(), Some("BAD_USER_INPUT"));
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("32 levels deep"), "{message}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "condition");

    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let me = app.graphql_ok(&owner, "{ me { email } }", json!({})).await;
    assert_eq!(me["me"]["email"], "owner@deep.example");
    // A rule within the limits still dry-runs, and says it saw every event.
    let ok = app
        .graphql_ok(&owner, TEST, json!({ "y": rule_with_condition("(sel)") }))
        .await;
    assert_eq!(ok["testDetectionRule"]["complete"], true, "{ok}");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_trial_cannot_dry_run_a_rule(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@expired.example", "Expired")
        .await
        .access_token;
    let rule = rule_with_condition("sel");
    app.graphql_ok(&owner, TEST, json!({ "y": rule })).await;
    app.clock.advance(chrono::Duration::days(16));
    let body = app.graphql(Some(&owner), TEST, json!({ "y": rule })).await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("TRIAL_EXPIRED"),
        "{body}"
    );
}

/// Writes a trail log file of `records` into `bucket` as CloudTrail would, dated today;
/// returns its key.
pub(crate) async fn put_trail_file(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    account: &str,
    name: &str,
    records: Vec<Value>,
) -> String {
    use std::io::Write;
    let day = chrono::Utc::now().format("%Y/%m/%d");
    let key = format!(
        "AWSLogs/{account}/CloudTrail/us-east-1/{day}/{account}_CloudTrail_us-east-1_{name}.json.gz"
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json!({ "Records": records }).to_string().as_bytes())
        .unwrap();
    s3.put_object()
        .bucket(bucket)
        .key(&key)
        .body(gz.finish().unwrap().into())
        .send()
        .await
        .unwrap();
    key
}

pub(crate) fn record(
    account: &str,
    id: &str,
    name: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Value {
    json!({
        "eventVersion": "1.08", "eventID": id, "eventTime": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "ec2.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7", "readOnly": false, "recipientAccountId": account,
        "userIdentity": { "type": "IAMUser", "arn": format!("arn:aws:iam::{account}:user/mallory"), "accountId": account }
    })
}

const PROBLEMS: &str =
    "{ awsAccounts { trailArn ingestionProblems { kind count message lastSeenAt } } }";

/// The connection (its trail and problems) and its ingestion problem of `kind`.
pub(crate) async fn problem(c: &Connected, kind: &str) -> (Value, Value) {
    let view = c.app.graphql_ok(&c.token, PROBLEMS, json!({})).await;
    let account = view["awsAccounts"][0].clone();
    let found = account["ingestionProblems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} problem reported: {view}"));
    (account, found)
}

#[sqlx::test(migrations = "../migrations")]
async fn another_role_whose_session_is_named_like_vigils_is_still_alerted_on(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let tenant = tenant_of(&c).await;
    let spoofed = format!("arn:aws:sts::{account}:assumed-role/Attacker/vigil-{tenant}");
    Emulator::shared()
        .inject(
            &account,
            vec![json!({
                "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "readOnly": false,
                "requestParameters": { "name": "org" }, "sourceIPAddress": "198.51.100.66",
                "userIdentity": { "type": "AssumedRole", "arn": spoofed, "accountId": account,
                                  "accessKeyId": "ASIAATTACKER00000001" }
            })],
        )
        .await;
    c.ingest().await;

    let stopped = c
        .alerts(json!({ "ruleId": "vigil-cloudtrail-logging-stopped" }))
        .await;
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert_eq!(stopped[0]["principalArn"], spoofed.as_str());
    let event = c.events(json!({ "eventName": "StopLogging" })).await;
    assert_eq!(event[0]["byVigil"], false, "{event:?}");
    // Vigil's own session is still recognised, by its exact role.
    let own = c
        .events(json!({ "principalArn": format!("arn:aws:sts::{account}:assumed-role/VigilReadOnly/vigil-{tenant}") }))
        .await;
    assert!(
        !own.is_empty() && own.iter().all(|e| e["byVigil"] == true),
        "{own:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn trail_records_dated_outside_the_window_add_no_partition_and_are_reported(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    let c = connected(opts, &account).await;
    let now = c.app.clock.now();
    let good_at = now - chrono::Duration::hours(1);
    let mut records = vec![record(&account, "good-1", "CreateVpc", good_at)];
    // A year of future days, and days from 2001: one partition each, if stored.
    for day in 0..400 {
        let future = now + chrono::Duration::days(30 + day);
        records.push(record(
            &account,
            &format!("future-{day}"),
            "DeleteVpc",
            future,
        ));
    }
    for day in 0..20 {
        let ancient = "2001-01-01T00:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            + chrono::Duration::days(day);
        records.push(record(
            &account,
            &format!("ancient-{day}"),
            "DeleteVpc",
            ancient,
        ));
    }
    records.push(record(
        &account,
        "skewed",
        "DeleteVpc",
        now + chrono::Duration::minutes(20),
    ));
    put_trail_file(&s3, &bucket, &account, "forged", records).await;
    Emulator::shared().flush(&account).await;
    // The days genuine activity needs exist whatever this test does.
    for day in [good_at.date_naive(), now.date_naive()] {
        sqlx::query("select ensure_event_partition($1)")
            .bind(day)
            .execute(&admin)
            .await
            .unwrap();
    }
    let partitions = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from pg_inherits where inhparent = 'events'::regclass",
        )
        .fetch_one(&admin)
        .await
        .unwrap()
    };
    let before = partitions().await;
    c.ingest().await;

    assert_eq!(
        partitions().await,
        before,
        "out-of-window records created partitions"
    );
    assert_eq!(c.events(json!({ "eventName": "CreateVpc" })).await.len(), 1);
    assert!(
        c.events(json!({ "eventName": "DeleteVpc" }))
            .await
            .is_empty()
    );
    let stored: i64 = sqlx::query_scalar("select count(*) from events where event_id like 'future-%' or event_id like 'ancient-%' or event_id = 'skewed'")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let (_, window) = problem(&c, "EVENT_TIME_OUT_OF_WINDOW").await;
    assert_eq!(window["count"], 421, "{window}");
    assert!(
        window["message"].as_str().unwrap().contains("not stored"),
        "{window}"
    );

    // The future dates did not carry the file cursor ahead: later activity is still read.
    Emulator::shared()
        .inject(
            &account,
            vec![record(&account, "later-1", "CreateSubnet", now)],
        )
        .await;
    Emulator::shared().flush(&account).await;
    c.ingest().await;
    assert_eq!(
        c.events(json!({ "eventName": "CreateSubnet" })).await.len(),
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_trail_created_later_does_not_replace_the_pinned_one_and_raises_an_alert(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let emu = Emulator::shared();
    let account = random_account_id();
    let setup = emu.account_config(&account, "us-east-1").await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&setup)
            .force_path_style(true)
            .build(),
    );
    let ct = aws_sdk_cloudtrail::Client::new(&setup);
    // The customer's trail: one region only, so a multi-region newcomer would outrank it.
    let main_bucket = format!("main-{account}");
    s3.create_bucket()
        .bucket(&main_bucket)
        .send()
        .await
        .unwrap();
    let main = ct
        .create_trail()
        .name("main")
        .s3_bucket_name(&main_bucket)
        .send()
        .await
        .unwrap();
    ct.start_logging().name("main").send().await.unwrap();
    let c = connected(opts, &account).await;
    c.ingest().await;
    let pinned = c.app.graphql_ok(&c.token, PROBLEMS, json!({})).await;
    assert_eq!(
        pinned["awsAccounts"][0]["trailArn"].as_str(),
        main.trail_arn(),
        "{pinned}"
    );

    // The attacker adds a multi-region trail to their own bucket and forges its files.
    let evil_bucket = format!("evil-{account}");
    s3.create_bucket()
        .bucket(&evil_bucket)
        .send()
        .await
        .unwrap();
    ct.create_trail()
        .name("shadow")
        .s3_bucket_name(&evil_bucket)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();
    ct.start_logging().name("shadow").send().await.unwrap();
    let now = c.app.clock.now();
    put_trail_file(
        &s3,
        &evil_bucket,
        &account,
        "forged",
        vec![record(&account, "forged-1", "ForgedCall", now)],
    )
    .await;
    emu.flush(&account).await;
    c.ingest().await;

    let after = c.app.graphql_ok(&c.token, PROBLEMS, json!({})).await;
    assert_eq!(
        after["awsAccounts"][0]["trailArn"].as_str(),
        main.trail_arn(),
        "{after}"
    );
    assert!(
        c.events(json!({ "eventName": "ForgedCall" }))
            .await
            .is_empty(),
        "the attacker's trail was read"
    );
    let created = c
        .alerts(json!({ "ruleId": "vigil-cloudtrail-trail-created" }))
        .await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["eventName"], "CreateTrail");

    // The attacker deletes the customer's trail: Vigil does not fall back to theirs, and
    // says so on the connection, once.
    ct.delete_trail().name("main").send().await.unwrap();
    c.ingest().await;
    c.ingest().await;
    let (gone, changed) = problem(&c, "TRAIL_CHANGED").await;
    assert_eq!(gone["trailArn"].as_str(), main.trail_arn(), "{gone}");
    assert_eq!(changed["count"], 1, "{changed}");
    assert!(
        c.events(json!({ "eventName": "ForgedCall" }))
            .await
            .is_empty()
    );

    // The customer designates the trail to read; a malformed ARN is refused.
    const SET: &str = "mutation($id: ID!, $arn: String) { setAwsAccountTrail(id: $id, trailArn: $arn) { trailArn } }";
    let bad = c
        .app
        .graphql(
            Some(&c.token),
            SET,
            json!({ "id": c.connection_id, "arn": "arn:aws:s3:::main" }),
        )
        .await;
    assert_eq!(error_code(&bad).as_deref(), Some("BAD_USER_INPUT"), "{bad}");
    let replacement = ct
        .create_trail()
        .name("main2")
        .s3_bucket_name(&main_bucket)
        .send()
        .await
        .unwrap();
    let set = c
        .app
        .graphql_ok(
            &c.token,
            SET,
            json!({ "id": c.connection_id, "arn": replacement.trail_arn() }),
        )
        .await;
    assert_eq!(
        set["setAwsAccountTrail"]["trailArn"].as_str(),
        replacement.trail_arn()
    );
    c.ingest().await;
    let now_reading = c.app.graphql_ok(&c.token, PROBLEMS, json!({})).await;
    assert_eq!(
        now_reading["awsAccounts"][0]["trailArn"].as_str(),
        replacement.trail_arn()
    );
}
