//! Pins organisation trails: one trail in the management account logs every account of the
//! organisation into one bucket (the emulator delivers an organisation trail's files as AWS
//! does, each account in `AWSLogs/<org-id>/<account>/CloudTrail/...`; the older
//! `AWSLogs/<account>/...` layout is written here by hand). The management connection's
//! ingestion reads the bucket through the management role and stores every member's events
//! once, under that member's connection, also when its worker is killed with SIGKILL in the
//! middle of the reading; a bucket the management role may not read is read through a
//! log-archive member's role the customer names.

use std::{io::Write, time::Duration};

use serde_json::{Value, json};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use vigil_tests::{TestApp, emulator::Emulator, emulator_worker, error_code, wait_until};

use crate::{
    crash_safety::{database_url, events_stored_twice, read_of, slowed, worker_process},
    fixtures,
    organizations::{EmulatedOrg, aws_app, create, member, verify_query},
};

/// A connected organisation with an organisation trail logging to a bucket of the
/// management account.
struct OrgWithTrail {
    org: EmulatedOrg,
    /// AWS's organisation ID (o-...).
    organization_id: String,
    /// The member connections as the verification answered them.
    accounts: Value,
    bucket: String,
    s3: aws_sdk_s3::Client,
}

impl OrgWithTrail {
    /// `members` member accounts plus the management account, all connected by one
    /// verification, and the organisation trail started.
    async fn new(app: &TestApp, token: &str, members: usize) -> Self {
        let org = EmulatedOrg::new(members).await;
        let created = create(app, token, "Acme").await;
        let setup = &created["setup"];
        let role = org
            .deploy_management(setup["managementTemplate"].as_str().unwrap())
            .await;
        org.deploy_stack_set(setup["stackSetTemplate"].as_str().unwrap())
            .await;
        let verified = app
            .graphql_ok(
                token,
                &verify_query(),
                json!({ "id": created["id"], "arn": role }),
            )
            .await["verifyAwsOrganization"]
            .clone();
        assert_eq!(verified["status"], "CONNECTED", "{verified}");
        assert_eq!(
            verified["syncReport"]["connected"],
            members + 1,
            "{verified}"
        );

        let emu = Emulator::shared();
        let setup = emu.account_config(&org.management, "us-east-1").await;
        let bucket = format!("org-trail-{}", org.management);
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&setup)
                .force_path_style(true)
                .build(),
        );
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        let ct = aws_sdk_cloudtrail::Client::new(&setup);
        ct.create_trail()
            .name("organization")
            .s3_bucket_name(&bucket)
            .is_multi_region_trail(true)
            .is_organization_trail(true)
            .send()
            .await
            .unwrap();
        ct.start_logging()
            .name("organization")
            .send()
            .await
            .unwrap();
        Self {
            org,
            organization_id: verified["organizationId"].as_str().unwrap().to_owned(),
            accounts: verified["accounts"].clone(),
            bucket,
            s3,
        }
    }

    /// The connection ID of `account`'s member connection.
    fn connection(&self, account: &str) -> Value {
        member(&self.accounts, account)["id"].clone()
    }

    /// Delivers the organisation trail's pending files; answers their keys.
    async fn flush(&self) -> Vec<String> {
        Emulator::shared().flush(&self.org.management).await
    }

    /// Writes one log file in the older layout (`AWSLogs/<account>/CloudTrail/...`) with a
    /// `CreateBucket` record of `account`; answers its key and the record's event ID.
    async fn legacy_file(&self, account: &str) -> (String, String) {
        let now = chrono::Utc::now();
        let event_id = uuid::Uuid::new_v4().to_string();
        let record = json!({
            "eventVersion": "1.09", "eventID": event_id,
            "eventTime": now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "eventSource": "s3.amazonaws.com", "eventName": "CreateBucket",
            "awsRegion": "us-east-1", "recipientAccountId": account, "readOnly": false,
            "userIdentity": { "type": "IAMUser", "arn": format!("arn:aws:iam::{account}:user/ops"), "accountId": account },
            "sourceIPAddress": "203.0.113.9",
        });
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(json!({ "Records": [record] }).to_string().as_bytes())
            .unwrap();
        let key = format!(
            "AWSLogs/{account}/CloudTrail/us-east-1/{}/{account}_CloudTrail_us-east-1_{}_legacy.json.gz",
            now.format("%Y/%m/%d"),
            now.format("%Y%m%dT%H%MZ")
        );
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .body(gz.finish().unwrap().into())
            .send()
            .await
            .unwrap();
        (key, event_id)
    }
}

