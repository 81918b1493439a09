//! Pins activity ingestion against the emulator through both sources: LookupEvents when
//! the account has no trail, the trail's S3 log files when it has one. Attacker-like calls
//! made through the AWS SDK and injected records (a root console login) become events,
//! Vigil's own calls are marked, and re-ingesting stores no duplicate.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::aws::{ServiceIdentity, template::trust_policy};
use vigil_tests::{
    TestApp, app_pool,
    emulator::{Emulator, random_account_id},
    emulator_worker, spawn_app_full, test_config,
};

const ALERTS: &str = "query($f: AlertFilter) { alerts(first: 100, filter: $f) { totalCount edges { node { id ruleId title severity status eventName principalArn sourceIpAddress eventCount runbook techniques description } } } }";
const EVENTS: &str = "query($f: EventFilter) { events(first: 100, filter: $f) { totalCount edges { node { eventId eventName region principalArn sourceIpAddress byVigil errorCode } } } }";

pub(crate) struct Connected {
    pub app: TestApp,
    pub token: String,
    pub connection_id: Value,
}

pub(crate) async fn connected(opts: PgConnectOptions, account: &str) -> Connected {
    connected_with(opts, account, &[]).await
}

/// [`connected`] with configuration overrides for the API.
pub(crate) async fn connected_with(
    opts: PgConnectOptions,
    account: &str,
    config: &[(&str, &str)],
) -> Connected {
    connected_on(app_pool(opts).await, account, config).await
}

/// [`connected_with`] on a pool of the caller's (a database of its own).
pub(crate) async fn connected_on(
    pool: sqlx::PgPool,
    account: &str,
    config: &[(&str, &str)],
) -> Connected {
    let emu = Emulator::shared();
    let aws = ServiceIdentity::new(emu.management_config("us-east-1").await, None);
    let app = spawn_app_full(test_config(config), pool, aws).await;
    let token = app
        .signup(&format!("owner@{account}.example"), "Activity")
        .await
        .access_token;
    let created = app
        .graphql_ok(&token, "mutation { createAwsAccount(input: { name: \"prod\" }) { id externalId setup { trustedPrincipalArn } } }", json!({}))
        .await["createAwsAccount"]
        .clone();
    let iam = aws_sdk_iam::Client::new(&emu.account_config(account, "us-east-1").await);
    let trust = trust_policy(
        created["setup"]["trustedPrincipalArn"].as_str().unwrap(),
        created["externalId"].as_str().unwrap(),
    );
    iam.create_role()
        .role_name("VigilReadOnly")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let verified = app
        .graphql_ok(
            &token,
            "mutation($id: ID!, $arn: String!) { verifyAwsAccount(id: $id, roleArn: $arn) { status } }",
            json!({ "id": created["id"], "arn": format!("arn:aws:iam::{account}:role/VigilReadOnly") }),
        )
        .await;
    assert_eq!(verified["verifyAwsAccount"]["status"], "CONNECTED");
    Connected {
        app,
        token,
        connection_id: created["id"].clone(),
    }
}

