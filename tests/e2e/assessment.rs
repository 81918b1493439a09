//! Pins the assessment against a seeded insecure account in the emulator: the expected
//! findings on the expected resources and none on the well-configured ones; fixing a
//! resource resolves exactly its finding; a denied service makes the scan PARTIAL and
//! resolves nothing there; suppression survives rescans, and one that has run out ends at
//! the next scan; a read region's findings show while a slow one is still read; an
//! incremental rescan skips what no write call touched and re-reads what one did; an IP
//! resolves to the resource that held it at the time.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vigil_core::{aws::ServiceIdentity, jobs::Runner};
use vigil_tests::{
    TestApp, app_pool,
    emulator::{Emulator, python, random_account_id},
    emulator_worker_with, error_code, spawn_app_full, test_config,
};
use vigil_worker::TaskHandler;

const REGIONS: &str = "us-east-1,eu-west-1";
const CREATE: &str =
    "mutation($name: String!) { createAwsAccount(input: { name: $name }) { id externalId } }";
const VERIFY: &str = "mutation($id: ID!, $arn: String!) { verifyAwsAccount(id: $id, roleArn: $arn) { id status error lastScan { id } } }";
const START: &str = "mutation($id: ID!, $incremental: Boolean) { startScan(awsAccountId: $id, incremental: $incremental) { id status incremental } }";
const SCAN: &str = "query($id: ID!) { scan(id: $id) { status incremental regionsTotal regionsDone regionsUnchanged findingsOpened findingsResolved resourcesSeen error problems { region service operation message } } }";
const FINDINGS: &str = "query($f: FindingFilter, $first: Int, $after: String) { findings(first: $first, after: $after, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { id ruleId title severity status region resourceId description remediation compliance suppressedReason } } } }";

/// A connected, seeded account: the API, the account's 12-digit ID, our connection ID
/// and the seeder's summary of what it created.
pub(crate) struct Seeded {
    pub(crate) app: TestApp,
    pub(crate) token: String,
    pub(crate) account: String,
    pub(crate) connection: Value,
    pub(crate) summary: Value,
}

