//! Pins `orderBy` on findings, alerts and assets: each order lists the rows as documented, paging
//! two at a time walks the same sequence with no repeat or gap, a cursor of one order is
//! refused by another, and an oldest-first alerts pull from a checkpoint reads only what
//! happened since, in order. Events, newest first, page the same way across the time
//! windows their pages are read in.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{TestApp, error_code, spawn_app};

use crate::fixtures;

const FINDINGS: &str = "query($order: FindingOrder, $first: Int, $after: String) {
  findings(first: $first, after: $after, orderBy: $order) {
    pageInfo { hasNextPage endCursor } edges { node { resourceId } } } }";
const ASSETS: &str = "query($order: AssetOrder, $first: Int, $after: String) {
  assets(first: $first, after: $after, orderBy: $order) {
    pageInfo { hasNextPage endCursor } edges { node { resourceId } } } }";
const EVENTS: &str = "query($f: EventFilter, $first: Int, $after: String) {
  events(first: $first, after: $after, filter: $f) {
    pageInfo { hasNextPage endCursor } edges { node { eventId } } } }";
const ALERTS: &str = "query($order: AlertOrder, $first: Int, $after: String, $since: DateTime) {
  alerts(first: $first, after: $after, orderBy: $order, filter: { since: $since }) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { eventIds } } } }";

