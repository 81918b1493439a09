//! Pins what happens when work is lost: a scan never outlives its job (dead, cancelled, or
//! ended without finishing it), a sweep ends scans older versions left open, a dead job
//! shows on its connection, and a worker process killed with SIGKILL again and again, mid
//! scan and mid ingestion, loses and duplicates nothing and leaves no job or scan behind.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use vigil_core::{
    jobs::{self, NewJob, Queue},
    store::cross_tenant,
    tasks::Task,
};
use vigil_tests::{
    TestApp,
    emulator::{Emulator, MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, random_account_id},
    spawn_app, wait_until,
};

use crate::{
    activity::{attack, connected, logging_trail},
    fixtures,
};

const SCAN: &str = "query($id: ID!) { scan(id: $id) { status error finishedAt } }";
const FAILURE: &str = "query($id: ID!) { awsAccount(id: $id) { lastJobFailure { kind error attempts rescues failedAt } } }";

/// Queues the connection's scan job for `scan`, as `startScan` does.
async fn scan_job(pool: &PgPool, tenant: uuid::Uuid, account: uuid::Uuid, scan: uuid::Uuid) {
    let task = Task::ScanAccount {
        tenant_id: tenant.into_id(),
        aws_account_id: account.into_id(),
        scan_id: Some(scan.into_id()),
    };
    let key = task.unique_key().unwrap();
    let mut conn = pool.acquire().await.unwrap();
    jobs::enqueue(
        &mut conn,
        NewJob::new(task).tenant(tenant.into_id()).unique(key),
    )
    .await
    .unwrap()
    .expect("queued");
}

/// Turns a raw UUID into any of the ID newtypes.
trait IntoId {
    fn into_id<T: std::str::FromStr>(self) -> T
    where
        T::Err: std::fmt::Debug;
}

impl IntoId for uuid::Uuid {
    fn into_id<T: std::str::FromStr>(self) -> T
    where
        T::Err: std::fmt::Debug,
    {
        self.to_string().parse().unwrap()
    }
}

/// A scan as the API shows it.
async fn scan_of(app: &TestApp, token: &str, id: uuid::Uuid) -> Value {
    app.graphql_ok(token, SCAN, json!({ "id": id.to_string() }))
        .await["scan"]
        .clone()
}

async fn set_running(admin: &PgPool, scan: uuid::Uuid) {
    sqlx::query("update scans set status = 'running', started_at = now() where scan_id = $1")
        .bind(scan)
        .execute(admin)
        .await
        .unwrap();
}

