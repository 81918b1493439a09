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
    let list = app
        .graphql_ok(
            &token,
            "{ assets(first: 1, filter: { includeDeleted: true }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["assets"]["totalCount"], 5);

    // The counts are read from asset_rollups, kept by the assets' own statements: inserts,
    // the update that marked one deleted above, and a delete.
    sqlx::query("delete from assets where tenant_id = $1 and resource_id = 'i-3'")
        .bind(tenant)
        .execute(&admin)
        .await
        .unwrap();
    let live = app.graphql_ok(&token, ASSET_COUNTS, json!({})).await;
    assert_eq!(counts(&live), [c("ec2_instance", 2), c("s3_bucket", 1)]);
    let drift: i64 = sqlx::query_scalar(
        "with counted as (select tenant_id, aws_account_id, resource_type, region,
                                 deleted_at is not null as deleted, count(*) as n
                          from assets group by 1, 2, 3, 4, 5),
              rolled as (select tenant_id, aws_account_id, resource_type, region, deleted, assets as n
                         from asset_rollups)
         select count(*) from ((select * from counted except all select * from rolled)
                               union all (select * from rolled except all select * from counted)) d",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(drift, 0, "asset_rollups differs from count(*)");
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

const ALERT_PAGE: &str =
    "query($first: Int!, $after: String, $f: AlertFilter, $order: AlertOrder) {
  alerts(first: $first, after: $after, filter: $f, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";

/// `alertCountsByDay` and `totalCount` read maintained rollups (`alert_rollups`,
/// `alert_quarter_hours`) rather than the alerts: after inserts, growth, triage and deletes
/// they still say what counting the alerts themselves says, in time zones a quarter or half
/// hour off UTC and from a `since` that is not on a quarter hour; and the keyset pages walk
/// every alert once in both orders.
#[sqlx::test(migrations = "../migrations")]
async fn alert_counts_from_rollups_match_the_alerts_themselves(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@rollups.example", "Rollups")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let accounts = [
        fixtures::connection(&app, &token).await,
        fixtures::connection(&app, &token).await,
    ];
    let neighbour = app.signup("owner@next.example", "Next").await.access_token;
    let neighbour_tenant = fixtures::tenant_of(&app, &neighbour).await;
    let neighbour_account = fixtures::connection(&app, &neighbour).await;
    // 300 alerts over three days at odd minutes and seconds, in one statement (as the
    // worker's batches are), and 50 of the neighbour's on the same days.
    let seed = |tenant: uuid::Uuid, accounts: Vec<uuid::Uuid>, n: i32| {
        let admin = admin.clone();
        async move {
            sqlx::query(
                "insert into alerts (tenant_id, alert_id, aws_account_id, rule_id, title, severity, group_key,
                                     first_event_id, last_event_id, event_ids, first_seen_at, last_seen_at)
                 select $1, gen_random_uuid(), ($2::uuid[])[1 + i % cardinality($2::uuid[])],
                        'rule-' || (i % 7), 'Seeded',
                        (array['critical','high','medium','low','info'])[1 + (i * 7) % 5],
                        'g' || i, 'e' || i, 'e' || i, array['e' || i],
                        timestamptz '2026-11-28T00:00:00Z' + (i * 863) * interval '1 second',
                        timestamptz '2026-11-28T00:00:00Z' + (i * 863 + i % 5000) * interval '1 second'
                 from generate_series(1, $3) i",
            )
            .bind(tenant)
            .bind(accounts)
            .bind(n)
            .execute(&admin)
            .await
            .unwrap();
        }
    };
    seed(tenant, accounts.to_vec(), 300).await;
    seed(neighbour_tenant, vec![neighbour_account], 50).await;
    // Growth (a new hit), triage, and deletes, each as one statement over many alerts.
    for change in [
        "update alerts set last_seen_at = last_seen_at + interval '3 hours', event_count = event_count + 1
         where rule_id in ('rule-1', 'rule-2')",
        "update alerts set status = 'acknowledged' where rule_id = 'rule-3'",
        "update alerts set status = 'closed' where rule_id = 'rule-4' and severity in ('high', 'low')",
        "delete from alerts where rule_id = 'rule-5' and severity = 'medium'",
    ] {
        sqlx::query(change).execute(&admin).await.unwrap();
    }

    let rollups_drift: i64 = sqlx::query_scalar(
        "select count(*) from (
           (select tenant_id, aws_account_id, rule_id, status, severity, count(*) from alerts group by 1, 2, 3, 4, 5
            except all
            select tenant_id, aws_account_id, rule_id, status, severity, alerts from alert_rollups)
           union all
           (select tenant_id, aws_account_id, rule_id, status, severity, alerts from alert_rollups
            except all
            select tenant_id, aws_account_id, rule_id, status, severity, count(*) from alerts group by 1, 2, 3, 4, 5)
         ) drift",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(rollups_drift, 0, "alert_rollups differs from count(*)");
    let quarter_hours_drift: i64 = sqlx::query_scalar(
        "select count(*) from (
           (select tenant_id, alert_quarter_hour(first_seen_at), aws_account_id, severity, count(*) from alerts group by 1, 2, 3, 4
            except all
            select tenant_id, quarter_hour, aws_account_id, severity, alerts from alert_quarter_hours)
           union all
           (select tenant_id, quarter_hour, aws_account_id, severity, alerts from alert_quarter_hours
            except all
            select tenant_id, alert_quarter_hour(first_seen_at), aws_account_id, severity, count(*) from alerts group by 1, 2, 3, 4)
         ) drift",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(
        quarter_hours_drift, 0,
        "alert_quarter_hours differs from count(*)"
    );

    // The chart against a count of the alerts themselves.
    for tz in [
        "UTC",
        "Europe/Paris",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "America/St_Johns",
    ] {
        for since in ["2026-11-28T06:00:00Z", "2026-11-29T07:07:13Z"] {
            for account in [None, Some(accounts[1])] {
                let expected: Vec<(String, String, i64)> = sqlx::query_as(
                    "select to_char((first_seen_at at time zone $3)::date, 'YYYY-MM-DD'), upper(severity), count(*)
                     from alerts
                     where tenant_id = $1 and first_seen_at >= $2 and ($4::uuid is null or aws_account_id = $4)
                     group by 1, 2
                     order by 1, array_position(array['critical','high','medium','low','info'], lower(upper(severity)))",
                )
                .bind(tenant)
                .bind(at(since))
                .bind(tz)
                .bind(account)
                .fetch_all(&admin)
                .await
                .unwrap();
                assert!(expected.len() > 5, "{tz} {since}: too little to compare");
                let data = app
                    .graphql_ok(
                        &token,
                        PER_DAY,
                        json!({ "since": since, "tz": tz, "account": account.map(|a| a.to_string()) }),
                    )
                    .await;
                assert_eq!(
                    triples(&data),
                    expected,
                    "{tz} from {since}, account {account:?}"
                );
            }
        }
    }

    // totalCount for the filters the rollups answer and for those counted from the alerts.
    for filter in [
        json!({}),
        json!({ "status": ["OPEN"] }),
        json!({ "status": ["ACKNOWLEDGED", "CLOSED"] }),
        json!({ "severity": ["HIGH", "CRITICAL"] }),
        json!({ "ruleId": "rule-4", "status": ["CLOSED"] }),
        json!({ "awsAccountId": accounts[0].to_string(), "severity": ["LOW"] }),
        json!({ "since": "2026-11-29T12:00:00Z", "severity": ["HIGH"] }),
        json!({ "until": "2026-11-29T00:00:00Z" }),
    ] {
        let expected: i64 = sqlx::query_scalar(
            "select count(*) from alerts
             where tenant_id = $1
               and ($2::text[] is null or upper(status) = any($2))
               and ($3::text[] is null or upper(severity) = any($3))
               and ($4::text is null or rule_id = $4)
               and ($5::uuid is null or aws_account_id = $5)
               and ($6::timestamptz is null or last_seen_at >= $6)
               and ($7::timestamptz is null or first_seen_at < $7)",
        )
        .bind(tenant)
        .bind(strings(&filter["status"]))
        .bind(strings(&filter["severity"]))
        .bind(filter["ruleId"].as_str())
        .bind(
            filter["awsAccountId"]
                .as_str()
                .map(|a| a.parse::<uuid::Uuid>().unwrap()),
        )
        .bind(filter["since"].as_str().map(at))
        .bind(filter["until"].as_str().map(at))
        .fetch_one(&admin)
        .await
        .unwrap();
        assert!(expected > 0, "{filter}: nothing to count");
        let data = app
            .graphql_ok(&token, ALERT_PAGE, json!({ "first": 5, "f": filter }))
            .await;
        assert_eq!(data["alerts"]["totalCount"], expected, "{filter}");
    }

    // Pages of 23 in both orders (within the tenant rate limit's burst) walk the alerts in the order itself, each once.
    for (order, direction) in [("LAST_SEEN_DESC", "desc"), ("LAST_SEEN_ASC", "asc")] {
        let expected: Vec<String> = sqlx::query_scalar(sql_order(direction))
            .bind(tenant)
            .fetch_all(&admin)
            .await
            .unwrap();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = app
                .graphql_ok(
                    &token,
                    ALERT_PAGE,
                    json!({ "first": 23, "after": after, "order": order, "f": { "status": ["OPEN", "ACKNOWLEDGED", "CLOSED"] } }),
                )
                .await;
            let page = &data["alerts"];
            seen.extend(
                page["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen, expected, "{order}");
    }
}

/// The tenant's alert IDs in last-seen order `direction`, as the API orders them.
fn sql_order(direction: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "select alert_id::text from alerts where tenant_id = $1
         order by last_seen_at {direction}, alert_id {direction}"
    ))
}

