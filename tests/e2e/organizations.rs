//! Pins connecting a whole AWS Organization, against the emulator: moto serves
//! Organizations (the organisation, its accounts and OUs); the harness does what AWS would
//! with the customer's CloudFormation (tests/aws/vigil_emulator/organization.py): it
//! creates the roles of the management template Vigil hands out in the management account,
//! and runs the StackSet template Vigil hands out as a service-managed StackSet with
//! automatic deployment (the member role, trusting Vigil with the organisation's external
//! ID, in every member account, including accounts created later; removed from accounts
//! that leave). The emulator enforces every role's trust policy on AssumeRole (trust.py).

use std::time::{Duration, Instant};

use aws_sdk_organizations::types::OrganizationFeatureSet;
use serde_json::{Value, json};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use vigil_core::aws::ServiceIdentity;
use vigil_tests::{
    TestApp, app_pool,
    emulator::{Emulator, random_account_id},
    emulator_worker, error_code, spawn_app_full, test_config,
};
use vigil_worker::schedule;

const CREATE: &str = "mutation($name: String!, $regions: [String!]) {
    createAwsOrganization(input: { name: $name, regions: $regions }) {
    id status externalId memberRoleName regions
    setup { trustedPrincipalArn managementTemplate stackSetTemplate } } }";
const MEMBERS: &str = "accounts { id name status accountId roleArn error organizationalUnitPath leftOrganizationAt awsOrganizationId regions }";
const REPORT: &str = "syncReport { seen added connected failed left alreadyConnected }";

pub(crate) fn verify_query() -> String {
    format!(
        "mutation($id: ID!, $arn: String!) {{ verifyAwsOrganization(id: $id, managementRoleArn: $arn) {{
            id status organizationId managementAccountId managementRoleArn lastSyncError lastSyncAt nextSyncAt
            {REPORT} {MEMBERS} }} }}"
    )
}

fn sync_query() -> String {
    format!(
        "mutation($id: ID!) {{ syncAwsOrganization(id: $id) {{ id status lastSyncError {REPORT} {MEMBERS} }} }}"
    )
}

fn org_query() -> String {
    format!(
        "query($id: ID!) {{ awsOrganization(id: $id) {{ id status lastSyncError organizationId {MEMBERS} }} }}"
    )
}

/// The API against the emulator, and a superuser pool on the same database (past
/// row-level security, to look at every tenant's rows).
pub(crate) async fn aws_app(opts: PgConnectOptions) -> (TestApp, PgPool) {
    let emu = Emulator::shared();
    let aws = ServiceIdentity::new(emu.management_config("us-east-1").await, None);
    let admin = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(opts.clone())
        .await
        .unwrap();
    // The tests here verify and sync several times in a few seconds: the STS budget (a
    // burst of 3, then the per-minute rate) is pinned by security_jobs.rs, not here, so it
    // refills fast enough that a quick machine never runs into it. A verification makes
    // dozens of STS calls in one request, to one emulator process the suite's scans load
    // too: the operation limit is the longest allowed (25 s) instead of the default 15 s.
    let config = test_config(&[
        ("VIGIL_STS_RATE_LIMIT", "600"),
        ("VIGIL_GRAPHQL_TIMEOUT", "25s"),
    ]);
    let app = spawn_app_full(config, app_pool(opts).await, aws).await;
    (app, admin)
}

/// An emulated organisation: its management account, root, one OU and member accounts.
pub(crate) struct EmulatedOrg {
    pub(crate) management: String,
    root: String,
    pub(crate) members: Vec<String>,
    /// The members placed in the `Workloads` OU.
    in_ou: Vec<String>,
    client: aws_sdk_organizations::Client,
}