/// A new connection of the caller's tenant with a queued scan and its job: (connection, scan).
async fn scan_with_job(
    app: &TestApp,
    admin: &PgPool,
    token: &str,
    tenant: uuid::Uuid,
) -> (uuid::Uuid, uuid::Uuid) {
    let account = fixtures::connection(app, token).await;
    let scan = fixtures::scan(admin, tenant, account).await;
    scan_job(&app.pool, tenant, account, scan).await;
    (account, scan)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_scan_ends_with_its_job_whether_dead_cancelled_or_done_without_it(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@orphan.example", "Orphans")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let queue = Queue::new(app.pool.clone(), "w", Duration::from_secs(30));
    let scan_status = |id| scan_of(&app, &token, id);

    // Dead: the job gave up, and its running scan fails with the job's error.
    let (_, scan) = scan_with_job(&app, &admin, &token, tenant).await;
    let claimed = queue.claim(1).await.unwrap();
    set_running(&admin, scan).await;
    queue
        .fail(
            claimed[0].job_id,
            "AWS said no, for good",
            Duration::ZERO,
            true,
        )
        .await
        .unwrap();
    let s = scan_status(scan).await;
    assert_eq!(s["status"], "FAILED", "{s}");
    assert!(s["finishedAt"].is_string(), "{s}");
    assert_eq!(
        s["error"], "the scan job gave up: AWS said no, for good",
        "{s}"
    );

    // Cancelled (the connection's queued jobs are cancelled): the queued scan ends.
    let (account, scan) = scan_with_job(&app, &admin, &token, tenant).await;
    let mut conn = app.pool.acquire().await.unwrap();
    let prefix = vigil_core::tasks::account_key_prefix(account.into_id());
    assert_eq!(
        jobs::cancel_queued(&mut conn, tenant.into_id(), &prefix)
            .await
            .unwrap(),
        1
    );
    drop(conn);
    let s = scan_status(scan).await;
    assert_eq!(s["status"], "FAILED", "{s}");
    assert_eq!(s["error"], "the scan was cancelled before it finished");

    // Succeeded without finishing its scan: the running scan is abandoned, not left open.
    let (_, scan) = scan_with_job(&app, &admin, &token, tenant).await;
    let claimed = queue.claim(1).await.unwrap();
    set_running(&admin, scan).await;
    queue.complete(claimed[0].job_id).await.unwrap();
    let s = scan_status(scan).await;
    assert_eq!(s["status"], "FAILED", "{s}");
    assert_eq!(s["error"], "the scan job ended without finishing the scan");

    // A scan that finished is never touched by its job's end.
    let (_, scan) = scan_with_job(&app, &admin, &token, tenant).await;
    let claimed = queue.claim(1).await.unwrap();
    sqlx::query("update scans set status = 'succeeded', finished_at = now() where scan_id = $1")
        .bind(scan)
        .execute(&admin)
        .await
        .unwrap();
    queue.complete(claimed[0].job_id).await.unwrap();
    assert_eq!(scan_status(scan).await["status"], "SUCCEEDED");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sweep_ends_scans_that_no_job_runs_and_keeps_those_one_does(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let app = spawn_app(opts).await;
    let token = app
        .signup("owner@sweep.example", "Sweep")
        .await
        .access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    // Left behind by an older version: running for an hour, no job.
    let lost_account = fixtures::connection(&app, &token).await;
    let lost = fixtures::scan(&admin, tenant, lost_account).await;
    // Running for an hour too, but its job is still queued (a slow queue): kept.
    let live_account = fixtures::connection(&app, &token).await;
    let live = fixtures::scan(&admin, tenant, live_account).await;
    scan_job(&app.pool, tenant, live_account, live).await;
    // Just created, no job yet visible: within the grace period, kept.
    let fresh_account = fixtures::connection(&app, &token).await;
    let fresh = fixtures::scan(&admin, tenant, fresh_account).await;
    sqlx::query(
        "update scans set status = 'running', created_at = now() - interval '1 hour' where scan_id = any($1)",
    )
    .bind(vec![lost, live])
    .execute(&admin)
    .await
    .unwrap();

    let mut conn = app.pool.acquire().await.unwrap();
    let closed = cross_tenant::close_orphaned_scans(&mut conn, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(closed, 1);
    let status = |id| scan_of(&app, &token, id);
    let s = status(lost).await;
    assert_eq!(s["status"], "FAILED", "{s}");
    assert!(s["error"].as_str().unwrap().contains("left behind"), "{s}");
    assert_eq!(status(live).await["status"], "RUNNING");
    assert_eq!(status(fresh).await["status"], "QUEUED");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_dead_job_shows_on_its_connection_until_one_of_its_kind_succeeds(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let app = spawn_app(opts).await;
    let token = app.signup("owner@dead.example", "Dead").await.access_token;
    let tenant = fixtures::tenant_of(&app, &token).await;
    let account = fixtures::connection(&app, &token).await;
    let failure = || {
        let (app, token) = (&app, &token);
        async move {
            app.graphql_ok(token, FAILURE, json!({ "id": account.to_string() }))
                .await["awsAccount"]["lastJobFailure"]
                .clone()
        }
    };
    assert_eq!(failure().await, Value::Null);
    let ingest = || Task::IngestActivity {
        tenant_id: tenant.into_id(),
        aws_account_id: account.into_id(),
    };
    let queue = Queue::new(app.pool.clone(), "w", Duration::from_secs(30));
    let mut conn = app.pool.acquire().await.unwrap();
    jobs::enqueue(
        &mut conn,
        NewJob::new(ingest())
            .tenant(tenant.into_id())
            .unique(ingest().unique_key().unwrap()),
    )
    .await
    .unwrap();
    let job = queue.claim(1).await.unwrap().remove(0);
    queue
        .fail(job.job_id, "S3 denied GetObject", Duration::ZERO, true)
        .await
        .unwrap();
    let f = failure().await;
    assert_eq!(f["kind"], "ingest_activity", "{f}");
    assert_eq!(f["error"], "S3 denied GetObject");
    assert_eq!(
        (f["attempts"].as_i64(), f["rescues"].as_i64()),
        (Some(1), Some(0))
    );

    // Another tenant's connection ID reads as absent, failure and all.
    let other = app.signup("owner@else.example", "Else").await.access_token;
    let body = app
        .graphql_ok(&other, FAILURE, json!({ "id": account.to_string() }))
        .await;
    assert_eq!(body["awsAccount"], Value::Null);

    jobs::enqueue(
        &mut conn,
        NewJob::new(ingest())
            .tenant(tenant.into_id())
            .unique(ingest().unique_key().unwrap()),
    )
    .await
    .unwrap();
    let job = queue.claim(1).await.unwrap().remove(0);
    queue.complete(job.job_id).await.unwrap();
    assert_eq!(failure().await, Value::Null, "a later success clears it");
}

/// The test's database as a URL a separate process can connect with.
pub(crate) fn database_url(opts: &PgConnectOptions) -> String {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut url = reqwest::Url::parse(&base).expect("DATABASE_URL is a URL");
    url.set_path(opts.get_database().expect("the test database has a name"));
    url.to_string()
}

/// `vigil-worker` as its own process, named `name` in the leases it takes (the connection's
/// first scan and ingestion are queued when it connects).
pub(crate) fn worker_process(db_url: &str, name: &str) -> Child {
    let emu = Emulator::shared();
    Command::new(env!("CARGO_BIN_EXE_worker-under-test"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOSTNAME", name)
        .env("DATABASE_URL", db_url)
        .env("VIGIL_ENV", "dev")
        .env("VIGIL_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        // A lost worker's jobs are rescued two seconds after its last heartbeat.
        .env("VIGIL_JOB_LEASE", "2s")
        .env("VIGIL_SCAN_INTERVAL", "6h")
        .env("VIGIL_INGEST_INTERVAL", "6h")
        .env("AWS_ACCESS_KEY_ID", MANAGEMENT_ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", MANAGEMENT_SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &emu.endpoint)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the worker process starts")
}

/// Activity in five regions (a VPC each) and the attack, delivered as trail files: answers
/// the files' keys.
pub(crate) async fn busy_trail(
    account: &str,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
) -> Vec<String> {
    let emu = Emulator::shared();
    for region in [
        "us-east-1",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-2",
        "us-west-2",
    ] {
        let ec2 = aws_sdk_ec2::Client::new(&emu.account_config(account, region).await);
        ec2.create_vpc()
            .cidr_block("10.88.0.0/16")
            .send()
            .await
            .unwrap();
    }
    attack(account).await;
    let delivered = emu.flush(account).await;
    assert!(delivered.len() >= 5, "{delivered:?}");
    trail_files(s3, bucket).await
}

/// The trail's log files now in the bucket.
async fn trail_files(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    s3.list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

/// How many of `files` ingestion has read.
pub(crate) async fn read_of(admin: &PgPool, files: &[String]) -> i64 {
    sqlx::query_scalar("select count(*) from ingested_files where file_key = any($1)")
        .bind(files)
        .fetch_one(admin)
        .await
        .unwrap_or(-1)
}

/// How many event IDs are stored more than once (0: exactly once).
pub(crate) async fn events_stored_twice(admin: &PgPool) -> i64 {
    sqlx::query_scalar(
        "select count(*) from (select event_id from events group by event_id having count(*) > 1) d",
    )
    .fetch_one(admin)
    .await
    .unwrap()
}

/// How many requests the emulator has slowed down so far: work in progress.
pub(crate) async fn slowed(emu: &Emulator) -> i64 {
    emu.control(reqwest::Method::GET, "/_vigil/faults", None)
        .await["faults"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "slow")
        .map(|f| f["hits"].as_i64().unwrap_or(0))
        .sum()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_worker_killed_again_and_again_mid_scan_and_mid_ingestion_loses_and_leaves_nothing(
    admin_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let _heavy = vigil_tests::EMULATOR_HEAVY.write().await;
    let admin = admin_opts.connect_with(opts.clone()).await.unwrap();
    let db_url = database_url(&opts);
    let emu = Emulator::shared();
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    // Connecting queues the first scan and ingestion, which the worker processes run.
    let c = connected(opts, &account).await;
    let files = busy_trail(&account, &s3, &bucket).await;
    // Slow enough that each worker is killed in the middle of something.
    let faults = [
        emu.add_fault(json!({ "accountId": account, "service": "s3", "operation": "GetObject", "kind": "slow", "delayMs": 500 }))
            .await,
        emu.add_fault(json!({ "accountId": account, "service": "ec2", "operation": "DescribeSecurityGroups", "kind": "slow", "delayMs": 300 }))
            .await,
    ];

    const KILLS: usize = 5;
    for n in 0..KILLS {
        let before = slowed(emu).await;
        let mut worker = worker_process(&db_url, &format!("killed-{n}"));
        let name = format!("killed-{n}-%");
        wait_until(Duration::from_secs(60), "the worker is mid-job", || async {
            let holds: bool = sqlx::query_scalar(
                "select exists (select 1 from jobs where state = 'running' and locked_by like $1)",
            )
            .bind(&name)
            .fetch_one(&admin)
            .await
            .unwrap();
            holds && slowed(emu).await > before
        })
        .await;
        worker.kill().expect("SIGKILL");
        worker.wait().unwrap();
    }
    for id in faults {
        emu.control(
            reqwest::Method::DELETE,
            &format!("/_vigil/faults/{id}"),
            None,
        )
        .await;
    }

    let mut survivor = worker_process(&db_url, "survivor");
    wait_until(Duration::from_secs(180), "every job of the account has ended", || async {
        let open: i64 = sqlx::query_scalar(
            "select count(*) from jobs where kind in ('scan_account', 'ingest_activity') and state in ('queued', 'running')",
        )
        .fetch_one(&admin)
        .await
        .unwrap();
        open == 0
    })
    .await;
    survivor.kill().unwrap();
    survivor.wait().unwrap();

    let jobs: Vec<(String, String, i32, Option<String>)> = sqlx::query_as(
        "select kind, state, rescues, last_error from jobs where kind in ('scan_account', 'ingest_activity')",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert!(
        jobs.iter().all(|(_, state, _, _)| state == "succeeded"),
        "no job dead or left running: {jobs:?}"
    );
    let rescues: i32 = jobs.iter().map(|j| j.2).sum();
    assert!(
        rescues >= KILLS as i32,
        "each kill lost a job that was rescued: {jobs:?}"
    );
    let scans: Vec<(String, Option<String>)> = sqlx::query_as("select status, error from scans")
        .fetch_all(&admin)
        .await
        .unwrap();
    // A rerun takes up its scan again: no scan is left open or failed by the kills.
    assert!(!scans.is_empty());
    assert!(
        scans.iter().all(|(status, _)| status == "succeeded"),
        "{scans:?}"
    );

    // Every file once, every event once, every alert once with its events once.
    // (The workers' own calls are recorded too, so more files may have come since.)
    assert_eq!(read_of(&admin, &files).await, files.len() as i64);
    assert_eq!(events_stored_twice(&admin).await, 0);
    assert_eq!(c.events(json!({ "eventName": "CreateVpc" })).await.len(), 6);
    let alerts: Vec<(String, i32, Vec<String>)> =
        sqlx::query_as("select rule_id, event_count, event_ids from alerts")
            .fetch_all(&admin)
            .await
            .unwrap();
    for (rule, _, ids) in &alerts {
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{rule}: an event joined twice");
    }
    let root_logins: Vec<_> = alerts
        .iter()
        .filter(|(rule, _, _)| rule == "vigil-root-console-login-without-mfa")
        .collect();
    assert_eq!(root_logins.len(), 1, "{alerts:?}");
    assert_eq!(
        root_logins[0].1, 1,
        "the one login counted once: {alerts:?}"
    );
}
