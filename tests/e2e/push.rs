//! Push delivery, re-check on change and the change behind each finding (issue 19), against
//! the emulator: the customer's EventBridge rule and SQS queue are created through the real
//! SDK; the emulator puts each recorded management write on the account's default bus as
//! AWS does (moto's EventBridge then delivers to the queue). The worker reads the queue,
//! stores the events through the same commit as trail files and LookupEvents, raises the
//! alerts, and re-checks only what the events changed.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use vigil_core::aws::session::Sessions;
use vigil_tests::emulator::{Emulator, random_account_id};
use vigil_worker::{TaskHandler, activity::push::PushRead, handler::Settings};

use crate::activity::{Connected, connected, logging_trail};

const REGION: &str = "us-east-1";
const SET_QUEUE: &str = "mutation($id: ID!, $url: String) { setAwsAccountPushQueue(id: $id, queueUrl: $url) { id pushQueueUrl } }";
const FINDINGS: &str = "query($f: FindingFilter) { findings(first: 50, filter: $f) { edges { node { id ruleId status resourceId changes { transition eventId eventName principalArn sourceIpAddress occurredAt } } } } }";
const SCANS: &str = "query($id: ID!) { scans(awsAccountId: $id, first: 20) { edges { node { trigger status findingsOpened findingsResolved recheck { regions services eventIds } } } } }";

/// Settings of a worker that re-checks a second after a change and long-polls for a second.
fn settings() -> Settings {
    Settings {
        recheck_after: Some(Duration::from_secs(1)),
        push_wait: Duration::from_secs(1),
        ..Settings::default()
    }
}

fn handler(c: &Connected) -> TaskHandler {
    let sessions = Sessions::new(
        Emulator::shared().management_base(),
        vigil_worker::REFRESH_BEFORE_EXPIRY,
    );
    TaskHandler::new(c.app.pool.clone(), sessions, c.app.clock.clone()).with_settings(settings())
}

