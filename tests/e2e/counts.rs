//! Pins the counts the server makes so the web app need not page through rows to draw them:
//! alerts per day and severity (in the caller's time zone), assets per type and region
//! (the list's own filter), and the caller's permissions (`access`).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use vigil_tests::{error_code, spawn_app};

use crate::fixtures;

const PER_DAY: &str = "query($since: DateTime!, $tz: String, $account: ID) {
  alertCountsByDay(since: $since, timeZone: $tz, awsAccountId: $account) { day severity count } }";
const ASSET_COUNTS: &str = "query($filter: AssetFilter) {
  assetCounts(filter: $filter) { resourceType region count } }";
const ACCESS: &str = "{ access { role permissions grantableRoles } }";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// An alert of `severity` whose first event happened at `first`.
async fn alert(
    admin: &PgPool,
    tenant: uuid::Uuid,
    account: uuid::Uuid,
    severity: &str,
    first: &str,
) {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "insert into alerts (tenant_id, alert_id, aws_account_id, rule_id, title, severity, group_key,
                             first_event_id, last_event_id, event_ids, first_seen_at, last_seen_at)
         values ($1, gen_random_uuid(), $2, 'vigil-root-console-login', 'Root login', $3, $4,
                 $4, $4, array[$4], $5, $5)",
    )
    .bind(tenant)
    .bind(account)
    .bind(severity)
    .bind(id)
    .bind(at(first))
    .execute(admin)
    .await
    .unwrap();
}