/// SDK configuration in `account` of the organisation managed by `management`: moto's
/// member accounts trust only their management account with `OrganizationAccountAccessRole`,
/// so a member is entered from the management account, as with AWS.
async fn config_in(management: &str, account: &str, region: &str) -> aws_config::SdkConfig {
    let emu = Emulator::shared();
    let from = emu.account_config(management, region).await;
    if account == management {
        return from;
    }
    let out = aws_sdk_sts::Client::new(&from)
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("vigil-tests")
        .send()
        .await
        .expect("AssumeRole into the member");
    let c = out.credentials().expect("credentials");
    let creds = aws_credential_types::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "vigil-tests-member",
    );
    emu.config_with(creds, region).await
}

/// Creates a VPC in each of `regions` of `account` (of `management`'s organisation).
async fn vpcs(management: &str, account: &str, regions: &[&str]) {
    for region in regions {
        aws_sdk_ec2::Client::new(&config_in(management, account, region).await)
            .create_vpc()
            .cidr_block("10.77.0.0/16")
            .send()
            .await
            .unwrap();
    }
}

/// Leaves queued only the ingestion of `connection` (the organisation's first scans and
/// ingestions are all queued by the verification).
async fn only_ingestion_of(admin: &PgPool, connection: &Value) {
    let key = format!("aws_account:{}:ingest", connection.as_str().unwrap());
    sqlx::query("update jobs set state = 'succeeded' where state = 'queued' and unique_key <> $1")
        .bind(key)
        .execute(admin)
        .await
        .unwrap();
}

/// `CreateVpc` events stored per AWS account (the 12-digit ID of the connection each is
/// stored under).
async fn vpcs_stored(admin: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as(
        "select a.account_id, count(*) from events e
         join aws_accounts a on a.tenant_id = e.tenant_id and a.aws_account_id = e.aws_account_id
         where e.event_name = 'CreateVpc' group by a.account_id order by a.account_id",
    )
    .fetch_all(admin)
    .await
    .unwrap()
}

/// Events stored under a connection that is not the account that made them.
async fn misrouted(admin: &PgPool) -> i64 {
    sqlx::query_scalar(
        "select count(*) from events e
         join aws_accounts a on a.tenant_id = e.tenant_id and a.aws_account_id = e.aws_account_id
         where e.raw ->> 'recipientAccountId' is distinct from a.account_id",
    )
    .fetch_one(admin)
    .await
    .unwrap()
}

