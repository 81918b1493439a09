//! Pins the GraphQL request limits: depth, complexity (connections cost `first × child`),
//! `first` past 100, batches past 10 operations, operations past 50 aliases, and the
//! per-tenant rate limit; each refused with `extensions.code` and a `reason`, and a
//! well-formed batch still answered.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_tests::{app_pool, error_code, spawn_app, spawn_app_with, test_config};

fn reason(body: &Value) -> &str {
    body["errors"][0]["extensions"]["reason"]
        .as_str()
        .unwrap_or("")
}

#[sqlx::test(migrations = "../migrations")]
async fn queries_past_a_limit_are_refused_with_a_code_and_a_reason(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let token = app
        .signup("limits@example.com", "Limits")
        .await
        .access_token;
    let t = Some(token.as_str());

    // Introspection types nest without end: 20 levels.
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(16),
        " }".repeat(16)
    );
    let body = app.graphql(t, &deep, json!({})).await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    assert_eq!(reason(&body), "DEPTH_LIMIT", "{body}");
    // A client's standard introspection query stays within the limit.
    let introspection = "{ __schema { types { fields { args { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } }";
    let body = app.graphql(t, introspection, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");

    // Five aliased pages of 100 findings, 12 fields each: over 5,000.
    let page = "findings(first: 100) { edges { cursor node { id title severity status region resourceId resourceType ruleId firstSeenAt lastSeenAt } } }";
    let costly = format!("{{ a: {page} b: {page} c: {page} d: {page} e: {page} }}");
    let body = app.graphql(t, &costly, json!({})).await;
    assert_eq!(reason(&body), "COMPLEXITY_LIMIT", "{body}");
    // The same selection on one small page is fine.
    app.graphql_ok(
        &token,
        "{ findings(first: 5) { edges { node { id title } } } }",
        json!({}),
    )
    .await;

    let body = app
        .graphql(t, "{ findings(first: 1000) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100")
            || body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("between 1 and 100"),
        "{body}"
    );

    let aliases: String = (0..500).map(|i| format!("a{i}: me {{ email }} ")).collect();
    let body = app.graphql(t, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(reason(&body), "ALIAS_LIMIT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("500"),
        "{body}"
    );

    let batch = |n: usize| -> Value {
        (0..n)
            .map(|_| json!({ "query": "{ me { email } }" }))
            .collect()
    };
    let post = |body: Value| {
        app.http
            .post(app.url("/graphql"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let refused: Value = post(batch(50)).await.unwrap().json().await.unwrap();
    assert_eq!(
        error_code(&refused).as_deref(),
        Some("BAD_USER_INPUT"),
        "{refused}"
    );
    assert_eq!(reason(&refused), "BATCH_LIMIT", "{refused}");
    let answered: Value = post(batch(3)).await.unwrap().json().await.unwrap();
    let answers = answered
        .as_array()
        .expect("a batch is answered with a list");
    assert_eq!(answers.len(), 3);
    assert!(
        answers
            .iter()
            .all(|a| a["data"]["me"]["email"] == "limits@example.com")
    );

    // A body past 1 MiB is refused before it is read.
    let huge =
        json!({ "query": format!("{{ me {{ email }} }} # {}", "x".repeat(2 * 1024 * 1024)) });
    let resp = post(huge).await.unwrap();
    assert_eq!(resp.status(), 413);

    // A syntax error also says what kind of problem it is.
    let body = app.graphql(t, "{ me { email ", json!({})).await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    assert_eq!(reason(&body), "INVALID_QUERY", "{body}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_tenant_past_its_rate_is_told_to_wait_and_others_are_not(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    // 60 a minute: a burst of 10, then one a second.
    let config = test_config(&[("VIGIL_GRAPHQL_RATE_LIMIT", "60")]);
    let app = spawn_app_with(config, app_pool(opts).await).await;
    let busy = app.signup("busy@example.com", "Busy").await.access_token;
    let calm = app.signup("calm@example.com", "Calm").await.access_token;
    let ask = |token: String| {
        app.http
            .post(app.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": "{ me { email } }" }))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(ask(busy.clone()).await.unwrap().status(), 200);
    }
    let limited = ask(busy.clone()).await.unwrap();
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(error_code(&body).as_deref(), Some("RATE_LIMITED"), "{body}");
    // Another organization is unaffected.
    assert_eq!(ask(calm).await.unwrap().status(), 200);
}