/// The customer's push setup, through the real API: a queue and a default-bus rule for
/// CloudTrail API calls targeting it. Returns the queue URL as AWS gives it.
async fn push_queue(account: &str) -> String {
    let config = Emulator::shared().account_config(account, REGION).await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let created = sqs
        .create_queue()
        .queue_name("vigil-push")
        .send()
        .await
        .unwrap();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(created.queue_url().unwrap())
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    let events = aws_sdk_eventbridge::Client::new(&config);
    events
        .put_rule()
        .name("VigilPush")
        .event_pattern(json!({ "detail-type": ["AWS API Call via CloudTrail"] }).to_string())
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule("VigilPush")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("vigil")
                .arn(arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    format!("https://sqs.{REGION}.amazonaws.com/{account}/vigil-push")
}

struct Ids {
    tenant: vigil_core::ids::TenantId,
    connection: vigil_core::ids::AwsAccountId,
}

async fn ids(admin: &PgPool, c: &Connected) -> Ids {
    let connection: uuid::Uuid = c.connection_id.as_str().unwrap().parse().unwrap();
    let tenant: uuid::Uuid =
        sqlx::query_scalar("select tenant_id from aws_accounts where aws_account_id = $1")
            .bind(connection)
            .fetch_one(admin)
            .await
            .unwrap();
    Ids {
        tenant: vigil_core::ids::TenantId(tenant),
        connection: vigil_core::ids::AwsAccountId(connection),
    }
}

/// Reads the push queue until it is empty.
async fn read_push(h: &TaskHandler, ids: &Ids) -> PushRead {
    let mut total = PushRead::default();
    loop {
        let read = h
            .read_push(ids.tenant, ids.connection)
            .await
            .unwrap()
            .expect("push delivery is on");
        total.received += read.received;
        total.stored += read.stored;
        total.malformed += read.malformed;
        if read.received == 0 {
            return total;
        }
    }
}

/// Runs the queued re-check once it is due (it waits `recheck_after`): claims until the
/// job has run, bounded.
async fn run_recheck(c: &Connected, admin: &PgPool) {
    let worker = vigil_tests::emulator_worker_with(&c.app, settings());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let queued: i64 = sqlx::query_scalar(
            "select count(*) from jobs where kind = 'recheck_account' and state in ('queued', 'running')",
        )
        .fetch_one(admin)
        .await
        .unwrap();
        if queued == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the re-check never ran");
        worker.drain().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn findings(c: &Connected, filter: Value) -> Vec<Value> {
    c.app
        .graphql_ok(&c.token, FINDINGS, json!({ "f": filter }))
        .await["findings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn scans(c: &Connected) -> Vec<Value> {
    c.app
        .graphql_ok(&c.token, SCANS, json!({ "id": c.connection_id }))
        .await["scans"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// An SG in `REGION` opened to the world on SSH; returns its ID.
async fn open_ssh_to_world(account: &str) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&Emulator::shared().account_config(account, REGION).await);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.77.0.0/16")
        .send()
        .await
        .unwrap();
    let sg = ec2
        .create_security_group()
        .group_name("pushed")
        .description("opened by the attacker")
        .vpc_id(vpc.vpc().unwrap().vpc_id().unwrap())
        .send()
        .await
        .unwrap();
    let id = sg.group_id().unwrap().to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(&id)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    id
}

#[sqlx::test(migrations = "../migrations")]
async fn pushed_events_raise_alerts_and_targeted_rechecks_link_findings_to_their_change(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let ids = ids(&admin, &c).await;
    // Nothing but push may bring events in: the connection's first scan and ingestion
    // (queued at verification) are called off.
    sqlx::query("update jobs set state = 'cancelled', finished_at = now() where state = 'queued'")
        .execute(&admin)
        .await
        .unwrap();
    let (_bucket, _s3, trail) = logging_trail(&account).await;
    let url = push_queue(&account).await;

    // Turning push on: a queue of another account, or not a queue URL, is refused.
    for (bad, says) in [
        (
            format!("https://sqs.{REGION}.amazonaws.com/999999999999/vigil-push"),
            "999999999999",
        ),
        ("http://127.0.0.1/queue".to_owned(), "SQS queue URL"),
    ] {
        let body = c
            .app
            .graphql(
                Some(&c.token),
                SET_QUEUE,
                json!({ "id": c.connection_id, "url": bad }),
            )
            .await;
        assert_eq!(
            vigil_tests::error_code(&body).as_deref(),
            Some("BAD_USER_INPUT"),
            "{body}"
        );
        assert!(body.to_string().contains(says), "{body}");
    }
    let set = c
        .app
        .graphql_ok(
            &c.token,
            SET_QUEUE,
            json!({ "id": c.connection_id, "url": url }),
        )
        .await;
    assert_eq!(set["setAwsAccountPushQueue"]["pushQueueUrl"], url.as_str());

    // The attacker stops the trail and opens an SG to the world.
    trail.stop_logging().name("org").send().await.unwrap();
    let sg = open_ssh_to_world(&account).await;
    let h = handler(&c);
    let read = read_push(&h, &ids).await;
    assert!(read.stored >= 4, "{read:?}");
    assert_eq!(read.malformed, 0);

    // Arrived by push: no ingestion has run (no trail file read, no LookupEvents cursor).
    let other_paths: i64 = sqlx::query_scalar(
        "select (select count(*) from ingested_files) + (select count(*) from ingest_cursors)",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(other_paths, 0);
    let stop = c.events(json!({ "eventName": "StopLogging" })).await;
    assert_eq!(stop.len(), 1, "{stop:?}");
    let alerts = c.alerts(json!({})).await;
    let alert = alerts
        .iter()
        .find(|a| a["eventName"] == "StopLogging")
        .unwrap_or_else(|| panic!("no StopLogging alert: {alerts:?}"));
    assert!(
        alert["principalArn"]
            .as_str()
            .unwrap()
            .contains("OrganizationAccountAccessRole")
    );
    let authorize = c
        .events(json!({ "eventName": "AuthorizeSecurityGroupIngress" }))
        .await;
    assert_eq!(authorize.len(), 1, "{authorize:?}");
    let authorize = authorize[0].clone();

    // The re-check is targeted: the changed region's EC2 (and CloudTrail, which an
    // account-wide rule reads in every region), nothing else, and no full scan.
    run_recheck(&c, &admin).await;
    let all = scans(&c).await;
    let rechecks: Vec<&Value> = all.iter().filter(|s| s["trigger"] == "recheck").collect();
    assert_eq!(rechecks.len(), 1, "{all:?}");
    assert!(
        all.iter()
            .all(|s| s["trigger"] == "recheck" || s["status"] != "SUCCEEDED"),
        "a full scan ran: {all:?}"
    );
    let scope = &rechecks[0]["recheck"];
    let services: Vec<&str> = scope["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(services, ["cloudtrail", "ec2"], "{scope}");
    assert!(
        scope["eventIds"]
            .as_array()
            .unwrap()
            .contains(&authorize["eventId"])
            || scope["eventIds"].as_array().unwrap().len() >= 2,
        "{scope}"
    );

    // The finding opened, and knows the call that opened it: who, from where, which event.
    let open = findings(&c, json!({ "ruleId": "ec2-sg-ssh-open", "resourceId": sg })).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["status"], "OPEN");
    let changes = open[0]["changes"].as_array().unwrap();
    let cause = changes
        .iter()
        .find(|ch| ch["eventName"] == "AuthorizeSecurityGroupIngress")
        .unwrap_or_else(|| panic!("the opening call is not linked: {changes:?}"));
    assert_eq!(cause["transition"], "OPENED");
    assert_eq!(cause["eventId"], authorize["eventId"]);
    assert_eq!(cause["principalArn"], authorize["principalArn"]);
    assert_eq!(cause["sourceIpAddress"], authorize["sourceIpAddress"]);

    // The fix resolves it at the next re-check, linked to the revoking call.
    let ec2 = aws_sdk_ec2::Client::new(&Emulator::shared().account_config(&account, REGION).await);
    ec2.revoke_security_group_ingress()
        .group_id(&sg)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await
        .unwrap();
    assert!(read_push(&h, &ids).await.stored >= 1);
    run_recheck(&c, &admin).await;
    let resolved = findings(&c, json!({ "ruleId": "ec2-sg-ssh-open", "resourceId": sg })).await;
    assert_eq!(resolved[0]["status"], "RESOLVED", "{resolved:?}");
    let revoke = c
        .events(json!({ "eventName": "RevokeSecurityGroupIngress" }))
        .await;
    assert!(
        resolved[0]["changes"].as_array().unwrap().iter().any(|ch| {
            ch["transition"] == "RESOLVED"
                && ch["eventName"] == "RevokeSecurityGroupIngress"
                && ch["eventId"] == revoke[0]["eventId"]
        }),
        "{resolved:?}"
    );
    let rechecks = scans(&c)
        .await
        .into_iter()
        .filter(|s| s["trigger"] == "recheck")
        .count();
    assert_eq!(rechecks, 2);

    // The same events by trail file and LookupEvents: stored once, alerted once, and no
    // second re-check.
    Emulator::shared().flush(&account).await;
    crate::fixtures::ingest(&c.app, &c.token, &c.connection_id, settings()).await;
    let files: i64 = sqlx::query_scalar("select count(*) from ingested_files")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(files >= 1, "the trail files were read");
    for name in [
        "StopLogging",
        "AuthorizeSecurityGroupIngress",
        "RevokeSecurityGroupIngress",
    ] {
        assert_eq!(
            c.events(json!({ "eventName": name })).await.len(),
            1,
            "{name}"
        );
    }
    let stop_alerts: Vec<Value> = c
        .alerts(json!({}))
        .await
        .into_iter()
        .filter(|a| a["eventName"] == "StopLogging")
        .collect();
    assert_eq!(stop_alerts.len(), 1, "{stop_alerts:?}");
    assert_eq!(stop_alerts[0]["eventCount"], 1);
    // Ingestion did store the calls made before push was on (the trail's setup): those
    // ask for a re-check; the pushed ones, already stored, do not again.
    let asked: Vec<String> = sqlx::query_scalar("select event_id from pending_rechecks")
        .fetch_all(&admin)
        .await
        .unwrap();
    for pushed in [
        &stop[0]["eventId"],
        &authorize["eventId"],
        &revoke[0]["eventId"],
    ] {
        assert!(
            !asked.iter().any(|a| pushed == a.as_str()),
            "{pushed} asked for a second re-check: {asked:?}"
        );
    }

    // Another tenant sees none of it, and cannot point the connection anywhere.
    let other = c
        .app
        .signup(&format!("other@{account}.example"), "Other")
        .await
        .access_token;
    let seen = c
        .app
        .graphql_ok(
            &other,
            "{ events(first: 10) { totalCount } alerts(first: 10) { totalCount } findings(first: 10) { totalCount } awsAccounts { id } }",
            json!({}),
        )
        .await;
    assert_eq!(seen["events"]["totalCount"], 0, "{seen}");
    assert_eq!(seen["alerts"]["totalCount"], 0, "{seen}");
    assert_eq!(seen["findings"]["totalCount"], 0, "{seen}");
    assert_eq!(seen["awsAccounts"], json!([]), "{seen}");
    let body = c
        .app
        .graphql(
            Some(&other),
            SET_QUEUE,
            json!({ "id": c.connection_id, "url": Value::Null }),
        )
        .await;
    assert_eq!(vigil_tests::error_code(&body).as_deref(), Some("NOT_FOUND"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_malformed_push_message_is_reported_and_deleted_not_fatal(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let ids = ids(&admin, &c).await;
    let url = push_queue(&account).await;
    c.app
        .graphql_ok(
            &c.token,
            SET_QUEUE,
            json!({ "id": c.connection_id, "url": url }),
        )
        .await;
    let sqs = aws_sdk_sqs::Client::new(&Emulator::shared().account_config(&account, REGION).await);
    for body in [
        "not json".to_owned(),
        json!({ "detail-type": "AWS API Call via CloudTrail", "account": "999999999999",
                "detail": { "eventID": "forged", "eventTime": "2026-12-01T00:00:00Z",
                            "eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com" } })
        .to_string(),
    ] {
        sqs.send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    // A good event after the bad ones still gets in.
    aws_sdk_ec2::Client::new(&Emulator::shared().account_config(&account, REGION).await)
        .create_vpc()
        .cidr_block("10.78.0.0/16")
        .send()
        .await
        .unwrap();
    let h = handler(&c);
    let read = read_push(&h, &ids).await;
    assert_eq!(read.malformed, 2, "{read:?}");
    assert_eq!(c.events(json!({ "eventName": "CreateVpc" })).await.len(), 1);
    assert!(
        c.events(json!({ "eventName": "StopLogging" }))
            .await
            .is_empty()
    );
    let problems = c
        .app
        .graphql_ok(
            &c.token,
            "query($id: ID!) { awsAccount(id: $id) { ingestionProblems { kind count message } } }",
            json!({ "id": c.connection_id }),
        )
        .await;
    let list = problems["awsAccount"]["ingestionProblems"]
        .as_array()
        .unwrap();
    let p = list
        .iter()
        .find(|p| p["kind"] == "PUSH_MESSAGES_MALFORMED")
        .unwrap_or_else(|| panic!("{problems}"));
    assert_eq!(p["count"], 2);
    // Deleted once recorded: the next read finds nothing.
    assert_eq!(read_push(&h, &ids).await, PushRead::default());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_recheck_asked_for_while_the_last_one_finished_is_queued_by_the_scheduler(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let account = random_account_id();
    let c = connected(opts, &account).await;
    let ids = ids(&admin, &c).await;
    let schedule = vigil_worker::schedule::Schedule {
        pool: c.app.pool.clone(),
        clock: c.app.clock.clone(),
        scan_interval: Duration::from_secs(3600),
        ingest_interval: Duration::from_secs(3600),
        organization_sync_interval: Duration::from_secs(3600),
    };
    let rechecks = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from jobs where kind = 'recheck_account' and state = 'queued'",
        )
        .fetch_one(&admin)
        .await
        .unwrap()
    };
    // A pending pair whose job never came (its enqueue met the finishing job's key).
    let mut tx = vigil_core::db::begin_tenant(&c.app.pool, ids.tenant)
        .await
        .unwrap();
    vigil_core::store::rechecks::request(
        &mut tx,
        ids.connection,
        REGION,
        "ec2",
        "ev-1",
        chrono::Utc::now() - chrono::Duration::minutes(2),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    vigil_worker::schedule::tick(&schedule).await.unwrap();
    assert_eq!(rechecks().await, 1);
    // Once queued, the scheduler queues no second one.
    vigil_worker::schedule::tick(&schedule).await.unwrap();
    assert_eq!(rechecks().await, 1);
}

/// The latency of push delivery with the worker's own loops (the push loop and the job
/// runner, as `vigil-worker` runs them): from the API call to its alert, and to the
/// finding it opens. Prints the figures (docs/performance.md records them); asserts only
/// that both arrive.
#[sqlx::test(migrations = "../migrations")]
#[ignore = "a measurement: run with --ignored (see docs/performance.md)"]
async fn push_latency(pool_opts: PgPoolOptions, opts: PgConnectOptions) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let account = random_account_id();
    let c = connected(opts, &account).await;
    sqlx::query("update jobs set state = 'cancelled', finished_at = now() where state = 'queued'")
        .execute(&admin)
        .await
        .unwrap();
    let (_bucket, _s3, trail) = logging_trail(&account).await;
    let url = push_queue(&account).await;
    c.app
        .graphql_ok(
            &c.token,
            SET_QUEUE,
            json!({ "id": c.connection_id, "url": url }),
        )
        .await;
    let shutdown = tokio_util::sync::CancellationToken::new();
    // The production timings: a 5 s long poll, a re-check 5 s after the change.
    let production = Settings {
        recheck_after: Some(vigil_worker::settings::RECHECK_AFTER),
        push_wait: vigil_worker::settings::PUSH_WAIT,
        ..Settings::default()
    };
    let sessions = Sessions::new(
        Emulator::shared().management_base(),
        vigil_worker::REFRESH_BEFORE_EXPIRY,
    );
    let pusher = std::sync::Arc::new(
        TaskHandler::new(c.app.pool.clone(), sessions, c.app.clock.clone())
            .with_settings(production.clone()),
    );
    tokio::spawn(vigil_worker::push::run(
        c.app.pool.clone(),
        pusher,
        shutdown.clone(),
    ));
    let runner = vigil_tests::emulator_worker_with(&c.app, production);
    let stop = shutdown.clone();
    tokio::spawn(async move { runner.run(stop).await });

    let called = Instant::now();
    trail.stop_logging().name("org").send().await.unwrap();
    let sg = open_ssh_to_world(&account).await;
    let (mut alert_at, mut finding_at) = (None, None);
    while (alert_at.is_none() || finding_at.is_none())
        && called.elapsed() < Duration::from_secs(120)
    {
        if alert_at.is_none()
            && c.alerts(json!({}))
                .await
                .iter()
                .any(|a| a["eventName"] == "StopLogging")
        {
            alert_at = Some(called.elapsed());
        }
        if finding_at.is_none()
            && !findings(&c, json!({ "ruleId": "ec2-sg-ssh-open", "resourceId": sg }))
                .await
                .is_empty()
        {
            finding_at = Some(called.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shutdown.cancel();
    let (alert_at, finding_at) = (alert_at.expect("alert"), finding_at.expect("finding"));
    println!(
        "push latency: API call to alert {:.1} s, API call to finding {:.1} s",
        alert_at.as_secs_f64(),
        finding_at.as_secs_f64()
    );
}