/// The rows as (day, severity, count) triples, in the server's order.
fn triples(data: &Value) -> Vec<(String, String, i64)> {
    data["alertCountsByDay"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["day"].as_str().unwrap().to_owned(),
                r["severity"].as_str().unwrap().to_owned(),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn alerts_are_counted_per_day_and_severity_in_the_callers_time_zone(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app.signup("owner@days.example", "Days").await.access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let account = fixtures::connection(&app, &token).await;
    let other_account = fixtures::connection(&app, &token).await;
    for (severity, first) in [
        ("high", "2026-11-30T12:00:00Z"),
        ("high", "2026-11-30T23:30:00Z"), // already 1 December in Paris (UTC+1)
        ("critical", "2026-11-30T23:45:00Z"),
        ("low", "2026-12-01T08:00:00Z"),
        ("high", "2026-11-20T08:00:00Z"), // before `since`
    ] {
        alert(&admin, tenant, account, severity, first).await;
    }
    alert(
        &admin,
        tenant,
        other_account,
        "medium",
        "2026-12-01T09:00:00Z",
    )
    .await;
    // A neighbour's alerts are never counted.
    let neighbour = app.signup("owner@next.example", "Next").await.access_token;
    let neighbour_tenant = fixtures::tenant_of(&app, &neighbour).await;
    let neighbour_account = fixtures::connection(&app, &neighbour).await;
    alert(
        &admin,
        neighbour_tenant,
        neighbour_account,
        "high",
        "2026-12-01T10:00:00Z",
    )
    .await;

    let since = "2026-11-29T00:00:00Z";
    let utc = app
        .graphql_ok(&token, PER_DAY, json!({ "since": since }))
        .await;
    let s = |d: &str, sev: &str, n: i64| (d.to_owned(), sev.to_owned(), n);
    assert_eq!(
        triples(&utc),
        [
            s("2026-11-30", "CRITICAL", 1),
            s("2026-11-30", "HIGH", 2),
            s("2026-12-01", "MEDIUM", 1),
            s("2026-12-01", "LOW", 1),
        ]
    );
    let paris = app
        .graphql_ok(
            &token,
            PER_DAY,
            json!({ "since": since, "tz": "Europe/Paris" }),
        )
        .await;
    assert_eq!(
        triples(&paris),
        [
            s("2026-11-30", "HIGH", 1),
            s("2026-12-01", "CRITICAL", 1),
            s("2026-12-01", "HIGH", 1),
            s("2026-12-01", "MEDIUM", 1),
            s("2026-12-01", "LOW", 1),
        ]
    );
    let one = app
        .graphql_ok(
            &token,
            PER_DAY,
            json!({ "since": since, "account": other_account.to_string() }),
        )
        .await;
    assert_eq!(triples(&one), [s("2026-12-01", "MEDIUM", 1)]);

    // An unknown zone is the caller's mistake, named as such; so is one that is not a name.
    for tz in ["Mars/Olympus_Mons", "UTC'; select 1; --", ""] {
        let body = app
            .graphql(Some(&token), PER_DAY, json!({ "since": since, "tz": tz }))
            .await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{tz}: {body}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "timeZone",
            "{body}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn assets_are_counted_by_type_and_region_with_the_lists_filter(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@inv.example", "Inventory")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let account = fixtures::connection(&app, &token).await;
    let now = Utc::now();
    for (kind, id) in [
        ("ec2_instance", "i-1"),
        ("ec2_instance", "i-2"),
        ("ec2_instance", "i-3"),
        ("s3_bucket", "b-1"),
    ] {
        fixtures::asset(&admin, tenant, account, kind, id, now, now).await;
    }
    let gone = fixtures::asset(&admin, tenant, account, "s3_bucket", "b-gone", now, now).await;
    sqlx::query("update assets set deleted_at = now() where asset_id = $1")
        .bind(gone)
        .execute(&admin)
        .await
        .unwrap();
    let neighbour = app.signup("owner@inv2.example", "Other").await.access_token;
    let n_tenant = fixtures::tenant_of(&app, &neighbour).await;
    let n_account = fixtures::connection(&app, &neighbour).await;
    fixtures::asset(&admin, n_tenant, n_account, "ec2_instance", "i-9", now, now).await;

    let counts = |data: &Value| -> Vec<(String, String, i64)> {
        data["assetCounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["resourceType"].as_str().unwrap().to_owned(),
                    c["region"].as_str().unwrap().to_owned(),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let c = |t: &str, n: i64| (t.to_owned(), "eu-west-1".to_owned(), n);
    let live = app.graphql_ok(&token, ASSET_COUNTS, json!({})).await;
    assert_eq!(counts(&live), [c("ec2_instance", 3), c("s3_bucket", 1)]);
    // The counts agree with the list they summarise.
    let list = app
        .graphql_ok(&token, "{ assets(first: 100) { totalCount } }", json!({}))
        .await;
    assert_eq!(list["assets"]["totalCount"], 4);
    let all = app
        .graphql_ok(
            &token,
            ASSET_COUNTS,
            json!({ "filter": { "includeDeleted": true } }),
        )
        .await;
    assert_eq!(counts(&all), [c("ec2_instance", 3), c("s3_bucket", 2)]);
    let buckets = app
        .graphql_ok(
            &token,
            ASSET_COUNTS,
            json!({ "filter": { "resourceType": "s3_bucket", "awsAccountId": account.to_string() } }),
        )
        .await;
    assert_eq!(counts(&buckets), [c("s3_bucket", 1)]);
}

#[sqlx::test(migrations = "../migrations")]
async fn access_lists_what_the_server_lets_the_caller_do(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app(opts).await;
    let owner = app
        .signup("owner@access.example", "Access")
        .await
        .access_token;
    let access = app.graphql_ok(&owner, ACCESS, json!({})).await;
    assert_eq!(
        access["access"],
        json!({
            "role": "OWNER",
            "permissions": ["READ", "TRIAGE_FINDINGS", "TRIAGE_ALERTS", "MANAGE_ACCOUNTS",
                            "MANAGE_USERS", "MANAGE_API_KEYS", "READ_AUDIT_LOG", "MANAGE_INTEGRATIONS"],
            "grantableRoles": ["OWNER", "ADMIN", "ANALYST", "VIEWER"],
        })
    );
    // An API key has no user (`me` refuses it) but has its access.
    let created = app
        .graphql_ok(
            &owner,
            "mutation { createApiKey(name: \"SIEM\", role: ANALYST) { key } }",
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap();
    let access = app.graphql_ok(key, ACCESS, json!({})).await;
    assert_eq!(
        access["access"],
        json!({
            "role": "ANALYST",
            "permissions": ["READ", "TRIAGE_FINDINGS", "TRIAGE_ALERTS"],
            "grantableRoles": [],
        })
    );
    let body = app.graphql(None, ACCESS, json!({})).await;
    assert_eq!(error_code(&body).as_deref(), Some("UNAUTHENTICATED"));
}
