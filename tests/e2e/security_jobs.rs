//! Pins that one tenant cannot crowd out the others through shared work: a flooded job
//! queue still starts another tenant's scan in the next batch, a webhook has at most one
//! test delivery pending, an expired trial cannot test webhooks, and role verifications
//! (synchronous STS calls) have a budget per tenant.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::aws::{ServiceIdentity, template::trust_policy};
use vigil_tests::{
    TestApp, app_pool,
    emulator::{Emulator, random_account_id},
    emulator_worker, error_code, spawn_app_full, spawn_app_with, test_config,
};

use crate::activity::connected;

const ALLOW_INTERNAL: &[(&str, &str)] = &[("VIGIL_WEBHOOK_ALLOW_INTERNAL", "true")];
const TEST_WEBHOOK: &str = "mutation($id: ID!) { testWebhook(id: $id) { id status } }";

/// The caller's tenant ID.
async fn tenant_id(app: &TestApp, token: &str) -> String {
    app.graphql_ok(token, "{ tenant { id } }", json!({})).await["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A webhook aimed at a loopback port nobody serves (deliveries stay pending until a
/// worker runs); answers its ID.
async fn webhook(app: &TestApp, token: &str) -> Value {
    app.graphql_ok(
        token,
        "mutation { createWebhook(url: \"http://127.0.0.1:9/hook\", events: [SCAN_FINISHED]) { webhook { id } } }",
        json!({}),
    )
    .await["createWebhook"]["webhook"]["id"]
        .clone()
}

/// Connects a new AWS account with a correct role; answers `verifyAwsAccount`'s response.
async fn verify_new_connection(app: &TestApp, token: &str) -> Value {
    let emu = Emulator::shared();
    let account = random_account_id();
    let created = app
        .graphql_ok(
            token,
            "mutation { createAwsAccount(input: { name: \"prod\" }) { id externalId setup { trustedPrincipalArn } } }",
            json!({}),
        )
        .await["createAwsAccount"]
        .clone();
    let trust = trust_policy(
        created["setup"]["trustedPrincipalArn"].as_str().unwrap(),
        created["externalId"].as_str().unwrap(),
    );
    aws_sdk_iam::Client::new(&emu.account_config(&account, "us-east-1").await)
        .create_role()
        .role_name("VigilReadOnly")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    app.graphql(
        Some(token),
        "mutation($id: ID!, $arn: String!) { verifyAwsAccount(id: $id, roleArn: $arn) { status } }",
        json!({ "id": created["id"], "arn": format!("arn:aws:iam::{account}:role/VigilReadOnly") }),
    )
    .await
}

#[sqlx::test(migrations = "../migrations")]
async fn another_tenants_first_scan_starts_in_the_next_batch_while_one_tenant_floods_the_queue(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let quiet = connected(opts, &random_account_id()).await;
    let flood = quiet
        .app
        .signup("owner@flood.example", "Flood")
        .await
        .access_token;
    let flooder = tenant_id(&quiet.app, &flood).await;
    // Hundreds of jobs that have waited an hour already, ahead of the new scan.
    sqlx::query(
        "insert into jobs (tenant_id, kind, payload, run_at)
         select $1::uuid, 'deliver_webhook',
                jsonb_build_object('type', 'deliver_webhook', 'tenant_id', $1::text,
                                   'delivery_id', gen_random_uuid()),
                now() - interval '1 hour' + g * interval '1 ms'
         from generate_series(1, 300) g",
    )
    .bind(&flooder)
    .execute(&quiet.app.pool)
    .await
    .unwrap();

    let ran = emulator_worker(&quiet.app).run_once().await.unwrap();
    assert_eq!(ran, 2, "one batch of the worker's concurrency");
    let scan: String = sqlx::query_scalar("select state from jobs where kind = 'scan_account'")
        .fetch_one(&quiet.app.pool)
        .await
        .unwrap();
    assert_eq!(
        scan, "succeeded",
        "the quiet tenant's scan ran in the first batch"
    );
    let flooded_left: i64 = sqlx::query_scalar(
        "select count(*) from jobs where tenant_id = $1::uuid and state = 'queued'",
    )
    .bind(&flooder)
    .fetch_one(&quiet.app.pool)
    .await
    .unwrap();
    assert_eq!(flooded_left, 299, "the flood got one turn of its own");
}

#[sqlx::test(migrations = "../migrations")]
async fn testing_a_webhook_again_while_its_test_is_pending_answers_the_pending_delivery(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app_with(test_config(ALLOW_INTERNAL), app_pool(opts).await).await;
    let owner = app
        .signup("owner@tests.example", "Tests")
        .await
        .access_token;
    let id = webhook(&app, &owner).await;
    let first = app
        .graphql_ok(&owner, TEST_WEBHOOK, json!({ "id": id }))
        .await["testWebhook"]
        .clone();
    assert_eq!(first["status"], "PENDING");
    for _ in 0..5 {
        let again = app
            .graphql_ok(&owner, TEST_WEBHOOK, json!({ "id": id }))
            .await["testWebhook"]
            .clone();
        assert_eq!(again, first, "the pending test is answered, not a new one");
    }
    let jobs: i64 = sqlx::query_scalar("select count(*) from jobs where kind = 'deliver_webhook'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(jobs, 1);
    let log = app
        .graphql_ok(
            &owner,
            "query($id: ID!) { webhook(id: $id) { deliveries(first: 10) { totalCount } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(log["webhook"]["deliveries"]["totalCount"], 1);

    // Once the test has ended, another may be queued.
    sqlx::query(
        "update jobs set state = 'dead', finished_at = now() where kind = 'deliver_webhook'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let next = app
        .graphql_ok(&owner, TEST_WEBHOOK, json!({ "id": id }))
        .await["testWebhook"]
        .clone();
    assert_ne!(next["id"], first["id"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_trial_cannot_test_a_webhook(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = spawn_app_with(test_config(ALLOW_INTERNAL), app_pool(opts).await).await;
    let owner = app.signup("owner@late.example", "Late").await.access_token;
    let id = webhook(&app, &owner).await;
    app.clock.advance(chrono::Duration::days(16));
    let body = app
        .graphql(Some(&owner), TEST_WEBHOOK, json!({ "id": id }))
        .await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("TRIAL_EXPIRED"),
        "{body}"
    );
    let jobs: i64 = sqlx::query_scalar("select count(*) from jobs where kind = 'deliver_webhook'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(jobs, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn role_verifications_past_the_tenants_sts_budget_are_refused_with_a_wait(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let emu = Emulator::shared();
    let aws = ServiceIdentity::new(emu.management_config("us-east-1").await, None);
    let app = spawn_app_full(
        test_config(&[("VIGIL_STS_RATE_LIMIT", "2")]),
        app_pool(opts).await,
        aws,
    )
    .await;
    let looping = app.signup("owner@loop.example", "Loop").await.access_token;
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(verify_new_connection(&app, &looping).await);
    }
    for answer in &answers[..2] {
        assert_eq!(
            answer["data"]["verifyAwsAccount"]["status"], "CONNECTED",
            "{answer}"
        );
    }
    let refused = &answers[2];
    assert_eq!(
        error_code(refused).as_deref(),
        Some("RATE_LIMITED"),
        "{refused}"
    );
    let ext = &refused["errors"][0]["extensions"];
    assert_eq!(ext["reason"], "STS_RATE_LIMIT");
    let wait = ext["retryAfter"].as_u64().expect("retryAfter in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("retry in {wait} s")),
        "{refused}"
    );

    // Another tenant's budget is its own.
    let other = app
        .signup("owner@other.example", "Other")
        .await
        .access_token;
    let answer = verify_new_connection(&app, &other).await;
    assert_eq!(
        answer["data"]["verifyAwsAccount"]["status"], "CONNECTED",
        "{answer}"
    );
}
