//! Regressions found by the schemathesis run of scripts/fuzz.sh (`make fuzz`): each input
//! that once answered a 5xx or `INTERNAL` now answers a 4xx or `BAD_USER_INPUT` naming the
//! problem.
//!
//! Times outside PostgreSQL's range: chrono parses expanded years (`-100000-01-01T...Z`,
//! ±262143), PostgreSQL refuses timestamps before 4713 BC ("timestamp out of range"), so
//! such a `since`, `until` or `at` (and a forged cursor holding one) was an internal
//! error, and the alerts export a 500. Every time a client sends is now held to RFC 3339's
//! four-digit years, 0000 to 9999.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{TestApp, error_code, spawn_app};

/// A year PostgreSQL cannot store (before 4713 BC), which chrono parses.
const ANCIENT: &str = "-100000-01-01T00:00:00Z";
/// A five-digit year: PostgreSQL stores it, RFC 3339 cannot write it.
const FAR: &str = "+10000-01-01T00:00:00Z";

const RULE: &str = "title: Snapshots deleted
id: fuzz-snapshot-deleted
description: Someone deletes EBS snapshots.
logsource: { product: aws, service: cloudtrail }
detection:
  sel:
    eventName: DeleteSnapshot
  condition: sel
level: high
";

/// The first error must be `BAD_USER_INPUT` naming `field`, with the range in its message.
fn refused(body: &Value, field: &str) {
    assert_eq!(
        error_code(body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{field}: {body}"
    );
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["field"], json!(field), "{body}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("`{field}` ")) && message.contains("out of range"),
        "{message}"
    );
}

async fn export(app: &TestApp, token: &str, path: &str) -> (u16, String) {
    let resp = app
        .http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[sqlx::test(migrations = "../migrations")]
async fn times_outside_four_digit_years_are_refused_naming_the_argument(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let token = app.signup("owner@fuzz.example", "Fuzz").await.access_token;
    let gql = |query: &'static str, variables: Value| {
        let (app, token) = (&app, token.clone());
        async move { app.graphql(Some(&token), query, variables).await }
    };

    for t in [ANCIENT, FAR] {
        refused(
            &gql(
                "query($t: DateTime!) { alertCountsByDay(since: $t) { day } }",
                json!({ "t": t }),
            )
            .await,
            "since",
        );
        for (field, query) in [
            (
                "filter.since",
                "query($t: DateTime) { alerts(filter: { since: $t }) { totalCount } }",
            ),
            (
                "filter.until",
                "query($t: DateTime) { alerts(filter: { until: $t }) { totalCount } }",
            ),
            (
                "filter.since",
                "query($t: DateTime) { events(filter: { since: $t }) { totalCount } }",
            ),
            (
                "filter.until",
                "query($t: DateTime) { events(filter: { until: $t }) { totalCount } }",
            ),
        ] {
            refused(&gql(query, json!({ "t": t })).await, field);
        }
        refused(
            &gql(
                "query($t: DateTime) { resourcesByIp(ip: \"10.0.0.1\", at: $t) { ip } }",
                json!({ "t": t }),
            )
            .await,
            "at",
        );
        refused(
            &gql(
                "query($y: String!, $t: DateTime) { testDetectionRule(yaml: $y, since: $t) { scanned } }",
                json!({ "y": RULE, "t": t }),
            )
            .await,
            "since",
        );
    }
    // Checked before the finding is looked up; a five-digit year is in the future but
    // could not be written back as RFC 3339.
    refused(
        &gql(
            "mutation($id: ID!, $t: DateTime) { suppressFinding(id: $id, reason: \"x\", until: $t) { id } }",
            json!({ "id": uuid::Uuid::now_v7().to_string(), "t": FAR }),
        )
        .await,
        "until",
    );

    // The edges of the range are accepted.
    for t in ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"] {
        let body = gql(
            "query($t: DateTime) { alerts(filter: { since: $t }) { totalCount } events(filter: { until: $t }) { totalCount } }",
            json!({ "t": t }),
        )
        .await;
        assert!(body.get("errors").is_none(), "{t}: {body}");
    }

    // Cursors are not signed: one holding an ancient time is refused like any forged one.
    let forged = |key: Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_string())
    };
    let uuid = uuid::Uuid::now_v7().to_string();
    for (query, after) in [
        (
            "query($a: String) { alerts(after: $a) { totalCount } }",
            forged(json!([ANCIENT, uuid])),
        ),
        (
            "query($a: String) { auditLog(after: $a) { pageInfo { hasNextPage } } }",
            forged(json!([ANCIENT, uuid])),
        ),
        (
            "query($a: String) { scans(after: $a) { pageInfo { hasNextPage } } }",
            forged(json!([ANCIENT, uuid])),
        ),
        (
            "query($a: String) { events(after: $a) { totalCount } }",
            forged(json!([ANCIENT, "event-1"])),
        ),
    ] {
        let body = gql(query, json!({ "a": after })).await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{query}: {body}"
        );
        assert_eq!(
            body["errors"][0]["message"],
            json!("after is not a cursor returned by this API"),
            "{body}"
        );
    }

    // The exports' `since`: a 400 naming it, never a 500 (the alerts export's was).
    for kind in ["alerts", "findings"] {
        for t in [ANCIENT, FAR] {
            let (status, body) = export(
                &app,
                &token,
                &format!("/api/v1/export/{kind}?since={}", urlencode(t)),
            )
            .await;
            assert_eq!(status, 400, "{kind} since={t}: {body}");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["error"]["code"], json!("invalid_parameter"));
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.starts_with("`since` ") && message.contains("out of range"),
                "{message}"
            );
        }
        let (status, body) = export(
            &app,
            &token,
            &format!("/api/v1/export/{kind}?since=0000-01-01T00:00:00Z"),
        )
        .await;
        assert_eq!(status, 200, "{kind}: {body}");
    }
}

/// `+` and `:` as a query string needs them.
fn urlencode(t: &str) -> String {
    t.replace('+', "%2B").replace(':', "%3A")
}
