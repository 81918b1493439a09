//! Pins connecting AWS accounts through a cross-account role, against the emulator: the
//! whole flow as a customer does it, the template (cfn-lint), wrong external IDs, unsafe
//! trust policies, malformed ARNs, one connection per account and tenant, isolation
//! between tenants, deletion, the trial's end, and the worker's role sessions.

use std::time::Duration;

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::aws::{
    ServiceIdentity,
    session::{RoleSession, RoleTarget},
    template::trust_policy,
};
use vigil_tests::{
    TestApp, app_pool,
    emulator::{Emulator, random_account_id},
    emulator_worker, error_code, spawn_app_full, test_config,
};
use vigil_worker::schedule;

const CREATE: &str = "mutation($name: String!) { createAwsAccount(input: { name: $name }) { id name status externalId accountId setup { trustedPrincipalArn cloudFormationTemplate launchStackUrl } } }";
const VERIFY: &str = "mutation($id: ID!, $arn: String!) { verifyAwsAccount(id: $id, roleArn: $arn) { id status accountId roleArn error } }";
const ACCOUNT: &str = "query($id: ID!) { awsAccount(id: $id) { id name status accountId error } }";

async fn aws_app(opts: PgConnectOptions) -> TestApp {
    let emu = Emulator::shared();
    let aws = ServiceIdentity::new(emu.management_config("us-east-1").await, None);
    spawn_app_full(test_config(&[]), app_pool(opts).await, aws).await
}

/// What the customer does in their account: create the role with this trust policy.
async fn create_role(account: &str, name: &str, trust: Value) -> String {
    let emu = Emulator::shared();
    let iam = aws_sdk_iam::Client::new(&emu.account_config(account, "us-east-1").await);
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("create the customer role");
    format!("arn:aws:iam::{account}:role/{name}")
}