/// Every page of a list, `first` at a time (2 unless `vars` sets it): the items' `key`, in
/// order.
async fn walk(
    app: &TestApp,
    token: &str,
    query: &str,
    list: &str,
    vars: Value,
    key: fn(&Value) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let mut v = vars.clone();
        if v["first"].is_null() {
            v["first"] = json!(2);
        }
        v["after"] = after;
        let data = app.graphql_ok(token, query, v).await;
        let page = &data[list];
        out.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| key(&e["node"])),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn findings_and_alerts_come_in_the_requested_order(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@order.example", "Order")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let account = fixtures::connection(&app, &token).await;
    let t = |minutes: i64| Utc::now() - Duration::minutes(minutes);
    // (resource, severity, first seen, last seen), minutes ago.
    for (resource, severity, first, last) in [
        ("a", "low", 50, 1),
        ("b", "critical", 10, 30),
        ("c", "high", 40, 5),
        ("d", "critical", 20, 2),
        ("e", "medium", 5, 20),
    ] {
        fixtures::finding(
            &admin,
            tenant,
            account,
            resource,
            severity,
            t(first),
            t(last),
        )
        .await;
    }
    let resource = |n: &Value| n["resourceId"].as_str().unwrap().to_owned();
    for (order, expected) in [
        (Value::Null, "dbcea"),
        (json!("SEVERITY"), "dbcea"),
        (json!("LAST_SEEN"), "adceb"),
        (json!("FIRST_SEEN"), "ebdca"),
    ] {
        let got = walk(
            &app,
            &token,
            FINDINGS,
            "findings",
            json!({ "order": order }),
            resource,
        )
        .await;
        assert_eq!(got.concat(), expected, "orderBy {order}");
    }
    // A cursor of one order is refused by another.
    let first_page = app
        .graphql_ok(
            &token,
            FINDINGS,
            json!({ "order": "LAST_SEEN", "first": 1 }),
        )
        .await;
    let cursor = first_page["findings"]["pageInfo"]["endCursor"].clone();
    for other in ["SEVERITY", "FIRST_SEEN"] {
        let body = app
            .graphql(
                Some(&token),
                FINDINGS,
                json!({ "order": other, "after": cursor }),
            )
            .await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{other}: {body}"
        );
    }

    for (event, minutes) in [("e1", 50), ("e2", 40), ("e3", 30), ("e4", 20), ("e5", 10)] {
        fixtures::alert(&admin, tenant, account, event, t(minutes)).await;
    }
    let event = |n: &Value| n["eventIds"][0].as_str().unwrap().to_owned();
    let newest = walk(&app, &token, ALERTS, "alerts", json!({}), event).await;
    assert_eq!(newest, ["e5", "e4", "e3", "e2", "e1"]);
    let oldest = walk(
        &app,
        &token,
        ALERTS,
        "alerts",
        json!({ "order": "LAST_SEEN_ASC" }),
        event,
    )
    .await;
    assert_eq!(oldest, ["e1", "e2", "e3", "e4", "e5"]);
    // A puller's checkpoint: only what happened since, oldest first.
    let since = (t(35)).to_rfc3339();
    let pulled = walk(
        &app,
        &token,
        ALERTS,
        "alerts",
        json!({ "order": "LAST_SEEN_ASC", "since": since }),
        event,
    )
    .await;
    assert_eq!(pulled, ["e3", "e4", "e5"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn assets_come_in_the_requested_order(admin_opts: PgPoolOptions, opts: PgConnectOptions) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@assets-order.example", "Order")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let account = fixtures::connection(&app, &token).await;
    let t = |minutes: i64| Utc::now() - Duration::minutes(minutes);
    // (type, resource, first seen, last seen), minutes ago.
    for (kind, resource, first, last) in [
        ("AWS::S3::Bucket", "a", 500, 3),
        ("AWS::EC2::Instance", "b", 2, 1),
        ("AWS::EC2::Instance", "c", 90, 9),
        ("AWS::IAM::User", "d", 30, 4),
        ("AWS::EC2::SecurityGroup", "e", 60, 2),
    ] {
        fixtures::asset(&admin, tenant, account, kind, resource, t(first), t(last)).await;
    }
    let resource = |n: &Value| n["resourceId"].as_str().unwrap().to_owned();
    for (order, expected) in [
        (Value::Null, "bceda"),
        (json!("TYPE"), "bceda"),
        (json!("FIRST_SEEN"), "bdeca"),
        (json!("LAST_SEEN"), "beadc"),
    ] {
        let got = walk(
            &app,
            &token,
            ASSETS,
            "assets",
            json!({ "order": order }),
            resource,
        )
        .await;
        assert_eq!(got.concat(), expected, "orderBy {order}");
    }
    for (from, to) in [
        ("FIRST_SEEN", "TYPE"),
        ("TYPE", "LAST_SEEN"),
        ("LAST_SEEN", "FIRST_SEEN"),
    ] {
        let page = app
            .graphql_ok(&token, ASSETS, json!({ "order": from, "first": 1 }))
            .await;
        let cursor = page["assets"]["pageInfo"]["endCursor"].clone();
        let body = app
            .graphql(
                Some(&token),
                ASSETS,
                json!({ "order": to, "after": cursor }),
            )
            .await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{from} cursor with {to}: {body}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn events_come_newest_first_across_the_time_windows_pages_are_read_in(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@events-order.example", "Order")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let account = fixtures::connection(&app, &token).await;
    // (event ID, minutes ago, name): one a minute ahead (a skewed clock), ties on the time
    // (e02/e03, e07/e08), and events on both sides of each window a page is read in (a day,
    // a week, 30 days, older).
    let events: [(&str, i64, &str); 12] = [
        ("e01", -1, "StopLogging"),
        ("e02", 30, "DescribeInstances"),
        ("e03", 30, "StopLogging"),
        ("e04", 20 * 60, "DescribeInstances"),
        ("e05", 26 * 60, "StopLogging"),
        ("e06", 3 * 1440, "DescribeInstances"),
        ("e07", 8 * 1440, "StopLogging"),
        ("e08", 8 * 1440, "DescribeInstances"),
        ("e09", 20 * 1440, "DescribeInstances"),
        ("e10", 35 * 1440, "StopLogging"),
        ("e11", 60 * 1440, "DescribeInstances"),
        ("e12", 85 * 1440, "StopLogging"),
    ];
    let now = Utc::now();
    for (id, ago, name) in events {
        let at = now - Duration::minutes(ago);
        sqlx::query("select ensure_event_partition(($1::timestamptz at time zone 'UTC')::date)")
            .bind(at)
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(
            "insert into events (tenant_id, aws_account_id, event_id, occurred_at, event_name, event_source, region, raw)
             values ($1, $2, $3, $4, $5, 'cloudtrail.amazonaws.com', 'eu-west-1', '{}')",
        )
        .bind(tenant)
        .bind(account)
        .bind(id)
        .bind(at)
        .bind(name)
        .execute(&admin)
        .await
        .unwrap();
    }
    let id = |n: &Value| n["eventId"].as_str().unwrap().to_owned();
    let at = |minutes: i64| (now - Duration::minutes(minutes)).to_rfc3339();
    for (filter, expected) in [
        (json!({}), "e01 e03 e02 e04 e05 e06 e08 e07 e09 e10 e11 e12"),
        (
            json!({ "eventName": "StopLogging" }),
            "e01 e03 e05 e07 e10 e12",
        ),
        (
            json!({ "since": at(10 * 1440) }),
            "e01 e03 e02 e04 e05 e06 e08 e07",
        ),
        (
            json!({ "until": at(2 * 1440) }),
            "e06 e08 e07 e09 e10 e11 e12",
        ),
        (
            json!({ "since": at(40 * 1440), "until": at(25 * 60) }),
            "e05 e06 e08 e07 e09 e10",
        ),
    ] {
        for first in [2, 5] {
            let got = walk(
                &app,
                &token,
                EVENTS,
                "events",
                json!({ "f": filter, "first": first }),
                id,
            )
            .await;
            assert_eq!(got.join(" "), expected, "filter {filter}, {first} a page");
        }
    }
}