impl EmulatedOrg {
    /// A fresh organisation (its management account a fresh account: tests share the
    /// emulator) with `members` accounts, every fourth in the `Workloads` OU.
    pub(crate) async fn new(members: usize) -> Self {
        let emu = Emulator::shared();
        let management = random_account_id();
        let client =
            aws_sdk_organizations::Client::new(&emu.account_config(&management, "us-east-1").await);
        client
            .create_organization()
            .feature_set(OrganizationFeatureSet::All)
            .send()
            .await
            .expect("CreateOrganization");
        let root = client.list_roots().send().await.unwrap().roots()[0]
            .id()
            .unwrap()
            .to_owned();
        let ou = client
            .create_organizational_unit()
            .parent_id(&root)
            .name("Workloads")
            .send()
            .await
            .unwrap()
            .organizational_unit()
            .unwrap()
            .id()
            .unwrap()
            .to_owned();
        let mut org = Self {
            management,
            root,
            members: Vec::new(),
            in_ou: Vec::new(),
            client,
        };
        for i in 0..members {
            let account = org.create_account(&format!("member-{i}")).await;
            if i % 4 == 0 {
                org.client
                    .move_account()
                    .account_id(&account)
                    .source_parent_id(&org.root)
                    .destination_parent_id(&ou)
                    .send()
                    .await
                    .unwrap();
                org.in_ou.push(account);
            }
        }
        org
    }

    /// Creates a member account (organizations:CreateAccount); answers its ID.
    pub(crate) async fn create_account(&mut self, name: &str) -> String {
        let status = self
            .client
            .create_account()
            .account_name(name)
            .email(format!("{name}-{}@example.com", random_account_id()))
            .send()
            .await
            .expect("CreateAccount");
        let account = status
            .create_account_status()
            .unwrap()
            .account_id()
            .unwrap()
            .to_owned();
        self.members.push(account.clone());
        account
    }

    /// What the customer does with the management template: deploy it in the management
    /// account. Answers the stack's `ManagementRoleArn` output.
    pub(crate) async fn deploy_management(&self, template: &str) -> String {
        let out = Emulator::shared()
            .control(
                reqwest::Method::POST,
                "/_vigil/stacks",
                Some(json!({ "accountId": self.management, "templateBody": template })),
            )
            .await;
        out["outputs"]["ManagementRoleArn"]
            .as_str()
            .expect("the ManagementRoleArn output")
            .to_owned()
    }

    /// What the customer does with the StackSet template: deploy it in the management
    /// account, targeting the root (every account). Answers the accounts it deployed to.
    pub(crate) async fn deploy_stack_set(&self, template: &str) -> Vec<String> {
        let out = Emulator::shared()
            .control(
                reqwest::Method::POST,
                "/_vigil/stacksets",
                Some(json!({
                    "accountId": self.management,
                    "templateBody": template,
                    "parameters": { "OrganizationalUnitIds": self.root },
                })),
            )
            .await;
        let mut accounts: Vec<String> = out["stackSets"][0]["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        accounts.sort();
        accounts
    }

    /// Every account of the organisation, the management account included, sorted.
    fn all_accounts(&self) -> Vec<String> {
        let mut all = self.members.clone();
        all.push(self.management.clone());
        all.sort();
        all
    }
}

/// The 12-digit IDs of an organisation's member connections, sorted.
fn account_ids(members: &Value) -> Vec<String> {
    let mut ids: Vec<String> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["accountId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

pub(crate) fn member<'a>(members: &'a Value, account: &str) -> &'a Value {
    members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["accountId"] == account)
        .unwrap_or_else(|| panic!("no member {account} in {members}"))
}

pub(crate) async fn create(app: &TestApp, token: &str, name: &str) -> Value {
    create_in(app, token, name, Value::Null).await
}

/// Creates an organisation whose members are watched in `regions` (null: every region).
async fn create_in(app: &TestApp, token: &str, name: &str, regions: Value) -> Value {
    app.graphql_ok(token, CREATE, json!({ "name": name, "regions": regions }))
        .await["createAwsOrganization"]
        .clone()
}