/// Creates a connection; returns (connection, trusted principal, external ID).
async fn create(app: &TestApp, token: &str, name: &str) -> (Value, String, String) {
    let data = app.graphql_ok(token, CREATE, json!({ "name": name })).await;
    let acct = data["createAwsAccount"].clone();
    let principal = acct["setup"]["trustedPrincipalArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let external_id = acct["externalId"].as_str().unwrap().to_owned();
    (acct, principal, external_id)
}

/// Creates, sets up the role as the template would, and verifies.
async fn connect(app: &TestApp, token: &str, account: &str, role_name: &str) -> Value {
    let (acct, principal, external_id) = create(app, token, role_name).await;
    let role = create_role(account, role_name, trust_policy(&principal, &external_id)).await;
    let data = app
        .graphql_ok(token, VERIFY, json!({ "id": acct["id"], "arn": role }))
        .await;
    data["verifyAwsAccount"].clone()
}

async fn job_kinds(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("select kind, state from jobs where kind <> 'housekeeping' order by job_id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_full_connect_flow_connects_and_queues_the_first_scan_and_ingestion(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app.signup("owner@flow.example", "Flow").await.access_token;
    let account = random_account_id();
    let (acct, principal, external_id) = create(&app, &token, "production").await;
    assert_eq!(acct["status"], "PENDING");
    assert!(acct["accountId"].is_null());
    assert!(external_id.len() >= 32 && external_id.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        principal, "arn:aws:iam::123456789012:user/moto",
        "discovered with GetCallerIdentity"
    );
    let template = acct["setup"]["cloudFormationTemplate"].as_str().unwrap();
    assert!(template.contains(&external_id) && template.contains("sts:ExternalId"));
    let link = acct["setup"]["launchStackUrl"].as_str().unwrap();
    assert!(
        link.starts_with("https://console.aws.amazon.com/cloudformation/")
            && link.ends_with(&external_id)
    );

    let role = create_role(
        &account,
        "VigilReadOnly",
        trust_policy(&principal, &external_id),
    )
    .await;
    let verified = app
        .graphql_ok(&token, VERIFY, json!({ "id": acct["id"], "arn": role }))
        .await["verifyAwsAccount"]
        .clone();
    assert_eq!(verified["status"], "CONNECTED", "{verified}");
    assert_eq!(verified["accountId"], account.as_str());
    assert!(verified["error"].is_null());
    assert_eq!(
        job_kinds(&app).await,
        vec![
            ("scan_account".into(), "queued".into()),
            ("ingest_activity".into(), "queued".into())
        ]
    );
    let listed = app
        .graphql_ok(
            &token,
            "{ awsAccounts { name status accountId } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["awsAccounts"][0]["status"], "CONNECTED");

    // The worker assumes the role through its session and keeps the connection healthy.
    assert_eq!(emulator_worker(&app).drain().await.unwrap(), 2);
    assert_eq!(
        job_kinds(&app).await,
        vec![
            ("scan_account".into(), "succeeded".into()),
            ("ingest_activity".into(), "succeeded".into())
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_templates_pass_cfn_lint_and_require_the_external_id(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app.signup("owner@lint.example", "Lint").await.access_token;
    let (acct, _, external_id) = create(&app, &token, "lint").await;
    let generic = app
        .http
        .get(app.url("/api/v1/aws/vigil-readonly-role.yaml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(generic.contains("sts:ExternalId: !Ref ExternalId"));
    let cfn_lint = vigil_tests::emulator::python().with_file_name("cfn-lint");
    for (name, body) in [
        (
            "connection",
            acct["setup"]["cloudFormationTemplate"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
        ("generic", generic),
    ] {
        let path = std::env::temp_dir().join(format!("vigil-{name}-{}.yaml", uuid::Uuid::new_v4()));
        std::fs::write(&path, &body).unwrap();
        let out = std::process::Command::new(&cfn_lint)
            .arg(&path)
            .output()
            .expect("cfn-lint runs");
        assert!(
            out.status.success(),
            "cfn-lint rejected the {name} template:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_file(path);
    }
    assert!(
        acct["setup"]["cloudFormationTemplate"]
            .as_str()
            .unwrap()
            .contains(&format!("Default: \"{external_id}\""))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_external_id_gives_error_with_an_explanation(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app
        .signup("owner@wrong.example", "Wrong")
        .await
        .access_token;
    let account = random_account_id();
    let (acct, principal, external_id) = create(&app, &token, "wrong").await;
    let role = create_role(
        &account,
        "VigilReadOnly",
        trust_policy(&principal, &"x".repeat(40)),
    )
    .await;
    let out = app
        .graphql_ok(&token, VERIFY, json!({ "id": acct["id"], "arn": role }))
        .await["verifyAwsAccount"]
        .clone();
    assert_eq!(out["status"], "ERROR");
    let error = out["error"].as_str().unwrap();
    assert!(
        error.contains("denied") && error.contains(&external_id) && error.contains(&principal),
        "{error}"
    );
    assert!(out["accountId"].is_null(), "nothing half-created");
    assert!(
        job_kinds(&app).await.is_empty(),
        "no work queued for a failed verification"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_role_assumable_without_the_external_id_is_refused(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app
        .signup("owner@unsafe.example", "Unsafe")
        .await
        .access_token;
    let account = random_account_id();
    let (acct, principal, _) = create(&app, &token, "unsafe").await;
    let unsafe_trust = json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Principal": { "AWS": principal }, "Action": "sts:AssumeRole" }]
    });
    let role = create_role(&account, "OpenRole", unsafe_trust).await;
    let out = app
        .graphql_ok(&token, VERIFY, json!({ "id": acct["id"], "arn": role }))
        .await["verifyAwsAccount"]
        .clone();
    assert_eq!(out["status"], "ERROR");
    assert!(
        out["error"]
            .as_str()
            .unwrap()
            .contains("without the external ID"),
        "{out}"
    );
    assert!(job_kinds(&app).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn malformed_arns_are_rejected_without_calling_aws(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = aws_app(opts).await;
    let token = app.signup("owner@arn.example", "Arn").await.access_token;
    let tenant = app.graphql_ok(&token, "{ tenant { id } }", json!({})).await["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (acct, _, _) = create(&app, &token, "arn").await;
    for bad in [
        "arn:aws:iam::123:role/x",
        "arn:aws:iam::123456789012:user/alice",
        "not an arn",
        "",
    ] {
        let body = app
            .graphql(
                Some(&token),
                VERIFY,
                json!({ "id": acct["id"], "arn": bad }),
            )
            .await;
        assert_eq!(
            error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{bad}: {body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("roleArn")
        );
    }
    let recorded = Emulator::shared()
        .control(
            reqwest::Method::GET,
            "/_vigil/events?accountId=123456789012",
            None,
        )
        .await;
    assert!(
        !recorded.to_string().contains(&format!("vigil-{tenant}")),
        "an AssumeRole was attempted"
    );
    let still = app
        .graphql_ok(&token, ACCOUNT, json!({ "id": acct["id"] }))
        .await;
    assert_eq!(still["awsAccount"]["status"], "PENDING");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_aws_account_is_connected_once_per_tenant_but_each_tenant_may_connect_it(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let a = app.signup("owner@one.example", "One").await.access_token;
    let b = app.signup("owner@two.example", "Two").await.access_token;
    let account = random_account_id();
    let first = connect(&app, &a, &account, "VigilA").await;
    assert_eq!(first["status"], "CONNECTED");

    let (again, principal, ext) = create(&app, &a, "again").await;
    let role = create_role(&account, "VigilA2", trust_policy(&principal, &ext)).await;
    let dup = app
        .graphql(Some(&a), VERIFY, json!({ "id": again["id"], "arn": role }))
        .await;
    assert_eq!(error_code(&dup).as_deref(), Some("BAD_USER_INPUT"));
    assert!(
        dup["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("already connected")
    );

    let other = connect(&app, &b, &account, "VigilB").await;
    assert_eq!(
        other["status"], "CONNECTED",
        "another tenant connects the same account with its own external ID"
    );
    let a_list = app
        .graphql_ok(&a, "{ awsAccounts { externalId } }", json!({}))
        .await;
    let b_list = app
        .graphql_ok(&b, "{ awsAccounts { externalId } }", json!({}))
        .await;
    assert_eq!(b_list["awsAccounts"].as_array().unwrap().len(), 1);
    assert!(
        a_list["awsAccounts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["externalId"] != b_list["awsAccounts"][0]["externalId"])
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn another_tenant_cannot_see_verify_rename_or_delete_a_connection(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let a = app.signup("owner@mine.example", "Mine").await.access_token;
    let b = app
        .signup("owner@theirs.example", "Theirs")
        .await
        .access_token;
    let (acct, _, _) = create(&app, &a, "mine").await;
    let id = acct["id"].clone();
    let seen = app.graphql_ok(&b, ACCOUNT, json!({ "id": id })).await;
    assert!(seen["awsAccount"].is_null());
    let missing = json!(uuid::Uuid::now_v7().to_string());
    for (name, query, vars) in [
        (
            "verify",
            VERIFY,
            json!({ "id": id, "arn": "arn:aws:iam::123456789012:role/x" }),
        ),
        (
            "rename",
            "mutation($id: ID!) { renameAwsAccount(id: $id, name: \"pwned\") { id } }",
            json!({ "id": id }),
        ),
        (
            "delete",
            "mutation($id: ID!) { deleteAwsAccount(id: $id) }",
            json!({ "id": id }),
        ),
    ] {
        let theirs = app.graphql(Some(&b), query, vars.clone()).await;
        let mut absent_vars = vars;
        absent_vars["id"] = missing.clone();
        let absent = app.graphql(Some(&b), query, absent_vars).await;
        assert_eq!(
            error_code(&theirs).as_deref(),
            Some("NOT_FOUND"),
            "{name}: {theirs}"
        );
        assert_eq!(
            theirs["errors"][0]["message"], absent["errors"][0]["message"],
            "{name}"
        );
    }
    let mine = app.graphql_ok(&a, ACCOUNT, json!({ "id": id })).await;
    assert_eq!(mine["awsAccount"]["name"], "mine");
}

#[sqlx::test(migrations = "../migrations")]
async fn viewers_and_analysts_cannot_manage_connections(_: PgPoolOptions, opts: PgConnectOptions) {
    let app = aws_app(opts).await;
    let owner = app
        .signup("owner@roles.example", "Roles")
        .await
        .access_token;
    let key = app
        .graphql_ok(
            &owner,
            "mutation { createApiKey(name: \"ro\", role: ANALYST) { key } }",
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .graphql(Some(&key), CREATE, json!({ "name": "nope" }))
        .await;
    assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"));
    app.graphql_ok(&key, "{ awsAccounts { id } }", json!({}))
        .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn deleting_a_connection_removes_it_and_cancels_its_jobs(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app.signup("owner@gone.example", "Gone").await.access_token;
    let connected = connect(&app, &token, &random_account_id(), "VigilGone").await;
    let deleted = app
        .graphql_ok(
            &token,
            "mutation($id: ID!) { deleteAwsAccount(id: $id) }",
            json!({ "id": connected["id"] }),
        )
        .await;
    assert_eq!(deleted["deleteAwsAccount"], connected["id"]);
    assert!(
        app.graphql_ok(&token, ACCOUNT, json!({ "id": connected["id"] }))
            .await["awsAccount"]
            .is_null()
    );
    assert_eq!(
        job_kinds(&app).await,
        vec![
            ("scan_account".into(), "cancelled".into()),
            ("ingest_activity".into(), "cancelled".into())
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_trial_cannot_connect_and_its_scheduled_work_stops(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app
        .signup("owner@expiry.example", "Expiry")
        .await
        .access_token;
    connect(&app, &token, &random_account_id(), "VigilExpiry").await;
    let runner = emulator_worker(&app);
    runner.drain().await.unwrap();
    let sched = schedule::Schedule {
        pool: app.pool.clone(),
        clock: app.clock.clone(),
        scan_interval: Duration::from_secs(6 * 3600),
        ingest_interval: Duration::from_secs(300),
        organization_sync_interval: Duration::from_secs(3600),
    };
    // Within the trial: nothing due right after connecting, then both after 7 hours.
    assert_eq!(schedule::tick(&sched).await.unwrap(), 0);
    app.clock.advance(chrono::Duration::hours(7));
    assert_eq!(schedule::tick(&sched).await.unwrap(), 2);
    runner.drain().await.unwrap();

    app.clock.advance(chrono::Duration::days(16));
    assert_eq!(
        schedule::tick(&sched).await.unwrap(),
        0,
        "an expired trial gets no scheduled work"
    );
    let body = app
        .graphql(Some(&token), CREATE, json!({ "name": "late" }))
        .await;
    assert_eq!(error_code(&body).as_deref(), Some("TRIAL_EXPIRED"));
    let connection = app
        .graphql_ok(&token, "{ awsAccounts { id } }", json!({}))
        .await["awsAccounts"][0]["id"]
        .clone();
    let scan = app
        .graphql(
            Some(&token),
            "mutation($id: ID!) { startScan(awsAccountId: $id) { id } }",
            json!({ "id": connection }),
        )
        .await;
    assert_eq!(
        error_code(&scan).as_deref(),
        Some("TRIAL_EXPIRED"),
        "{scan}"
    );
    let listed = app
        .graphql_ok(&token, "{ awsAccounts { status } }", json!({}))
        .await;
    assert_eq!(
        listed["awsAccounts"][0]["status"], "CONNECTED",
        "data stays readable"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_worker_marks_a_denied_role_error_and_recovers_when_it_works_again(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app
        .signup("owner@flaky.example", "Flaky")
        .await
        .access_token;
    let connected = connect(&app, &token, &random_account_id(), "VigilFlaky").await;
    let role = connected["roleArn"].as_str().unwrap().to_owned();
    let emu = Emulator::shared();
    emulator_worker(&app).drain().await.unwrap();

    emu.control(
        reqwest::Method::POST,
        "/_vigil/deny-assume-role",
        Some(json!({ "roleArn": role })),
    )
    .await;
    sqlx::query("update jobs set state = 'succeeded' where state = 'queued'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.clock.advance(chrono::Duration::hours(7));
    let sched = schedule::Schedule {
        pool: app.pool.clone(),
        clock: app.clock.clone(),
        scan_interval: Duration::from_secs(6 * 3600),
        ingest_interval: Duration::from_secs(300),
        organization_sync_interval: Duration::from_secs(3600),
    };
    schedule::tick(&sched).await.unwrap();
    // A fresh worker process: no cached session that would outlive the denial.
    emulator_worker(&app).drain().await.unwrap();
    let broken = app
        .graphql_ok(&token, ACCOUNT, json!({ "id": connected["id"] }))
        .await["awsAccount"]
        .clone();
    assert_eq!(broken["status"], "ERROR");
    assert!(
        broken["error"]
            .as_str()
            .unwrap()
            .contains("can no longer assume"),
        "{broken}"
    );

    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/deny-assume-role?roleArn={role}"),
        None,
    )
    .await;
    app.clock.advance(chrono::Duration::hours(7));
    schedule::tick(&sched).await.unwrap();
    emulator_worker(&app).drain().await.unwrap();
    let healed = app
        .graphql_ok(&token, ACCOUNT, json!({ "id": connected["id"] }))
        .await["awsAccount"]
        .clone();
    assert_eq!(healed["status"], "CONNECTED", "{healed}");
    assert!(healed["error"].is_null());
}

#[tokio::test]
async fn a_role_session_reuses_credentials_across_calls_and_refreshes_near_expiry() {
    let emu = Emulator::shared();
    let account = random_account_id();
    let external_id = vigil_core::aws::new_external_id();
    let role = create_role(
        &account,
        "VigilSession",
        trust_policy("arn:aws:iam::123456789012:root", &external_id),
    )
    .await;
    let target = RoleTarget {
        role_arn: role,
        external_id,
        session_name: "vigil-test".into(),
    };
    let base = emu.management_config("us-east-1").await;

    let session = std::sync::Arc::new(RoleSession::new(
        base.clone(),
        target.clone(),
        Duration::from_secs(300),
    ));
    let sts = aws_sdk_sts::Client::new(&session.sdk_config("us-east-1"));
    for _ in 0..20 {
        let who = sts.get_caller_identity().send().await.unwrap();
        assert_eq!(who.account(), Some(account.as_str()));
    }
    assert_eq!(session.assumptions(), 1, "one AssumeRole for twenty calls");

    // Refresh when within `refresh_before` of expiry: the 3600 s credentials are treated
    // as due 3597 s early, so they are fresh now and due a few seconds later.
    let near = RoleSession::new(base, target, Duration::from_secs(3597));
    near.credentials().await.unwrap();
    near.credentials().await.unwrap();
    assert_eq!(near.assumptions(), 1);
    tokio::time::sleep(Duration::from_secs(4)).await;
    near.credentials().await.unwrap();
    assert_eq!(
        near.assumptions(),
        2,
        "credentials near expiry were refreshed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_connection_is_scanned_only_in_its_regions_and_a_region_not_enabled_is_reported(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = aws_app(opts).await;
    let token = app
        .signup("owner@regions.example", "Regions")
        .await
        .access_token;
    const CREATE_IN: &str = "mutation($name: String!, $regions: [String!]) { createAwsAccount(input: { name: $name, regions: $regions }) { id regions externalId setup { trustedPrincipalArn } } }";
    const SET: &str = "mutation($id: ID!, $regions: [String!]) { setAwsAccountRegions(id: $id, regions: $regions) { id regions } }";

    // A malformed list is refused before anything is stored, naming the entry.
    for (regions, named) in [
        (
            json!(["us-east-1", "EU-WEST-1"]),
            "\"EU-WEST-1\" is not an AWS region name",
        ),
        (json!([]), "at least one region"),
    ] {
        let res = app
            .graphql(
                Some(&token),
                CREATE_IN,
                json!({ "name": "bad", "regions": regions }),
            )
            .await;
        assert_eq!(error_code(&res).as_deref(), Some("BAD_USER_INPUT"), "{res}");
        let message = res["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(named), "{res}");
    }
    assert_eq!(
        app.graphql_ok(&token, "{ awsAccounts { id } }", json!({}))
            .await["awsAccounts"],
        json!([])
    );

    // eu-south-9 has the shape of a region but the account has not enabled it (no such
    // region in the emulator, as an opt-in region not opted into in AWS).
    let acct = app
        .graphql_ok(
            &token,
            CREATE_IN,
            json!({ "name": "eu-only", "regions": ["us-east-1", "eu-south-9", "us-east-1"] }),
        )
        .await["createAwsAccount"]
        .clone();
    assert_eq!(
        acct["regions"],
        json!(["eu-south-9", "us-east-1"]),
        "sorted, once each"
    );
    let account = random_account_id();
    let role = create_role(
        &account,
        "VigilReadOnly",
        trust_policy(
            acct["setup"]["trustedPrincipalArn"].as_str().unwrap(),
            acct["externalId"].as_str().unwrap(),
        ),
    )
    .await;
    let verified = app
        .graphql_ok(&token, VERIFY, json!({ "id": acct["id"], "arn": role }))
        .await["verifyAwsAccount"]
        .clone();
    assert_eq!(verified["status"], "CONNECTED", "{verified}");
    emulator_worker(&app).drain().await.unwrap();

    const SCANS: &str = "query($id: ID!) { scans(awsAccountId: $id, first: 5) { edges { node { status regionsTotal regionsDone problems { region service operation message } } } } }";
    let scans = app
        .graphql_ok(&token, SCANS, json!({ "id": acct["id"] }))
        .await;
    let scan = &scans["scans"]["edges"][0]["node"];
    assert_eq!(scan["regionsTotal"], 1, "only us-east-1 is read: {scan}");
    assert_eq!(scan["regionsDone"], 1);
    assert_eq!(scan["status"], "PARTIAL", "{scan}");
    assert_eq!(
        scan["problems"],
        json!([{
            "region": "eu-south-9",
            "service": "ec2",
            "operation": "DescribeRegions",
            "message": "listed in the connection's regions but not enabled in the account (an opt-in region): not scanned"
        }])
    );
    // Every finding is in the listed region or account-wide (the default security
    // group alone gives one in every region read).
    const REGIONS_OF: &str = "query($id: ID!) { findings(first: 100, filter: { awsAccountId: $id }) { edges { node { region ruleId } } } }";
    let findings = app
        .graphql_ok(&token, REGIONS_OF, json!({ "id": acct["id"] }))
        .await;
    let nodes: Vec<&Value> = findings["findings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    assert!(
        nodes
            .iter()
            .any(|f| f["ruleId"] == "ec2-default-sg-allows-traffic"),
        "us-east-1 was scanned: {findings}"
    );
    for f in nodes {
        assert!(
            f["region"] == "us-east-1" || f["region"] == "global",
            "a finding outside the connection's regions: {f}"
        );
    }

    // Back to every enabled region: the next scan reads them all, without a problem.
    let all = app
        .graphql_ok(&token, SET, json!({ "id": acct["id"], "regions": null }))
        .await["setAwsAccountRegions"]
        .clone();
    assert!(all["regions"].is_null());
    app.graphql_ok(
        &token,
        "mutation($id: ID!) { startScan(awsAccountId: $id) { id } }",
        json!({ "id": acct["id"] }),
    )
    .await;
    emulator_worker(&app).drain().await.unwrap();
    let scans = app
        .graphql_ok(&token, SCANS, json!({ "id": acct["id"] }))
        .await;
    let latest = &scans["scans"]["edges"][0]["node"];
    assert!(latest["regionsTotal"].as_i64().unwrap() > 1, "{latest}");
    assert_eq!(latest["problems"], json!([]), "{latest}");

    // Another tenant's connection looks like one that does not exist.
    let other = app
        .signup("owner@other.example", "Other")
        .await
        .access_token;
    let res = app
        .graphql(
            Some(&other),
            SET,
            json!({ "id": acct["id"], "regions": ["us-east-1"] }),
        )
        .await;
    assert_eq!(error_code(&res).as_deref(), Some("NOT_FOUND"), "{res}");
}