/// Trail files marked read under a connection whose account is not the file's.
async fn files_misrouted(admin: &PgPool) -> i64 {
    sqlx::query_scalar(
        "select count(*) from ingested_files f
         join aws_accounts a on a.tenant_id = f.tenant_id and a.aws_account_id = f.aws_account_id
         where f.file_key not like '%/' || a.account_id || '/CloudTrail/%'",
    )
    .fetch_one(admin)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_organisation_trail_feeds_every_member_once_under_its_own_connection(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let _calm = vigil_tests::EMULATOR_HEAVY.read().await;
    let (app, admin) = aws_app(opts).await;
    let token = app
        .signup("owner@orgtrail.example", "OrgTrail")
        .await
        .access_token;
    let mut o = OrgWithTrail::new(&app, &token, 3).await;
    let management = o.org.management.clone();
    let members = o.org.members.clone();
    // An account that joins after the verification: not connected yet, so its folder is
    // skipped (and counted), never stored under another connection.
    let late = o.org.create_account("not-yet-connected").await;

    vpcs(&management, &management, &["us-east-1"]).await;
    for account in &members {
        vpcs(&management, account, &["us-east-1", "eu-west-1"]).await;
    }
    vpcs(&management, &late, &["us-east-1"]).await;
    let files = o.flush().await;
    for account in members.iter().chain([&management, &late]) {
        let folder = format!("AWSLogs/{}/{account}/CloudTrail/", o.organization_id);
        assert!(
            files.iter().any(|f| f.starts_with(&folder)),
            "the emulator delivers {account}'s files in its folder: {files:?}"
        );
    }
    let (legacy_key, legacy_event) = o.legacy_file(&members[0]).await;

    // Only the management connection's ingestion runs: every event must come through it.
    let reader = o.connection(&management);
    only_ingestion_of(&admin, &reader).await;
    emulator_worker(&app).drain().await.unwrap();

    let mut expected: Vec<(String, i64)> = members
        .iter()
        .map(|a| (a.clone(), 2))
        .chain([(management.clone(), 1)])
        .collect();
    expected.sort();
    assert_eq!(vpcs_stored(&admin).await, expected);
    assert_eq!(
        misrouted(&admin).await,
        0,
        "every event under its own account"
    );
    assert_eq!(events_stored_twice(&admin).await, 0);
    let late_events: i64 =
        sqlx::query_scalar("select count(*) from events where raw ->> 'recipientAccountId' = $1")
            .bind(&late)
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(late_events, 0, "a folder without a connection is not read");
    let legacy: Option<String> = sqlx::query_scalar(
        "select a.account_id from events e
         join aws_accounts a on a.tenant_id = e.tenant_id and a.aws_account_id = e.aws_account_id
         where e.event_id = $1",
    )
    .bind(&legacy_event)
    .fetch_optional(&admin)
    .await
    .unwrap();
    assert_eq!(legacy.as_deref(), Some(members[0].as_str()), "older layout");
    let member_files: Vec<String> = files
        .iter()
        .filter(|f| !f.contains(&format!("/{late}/")))
        .cloned()
        .chain([legacy_key])
        .collect();
    assert_eq!(
        read_of(&admin, &member_files).await,
        member_files.len() as i64
    );
    assert_eq!(files_misrouted(&admin).await, 0);

    let (arn, covers, read_at, skipped): (Option<String>, bool, Option<chrono::DateTime<chrono::Utc>>, Vec<String>) =
        sqlx::query_as(
            "select trail_arn, trail_covers_members, trail_read_at, trail_skipped_accounts from aws_organizations",
        )
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(arn.unwrap().ends_with(":trail/organization"));
    assert!(covers && read_at.is_some());
    assert_eq!(
        skipped,
        vec![late.clone()],
        "the skipped account is counted"
    );
    // The customer sees the same through GraphQL.
    let shown = app
        .graphql_ok(
            &token,
            "{ awsOrganizations { trail { arn bucket coversMembers readAt skippedAccounts } } }",
            json!({}),
        )
        .await;
    let trail = &shown["awsOrganizations"][0]["trail"];
    assert!(
        trail["arn"]
            .as_str()
            .unwrap()
            .ends_with(":trail/organization"),
        "{trail}"
    );
    assert_eq!(trail["bucket"], o.bucket.as_str());
    assert_eq!(trail["coversMembers"], true);
    assert!(trail["readAt"].is_string());
    assert_eq!(trail["skippedAccounts"], json!([late]));

    // A member's own ingestion reads nothing while the organisation trail covers it
    // (LookupEvents would find this VPC: moto shows no organisation trail to members).
    vpcs(&management, &members[1], &["us-east-1"]).await;
    o.flush().await;
    fixtures::ingest(
        &app,
        &token,
        &o.connection(&members[1]),
        vigil_worker::handler::Settings::default(),
    )
    .await;
    let count_of = |rows: Vec<(String, i64)>, account: &str| {
        rows.into_iter()
            .find(|(a, _)| a == account)
            .map_or(0, |(_, n)| n)
    };
    assert_eq!(count_of(vpcs_stored(&admin).await, &members[1]), 2);
    // The next read of the organisation trail brings it, once.
    fixtures::ingest(
        &app,
        &token,
        &reader,
        vigil_worker::handler::Settings::default(),
    )
    .await;
    assert_eq!(count_of(vpcs_stored(&admin).await, &members[1]), 3);
    assert_eq!(events_stored_twice(&admin).await, 0);

    // Another tenant sees none of it.
    let other = app
        .signup("owner@elsewhere.example", "Elsewhere")
        .await
        .access_token;
    let seen = app
        .graphql_ok(&other, "{ events(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(seen["events"]["totalCount"], 0, "{seen}");
    let tenants: i64 = sqlx::query_scalar("select count(distinct tenant_id) from events")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(tenants, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_organisation_trail_read_by_a_worker_killed_again_and_again_stores_every_event_once(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let _heavy = vigil_tests::EMULATOR_HEAVY.write().await;
    let db_url = database_url(&opts);
    let (app, admin) = aws_app(opts).await;
    let token = app
        .signup("owner@orgkill.example", "OrgKill")
        .await
        .access_token;
    let o = OrgWithTrail::new(&app, &token, 3).await;
    let management = o.org.management.clone();
    let members = o.org.members.clone();
    let regions = ["us-east-1", "eu-west-1", "eu-central-1", "us-west-2"];
    for account in members.iter().chain([&management]) {
        vpcs(&management, account, &regions).await;
    }
    let files = o.flush().await;
    assert!(files.len() >= 16, "{files:?}");
    let reader = o.connection(&management);
    only_ingestion_of(&admin, &reader).await;

    // Each file read slowly through the management role, so each worker dies mid-reading.
    let emu = Emulator::shared();
    let fault = emu
        .add_fault(json!({ "accountId": management, "service": "s3", "operation": "GetObject", "kind": "slow", "delayMs": 400 }))
        .await;
    const KILLS: usize = 3;
    for n in 0..KILLS {
        let before = slowed(emu).await;
        let mut worker = worker_process(&db_url, &format!("org-killed-{n}"));
        let name = format!("org-killed-{n}-%");
        wait_until(Duration::from_secs(60), "the worker is mid-reading", || async {
            let holds: bool = sqlx::query_scalar(
                "select exists (select 1 from jobs where kind = 'ingest_activity' and state = 'running' and locked_by like $1)",
            )
            .bind(&name)
            .fetch_one(&admin)
            .await
            .unwrap();
            // Two files into this worker's reading at least.
            holds && slowed(emu).await > before + 1
        })
        .await;
        worker.kill().expect("SIGKILL");
        worker.wait().unwrap();
    }
    let partial = read_of(&admin, &files).await;
    assert!(
        partial < files.len() as i64,
        "the kills stopped the reading before its end ({partial} of {} files)",
        files.len()
    );
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{fault}"),
        None,
    )
    .await;

    let mut survivor = worker_process(&db_url, "org-survivor");
    wait_until(
        Duration::from_secs(180),
        "the ingestion has ended",
        || async {
            let open: i64 = sqlx::query_scalar(
                "select count(*) from jobs where kind = 'ingest_activity' and state in ('queued', 'running')",
            )
            .fetch_one(&admin)
            .await
            .unwrap();
            open == 0
        },
    )
    .await;
    survivor.kill().unwrap();
    survivor.wait().unwrap();

    let jobs: Vec<(String, i32)> = sqlx::query_as(
        "select state, rescues from jobs where kind = 'ingest_activity' and unique_key = $1",
    )
    .bind(format!("aws_account:{}:ingest", reader.as_str().unwrap()))
    .fetch_all(&admin)
    .await
    .unwrap();
    assert!(jobs.iter().all(|(s, _)| s == "succeeded"), "{jobs:?}");
    assert!(
        jobs.iter().map(|j| j.1).sum::<i32>() >= KILLS as i32,
        "each kill lost the job, which was rescued: {jobs:?}"
    );
    assert_eq!(read_of(&admin, &files).await, files.len() as i64);
    assert_eq!(files_misrouted(&admin).await, 0);
    assert_eq!(events_stored_twice(&admin).await, 0);
    assert_eq!(misrouted(&admin).await, 0);
    let mut expected: Vec<(String, i64)> = members
        .iter()
        .chain([&management])
        .map(|a| (a.clone(), regions.len() as i64))
        .collect();
    expected.sort();
    assert_eq!(vpcs_stored(&admin).await, expected);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_bucket_the_management_role_may_not_read_is_read_through_the_log_archive_members_role(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let _calm = vigil_tests::EMULATOR_HEAVY.read().await;
    const SET: &str = "mutation($id: ID!, $reader: ID) { setAwsOrganizationTrailReader(id: $id, awsAccountId: $reader) { id trailReaderAwsAccountId } }";
    let (app, admin) = aws_app(opts).await;
    let token = app
        .signup("owner@logarchive.example", "LogArchive")
        .await
        .access_token;
    let o = OrgWithTrail::new(&app, &token, 2).await;
    let management = o.org.management.clone();
    let members = o.org.members.clone();
    for account in &members {
        vpcs(&management, account, &["us-east-1"]).await;
    }
    o.flush().await;
    let org_id = member(&o.accounts, &management)["awsOrganizationId"].clone();

    // The bucket lets only the log-archive account read it (a Control Tower layout): the
    // emulator refuses every S3 call of the management account, as AWS would.
    let emu = Emulator::shared();
    let fault = emu
        .add_fault(json!({ "accountId": management, "service": "s3", "kind": "access_denied" }))
        .await;
    let reader = o.connection(&management);
    only_ingestion_of(&admin, &reader).await;
    emulator_worker(&app).drain().await.unwrap();
    assert_eq!(
        vpcs_stored(&admin).await,
        vec![],
        "the management role cannot read the bucket"
    );

    // A connection outside the organisation cannot be its reader (and looks absent).
    let outsider = fixtures::connection(&app, &token).await;
    let res = app
        .graphql(
            Some(&token),
            SET,
            json!({ "id": org_id, "reader": outsider.to_string() }),
        )
        .await;
    assert_eq!(error_code(&res).as_deref(), Some("NOT_FOUND"), "{res}");

    // The customer names the log-archive member; its role reads the bucket from now on.
    let archive = o.connection(&members[0]);
    let set = app
        .graphql_ok(&token, SET, json!({ "id": org_id, "reader": archive }))
        .await;
    assert_eq!(
        set["setAwsOrganizationTrailReader"]["trailReaderAwsAccountId"],
        archive
    );
    fixtures::ingest(
        &app,
        &token,
        &reader,
        vigil_worker::handler::Settings::default(),
    )
    .await;
    let mut expected: Vec<(String, i64)> = members.iter().map(|a| (a.clone(), 1)).collect();
    expected.sort();
    assert_eq!(vpcs_stored(&admin).await, expected);
    assert_eq!(misrouted(&admin).await, 0);

    // Back to the management role (null).
    let cleared = app
        .graphql_ok(&token, SET, json!({ "id": org_id, "reader": null }))
        .await;
    assert!(cleared["setAwsOrganizationTrailReader"]["trailReaderAwsAccountId"].is_null());
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{fault}"),
        None,
    )
    .await;
}