pub(crate) async fn seeded(opts: PgConnectOptions) -> Seeded {
    let emu = Emulator::shared();
    let aws = ServiceIdentity::new(emu.management_config("us-east-1").await, None);
    // The tests page through every finding of a 30-region account after each scan, more
    // GraphQL calls than a person makes; the per-tenant limit has tests of its own.
    let app = spawn_app_full(
        test_config(&[("VIGIL_GRAPHQL_RATE_LIMIT", "100000")]),
        app_pool(opts).await,
        aws,
    )
    .await;
    let token = app
        .signup(&format!("owner@{}.example", random_account_id()), "Seeded")
        .await
        .access_token;
    let account = random_account_id();
    let created = app
        .graphql_ok(&token, CREATE, json!({ "name": "seeded" }))
        .await["createAwsAccount"]
        .clone();
    let external_id = created["externalId"].as_str().unwrap();
    // The customer's side: the seeder builds the estate and Vigil's role from the template's trust policy.
    let out = std::process::Command::new(python())
        .args([
            "-m",
            "vigil_emulator.seed",
            "--endpoint",
            &emu.endpoint,
            "--account",
            &account,
            "--regions",
            REGIONS,
        ])
        .args(["--role-external-id", &format!("{account}={external_id}")])
        .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/aws"))
        .output()
        .expect("the seeder runs");
    assert!(
        out.status.success(),
        "seeder failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("seeder summary");
    let summary = summary["accounts"][&account].clone();
    let role = summary["iam"]["roles"]["VigilReadOnly"]
        .as_str()
        .unwrap()
        .to_owned();
    let connection = app
        .graphql_ok(&token, VERIFY, json!({ "id": created["id"], "arn": role }))
        .await["verifyAwsAccount"]
        .clone();
    assert_eq!(connection["status"], "CONNECTED", "{connection}");
    Seeded {
        app,
        token,
        account,
        connection,
        summary,
    }
}

impl Seeded {
    /// A worker whose incremental rescans count write calls from the instant of a read on
    /// (no margin: the seeder's calls came seconds before the first scan).
    pub(crate) fn worker(&self) -> Runner<TaskHandler> {
        emulator_worker_with(&self.app, self.settings())
    }

    fn settings(&self) -> vigil_worker::handler::Settings {
        vigil_worker::handler::Settings {
            rescan: vigil_worker::handler::RescanLimits {
                read_margin: std::time::Duration::ZERO,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Reads the account's activity (every region's new events, trail files delivered).
    pub(crate) async fn ingest(&self) {
        Emulator::shared().flush(&self.account).await;
        crate::fixtures::ingest(
            &self.app,
            &self.token,
            &self.connection["id"],
            self.settings(),
        )
        .await;
    }

    /// [`Seeded::scan`] with these reads of the account denied to the role (`(service,
    /// operation)`; no operation: every call to the service). The faults are removed
    /// afterwards: other tests share the emulator.
    pub(crate) async fn scan_denied(&self, denied: &[(&str, Option<&str>)]) -> Value {
        let emu = Emulator::shared();
        let mut faults = Vec::new();
        for (service, operation) in denied {
            let mut fault =
                json!({ "accountId": self.account, "service": service, "kind": "access_denied" });
            if let Some(operation) = operation {
                fault["operation"] = json!(operation);
            }
            faults.push(emu.add_fault(fault).await);
        }
        let scan = self.scan().await;
        for fault in faults {
            emu.control(
                reqwest::Method::DELETE,
                &format!("/_vigil/faults/{fault}"),
                None,
            )
            .await;
        }
        scan
    }

    /// Starts a scan, runs the worker until the queue is empty, returns the scan.
    async fn scan(&self) -> Value {
        self.scan_with(false).await
    }

    /// [`Seeded::scan`], incremental as scheduled scans are, or reading everything.
    async fn scan_with(&self, incremental: bool) -> Value {
        let started = self
            .app
            .graphql_ok(
                &self.token,
                START,
                json!({ "id": self.connection["id"], "incremental": incremental }),
            )
            .await;
        assert_eq!(started["startScan"]["incremental"], incremental);
        let id = started["startScan"]["id"].clone();
        self.worker().drain().await.unwrap();
        self.app
            .graphql_ok(&self.token, SCAN, json!({ "id": id }))
            .await["scan"]
            .clone()
    }

    pub(crate) async fn findings(&self, filter: Value) -> Vec<Value> {
        self.all_pages(FINDINGS, json!({ "f": filter, "first": 100 }))
            .await
    }

    /// Every node of a `findings` connection, following `endCursor` in `$after`.
    async fn all_pages(&self, query: &str, mut variables: Value) -> Vec<Value> {
        let mut all = Vec::new();
        loop {
            let data = self
                .app
                .graphql_ok(&self.token, query, variables.clone())
                .await;
            let page = &data["findings"];
            all.extend(
                page["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"].clone()),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                return all;
            }
            variables["after"] = page["pageInfo"]["endCursor"].clone();
        }
    }

    pub(crate) fn id(&self, region: &str, kind: &str, name: &str) -> String {
        self.summary["regions"][region][kind][name]
            .as_str()
            .unwrap_or_else(|| panic!("{kind}/{name} in {region}"))
            .to_owned()
    }
}

fn has(findings: &[Value], rule: &str, resource: &str) -> bool {
    findings
        .iter()
        .any(|f| f["ruleId"] == rule && f["resourceId"] == resource)
}

/// The regions where `rule` reports `resource`, sorted.
fn regions_flagged(findings: &[Value], rule: &str, resource: &str) -> Vec<String> {
    let mut regions: Vec<String> = findings
        .iter()
        .filter(|f| f["ruleId"] == rule && f["resourceId"] == resource)
        .map(|f| f["region"].as_str().unwrap().to_owned())
        .collect();
    regions.sort();
    regions
}

pub(crate) fn flagged(findings: &[Value], resource: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["resourceId"] == resource)
        .map(|f| f["ruleId"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_seeded_account_gets_the_expected_findings_and_none_on_good_resources(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    // The first scan was queued by the connection itself.
    s.worker().drain().await.unwrap();
    let first = s
        .app
        .graphql_ok(
            &s.token,
            "{ awsAccounts { lastScan { id status regionsTotal regionsDone findingsOpened } } }",
            json!({}),
        )
        .await;
    let scan = &first["awsAccounts"][0]["lastScan"];
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    assert!(scan["regionsTotal"].as_i64().unwrap() >= 2);
    assert_eq!(scan["regionsDone"], scan["regionsTotal"]);
    assert!(scan["findingsOpened"].as_i64().unwrap() > 10);

    let open = s.findings(json!({ "status": ["OPEN"] })).await;
    for region in ["us-east-1", "eu-west-1"] {
        assert!(
            has(
                &open,
                "ec2-sg-ssh-open",
                &s.id(region, "securityGroups", "open-ssh")
            ),
            "{region} ssh"
        );
        assert!(
            has(
                &open,
                "ec2-sg-rdp-open",
                &s.id(region, "securityGroups", "open-rdp")
            ),
            "{region} rdp"
        );
        assert!(
            has(
                &open,
                "ec2-sg-all-ports-open",
                &s.id(region, "securityGroups", "open-all-traffic")
            ),
            "{region} all"
        );
        assert!(
            has(
                &open,
                "ec2-snapshot-public",
                &s.id(region, "snapshots", "snap-public")
            ),
            "{region} snapshot"
        );
        assert!(
            has(
                &open,
                "ec2-ebs-volume-unencrypted",
                &s.id(region, "volumes", "data-unencrypted")
            ),
            "{region} volume"
        );
        assert!(
            has(
                &open,
                "ec2-instance-imdsv1-public",
                &s.id(region, "instances", "web-imdsv1")
            ),
            "{region} imds"
        );
        // Well-configured resources carry no finding.
        for good in [
            s.id(region, "securityGroups", "web-https"),
            s.id(region, "securityGroups", "db-private"),
            s.id(region, "snapshots", "snap-private"),
            s.id(region, "volumes", "data-encrypted"),
            s.id(region, "instances", "api-imdsv2"),
            s.id(region, "instances", "worker-private"),
            s.id(region, "vpcs", "vigil-prod"),
            s.id(region, "subnets", "vigil-prod-private"),
            s.id(region, "subnets", "vigil-prod-private-b"),
        ] {
            assert!(
                flagged(&open, &good).is_empty(),
                "{region} {good}: {:?}",
                flagged(&open, &good)
            );
        }
    }
    assert!(has(&open, "rds-instance-public", "orders-db-public"));
    assert!(
        flagged(&open, "billing-db-private").is_empty(),
        "{:?}",
        flagged(&open, "billing-db-private")
    );
    let public_bucket = s.summary["buckets"]["public"].as_str().unwrap();
    assert!(has(&open, "s3-bucket-public", public_bucket));
    let private_bucket = s.summary["buckets"]["private"].as_str().unwrap();
    assert!(!has(&open, "s3-bucket-public", private_bucket));
    assert!(!has(&open, "s3-bucket-no-tls-only", private_bucket));
    assert!(has(&open, "iam-user-console-no-mfa", "bob-dev"));
    assert!(!has(&open, "iam-user-console-no-mfa", "alice-admin"));
    assert!(has(&open, "iam-user-multiple-active-keys", "ci-deployer"));
    assert!(has(&open, "iam-password-policy-length", "password-policy"));
    // KMS, seeded in the first region: each misconfigured key has exactly its finding,
    // the well-configured one none.
    let keys = &s.summary["kms"]["us-east-1"];
    let key = |name: &str| keys[name].as_str().unwrap().to_owned();
    for (name, rule) in [
        ("legacy-backups", "kms-key-rotation-disabled"),
        ("partner-share", "kms-key-policy-public"),
        ("old-reports", "kms-key-pending-deletion"),
    ] {
        assert_eq!(flagged(&open, &key(name)), [rule], "{name}");
    }
    assert!(
        flagged(&open, &key("orders-data")).is_empty(),
        "{:?}",
        flagged(&open, &key("orders-data"))
    );
    // AWS Config and GuardDuty are on in the first region only: the second is reported.
    for rule in ["config-recorder-not-recording", "guardduty-not-enabled"] {
        // Every other enabled region the scan reads is reported too; the first is not.
        let regions = regions_flagged(&open, rule, &s.account);
        assert!(
            regions.iter().any(|r| r == "eu-west-1"),
            "{rule}: {regions:?}"
        );
        assert!(
            !regions.iter().any(|r| r == "us-east-1"),
            "{rule}: {regions:?}"
        );
    }

    // Every finding explains itself.
    let f = open
        .iter()
        .find(|f| f["ruleId"] == "ec2-sg-ssh-open")
        .unwrap();
    assert!(
        !f["description"].as_str().unwrap().is_empty()
            && !f["remediation"].as_str().unwrap().is_empty()
    );
    assert!(
        f["compliance"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains("CIS"))
    );
    // Most severe first.
    let ranks: Vec<usize> = open
        .iter()
        .map(|f| {
            ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
                .iter()
                .position(|s| f["severity"] == *s)
                .unwrap()
        })
        .collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by severity"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn fixing_a_resource_resolves_exactly_its_finding_and_suppression_survives(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let before = s.findings(json!({ "status": ["OPEN"] })).await;
    let ssh = s.id("eu-west-1", "securityGroups", "open-ssh");
    let rdp = s.id("eu-west-1", "securityGroups", "open-rdp");
    let rdp_finding = before
        .iter()
        .find(|f| f["ruleId"] == "ec2-sg-rdp-open" && f["resourceId"] == rdp.as_str())
        .unwrap();
    let suppressed = s
        .app
        .graphql_ok(
            &s.token,
            "mutation($id: ID!) { suppressFinding(id: $id, reason: \"bastion, accepted risk\") { status suppressedReason } }",
            json!({ "id": rdp_finding["id"] }),
        )
        .await;
    assert_eq!(suppressed["suppressFinding"]["status"], "SUPPRESSED");

    // The customer closes SSH to the world on one group.
    let emu = Emulator::shared();
    let ec2 = aws_sdk_ec2::Client::new(&emu.account_config(&s.account, "eu-west-1").await);
    let groups = ec2
        .describe_security_groups()
        .group_ids(&ssh)
        .send()
        .await
        .unwrap();
    let perms = groups.security_groups()[0].ip_permissions().to_vec();
    ec2.revoke_security_group_ingress()
        .group_id(&ssh)
        .set_ip_permissions(Some(perms))
        .send()
        .await
        .unwrap();

    let scan = s.scan().await;
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    // The group's findings (SSH open, and a non-web port open on a group in use), and
    // web-imdsv1's: SSH was its only port beyond the web open to the world.
    assert_eq!(scan["findingsResolved"], 3, "{scan}");
    let after = s.findings(json!({})).await;
    let status_of = |rule: &str, id: &str| {
        after
            .iter()
            .find(|f| f["ruleId"] == rule && f["resourceId"] == id)
            .map(|f| f["status"].clone())
    };
    assert_eq!(status_of("ec2-sg-ssh-open", &ssh), Some(json!("RESOLVED")));
    assert_eq!(
        status_of("ec2-sg-world-port-in-use", &ssh),
        Some(json!("RESOLVED"))
    );
    let web = s.id("eu-west-1", "instances", "web-imdsv1");
    assert_eq!(
        status_of("ec2-instance-public-ports-open", &web),
        Some(json!("RESOLVED"))
    );
    assert_eq!(
        status_of("ec2-sg-rdp-open", &rdp),
        Some(json!("SUPPRESSED")),
        "suppression must survive the rescan"
    );
    let still_open = after.iter().filter(|f| f["status"] == "OPEN").count();
    assert_eq!(
        still_open,
        before.len() - 4,
        "only the fixed and the suppressed findings left OPEN"
    );

    // Open, resolved and suppressed findings now exist side by side: the counts the API
    // reads from the rollups are the findings' own, and every order pages through all.
    rollups_match_the_findings(&admin).await;
    counts_match_the_findings(&s, &admin, &ssh).await;
    for order in ["SEVERITY", "LAST_SEEN", "FIRST_SEEN"] {
        pages_follow_the_order(&s, order, after.len()).await;
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_incremental_rescan_skips_regions_no_write_call_touched_and_rereads_the_one_that_did(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let ids = |found: &[Value]| {
        let mut ids: Vec<String> = found
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let open_before = ids(&s.findings(json!({ "status": ["OPEN"] })).await);

    // The account's activity is read after the connect scan (the seeder's write calls came
    // before that full read: with no margin they do not count after it).
    s.ingest().await;
    let scan = s.scan_with(true).await;
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    assert_eq!(
        scan["regionsUnchanged"], scan["regionsTotal"],
        "no write call reached any region: {scan}"
    );
    assert_eq!(scan["regionsDone"], scan["regionsTotal"]);
    assert_eq!(
        ids(&s.findings(json!({ "status": ["OPEN"] })).await),
        open_before,
        "unread regions keep their findings, neither resolved nor doubled"
    );
    // A scan started by hand reads everything; with no ingestion since, nothing is known
    // unchanged and the next incremental scan reads everything too.
    let scan = s.scan().await;
    assert_eq!(scan["regionsUnchanged"], 0, "{scan}");
    let scan = s.scan_with(true).await;
    assert_eq!(scan["regionsUnchanged"], 0, "{scan}");

    let rdp_open =
        json!({ "ruleId": "ec2-sg-rdp-open", "region": "eu-west-1", "status": ["OPEN"] });
    let rdp_before = s.findings(rdp_open.clone()).await.len();
    // A write call in eu-west-1 (a failed one in us-east-1 changes nothing).
    let ec2 = aws_sdk_ec2::Client::new(
        &Emulator::shared()
            .account_config(&s.account, "us-east-1")
            .await,
    );
    let denied = ec2
        .delete_security_group()
        .group_id("sg-0000000000doesnotexist")
        .send()
        .await;
    assert!(denied.is_err(), "the call was meant to fail");
    crate::activity::open_to_world(&s.account, "10.77.0.0/16", "rescan-open", 3389).await;
    s.ingest().await;
    let scan = s.scan_with(true).await;
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    assert_eq!(
        scan["regionsUnchanged"].as_i64().unwrap(),
        scan["regionsTotal"].as_i64().unwrap() - 1,
        "only eu-west-1 is read again: {scan}"
    );
    assert_eq!(
        s.findings(rdp_open).await.len(),
        rdp_before + 1,
        "the new group's RDP port open to the world is found"
    );
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from region_reads where region = 'eu-west-1' and read_at > now() - interval '1 minute'",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(stored, 1, "eu-west-1's full read is recorded");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_suppression_that_has_run_out_ends_at_the_next_scan_as_open_or_resolved(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let open = s.findings(json!({ "status": ["OPEN"] })).await;
    let id_of = |rule: &str, resource: &str| {
        open.iter()
            .find(|f| f["ruleId"] == rule && f["resourceId"] == resource)
            .unwrap_or_else(|| panic!("{rule} on {resource}"))["id"]
            .clone()
    };
    let ssh = s.id("eu-west-1", "securityGroups", "open-ssh");
    let rdp = s.id("eu-west-1", "securityGroups", "open-rdp");
    let mysql = s.id("eu-west-1", "securityGroups", "open-mysql");
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    const SUPPRESS: &str = "mutation($id: ID!, $until: DateTime) { suppressFinding(id: $id, reason: \"accepted\", until: $until) { status } }";
    for (id, until) in [
        (id_of("ec2-sg-ssh-open", &ssh), json!(soon)),
        (id_of("ec2-sg-rdp-open", &rdp), json!(soon)),
        (id_of("ec2-sg-mysql-open", &mysql), Value::Null),
    ] {
        let done = s
            .app
            .graphql_ok(&s.token, SUPPRESS, json!({ "id": id, "until": until }))
            .await;
        assert_eq!(done["suppressFinding"]["status"], "SUPPRESSED");
    }
    // While suppressed, the customer closes SSH to the world on its group.
    let emu = Emulator::shared();
    let ec2 = aws_sdk_ec2::Client::new(&emu.account_config(&s.account, "eu-west-1").await);
    let group = ec2
        .describe_security_groups()
        .group_ids(&ssh)
        .send()
        .await
        .unwrap();
    ec2.revoke_security_group_ingress()
        .group_id(&ssh)
        .set_ip_permissions(Some(group.security_groups()[0].ip_permissions().to_vec()))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;

    let scan = s.scan().await;
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    let after = s.findings(json!({})).await;
    let state = |rule: &str, resource: &str| {
        let f = after
            .iter()
            .find(|f| f["ruleId"] == rule && f["resourceId"] == resource)
            .unwrap();
        (f["status"].clone(), f["suppressedReason"].clone())
    };
    assert_eq!(
        state("ec2-sg-ssh-open", &ssh),
        (json!("RESOLVED"), Value::Null),
        "fixed while suppressed"
    );
    assert_eq!(
        state("ec2-sg-rdp-open", &rdp),
        (json!("OPEN"), Value::Null),
        "still there"
    );
    assert_eq!(
        state("ec2-sg-mysql-open", &mysql),
        (json!("SUPPRESSED"), json!("accepted")),
        "no end date: suppressed until unsuppressed"
    );
}

/// `finding_rollups` holds, per key, exactly `count(*)` of the findings.
async fn rollups_match_the_findings(admin: &sqlx::PgPool) {
    const KEY: &str = "tenant_id::text, aws_account_id::text, rule_id, region, status, severity";
    let counted: Vec<(String, String, String, String, String, String, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {KEY}, count(*) from findings group by {KEY} order by {KEY}"
        )))
        .fetch_all(admin)
        .await
        .unwrap();
    let rolled: Vec<(String, String, String, String, String, String, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {KEY}, findings from finding_rollups order by {KEY}"
        )))
        .fetch_all(admin)
        .await
        .unwrap();
    assert!(
        counted.iter().any(|c| c.4 == "resolved") && counted.iter().any(|c| c.4 == "suppressed")
    );
    assert_eq!(rolled, counted);
}

/// `totalCount` and `findingSummary` agree with `count(*)` for the filters the web app uses.
async fn counts_match_the_findings(s: &Seeded, admin: &sqlx::PgPool, resource: &str) {
    let cases = [
        (json!({}), "true"),
        (json!({ "status": ["OPEN"] }), "status = 'open'"),
        (
            json!({ "status": ["RESOLVED", "SUPPRESSED"] }),
            "status in ('resolved', 'suppressed')",
        ),
        (
            json!({ "severity": ["HIGH", "CRITICAL"] }),
            "severity in ('high', 'critical')",
        ),
        (
            json!({ "region": "eu-west-1", "status": ["OPEN"] }),
            "region = 'eu-west-1' and status = 'open'",
        ),
        (
            json!({ "ruleId": "ec2-sg-ssh-open" }),
            "rule_id = 'ec2-sg-ssh-open'",
        ),
        (json!({ "awsAccountId": s.connection["id"] }), "true"),
    ];
    for (filter, sql) in cases {
        let total = s
            .app
            .graphql_ok(
                &s.token,
                "query($f: FindingFilter) { findings(first: 1, filter: $f) { totalCount } }",
                json!({ "f": filter }),
            )
            .await["findings"]["totalCount"]
            .as_i64()
            .unwrap();
        let counted: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select count(*) from findings where {sql}"
        )))
        .fetch_one(admin)
        .await
        .unwrap();
        assert_eq!(total, counted, "{filter}");
        assert!(counted > 0, "the case {filter} counts something");
    }
    let by_resource: i64 =
        sqlx::query_scalar("select count(*) from findings where resource_id = $1")
            .bind(resource)
            .fetch_one(admin)
            .await
            .unwrap();
    let total = s
        .app
        .graphql_ok(
            &s.token,
            "query($f: FindingFilter) { findings(first: 1, filter: $f) { totalCount } }",
            json!({ "f": { "resourceId": resource } }),
        )
        .await["findings"]["totalCount"]
        .clone();
    assert_eq!(total, by_resource);
    let summary = s
        .app
        .graphql_ok(
            &s.token,
            "{ findingSummary { bySeverity { severity count } } }",
            json!({}),
        )
        .await;
    let open: i64 = sqlx::query_scalar("select count(*) from findings where status = 'open'")
        .fetch_one(admin)
        .await
        .unwrap();
    let summed: i64 = summary["findingSummary"]["bySeverity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_i64().unwrap())
        .sum();
    assert_eq!(summed, open, "{summary}");
}

/// Pages of 7 in `order` give every finding once, in the order's sort (checked here, not
/// by the server's own SQL).
async fn pages_follow_the_order(s: &Seeded, order: &str, all: usize) {
    const PAGE: &str = "query($o: FindingOrder, $after: String) { findings(first: 7, after: $after, orderBy: $o) {
        pageInfo { hasNextPage endCursor } edges { node { id severity lastSeenAt firstSeenAt } } } }";
    let seen = s.all_pages(PAGE, json!({ "o": order })).await;
    assert_eq!(seen.len(), all, "{order}: every finding, once");
    let ids: std::collections::BTreeSet<_> = seen.iter().map(|f| f["id"].to_string()).collect();
    assert_eq!(ids.len(), all, "{order}: no finding twice");
    let rank = |f: &Value| {
        ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
            .iter()
            .position(|s| f["severity"] == *s)
            .unwrap()
    };
    let time = |f: &Value, field: &str| {
        f[field]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    for pair in seen.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let in_order = match order {
            "SEVERITY" => {
                (rank(a), std::cmp::Reverse(time(a, "lastSeenAt")))
                    <= (rank(b), std::cmp::Reverse(time(b, "lastSeenAt")))
            }
            "LAST_SEEN" => time(a, "lastSeenAt") >= time(b, "lastSeenAt"),
            _ => time(a, "firstSeenAt") >= time(b, "firstSeenAt"),
        };
        assert!(in_order, "{order}: {a} before {b}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_read_regions_findings_show_while_a_slow_region_is_still_read(
    pool_opts: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let admin = pool_opts.connect_with(opts.clone()).await.unwrap();
    let s = seeded(opts).await;
    let emu = Emulator::shared();
    // Every call in eu-west-1 answers after 4 s: that region takes several rounds of it.
    let slow = emu
        .add_fault(json!({ "accountId": s.account, "region": "eu-west-1", "kind": "slow", "delayMs": 4000 }))
        .await;
    let worker = s.worker();
    let scanning = tokio::spawn(async move { worker.drain().await });
    let ssh =
        |region: &str| json!({ "ruleId": "ec2-sg-ssh-open", "region": region, "status": ["OPEN"] });
    // The connect-time scan is running; us-east-1's findings appear before it ends.
    let mut polls = 0;
    loop {
        let found = s.findings(ssh("us-east-1")).await;
        if has(
            &found,
            "ec2-sg-ssh-open",
            &s.id("us-east-1", "securityGroups", "open-ssh"),
        ) {
            break;
        }
        polls += 1;
        assert!(
            polls < 60,
            "us-east-1's findings never showed during the scan"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let during = s
        .app
        .graphql_ok(
            &s.token,
            "{ awsAccounts { lastScan { status regionsTotal regionsDone } } }",
            json!({}),
        )
        .await["awsAccounts"][0]["lastScan"]
        .clone();
    assert_eq!(during["status"], "RUNNING", "{during}");
    assert!(
        during["regionsDone"].as_i64().unwrap() < during["regionsTotal"].as_i64().unwrap(),
        "{during}"
    );
    assert!(
        s.findings(ssh("eu-west-1")).await.is_empty(),
        "eu-west-1 is still being read"
    );

    scanning.await.unwrap().unwrap();
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{slow}"),
        None,
    )
    .await;
    let scan = s
        .app
        .graphql_ok(
            &s.token,
            "{ awsAccounts { lastScan { status findingsOpened } } }",
            json!({}),
        )
        .await["awsAccounts"][0]["lastScan"]
        .clone();
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    let open = s.findings(json!({ "status": ["OPEN"] })).await;
    assert!(has(
        &open,
        "ec2-sg-ssh-open",
        &s.id("eu-west-1", "securityGroups", "open-ssh")
    ));
    // Regional and account-wide findings, recorded early or at the end, are all counted
    // once in the scan's outcome and once in the rollups.
    assert!(has(&open, "iam-user-console-no-mfa", "bob-dev"));
    assert_eq!(
        scan["findingsOpened"].as_u64().unwrap(),
        open.len() as u64,
        "{scan}"
    );
    let counted: i64 = sqlx::query_scalar("select count(*) from findings")
        .fetch_one(&admin)
        .await
        .unwrap();
    let rolled: i64 =
        sqlx::query_scalar("select coalesce(sum(findings), 0)::bigint from finding_rollups")
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!((counted, rolled), (open.len() as i64, open.len() as i64));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_denied_service_makes_the_scan_partial_and_resolves_nothing_there(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let scan = s.scan_denied(&[("rds", None)]).await;
    assert_eq!(scan["status"], "PARTIAL", "{scan}");
    assert!(
        scan["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["service"] == "rds"),
        "{scan}"
    );
    assert_eq!(
        scan["findingsResolved"], 0,
        "nothing unseen may be resolved"
    );
    let rds = s.findings(json!({ "ruleId": "rds-instance-public" })).await;
    assert_eq!(rds[0]["status"], "OPEN");
}

#[sqlx::test(migrations = "../migrations")]
async fn denied_kms_reads_are_not_assessed_never_failing(_: PgPoolOptions, opts: PgConnectOptions) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let before = s.findings(json!({ "status": ["OPEN"] })).await;
    let kms_rules = [
        "kms-key-rotation-disabled",
        "kms-key-policy-public",
        "kms-key-pending-deletion",
    ];
    let opened = |findings: &[Value]| {
        let mut ids: Vec<String> = findings
            .iter()
            .filter(|f| kms_rules.contains(&f["ruleId"].as_str().unwrap()))
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    // The three seeded misconfigured keys (moto's keys for encrypted RDS and EBS add more).
    let keys = &s.summary["kms"]["us-east-1"];
    for name in ["legacy-backups", "partner-share", "old-reports"] {
        let key = keys[name].as_str().unwrap();
        assert!(
            before
                .iter()
                .any(|f| f["resourceId"] == key
                    && kms_rules.contains(&f["ruleId"].as_str().unwrap())),
            "{name}"
        );
    }
    // Denies only the key's own reads: listing works, so a reader that turned a denied
    // rotation or policy read into "disabled" or "public" would open new findings.
    let scan = s
        .scan_denied(&[
            ("kms", Some("GetKeyRotationStatus")),
            ("kms", Some("GetKeyPolicy")),
        ])
        .await;
    assert_eq!(scan["status"], "PARTIAL", "{scan}");
    assert!(
        scan["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["service"] == "kms" && p["operation"] == "GetKeyRotationStatus"),
        "{scan}"
    );
    assert_eq!(scan["findingsResolved"], 0, "{scan}");
    let after = s.findings(json!({ "status": ["OPEN"] })).await;
    assert_eq!(
        opened(&after),
        opened(&before),
        "no KMS finding opened or resolved"
    );
    // The whole service denied: still nothing opened or resolved.
    let scan = s.scan_denied(&[("kms", None)]).await;
    assert_eq!(scan["status"], "PARTIAL", "{scan}");
    assert_eq!(scan["findingsResolved"], 0, "{scan}");
    let after = s.findings(json!({ "status": ["OPEN"] })).await;
    assert_eq!(opened(&after), opened(&before));
}

#[sqlx::test(migrations = "../migrations")]
async fn throttling_and_server_errors_for_a_while_are_retried_and_a_lasting_one_is_named(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let emu = Emulator::shared();
    // For a while: throttled, then failing with 500s, then fine (the SDK retries with backoff).
    let passing = [
        emu.add_fault(json!({ "accountId": s.account, "service": "ec2", "operation": "DescribeSecurityGroups", "kind": "throttle", "count": 3 }))
            .await,
        emu.add_fault(json!({ "accountId": s.account, "service": "s3", "operation": "GetBucketPolicyStatus", "kind": "server_error", "count": 2 }))
            .await,
    ];
    // Lasting: RDS answers 500 for the whole scan.
    let lasting = emu
        .add_fault(json!({ "accountId": s.account, "service": "rds", "operation": "DescribeDBInstances", "kind": "server_error" }))
        .await;
    let scan = s.scan().await;
    let faults = emu
        .control(reqwest::Method::GET, "/_vigil/faults", None)
        .await;
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{lasting}"),
        None,
    )
    .await;
    // A rule with a count leaves the list once it has fired that many times.
    let listed = |id: &str| {
        faults["faults"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == id)
    };
    assert!(
        !listed(&passing[0]) && !listed(&passing[1]),
        "the transient faults fired in full, so the calls were retried: {faults}"
    );
    assert!(listed(&lasting), "{faults}");
    assert_eq!(scan["status"], "PARTIAL", "{scan}");
    let problems = scan["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .all(|p| p["service"] == "rds" && p["operation"] == "DescribeDBInstances"),
        "only the lasting failure is a problem, named: {scan}"
    );
    assert!(!problems.is_empty(), "{scan}");
    assert_eq!(
        scan["findingsResolved"], 0,
        "nothing unseen may be resolved"
    );

    let again = s.scan().await;
    assert_eq!(again["status"], "SUCCEEDED", "{again}");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_ip_resolves_to_the_instance_that_held_it_then_not_the_one_holding_it_now(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    let emu = Emulator::shared();
    let ec2 = aws_sdk_ec2::Client::new(&emu.account_config(&s.account, "eu-west-1").await);
    let subnet = s.id("eu-west-1", "subnets", "vigil-prod-private");
    let image = ec2
        .describe_images()
        .owners("self")
        .send()
        .await
        .unwrap()
        .images()[0]
        .image_id()
        .unwrap()
        .to_owned();
    let cidr = ec2
        .describe_subnets()
        .subnet_ids(&subnet)
        .send()
        .await
        .unwrap()
        .subnets()[0]
        .cidr_block()
        .unwrap()
        .to_owned();
    let ip = format!("{}.77", cidr.rsplit_once('.').unwrap().0);
    // Each instance gets the address through its own network interface, as when a
    // terminated instance's address is handed to a new one.
    let launch = |ip: String| {
        let ec2 = ec2.clone();
        let (subnet, image) = (subnet.clone(), image.clone());
        async move {
            let eni = ec2
                .create_network_interface()
                .subnet_id(&subnet)
                .private_ip_address(ip)
                .send()
                .await
                .unwrap();
            let eni = eni
                .network_interface()
                .unwrap()
                .network_interface_id()
                .unwrap()
                .to_owned();
            let nic = aws_sdk_ec2::types::InstanceNetworkInterfaceSpecification::builder()
                .network_interface_id(&eni)
                .device_index(0)
                .build();
            let run = ec2
                .run_instances()
                .image_id(&image)
                .min_count(1)
                .max_count(1)
                .network_interfaces(nic)
                .send()
                .await
                .unwrap();
            (run.instances()[0].instance_id().unwrap().to_owned(), eni)
        }
    };
    let (old, old_eni) = launch(ip.clone()).await;
    s.worker().drain().await.unwrap();
    let held_then = s.app.clock.now();
    ec2.terminate_instances()
        .instance_ids(&old)
        .send()
        .await
        .unwrap();
    ec2.delete_network_interface()
        .network_interface_id(&old_eni)
        .send()
        .await
        .unwrap();
    s.scan().await;
    let (new, _) = launch(ip.clone()).await;
    s.app.clock.advance(chrono::Duration::minutes(1));
    s.scan().await;

    let query = "query($ip: String!, $at: DateTime) { resourcesByIp(ip: $ip, at: $at) { ip public asset { resourceType resourceId } } }";
    let then = s
        .app
        .graphql_ok(
            &s.token,
            query,
            json!({ "ip": ip, "at": held_then.to_rfc3339() }),
        )
        .await;
    let instances = |d: &Value| -> Vec<String> {
        d["resourcesByIp"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["asset"]["resourceType"] == "AWS::EC2::Instance")
            .map(|r| r["asset"]["resourceId"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(instances(&then), vec![old.clone()], "{then}");
    let now = s.app.graphql_ok(&s.token, query, json!({ "ip": ip })).await;
    assert_eq!(instances(&now), vec![new], "{now}");
    let bad = s
        .app
        .graphql(Some(&s.token), query, json!({ "ip": "not-an-ip" }))
        .await;
    assert_eq!(error_code(&bad).as_deref(), Some("BAD_USER_INPUT"));
}

#[sqlx::test(migrations = "../migrations")]
async fn denied_config_and_guardduty_status_reads_are_not_assessed_never_failing(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    // Listing works but the status reads are denied: the first region's recorder and
    // detector must become "not assessed", not "stopped" or "disabled".
    let scan = s
        .scan_denied(&[
            ("config", Some("DescribeConfigurationRecorderStatus")),
            ("guardduty", Some("GetDetector")),
        ])
        .await;
    assert_eq!(scan["status"], "PARTIAL", "{scan}");
    for service in ["config", "guardduty"] {
        assert!(
            scan["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["service"] == service),
            "{service}: {scan}"
        );
    }
    assert_eq!(scan["findingsResolved"], 0, "{scan}");
    let open = s.findings(json!({ "status": ["OPEN"] })).await;
    for rule in ["config-recorder-not-recording", "guardduty-not-enabled"] {
        // Still reported where there is none (listing read), never where it is unknown.
        // Every other enabled region the scan reads is reported too; the first is not.
        let regions = regions_flagged(&open, rule, &s.account);
        assert!(
            regions.iter().any(|r| r == "eu-west-1"),
            "{rule}: {regions:?}"
        );
        assert!(
            !regions.iter().any(|r| r == "us-east-1"),
            "{rule}: {regions:?}"
        );
    }
}

/// The checks added on the services Vigil already read (issue 17), against the seeded
/// account (`vigil_emulator/seed_checks.py`): every bad resource fails its rule and the
/// good one does not; fixing the account-wide ones resolves them; and denied reads of what
/// they depend on leave them as they were (not assessed), never failing or resolving.
#[sqlx::test(migrations = "../migrations")]
async fn checks_on_existing_services_fail_the_bad_resources_and_pass_the_good_ones(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let open = s.findings(json!({ "status": ["OPEN"] })).await;
    let fails = |rule: &str, bad: &str, good: &[&str]| {
        assert!(has(&open, rule, bad), "{rule} must fail {bad}");
        for good in good {
            assert!(!has(&open, rule, good), "{rule} must pass {good}");
        }
    };

    // RDS (first region): orders-db-public has every bad setting, billing-db-private none.
    for rule in [
        "rds-automated-backups-disabled",
        "rds-deletion-protection-off",
        "rds-iam-auth-off",
        "rds-auto-minor-upgrade-off",
        "rds-instance-not-multi-az",
        "rds-default-admin-username",
    ] {
        fails(rule, "orders-db-public", &["billing-db-private"]);
    }

    // EC2, in every seeded region.
    for region in REGIONS.split(',') {
        let id = |kind: &str, name: &str| s.id(region, kind, name);
        let (web, api, worker) = (
            id("instances", "web-imdsv1"),
            id("instances", "api-imdsv2"),
            id("instances", "worker-private"),
        );
        for rule in [
            "ec2-instance-imdsv2-not-required",
            "ec2-instance-no-iam-role",
            // web-imdsv1 is public with SSH open to the world; api-imdsv2 serves 443 only.
            "ec2-instance-public-ports-open",
        ] {
            fails(rule, &web, &[&api, &worker]);
        }
        fails(
            "ec2-sg-cifs-open",
            &id("securityGroups", "open-all-traffic"),
            &[&id("securityGroups", "web-https")],
        );
        fails(
            "ec2-eip-unused",
            &id("addresses", "eip-idle"),
            &[&id("addresses", "eip-used")],
        );
        // Public IPs: web-imdsv1 and app-public-role have one, and app-public-role the app's
        // instance profile too; api-imdsv2 (public subnet, no address) and worker do not.
        let app = id("instances", "app-public-role");
        fails("ec2-instance-public-ip", &web, &[&api, &worker]);
        fails("ec2-instance-public-ip", &app, &[]);
        fails(
            "ec2-instance-public-with-instance-profile",
            &app,
            &[&web, &api, &worker],
        );
        // Security groups: open-ssh (on web-imdsv1) admits a non-web port, web-https only
        // 443; the open-* groups on nothing are unused (the all-traffic one is
        // ec2-sg-all-ports-open's, not also ec2-sg-world-port-in-use's).
        let group = |name: &str| id("securityGroups", name);
        fails(
            "ec2-sg-world-port-in-use",
            &group("open-ssh"),
            &[
                &group("web-https"),
                &group("db-private"),
                &group("open-all-traffic"),
            ],
        );
        for unused in ["open-rdp", "open-all-traffic"] {
            fails(
                "ec2-sg-unused",
                &group(unused),
                &[
                    &group("open-ssh"),
                    &group("web-https"),
                    &group("db-private"),
                ],
            );
        }
        // EBS: snap-public was taken of the unencrypted volume; data-unbacked has none.
        fails(
            "ec2-snapshot-unencrypted",
            &id("snapshots", "snap-public"),
            &[&id("snapshots", "snap-private")],
        );
        fails(
            "ec2-ebs-volume-no-snapshot",
            &id("volumes", "data-unbacked"),
            &[
                &id("volumes", "data-encrypted"),
                &id("volumes", "data-unencrypted"),
            ],
        );
        // VPCs: vigil-prod has public and private subnets in two zones and an EC2
        // endpoint; vigil-legacy (in use by an appliance's interface) one public subnet.
        let (prod, legacy) = (id("vpcs", "vigil-prod"), id("vpcs", "vigil-legacy"));
        for rule in [
            "ec2-vpc-no-ec2-endpoint",
            "ec2-vpc-single-az",
            "ec2-vpc-no-private-subnet",
        ] {
            fails(rule, &legacy, &[&prod]);
        }
        for public in ["vigil-prod-public", "vigil-legacy-public"] {
            fails(
                "ec2-subnet-auto-assigns-public-ip",
                &id("subnets", public),
                &[&id("subnets", "vigil-prod-private")],
            );
        }
    }

    // IAM: alice-admin has a managed policy attached, bob-dev an inline `*:*` one;
    // carol-auditor gets hers through a group.
    fails(
        "iam-user-policies-attached",
        "alice-admin",
        &["carol-auditor"],
    );
    fails("iam-user-policies-attached", "bob-dev", &[]);
    let checks = &s.summary["checks"];
    fails(
        "iam-inline-policy-admin-star",
        checks["inlineAdmin"].as_str().unwrap(),
        &[checks["inlineScoped"].as_str().unwrap()],
    );
    // moto lists every server certificate with a fixed 2012 expiry: only the bad case
    // can be emulated (the rule's unit tests hold the good one).
    fails("iam-server-certificate-expired", "legacy-www", &[]);
    // Roles are all new and moto never reports a last use: none may be called unused.
    assert!(!open.iter().any(|f| f["ruleId"] == "iam-role-unused"));
    // The emulated root has no MFA at all: that is iam-root-no-mfa's finding, not the
    // virtual-device rule's (unit-tested on both device kinds).
    assert!(!open.iter().any(|f| f["ruleId"] == "iam-root-virtual-mfa"));

    // S3: the public bucket keeps no versions, logs nothing, honours ACLs; the private one
    // does all three right. moto does not keep MFADelete, so the versioned private bucket
    // is reported for MFA delete (and the unversioned public one is not: no versions).
    let public = s.summary["buckets"]["public"].as_str().unwrap();
    let private = s.summary["buckets"]["private"].as_str().unwrap();
    for rule in [
        "s3-bucket-versioning-off",
        "s3-bucket-access-logging-off",
        "s3-bucket-acls-enabled",
    ] {
        fails(rule, public, &[private]);
    }
    fails("s3-bucket-mfa-delete-off", private, &[public]);
    // The parity checks (seed_parity.py): the private bucket is blocked, KMS-encrypted,
    // expires old versions, notifies a topic and replicates to another region's bucket; the
    // public one does none of it, lets anyone list it and grants a partner account.
    for rule in [
        "s3-bucket-public-access-block-off",
        "s3-bucket-acl-public-list",
        "s3-bucket-policy-cross-account",
        "s3-bucket-not-kms-encrypted",
        "s3-bucket-no-lifecycle-rules",
        "s3-bucket-no-event-notifications",
        "s3-bucket-no-cross-region-replication",
    ] {
        fails(rule, public, &[private]);
    }
    // The trails' bucket keeps no access logs and (moto keeping no MFADelete) no MFA
    // delete; no trail has Insights. CloudWatch Logs: one seeded group has a KMS key.
    let logs = s.summary["buckets"]["logs"].as_str().unwrap();
    fails("cloudtrail-bucket-access-logging-off", logs, &[]);
    fails("cloudtrail-bucket-mfa-delete-off", logs, &[]);
    fails("cloudtrail-insights-off", s.account.as_str(), &[]);
    fails(
        "cloudwatch-log-group-not-kms-encrypted",
        "/vigil/legacy-app",
        &["/vigil/orders-api"],
    );

    // IAM Access Analyzer (the harness's stub: moto has none) is on in the first region
    // only: the second is reported, the first is not.
    // Security Hub (moto's) likewise.
    for rule in ["accessanalyzer-not-enabled", "securityhub-not-enabled"] {
        let regions = regions_flagged(&open, rule, &s.account);
        assert!(
            regions.iter().any(|r| r == "eu-west-1"),
            "{rule}: {regions:?}"
        );
        assert!(
            !regions.iter().any(|r| r == "us-east-1"),
            "{rule}: {regions:?}"
        );
    }

    // The account-wide ones, failing before the fix.
    let account = s.account.clone();
    let fixed = [
        ("iam-no-support-role", "AWSSupportAccess"),
        ("cloudtrail-s3-object-writes-not-logged", account.as_str()),
        ("cloudtrail-s3-object-reads-not-logged", account.as_str()),
        ("cloudtrail-no-cloudwatch-logs", "management-events"),
    ];
    for (rule, resource) in fixed {
        assert!(has(&open, rule, resource), "{rule} {resource}");
    }

    // The customer fixes them: a support role, S3 data events and a log group on the trail.
    let emu = Emulator::shared();
    let config = emu.account_config(&s.account, "us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&config);
    iam.create_role()
        .role_name("aws-support")
        .assume_role_policy_document(
            json!({ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{}:root", s.account) },
                "Action": "sts:AssumeRole" }] })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("aws-support")
        .policy_arn("arn:aws:iam::aws:policy/AWSSupportAccess")
        .send()
        .await
        .unwrap();
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&config);
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    cloudtrail
        .put_event_selectors()
        .trail_name("management-events")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(true)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values("arn:aws:s3")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    cloudtrail
        .update_trail()
        .name("management-events")
        .cloud_watch_logs_log_group_arn(format!(
            "arn:aws:logs:us-east-1:{}:log-group:cloudtrail:*",
            s.account
        ))
        .cloud_watch_logs_role_arn(format!("arn:aws:iam::{}:role/cloudtrail-logs", s.account))
        .send()
        .await
        .unwrap();
    let scan = s.scan().await;
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    let status = |findings: &[Value], rule: &str, resource: &str| {
        findings
            .iter()
            .find(|f| f["ruleId"] == rule && f["resourceId"] == resource)
            .map(|f| f["status"].clone())
    };
    let after = s.findings(json!({})).await;
    for (rule, resource) in fixed {
        assert_eq!(
            status(&after, rule, resource),
            Some(json!("RESOLVED")),
            "{rule}"
        );
    }

    // Now the reads those checks (and the per-item ones) depend on are denied: the scan is
    // PARTIAL, nothing is opened again, and the open findings stay open.
    let scan = s
        .scan_denied(&[
            ("iam", Some("ListEntitiesForPolicy")),
            ("iam", Some("ListServerCertificates")),
            ("iam", Some("ListUserPolicies")),
            ("cloudtrail", Some("GetEventSelectors")),
            ("ec2", Some("DescribeAddresses")),
            ("ec2", Some("DescribeRouteTables")),
            ("ec2", Some("DescribeVpcEndpoints")),
            ("s3", Some("GetBucketVersioning")),
            ("s3", Some("GetBucketLifecycle")),
            ("s3", Some("GetBucketNotification")),
            ("s3", Some("GetBucketReplication")),
            ("logs", Some("DescribeLogGroups")),
            // Read as "no analyzer", us-east-1 would be opened.
            ("access-analyzer", None),
            ("securityhub", None),
        ])
        .await;
    assert_eq!(scan["status"], "PARTIAL", "{scan}");
    assert_eq!(scan["findingsOpened"], 0, "{scan}");
    assert_eq!(scan["findingsResolved"], 0, "{scan}");
    let denied = s.findings(json!({})).await;
    for (rule, resource) in fixed {
        assert_eq!(
            status(&denied, rule, resource),
            Some(json!("RESOLVED")),
            "{rule}"
        );
    }
    let eip = s.id("us-east-1", "addresses", "eip-idle");
    let legacy = s.id("us-east-1", "vpcs", "vigil-legacy");
    for (rule, resource) in [
        ("ec2-vpc-no-ec2-endpoint", legacy.as_str()),
        ("ec2-vpc-no-private-subnet", legacy.as_str()),
        ("iam-server-certificate-expired", "legacy-www"),
        ("iam-user-policies-attached", "bob-dev"),
        (
            "iam-inline-policy-admin-star",
            checks["inlineAdmin"].as_str().unwrap(),
        ),
        ("ec2-eip-unused", eip.as_str()),
        ("s3-bucket-versioning-off", public),
        ("s3-bucket-no-lifecycle-rules", public),
        ("s3-bucket-no-event-notifications", public),
        ("s3-bucket-no-cross-region-replication", public),
        (
            "cloudwatch-log-group-not-kms-encrypted",
            "/vigil/legacy-app",
        ),
    ] {
        assert_eq!(
            status(&denied, rule, resource),
            Some(json!("OPEN")),
            "{rule} {resource}"
        );
    }
}

/// The IAM checks matching Prowler's (issue 17), on the seeded account
/// (`vigil_emulator/seed.py`, `seed_checks.py`, `seed_identity.py`): each bad identity fails
/// its rule and the good ones do not; a strong password policy resolves the policy's
/// findings; denied reads leave the others open, never resolved.
#[sqlx::test(migrations = "../migrations")]
async fn iam_parity_checks_fail_the_bad_identities_and_pass_the_good_ones(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    let open = s.findings(json!({ "status": ["OPEN"] })).await;
    let fails = |rule: &str, bad: &str, good: &[&str]| {
        assert!(has(&open, rule, bad), "{rule} must fail {bad}");
        for good in good {
            assert!(!has(&open, rule, good), "{rule} must pass {good}");
        }
    };
    // The seeded policy asks for lowercase letters only, and sets no expiry.
    let policy_rules = [
        "iam-password-policy-no-numbers",
        "iam-password-policy-no-symbols",
        "iam-password-policy-no-uppercase",
        "iam-password-policy-no-expiry",
    ];
    for rule in policy_rules {
        fails(rule, "password-policy", &[]);
    }
    assert!(!has(
        &open,
        "iam-password-policy-no-lowercase",
        "password-policy"
    ));

    // AdministratorAccess: on alice-admin and on the bootstrap OrganizationAccountAccessRole.
    fails(
        "iam-aws-managed-policy-admin-attached",
        "AdministratorAccess",
        &["ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"],
    );
    fails(
        "iam-user-administrator-access",
        "alice-admin",
        &["bob-dev", "ci-deployer", "carol-auditor"],
    );
    let roles = [
        "vigil-app-role",
        "ThirdPartyAuditRole",
        "VigilReadOnly",
        "vigil-backup-service",
    ];
    fails(
        "iam-role-administrator-access",
        "OrganizationAccountAccessRole",
        &roles,
    );
    // bob-dev's inline `*:*` takes in CloudTrail, KMS and Marketplace; the app role's
    // `logs:*` none of them.
    let checks = &s.summary["checks"];
    let (admin, scoped) = (
        checks["inlineAdmin"].as_str().unwrap(),
        checks["inlineScoped"].as_str().unwrap(),
    );
    for rule in [
        "iam-inline-policy-cloudtrail-full-access",
        "iam-inline-policy-kms-full-access",
        "iam-inline-policy-marketplace-subscribe",
    ] {
        fails(rule, admin, &[scoped]);
    }
    // alice-admin's MFA is virtual, carol-auditor's a hardware token; bob-dev has none
    // (iam-user-console-no-mfa's finding).
    fails(
        "iam-user-virtual-mfa",
        "alice-admin",
        &["carol-auditor", "bob-dev"],
    );
    // bob-dev signs in with a password and never used his key; ci-deployer has no password.
    fails(
        "iam-user-initial-access-key",
        "bob-dev",
        &["alice-admin", "ci-deployer", "carol-auditor"],
    );
    // The app's and Lambda's roles trust their service without a source condition; the
    // backup role names the account; the others trust accounts, not services.
    for bad in ["vigil-app-role", "vigil-seed-lambda"] {
        fails(
            "iam-role-service-confused-deputy",
            bad,
            &[
                "vigil-backup-service",
                "ThirdPartyAuditRole",
                "VigilReadOnly",
            ],
        );
    }
    // ThirdPartyAuditRole gives 999988887777 ReadOnlyAccess; Vigil's own role has
    // SecurityAudit and ViewOnlyAccess.
    fails(
        "iam-role-cross-account-read-only",
        "ThirdPartyAuditRole",
        &["VigilReadOnly", "OrganizationAccountAccessRole"],
    );

    // Denied reads: the roles' attached policies, then all of IAM. Nothing is
    // opened or resolved, and the findings on what could not be read stay open.
    let still_open = [
        (
            "iam-role-administrator-access",
            "OrganizationAccountAccessRole",
        ),
        ("iam-role-cross-account-read-only", "ThirdPartyAuditRole"),
        ("iam-role-service-confused-deputy", "vigil-app-role"),
        (
            "iam-aws-managed-policy-admin-attached",
            "AdministratorAccess",
        ),
        ("iam-user-virtual-mfa", "alice-admin"),
        ("iam-password-policy-no-numbers", "password-policy"),
    ];
    for denied in [
        vec![("iam", Some("ListAttachedRolePolicies"))],
        vec![("iam", None)],
    ] {
        let scan = s.scan_denied(&denied).await;
        assert_eq!(scan["status"], "PARTIAL", "{denied:?}: {scan}");
        assert_eq!(scan["findingsResolved"], 0, "{denied:?}: {scan}");
        assert_eq!(scan["findingsOpened"], 0, "{denied:?}: {scan}");
        let open = s.findings(json!({ "status": ["OPEN"] })).await;
        for (rule, resource) in still_open {
            assert!(has(&open, rule, resource), "{denied:?}: {rule} {resource}");
        }
    }

    // The customer sets a strong password policy: its findings resolve.
    let emu = Emulator::shared();
    let iam = aws_sdk_iam::Client::new(&emu.account_config(&s.account, "us-east-1").await);
    iam.update_account_password_policy()
        .minimum_password_length(14)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .max_password_age(90)
        .password_reuse_prevention(24)
        .send()
        .await
        .unwrap();
    let scan = s.scan().await;
    assert_eq!(scan["status"], "SUCCEEDED", "{scan}");
    let open = s.findings(json!({ "status": ["OPEN"] })).await;
    for rule in policy_rules
        .into_iter()
        .chain(["iam-password-policy-length", "iam-password-policy-reuse"])
    {
        assert!(!has(&open, rule, "password-policy"), "{rule} resolved");
    }
}