impl Connected {
    pub async fn events(&self, filter: Value) -> Vec<Value> {
        let data = self
            .app
            .graphql_ok(&self.token, EVENTS, json!({ "f": filter }))
            .await;
        data["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect()
    }

    pub async fn alerts(&self, filter: Value) -> Vec<Value> {
        self.alerts_selecting(ALERTS, filter).await
    }

    /// The alerts matching `filter` (`$f`), each as `query` selects it.
    pub async fn alerts_selecting(&self, query: &str, filter: Value) -> Vec<Value> {
        let data = self
            .app
            .graphql_ok(&self.token, query, json!({ "f": filter }))
            .await;
        data["alerts"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect()
    }

    /// Queues an ingestion (when none is queued) and runs every queued job.
    pub async fn ingest(&self) {
        self.ingest_with(vigil_worker::handler::Settings::default())
            .await;
    }

    /// [`Connected::ingest`] by a worker with these settings.
    pub async fn ingest_with(&self, settings: vigil_worker::handler::Settings) {
        crate::fixtures::ingest(&self.app, &self.token, &self.connection_id, settings).await;
    }
}

/// What an attacker does with stolen credentials, through the real API.
pub(crate) async fn attack(account: &str) {
    let emu = Emulator::shared();
    open_to_world(account, "10.66.0.0/16", "backdoor", 22).await;
    let iam = aws_sdk_iam::Client::new(&emu.account_config(account, "us-east-1").await);
    iam.create_user().user_name("victim").send().await.unwrap();
    iam.create_access_key()
        .user_name("victim")
        .send()
        .await
        .unwrap();
    emu.inject(
        account,
        vec![json!({
            "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "eventType": "AwsConsoleSignIn",
            "userIdentity": { "type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account },
            "sourceIPAddress": "198.51.100.23", "responseElements": { "ConsoleLogin": "Success" },
            "additionalEventData": { "MFAUsed": "No" }, "readOnly": false
        })],
    )
    .await;
}

/// A multi-region trail named `org`, logging to its own bucket in `account`.
pub(crate) async fn logging_trail(
    account: &str,
) -> (String, aws_sdk_s3::Client, aws_sdk_cloudtrail::Client) {
    logging_trail_with(account, false).await
}

/// [`logging_trail`], with CloudTrail log file validation (signed digests) on or off.
pub(crate) async fn logging_trail_with(
    account: &str,
    log_file_validation: bool,
) -> (String, aws_sdk_s3::Client, aws_sdk_cloudtrail::Client) {
    let setup = Emulator::shared()
        .account_config(account, "us-east-1")
        .await;
    let bucket = format!("trail-{account}");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&setup)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let ct = aws_sdk_cloudtrail::Client::new(&setup);
    ct.create_trail()
        .name("org")
        .s3_bucket_name(&bucket)
        .is_multi_region_trail(true)
        .enable_log_file_validation(log_file_validation)
        .send()
        .await
        .unwrap();
    ct.start_logging().name("org").send().await.unwrap();
    (bucket, s3, ct)
}

fn count(events: &[Value], name: &str) -> usize {
    events.iter().filter(|e| e["eventName"] == name).count()
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_trail_activity_comes_from_lookup_events_once(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let account = random_account_id();
    let c = connected(opts, &account).await;
    // The tenant's own rule runs beside the built-in ones.
    c.app
        .graphql_ok(
            &c.token,
            "mutation($y: String!) { createDetectionRule(yaml: $y) { id } }",
            json!({ "y": "title: New VPC\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: CreateVpc\n  condition: sel\nlevel: low\n" }),
        )
        .await;
    attack(&account).await;
    c.ingest().await;

    let all = c.events(json!({})).await;
    let sg = c
        .events(json!({ "eventName": "AuthorizeSecurityGroupIngress" }))
        .await;
    assert_eq!(sg.len(), 1, "{all:?}");
    assert_eq!(sg[0]["region"], "eu-west-1");
    assert_eq!(sg[0]["byVigil"], false);
    assert!(
        sg[0]["principalArn"]
            .as_str()
            .unwrap()
            .contains("OrganizationAccountAccessRole")
    );
    assert_eq!(
        count(
            &c.events(json!({ "eventName": "CreateAccessKey" })).await,
            "CreateAccessKey"
        ),
        1
    );
    let login = c.events(json!({ "eventName": "ConsoleLogin" })).await;
    assert_eq!(login.len(), 1);
    assert_eq!(login[0]["sourceIpAddress"], "198.51.100.23");
    // Vigil's own session (its AssumeRole, GetCallerIdentity, Describe calls) is stored and marked.
    let own: Vec<&Value> = all.iter().filter(|e| e["byVigil"] == true).collect();
    assert!(
        !own.is_empty(),
        "Vigil's own calls must be stored and marked"
    );
    let session = format!("/vigil-{}", tenant_of(&c).await);
    assert!(
        own.iter()
            .all(|e| e["principalArn"].as_str().unwrap().ends_with(&session))
    );

    // The attacker's steps raised alerts that explain themselves; Vigil's own calls none.
    let alerts = c.alerts(json!({})).await;
    for step in [
        "AuthorizeSecurityGroupIngress",
        "CreateAccessKey",
        "ConsoleLogin",
    ] {
        let a = alerts
            .iter()
            .find(|a| a["eventName"] == step)
            .unwrap_or_else(|| panic!("no alert for {step}: {alerts:?}"));
        assert!(!a["runbook"].as_str().unwrap_or_default().is_empty(), "{a}");
        assert!(!a["techniques"].as_array().unwrap().is_empty(), "{a}");
    }
    assert!(
        alerts.iter().all(|a| !a["principalArn"]
            .as_str()
            .unwrap_or_default()
            .ends_with(&session)),
        "Vigil's own session raised an alert: {alerts:?}"
    );
    assert!(
        alerts.iter().any(|a| a["eventName"] == "CreateVpc"
            && a["ruleId"].as_str().unwrap().starts_with("tenant:")),
        "the tenant's rule raised no alert: {alerts:?}"
    );
    let raised = alerts.len();

    // Ingesting again re-reads the overlap window and stores nothing twice.
    c.ingest().await;
    assert_eq!(
        c.alerts(json!({})).await.len(),
        raised,
        "re-reading raised alerts again"
    );
    assert_eq!(
        c.events(json!({ "eventName": "AuthorizeSecurityGroupIngress" }))
            .await
            .len(),
        1
    );
    assert_eq!(
        c.events(json!({ "eventName": "ConsoleLogin" })).await.len(),
        1
    );
    let sources: Vec<String> =
        sqlx::query_scalar("select source from ingest_cursors order by source")
            .fetch_all(&admin)
            .await
            .unwrap();
    assert!(
        sources.iter().any(|s| s == "lookup:eu-west-1"),
        "{sources:?}"
    );
    assert!(sources.iter().all(|s| s.starts_with("lookup:")));
}

pub(crate) async fn tenant_of(c: &Connected) -> String {
    c.app
        .graphql_ok(&c.token, "{ tenant { id } }", json!({}))
        .await["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn with_a_logging_trail_activity_comes_from_its_s3_files_once(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let emu = Emulator::shared();
    let account = random_account_id();
    let (bucket, _, ct) = logging_trail(&account).await;

    let c = connected(opts, &account).await;
    attack(&account).await;
    let files = emu.flush(&account).await;
    assert!(!files.is_empty());
    c.ingest().await;

    assert_eq!(
        c.events(json!({ "eventName": "AuthorizeSecurityGroupIngress" }))
            .await
            .len(),
        1
    );
    assert_eq!(
        c.events(json!({ "eventName": "ConsoleLogin" })).await.len(),
        1
    );
    let sources: Vec<String> = sqlx::query_scalar("select source from ingest_cursors")
        .fetch_all(&admin)
        .await
        .unwrap();
    assert!(
        !sources.is_empty()
            && sources
                .iter()
                .all(|s| s.starts_with(&format!("s3:{bucket}/"))),
        "{sources:?}"
    );
    let read: i64 = sqlx::query_scalar("select count(*) from ingested_files")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(read >= 1);

    // The attacker then stops the trail: its last file carries the StopLogging call, and
    // the stopped trail makes ingestion read LookupEvents as well; the alert is raised once.
    ct.stop_logging().name("org").send().await.unwrap();
    emu.flush(&account).await;
    c.ingest().await;
    let stopped = c
        .alerts(json!({ "ruleId": "vigil-cloudtrail-logging-stopped" }))
        .await;
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert_eq!(stopped[0]["severity"], "CRITICAL");
    assert_eq!(
        stopped[0]["eventCount"], 1,
        "the StopLogging seen in both sources is one event"
    );
    let ack = c
        .app
        .graphql_ok(
            &c.token,
            "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }",
            json!({ "id": stopped[0]["id"] }),
        )
        .await;
    assert_eq!(ack["acknowledgeAlert"]["status"], "ACKNOWLEDGED");
    // One alert by ID, with when it was triaged; another organization reads nothing.
    let one =
        "query($id: ID!) { alert(id: $id) { status acknowledgedBy acknowledgedAt closedAt } }";
    let got = c
        .app
        .graphql_ok(&c.token, one, json!({ "id": stopped[0]["id"] }))
        .await;
    assert_eq!(got["alert"]["status"], "ACKNOWLEDGED");
    assert!(got["alert"]["acknowledgedAt"].is_string(), "{got}");
    assert!(got["alert"]["acknowledgedBy"].is_string(), "{got}");
    assert!(got["alert"]["closedAt"].is_null(), "{got}");
    let stranger = c
        .app
        .signup("stranger@trail.example", "Stranger")
        .await
        .access_token;
    let theirs = c
        .app
        .graphql_ok(&stranger, one, json!({ "id": stopped[0]["id"] }))
        .await;
    assert!(theirs["alert"].is_null(), "{theirs}");
    let sources: Vec<String> = sqlx::query_scalar("select source from ingest_cursors")
        .fetch_all(&admin)
        .await
        .unwrap();
    assert!(
        sources.iter().any(|s| s.starts_with("lookup:")),
        "a stopped trail adds LookupEvents: {sources:?}"
    );

    // New files and old ones alike: the old ones are skipped, nothing is stored twice.
    c.ingest().await;
    assert_eq!(
        c.events(json!({ "eventName": "AuthorizeSecurityGroupIngress" }))
            .await
            .len(),
        1
    );
    let dup: i64 = sqlx::query_scalar("select count(*) from (select event_id from events group by event_id having count(*) > 1) d")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(dup, 0);
    let last: Option<chrono::DateTime<chrono::Utc>> = c
        .app
        .graphql_ok(&c.token, "{ awsAccounts { lastActivityAt } }", json!({}))
        .await["awsAccounts"][0]["lastActivityAt"]
        .as_str()
        .map(|s| s.parse().unwrap());
    assert!(last.is_some(), "lastActivityAt is kept");
}

#[sqlx::test(migrations = "../migrations")]
async fn throttled_lookup_events_are_retried_and_nothing_is_lost(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let emu = Emulator::shared();
    let account = random_account_id();
    let c = connected(opts, &account).await;
    attack(&account).await;
    // AWS answers ThrottlingException to the next LookupEvents calls of this account.
    let rule = emu
        .add_fault(json!({ "accountId": account, "service": "cloudtrail", "operation": "LookupEvents", "kind": "throttle", "count": 4 }))
        .await;
    c.ingest().await;
    let left = emu
        .control(reqwest::Method::GET, "/_vigil/faults", None)
        .await;
    let remaining = left["faults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == rule.as_str())
        .map(|f| f["remaining"].clone());
    assert!(
        remaining.is_none() || remaining == Some(json!(0)),
        "the throttling was never hit: {left}"
    );
    assert_eq!(
        c.events(json!({ "eventName": "AuthorizeSecurityGroupIngress" }))
            .await
            .len(),
        1
    );
    assert_eq!(
        c.events(json!({ "eventName": "ConsoleLogin" })).await.len(),
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_worker_stopped_mid_ingestion_loses_and_duplicates_nothing(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let emu = Emulator::shared();
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    let c = connected(opts, &account).await;
    // Several files: activity in several regions, delivered one file per region.
    for region in ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"] {
        let ec2 = aws_sdk_ec2::Client::new(&emu.account_config(&account, region).await);
        ec2.create_vpc()
            .cidr_block("10.77.0.0/16")
            .send()
            .await
            .unwrap();
    }
    attack(&account).await;
    assert!(emu.flush(&account).await.len() >= 4);
    // Each file takes a while to fetch, so the worker can be stopped between two.
    let slow = emu
        .add_fault(json!({ "accountId": account, "service": "s3", "operation": "GetObject", "kind": "slow", "delayMs": 700 }))
        .await;

    crate::fixtures::queue_ingest(&c.app, &c.token, &c.connection_id).await;
    let stop = tokio_util::sync::CancellationToken::new();
    let runner = vigil_core::jobs::Runner::new(
        vigil_core::jobs::Queue::new(
            c.app.pool.clone(),
            "stopping-worker",
            std::time::Duration::from_secs(60),
        ),
        vigil_worker::TaskHandler::new(
            c.app.pool.clone(),
            vigil_core::aws::session::Sessions::new(
                emu.management_base(),
                vigil_worker::REFRESH_BEFORE_EXPIRY,
            ),
            c.app.clock.clone(),
        ),
        vigil_core::jobs::RunnerOptions {
            shutdown_grace: std::time::Duration::ZERO,
            ..Default::default()
        },
    );
    let running = tokio::spawn(runner.run(stop.clone()));
    vigil_tests::wait_until(
        std::time::Duration::from_secs(60),
        "the first file is stored",
        || async {
            sqlx::query_scalar::<_, i64>("select count(*) from ingested_files")
                .fetch_one(&admin)
                .await
                .unwrap()
                >= 1
        },
    )
    .await;
    stop.cancel();
    running.await.unwrap().unwrap();
    let partial: i64 = sqlx::query_scalar("select count(*) from ingested_files")
        .fetch_one(&admin)
        .await
        .unwrap();
    let files: i64 = s3
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap()
        .contents()
        .len() as i64;
    assert!(
        partial < files,
        "the worker was meant to stop before the last file ({partial} of {files})"
    );
    let state: String = sqlx::query_scalar(
        "select state from jobs where kind = 'ingest_activity' order by job_id desc limit 1",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(
        state, "queued",
        "the interrupted job goes back to the queue"
    );

    // A new worker finishes: everything is there once.
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{slow}"),
        None,
    )
    .await;
    // As a worker's loop does, claim again until the job has run: the stopped worker's
    // interrupted transaction can hold the job's row for a moment after it was given back
    // (its connection rolls back in the background), and `drain` stops at the first claim
    // that finds nothing.
    let worker = emulator_worker(&c.app);
    vigil_tests::wait_until(
        std::time::Duration::from_secs(60),
        "the interrupted ingestion has run again",
        || async {
            worker.drain().await.unwrap();
            sqlx::query_scalar::<_, String>(
                "select state from jobs where kind = 'ingest_activity' order by job_id desc limit 1",
            )
            .fetch_one(&admin)
            .await
            .unwrap()
                != "queued"
        },
    )
    .await;
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from ingested_files")
            .fetch_one(&admin)
            .await
            .unwrap(),
        files
    );
    assert_eq!(
        c.events(json!({ "eventName": "CreateVpc" })).await.len(),
        5,
        "four regions and the attack's VPC"
    );
    assert_eq!(
        c.events(json!({ "eventName": "ConsoleLogin" })).await.len(),
        1
    );
    let dup: i64 = sqlx::query_scalar("select count(*) from (select event_id from events group by event_id having count(*) > 1) d")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(dup, 0);
}

/// Opens `port` to 0.0.0.0/0 on a new security group `name` in a new VPC (`cidr`) of the
/// account's eu-west-1.
pub(crate) async fn open_to_world(account: &str, cidr: &str, name: &str, port: i32) {
    let emu = Emulator::shared();
    let ec2 = aws_sdk_ec2::Client::new(&emu.account_config(account, "eu-west-1").await);
    let vpc = ec2.create_vpc().cidr_block(cidr).send().await.unwrap();
    let sg = ec2
        .create_security_group()
        .group_name(name)
        .description("temp")
        .vpc_id(vpc.vpc().unwrap().vpc_id().unwrap())
        .send()
        .await
        .unwrap();
    ec2.authorize_security_group_ingress()
        .group_id(sg.group_id().unwrap())
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_database_failure_mid_trail_file_is_retried_not_skipped_for_lookup_events(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let emu = Emulator::shared();
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    let c = connected(opts, &account).await;
    let ec2 = aws_sdk_ec2::Client::new(&emu.account_config(&account, "eu-west-1").await);
    ec2.create_vpc()
        .cidr_block("10.55.0.0/16")
        .send()
        .await
        .unwrap();
    emu.flush(&account).await;
    assert!(
        !s3.list_objects_v2()
            .bucket(&bucket)
            .send()
            .await
            .unwrap()
            .contents()
            .is_empty()
    );
    // The database refuses to record any file as read, as a failing disk would.
    sqlx::raw_sql(
        "create function refuse_file_mark() returns trigger language plpgsql as
           $$ begin raise exception 'the disk is failing'; end $$;
         create trigger refuse_file_mark before insert on ingested_files
           for each row execute function refuse_file_mark();",
    )
    .execute(&admin)
    .await
    .unwrap();
    c.ingest().await;
    let (state, error): (String, Option<String>) = sqlx::query_as(
        "select state, last_error from jobs where kind = 'ingest_activity' order by job_id desc limit 1",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(
        state, "queued",
        "the job retries rather than settling for LookupEvents"
    );
    assert!(error.unwrap_or_default().contains("the disk is failing"));

    sqlx::raw_sql(
        "drop trigger refuse_file_mark on ingested_files;
         update jobs set run_at = now() where state = 'queued';",
    )
    .execute(&admin)
    .await
    .unwrap();
    emulator_worker(&c.app).drain().await.unwrap();
    let read: i64 = sqlx::query_scalar("select count(*) from ingested_files")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(read >= 1, "the retry reads the files");
    assert_eq!(c.events(json!({ "eventName": "CreateVpc" })).await.len(), 1);
}