async fn open_findings(app: &TestApp, token: &str, connection: &Value) -> i64 {
    let data = app
        .graphql_ok(
            token,
            "query($id: ID!) { findings(first: 1, filter: { awsAccountId: $id, status: [OPEN] }) { totalCount } }",
            json!({ "id": connection }),
        )
        .await;
    data["findings"]["totalCount"].as_i64().unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_organisation_of_twenty_accounts_is_connected_by_one_verification_and_kept_in_sync(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let started = Instant::now();
    let _heavy = vigil_tests::EMULATOR_HEAVY.write().await;
    let (app, admin) = aws_app(opts).await;
    let token = app.signup("owner@org.example", "Org").await.access_token;
    let mut org = EmulatedOrg::new(20).await;
    // Watched in one region (as an organisation whose SCPs deny the others would be), so
    // every account's first scan can run here.
    let created = create_in(&app, &token, "Acme", json!(["us-east-1"])).await;
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["regions"], json!(["us-east-1"]));
    assert_eq!(created["memberRoleName"], "VigilReadOnly");
    let external_id = created["externalId"].as_str().unwrap();
    let setup = &created["setup"];
    for template in ["managementTemplate", "stackSetTemplate"] {
        assert!(
            setup[template].as_str().unwrap().contains(external_id),
            "{template} carries the organisation's external ID"
        );
    }

    // The customer deploys both templates in the management account.
    let management_role = org
        .deploy_management(setup["managementTemplate"].as_str().unwrap())
        .await;
    let mut deployed = org
        .deploy_stack_set(setup["stackSetTemplate"].as_str().unwrap())
        .await;
    let mut members = org.members.clone();
    members.sort();
    assert_eq!(
        deployed, members,
        "the StackSet deploys to every member, never the management account"
    );
    deployed.clear();

    // One verification connects all 21 accounts.
    let verify_started = Instant::now();
    let verified = app
        .graphql_ok(
            &token,
            &verify_query(),
            json!({ "id": created["id"], "arn": management_role }),
        )
        .await["verifyAwsOrganization"]
        .clone();
    let verify_took = verify_started.elapsed();
    assert_eq!(verified["status"], "CONNECTED", "{verified}");
    assert!(verified["lastSyncError"].is_null());
    assert!(
        verified["organizationId"]
            .as_str()
            .unwrap()
            .starts_with("o-")
    );
    assert_eq!(verified["managementAccountId"], org.management.as_str());
    assert_eq!(
        verified["syncReport"],
        json!({ "seen": 21, "added": 21, "connected": 21, "failed": 0, "left": 0, "alreadyConnected": [] })
    );
    let accounts = &verified["accounts"];
    assert_eq!(account_ids(accounts), org.all_accounts());
    for m in accounts.as_array().unwrap() {
        assert_eq!(m["status"], "CONNECTED", "{m}");
        assert_eq!(m["awsOrganizationId"], created["id"]);
        assert!(m["leftOrganizationAt"].is_null());
        assert_eq!(
            m["regions"],
            json!(["us-east-1"]),
            "members get the organisation's regions"
        );
    }
    for account in &org.members {
        assert_eq!(
            member(accounts, account)["roleArn"],
            format!("arn:aws:iam::{account}:role/VigilReadOnly").as_str()
        );
    }
    assert_eq!(
        member(accounts, &org.management)["roleArn"],
        management_role.as_str(),
        "the management account is read through the management role"
    );
    for account in &org.in_ou {
        assert_eq!(
            member(accounts, account)["organizationalUnitPath"],
            "Root/Workloads"
        );
    }
    assert_eq!(
        member(accounts, &org.members[1])["organizationalUnitPath"],
        "Root"
    );
    // Every member is an ordinary connection with its first scan and ingestion queued.
    let queued: Vec<(String, i64)> = sqlx::query_as(
        "select kind, count(*) from jobs where state = 'queued' and kind <> 'housekeeping'
         group by kind order by kind",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert_eq!(
        queued,
        vec![("ingest_activity".into(), 21), ("scan_account".into(), 21)]
    );
    let listed = app
        .graphql_ok(&token, "{ awsAccounts { status } }", json!({}))
        .await;
    assert_eq!(listed["awsAccounts"].as_array().unwrap().len(), 21);

    // Every account's findings appear: all 21 first scans run here (the ingestions are
    // not the point, and are set aside).
    sqlx::query(
        "update jobs set state = 'succeeded' where state = 'queued' and kind = 'ingest_activity'",
    )
    .execute(&admin)
    .await
    .unwrap();
    let scan_started = Instant::now();
    emulator_worker(&app).drain().await.unwrap();
    let scan_took = scan_started.elapsed();
    let states: Vec<(String, i64)> = sqlx::query_as(
        "select state::text, count(*) from jobs where kind = 'scan_account' group by 1",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert_eq!(states, vec![("succeeded".into(), 21)]);
    for account in org.all_accounts() {
        let connection = &member(accounts, &account)["id"];
        assert!(
            open_findings(&app, &token, connection).await > 0,
            "account {account} has open findings after its first scan"
        );
    }

    // An account created later: the StackSet deploys the role by itself, and the next
    // scheduled sync connects it. (Scans and ingestions are pushed out of the way so the
    // scheduler's pass is the organisation's sync alone.)
    let late = org.create_account("joined-later").await;
    sqlx::query("update aws_accounts set next_scan_at = 'infinity', next_ingest_at = 'infinity'")
        .execute(&admin)
        .await
        .unwrap();
    let sched = schedule::Schedule {
        pool: app.pool.clone(),
        clock: app.clock.clone(),
        scan_interval: Duration::from_secs(6 * 3600),
        ingest_interval: Duration::from_secs(300),
        organization_sync_interval: Duration::from_secs(3600),
    };
    assert_eq!(
        schedule::tick(&sched).await.unwrap(),
        0,
        "the sync is not due right after verification"
    );
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(schedule::tick(&sched).await.unwrap(), 1, "the sync is due");
    let kinds: Vec<String> = sqlx::query_scalar(
        "select kind from jobs where state = 'queued' and kind <> 'housekeeping'",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert_eq!(kinds, vec!["sync_organization".to_owned()]);
    emulator_worker(&app).drain().await.unwrap();
    let synced = app
        .graphql_ok(&token, &org_query(), json!({ "id": created["id"] }))
        .await["awsOrganization"]
        .clone();
    assert_eq!(account_ids(&synced["accounts"]), org.all_accounts());
    let joined = member(&synced["accounts"], &late);
    assert_eq!(joined["status"], "CONNECTED", "{joined}");
    assert_eq!(joined["regions"], json!(["us-east-1"]));
    assert!(joined["name"].as_str().unwrap().starts_with("joined-later"));
    let first_scan: Option<String> = sqlx::query_scalar(
        "select state from jobs where kind = 'scan_account' and unique_key = $1",
    )
    .bind(format!(
        "aws_account:{}:scan",
        joined["id"].as_str().unwrap()
    ))
    .fetch_optional(&admin)
    .await
    .unwrap();
    assert_eq!(
        first_scan.as_deref(),
        Some("succeeded"),
        "the new member was scanned"
    );

    // An account that leaves the organisation is marked, not deleted (and the StackSet
    // removes its role, as AWS does without RetainStacksOnAccountRemoval).
    let leaving = org.members[3].clone();
    org.client
        .remove_account_from_organization()
        .account_id(&leaving)
        .send()
        .await
        .unwrap();
    let after = app
        .graphql_ok(&token, &sync_query(), json!({ "id": created["id"] }))
        .await["syncAwsOrganization"]
        .clone();
    assert_eq!(after["status"], "CONNECTED", "{after}");
    assert_eq!(after["syncReport"]["left"], 1);
    assert_eq!(after["syncReport"]["added"], 0);
    let left = member(&after["accounts"], &leaving);
    assert!(
        left["leftOrganizationAt"].is_string(),
        "the account that left is marked: {left}"
    );
    assert_eq!(after["accounts"].as_array().unwrap().len(), 22);
    assert!(member(&after["accounts"], &org.members[4])["leftOrganizationAt"].is_null());
    let still = app
        .graphql_ok(
            &token,
            "query($id: ID!) { awsAccount(id: $id) { id leftOrganizationAt } }",
            json!({ "id": left["id"] }),
        )
        .await;
    assert!(still["awsAccount"]["leftOrganizationAt"].is_string());

    eprintln!(
        "organisation of 21 accounts: verification {verify_took:?}, the 21 first scans (one region) {scan_took:?}, whole test {:?}",
        started.elapsed()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_external_id_or_a_denied_management_role_is_explained_on_the_organisation(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let _calm = vigil_tests::EMULATOR_HEAVY.read().await;
    let (app, _admin) = aws_app(opts).await;
    let token = app
        .signup("owner@denied.example", "Denied")
        .await
        .access_token;
    let org = EmulatedOrg::new(2).await;
    let ours = create(&app, &token, "ours").await;
    let other = create(&app, &token, "another").await;

    // Both templates are valid CloudFormation (cfn-lint, as the single-account template).
    let cfn_lint = vigil_tests::emulator::python().with_file_name("cfn-lint");
    for name in ["managementTemplate", "stackSetTemplate"] {
        let path =
            std::env::temp_dir().join(format!("vigil-org-{name}-{}.yaml", uuid::Uuid::new_v4()));
        std::fs::write(&path, ours["setup"][name].as_str().unwrap()).unwrap();
        let out = std::process::Command::new(&cfn_lint)
            .arg(&path)
            .output()
            .expect("cfn-lint runs");
        let _ = std::fs::remove_file(&path);
        assert!(
            out.status.success(),
            "cfn-lint rejected the {name}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The management stack of another connection: its external ID is not ours.
    let role = org
        .deploy_management(other["setup"]["managementTemplate"].as_str().unwrap())
        .await;
    let failed = app
        .graphql_ok(
            &token,
            &verify_query(),
            json!({ "id": ours["id"], "arn": role }),
        )
        .await["verifyAwsOrganization"]
        .clone();
    assert_eq!(failed["status"], "ERROR", "{failed}");
    let error = failed["lastSyncError"].as_str().unwrap();
    assert!(
        error.contains("could not assume the management role") && error.contains("sts:ExternalId"),
        "{error}"
    );
    assert!(
        !error.contains(ours["externalId"].as_str().unwrap()),
        "no external ID in the error"
    );
    assert_eq!(failed["accounts"], json!([]), "nothing is connected");
    assert_eq!(
        failed["managementRoleArn"],
        role.as_str(),
        "what was tried stays visible"
    );

    // The right stack, but Organizations denies the role (an SCP or a trimmed policy).
    org.deploy_management(ours["setup"]["managementTemplate"].as_str().unwrap())
        .await;
    let emu = Emulator::shared();
    let fault = emu
        .add_fault(json!({ "accountId": org.management, "service": "organizations", "kind": "access_denied" }))
        .await;
    let denied = app
        .graphql_ok(
            &token,
            &verify_query(),
            json!({ "id": ours["id"], "arn": role }),
        )
        .await["verifyAwsOrganization"]
        .clone();
    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{fault}"),
        None,
    )
    .await;
    assert_eq!(denied["status"], "ERROR");
    let error = denied["lastSyncError"].as_str().unwrap();
    assert!(
        error.contains("may not call organizations:DescribeOrganization (AccessDenied)"),
        "{error}"
    );

    // Without the StackSet the management role works but the members' roles do not exist:
    // each member says so, and a sync after the StackSet is deployed connects them.
    let partial = app
        .graphql_ok(
            &token,
            &verify_query(),
            json!({ "id": ours["id"], "arn": role }),
        )
        .await["verifyAwsOrganization"]
        .clone();
    assert_eq!(partial["status"], "CONNECTED", "{partial}");
    assert!(partial["lastSyncError"].is_null());
    assert_eq!(partial["syncReport"]["failed"], 2);
    for account in &org.members {
        let m = member(&partial["accounts"], account);
        assert_eq!(m["status"], "ERROR");
        assert!(
            m["error"]
                .as_str()
                .unwrap()
                .contains("the StackSet has not deployed"),
            "{m}"
        );
    }
    assert_eq!(
        member(&partial["accounts"], &org.management)["status"],
        "CONNECTED"
    );
    org.deploy_stack_set(ours["setup"]["stackSetTemplate"].as_str().unwrap())
        .await;
    let fixed = app
        .graphql_ok(&token, &sync_query(), json!({ "id": ours["id"] }))
        .await["syncAwsOrganization"]
        .clone();
    assert_eq!(fixed["syncReport"]["connected"], 2, "{fixed}");
    for m in fixed["accounts"].as_array().unwrap() {
        assert_eq!(m["status"], "CONNECTED", "{m}");
    }

    // Malformed input is refused before anything is called.
    let bad = app
        .graphql(
            Some(&token),
            &verify_query(),
            json!({ "id": ours["id"], "arn": "arn:aws:s3:::bucket" }),
        )
        .await;
    assert_eq!(error_code(&bad).as_deref(), Some("BAD_USER_INPUT"), "{bad}");
    let bad = app
        .graphql(
            Some(&token),
            "mutation { createAwsOrganization(input: { name: \"x\", memberRoleName: \"no/slash\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad).as_deref(), Some("BAD_USER_INPUT"), "{bad}");
}

#[sqlx::test(migrations = "../migrations")]
async fn another_tenant_cannot_see_verify_sync_or_delete_the_organisation(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let _calm = vigil_tests::EMULATOR_HEAVY.read().await;
    let (app, admin) = aws_app(opts).await;
    let owner = app.signup("owner@a.example", "A").await.access_token;
    let intruder = app.signup("owner@b.example", "B").await.access_token;
    let org = EmulatedOrg::new(1).await;
    let created = create(&app, &owner, "A's organisation").await;
    let role = org
        .deploy_management(created["setup"]["managementTemplate"].as_str().unwrap())
        .await;

    let seen = app
        .graphql_ok(&intruder, &org_query(), json!({ "id": created["id"] }))
        .await;
    assert!(seen["awsOrganization"].is_null());
    let listed = app
        .graphql_ok(&intruder, "{ awsOrganizations { id } }", json!({}))
        .await;
    assert_eq!(listed["awsOrganizations"], json!([]));
    for (query, vars) in [
        (verify_query(), json!({ "id": created["id"], "arn": role })),
        (sync_query(), json!({ "id": created["id"] })),
        (
            "mutation($id: ID!) { deleteAwsOrganization(id: $id) }".to_owned(),
            json!({ "id": created["id"] }),
        ),
    ] {
        let answer = app.graphql(Some(&intruder), &query, vars).await;
        assert_eq!(
            error_code(&answer).as_deref(),
            Some("NOT_FOUND"),
            "{answer}"
        );
    }
    // A malformed ID looks missing too.
    let answer = app
        .graphql(Some(&intruder), &sync_query(), json!({ "id": "not-an-id" }))
        .await;
    assert_eq!(error_code(&answer).as_deref(), Some("NOT_FOUND"));

    // Untouched for its owner: still pending, nothing connected; then deleted by them.
    let mine = app
        .graphql_ok(&owner, &org_query(), json!({ "id": created["id"] }))
        .await["awsOrganization"]
        .clone();
    assert_eq!(mine["status"], "PENDING");
    assert_eq!(mine["accounts"], json!([]));
    let verified = app
        .graphql_ok(
            &owner,
            &verify_query(),
            json!({ "id": created["id"], "arn": role }),
        )
        .await["verifyAwsOrganization"]
        .clone();
    assert_eq!(verified["status"], "CONNECTED", "{verified}");
    assert_eq!(verified["accounts"].as_array().unwrap().len(), 2);
    let deleted = app
        .graphql_ok(
            &owner,
            "mutation($id: ID!) { deleteAwsOrganization(id: $id) }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(deleted["deleteAwsOrganization"], created["id"]);
    let left: i64 = sqlx::query_scalar("select count(*) from aws_accounts")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(left, 0, "its member connections went with it");
    let queued: i64 = sqlx::query_scalar(
        "select count(*) from jobs where state = 'queued' and kind <> 'housekeeping'",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(queued, 0, "their queued jobs were cancelled");
}