/// A JSON list of strings as a `text[]` parameter (`None` when absent).
fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
}

/// Rows of `event_rollups` and `event_day_rollups` that differ from a `count(*)` of the
/// events.
async fn event_rollup_drift(admin: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar(
        "with counted as (select tenant_id, aws_account_id, (occurred_at at time zone 'UTC')::date as day,
                                 event_source, event_name, count(*) as n
                          from events group by 1, 2, 3, 4, 5),
              rolled as (select tenant_id, aws_account_id, day, event_source, event_name, events as n
                         from event_rollups),
              by_day as (select tenant_id, aws_account_id, day, sum(n)::bigint as n from counted group by 1, 2, 3),
              rolled_by_day as (select tenant_id, aws_account_id, day, events as n from event_day_rollups)
         select (select count(*) from ((select * from counted except all select * from rolled)
                                       union all (select * from rolled except all select * from counted)) d)
              + (select count(*) from ((select * from by_day except all select * from rolled_by_day)
                                       union all (select * from rolled_by_day except all select * from by_day)) d)",
    )
    .fetch_one(admin)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn events_are_counted_from_rollups_or_exactly_up_to_ten_thousand_and_estimated_above(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@events.example", "Events")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let account = fixtures::connection(&app, &token).await;
    // 10,050 events over the last hour: ten StopLogging calls among DescribeInstances, and
    // three calls of 40 days ago (a partition retention drops).
    sqlx::query(
        "select ensure_event_partition((now() - interval '1 hour')::date), ensure_event_partition(now()::date),
                ensure_event_partition((now() - interval '40 days')::date)",
    )
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(
        "insert into events (tenant_id, aws_account_id, event_id, occurred_at, event_name, event_source, region, raw)
         select $1, $2, 'e-' || i, now() - i * interval '300 milliseconds',
                case when i % 1000 = 0 then 'StopLogging' else 'DescribeInstances' end,
                'ec2.amazonaws.com', 'eu-west-1', '{}'::jsonb
         from generate_series(1, 10050) i
         union all
         select $1, $2, 'old-' || i, now() - interval '40 days', 'DescribeInstances', 'ec2.amazonaws.com', 'eu-west-1', '{}'
         from generate_series(1, 3) i",
    )
    .bind(tenant)
    .bind(account)
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query("analyze events").execute(&admin).await.unwrap();
    assert_eq!(event_rollup_drift(&admin).await, 0, "after the inserts");
    const COUNT: &str = "query($f: EventFilter) { events(first: 1, filter: $f) { totalCount totalCountIsEstimate edges { node { eventName } } } }";
    let count = |filter: Value| {
        let app = &app;
        let token = &token;
        async move {
            let events =
                app.graphql_ok(token, COUNT, json!({ "f": filter })).await["events"].clone();
            (
                events["totalCount"].as_i64().unwrap(),
                events["totalCountIsEstimate"] == true,
            )
        }
    };
    // Rollup keys and midnight bounds: exact, above ten thousand too.
    assert_eq!(count(json!({})).await, (10_053, false));
    assert_eq!(
        count(json!({ "awsAccountId": account })).await,
        (10_053, false)
    );
    assert_eq!(
        count(json!({ "eventName": "StopLogging" })).await,
        (10, false)
    );
    assert_eq!(
        count(json!({ "eventName": "DescribeInstances", "eventSource": "ec2.amazonaws.com" }))
            .await,
        (10_043, false)
    );
    assert_eq!(
        count(json!({ "until": (Utc::now() - chrono::Duration::days(2)).format("%Y-%m-%dT00:00:00Z").to_string() })).await,
        (3, false),
        "the old calls, by day"
    );
    // A bound off midnight: counted while it is at most ten thousand...
    let two_hours = (Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let (stops, estimated) = count(json!({ "eventName": "StopLogging", "since": two_hours })).await;
    assert_eq!((stops, estimated), (10, false));
    // ...and above, the rollups' count prorated over the part of each day the bounds cover:
    // every event of the last hour is inside a bound one second after a midnight of the
    // year 2000.
    assert_eq!(
        count(json!({ "eventName": "DescribeInstances", "since": "2000-01-01T00:00:01Z" })).await,
        (10_043, true)
    );
    // Filters the rollups do not key: counted up to ten thousand, the planner's estimate above.
    let (by_region, estimated) = count(json!({ "region": "eu-west-1" })).await;
    assert!(estimated, "10,053 > 10,000");
    assert!(
        (10_001..=20_000).contains(&by_region),
        "an estimate near 10,053: {by_region}"
    );
    assert_eq!(
        count(json!({ "region": "eu-west-1", "eventName": "StopLogging" })).await,
        (10, false)
    );
    // Deletes and retention move the rollups with the events.
    sqlx::query(
        "delete from events where event_id in
             (select event_id from events where event_name = 'DescribeInstances' and event_id like 'e-%' limit 50)",
    )
        .execute(&admin)
        .await
        .unwrap();
    assert_eq!(event_rollup_drift(&admin).await, 0, "after a delete");
    let dropped: i32 = sqlx::query_scalar(
        "select drop_event_partitions_before((now() - interval '30 days')::date)",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(dropped, 1);
    assert_eq!(event_rollup_drift(&admin).await, 0, "after retention");
    let remaining: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(count(json!({})).await, (remaining, false));
    assert_eq!(
        count(json!({ "region": "eu-west-1" })).await,
        (10_000, false),
        "exactly the limit is counted"
    );
}
