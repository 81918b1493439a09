//! GraphQL enums and objects shared across domains: roles, plans and severities, and the
//! two objects that refer to each other (a connection's newest scan, a scan's connection)
//! and that most domains return.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use vigil_core::{
    aws::template,
    ids::AwsAccountId,
    roles::Permission,
    store::{aws_accounts, scans, tenants::Tenant},
};

use super::{
    context::{principal, require, state, tenant_tx},
    error::GqlResult,
    loaders,
};
use crate::connect;

/// A member's (or API key's) role in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Role", remote = "vigil_core::roles::Role")]
pub enum RoleGql {
    /// Everything, including making other owners.
    Owner,
    /// Everything except making owners: accounts, users, keys, integrations.
    Admin,
    /// Reads everything; suppresses findings and acknowledges alerts.
    Analyst,
    /// Reads everything; changes nothing.
    Viewer,
}

/// Something a caller may do (see `access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Permission", remote = "vigil_core::roles::Permission")]
pub enum PermissionGql {
    /// Read the tenant's data.
    Read,
    /// Suppress and unsuppress findings.
    TriageFindings,
    /// Acknowledge and close alerts.
    TriageAlerts,
    /// Connect, verify, rename and delete AWS accounts; start scans.
    ManageAccounts,
    /// Invite and remove members, change roles.
    ManageUsers,
    /// Create and revoke API keys.
    ManageApiKeys,
    /// Read the audit log.
    ReadAuditLog,
    /// Detection rules and webhooks.
    ManageIntegrations,
}

/// The caller's role and what it may do: the table the server enforces.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Access")]
pub struct AccessGql {
    /// The caller's role (a user's, or the API key's).
    pub role: RoleGql,
    /// What the role may do.
    pub permissions: Vec<PermissionGql>,
    /// Roles the caller may give a member or an API key, strongest first (only owners make
    /// owners; an API key never carries OWNER).
    pub grantable_roles: Vec<RoleGql>,
}

/// A tenant's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Plan", remote = "vigil_domain::Plan")]
pub enum PlanGql {
    /// The 15-day free trial.
    Trial,
    /// A paid plan.
    Active,
    /// The trial ended: data stays readable; scans, ingestion and new connections stop.
    Expired,
}

/// A customer organisation.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Tenant")]
pub struct TenantGql {
    /// The organisation's ID.
    pub id: async_graphql::ID,
    /// The organisation's name.
    pub name: String,
    /// The plan in force now.
    pub plan: PlanGql,
    /// When the trial ends (or ended); null on a paid plan that never had one.
    pub trial_ends_at: Option<DateTime<Utc>>,
    /// Whole days left in the trial, rounded up; null outside a trial.
    pub trial_days_left: Option<i64>,
    /// When the organisation was created.
    pub created_at: DateTime<Utc>,
}

impl TenantGql {
    pub fn new(t: &Tenant, now: DateTime<Utc>) -> Self {
        Self {
            id: t.tenant_id.to_string().into(),
            name: t.name.clone(),
            plan: t.plan_at(now).into(),
            trial_ends_at: t.trial_ends_at,
            trial_days_left: t.trial_days_left(now),
            created_at: t.created_at,
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Severity", remote = "vigil_domain::Severity")]
pub enum SeverityGql {
    /// Likely compromise or loss of visibility.
    Critical,
    /// Exposure to the internet, or an attacker's step.
    High,
    /// A risky configuration worth a look.
    Medium,
    /// Hygiene.
    Low,
    /// Context.
    Info,
}

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "AwsAccountStatus", remote = "vigil_domain::AwsAccountStatus")]
pub enum AwsAccountStatusGql {
    /// Created; waiting for the customer's role to be verified.
    Pending,
    /// Vigil can assume the role.
    Connected,
    /// The last attempt to use the role failed; `error` says why.
    Error,
}

/// A connection's background job that failed for good.
#[derive(Debug, Clone, SimpleObject)]
pub struct JobFailure {
    /// The job's kind: `scan_account` or `ingest_activity`.
    pub kind: String,
    /// Why it gave up (the last attempt's error, or that its worker kept being lost).
    pub error: String,
    /// When it gave up.
    pub failed_at: Option<DateTime<Utc>>,
    /// Attempts that ended in an error.
    pub attempts: i32,
    /// Times the worker running it was lost (killed, evicted) and the job was run again.
    pub rescues: i32,
}

/// What the customer needs to create the role.
#[derive(Debug, Clone, SimpleObject)]
pub struct AwsAccountSetup {
    /// The principal the role must trust: Vigil's own AWS identity.
    pub trusted_principal_arn: String,
    /// A complete CloudFormation template (YAML) creating the read-only role for this
    /// connection, with its external ID filled in.
    pub cloud_formation_template: String,
    /// The AWS console's quick-create link for the template, with the external ID.
    pub launch_stack_url: String,
}

/// Something activity ingestion had to keep out or work around, counted by kind.
#[derive(Debug, Clone, SimpleObject)]
pub struct IngestionProblem {
    /// `EVENT_TIME_OUT_OF_WINDOW` (records dated before the retention horizon or after the
    /// clock skew allowed, not stored), `TRAIL_CHANGED` (the pinned trail disappeared;
    /// designate one with `setAwsAccountTrail`), `TRAIL_FILE_UNVERIFIED` (a log file no
    /// valid CloudTrail digest vouches for, not stored), `TRAIL_DIGEST_INVALID` (a digest
    /// whose signature does not verify), `TRAIL_FILE_MALFORMED` (a log file that is not gzip
    /// JSON with a `Records` list, not stored), `TRAIL_FILE_TOO_LARGE` (a log file past 64 MiB
    /// of gzip or 256 MiB of JSON, not stored) or `TRAIL_RECORDS_MALFORMED` (records without
    /// eventID, eventTime, eventName or eventSource, or over 1 MiB, not stored; the rest of
    /// their file is).
    pub kind: String,
    /// The latest occurrence, explained.
    pub message: String,
    /// How many times it happened (records or files kept out, or changes seen).
    pub count: i64,
    /// When it last happened.
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A connection to one AWS account through a cross-account role.
#[derive(Debug, Clone)]
pub struct AwsAccountGql(pub aws_accounts::AwsAccount);

impl AwsAccountGql {
    /// The connection `id`, read once for a whole page (the `awsAccount` field of the
    /// objects that belong to one).
    pub async fn load(ctx: &Context<'_>, id: AwsAccountId) -> GqlResult<Option<Self>> {
        Ok(loaders::aws_account(ctx, id).await?.map(Self))
    }
}

/// A connection to one AWS account through a cross-account role.
#[Object(name = "AwsAccount")]
impl AwsAccountGql {
    /// The connection's ID: what `awsAccountId` fields and arguments refer to (not the
    /// 12-digit `accountId`).
    async fn id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// A name the customer chose.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Where the connection stands.
    async fn status(&self) -> AwsAccountStatusGql {
        self.0.status.into()
    }
    /// The 12-digit AWS account ID, known once verified.
    async fn account_id(&self) -> Option<&str> {
        self.0.account_id.as_deref()
    }
    /// The external ID the role's trust policy must require. Generated by Vigil, unique
    /// to this connection.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }
    /// The role Vigil assumes (set at verification).
    async fn role_arn(&self) -> Option<&str> {
        self.0.role_arn.as_deref()
    }
    /// Why the connection is in `ERROR`, and what to check.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// Last time Vigil assumed the role successfully.
    async fn last_verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_verified_at
    }
    /// Time of the newest CloudTrail event ingested from the account.
    async fn last_activity_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_activity_at
    }
    /// When the last ingestion that read every region's new events started: scheduled
    /// rescans trust the account's activity up to then to skip regions nothing changed.
    async fn activity_read_at(&self) -> Option<DateTime<Utc>> {
        self.0.activity_read_at
    }
    /// When the connection was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Until when behavioural detections (a principal in a new region or from a new
    /// address) learn the account's normal activity without alerting. Unset until the
    /// first ingestion; see `VIGIL_BASELINE_LEARNING`.
    async fn baseline_learning_until(&self) -> Option<DateTime<Utc>> {
        self.0.baseline_until
    }
    /// True while behavioural detections are still learning (no baseline yet).
    async fn baseline_learning(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let now = state(ctx)?.clock.now();
        Ok(self.0.baseline_until.is_none_or(|until| now < until))
    }
    /// The trail whose log files ingestion reads: designated with `setAwsAccountTrail`, or
    /// pinned by the first ingestion that found one (an organization trail, else a logging
    /// multi-region one); null until then.
    async fn trail_arn(&self) -> Option<&str> {
        self.0.trail_arn.as_deref()
    }
    /// The SQS queue Vigil reads the account's CloudTrail events from within seconds
    /// (push delivery, set with `setAwsAccountPushQueue`); null when push is off.
    async fn push_queue_url(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(vigil_core::store::push::queue_url(&mut tx, self.0.aws_account_id).await?)
    }
    /// What ingestion had to keep out or work around, by kind.
    async fn ingestion_problems(&self) -> Vec<IngestionProblem> {
        let Some(map) = self.0.ingest_problems.as_object() else {
            return Vec::new();
        };
        map.iter()
            .map(|(kind, p)| IngestionProblem {
                kind: kind.to_uppercase(),
                message: p["message"].as_str().unwrap_or_default().to_owned(),
                count: p["count"].as_i64().unwrap_or_default(),
                last_seen_at: p["lastSeenAt"].as_str().and_then(|t| t.parse().ok()),
            })
            .collect()
    }
    /// The newest scan of this account.
    async fn last_scan(&self, ctx: &Context<'_>) -> GqlResult<Option<ScanGql>> {
        Ok(loaders::last_scan(ctx, self.0.aws_account_id)
            .await?
            .map(ScanGql))
    }
    /// The newest background job of this connection that failed for good (a scan or an
    /// ingestion that ran out of retries, or kept losing its worker) and has not succeeded
    /// since; null when every job's last run went well.
    async fn last_job_failure(&self, ctx: &Context<'_>) -> GqlResult<Option<JobFailure>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let keys = vigil_core::tasks::account_job_keys(p.tenant_id, self.0.aws_account_id);
        Ok(vigil_core::jobs::last_failure(&mut tx, &keys)
            .await?
            .map(|f| JobFailure {
                kind: f.kind,
                error: f
                    .last_error
                    .unwrap_or_else(|| "no error was recorded".to_owned()),
                failed_at: f.finished_at,
                attempts: f.attempts,
                rescues: f.rescues,
            }))
    }
    /// The organisation this account was connected through (null for an account
    /// connected on its own).
    async fn aws_organization_id(&self) -> Option<ID> {
        self.0.aws_organization_id.map(|id| id.to_string().into())
    }
    /// Where the account sits in its organisation (`Root/Workloads/Prod`), as last synced.
    async fn organizational_unit_path(&self) -> Option<&str> {
        self.0.organizational_unit_path.as_deref()
    }
    /// When an organisation sync first found the account gone from its organisation (the
    /// connection and its data are kept); null while it is a member.
    async fn left_organization_at(&self) -> Option<DateTime<Utc>> {
        self.0.left_organization_at
    }
    /// The regions scanned and read (null: every region the account has enabled).
    async fn regions(&self) -> Option<&[String]> {
        self.0.regions.as_deref()
    }
    /// How to create the role: principal, template and launch link.
    async fn setup(&self, ctx: &Context<'_>) -> GqlResult<AwsAccountSetup> {
        principal(ctx)?;
        let state = state(ctx)?;
        let trusted = connect::principal_arn(state).await?;
        let template_url = format!(
            "{}/{}",
            state.config.template_base_url,
            template::TEMPLATE_FILE
        );
        Ok(AwsAccountSetup {
            cloud_formation_template: template::render(&trusted, Some(&self.0.external_id)),
            launch_stack_url: template::launch_stack_url(&template_url, &self.0.external_id),
            trusted_principal_arn: trusted,
        })
    }
}

/// Where a scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "ScanStatus", remote = "vigil_domain::ScanStatus")]
pub enum ScanStatusGql {
    /// Waiting for a worker.
    Queued,
    /// Collecting; `regionsDone` of `regionsTotal` regions are read.
    Running,
    /// Every region and service was read and checked.
    Succeeded,
    /// Finished, but some region or service could not be read (see `problems`); findings
    /// there were neither opened nor resolved.
    Partial,
    /// Could not run (see `error`).
    Failed,
}

/// Something a scan could not read.
#[derive(Debug, Clone, SimpleObject)]
pub struct ScanProblem {
    /// The region, or `global` for account-wide services (IAM, S3).
    pub region: String,
    /// The AWS service, e.g. `ec2`, `rds`.
    pub service: String,
    /// The API call that failed, e.g. `DescribeInstances`.
    pub operation: String,
    /// The AWS error code and message.
    pub message: String,
}

/// One assessment run over one connection.
#[derive(Debug, Clone)]
pub struct ScanGql(pub scans::Scan);

/// What a re-check on change read: only these regions and services, because of these
/// CloudTrail events.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
pub struct RecheckScope {
    /// The regions read.
    pub regions: Vec<String>,
    /// The services read there (Vigil's service names, e.g. `ec2`).
    pub services: Vec<String>,
    /// The events that asked for it (the newest per region and service).
    pub event_ids: Vec<String>,
}

/// One assessment run over one connection.
#[Object(name = "Scan")]
impl ScanGql {
    /// The scan's ID.
    async fn id(&self) -> ID {
        self.0.scan_id.to_string().into()
    }
    /// Where it stands.
    async fn status(&self) -> ScanStatusGql {
        self.0.status.into()
    }
    /// The connection scanned (an `AwsAccount.id`, not the 12-digit AWS account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(&self, ctx: &Context<'_>) -> GqlResult<Option<AwsAccountGql>> {
        AwsAccountGql::load(ctx, self.0.aws_account_id).await
    }
    /// `manual`, `scheduled`, `connect` (the first scan after connecting) or `recheck` (a
    /// targeted re-check of what new CloudTrail write events changed).
    async fn trigger(&self) -> &str {
        &self.0.trigger
    }
    /// For a `recheck`: what it read and why; null for other scans.
    async fn recheck(&self, ctx: &Context<'_>) -> GqlResult<Option<RecheckScope>> {
        if self.0.trigger != "recheck" {
            return Ok(None);
        }
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let scope = vigil_core::store::rechecks::scan_scope(&mut tx, self.0.scan_id).await?;
        let list = |v: &serde_json::Value, key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        Ok(scope.map(|v| RecheckScope {
            regions: list(&v, "regions"),
            services: list(&v, "services"),
            event_ids: list(&v, "events"),
        }))
    }
    /// Enabled regions to scan.
    async fn regions_total(&self) -> i32 {
        self.0.regions_total
    }
    /// Regions read so far.
    async fn regions_done(&self) -> i32 {
        self.0.regions_done
    }
    /// Whether the scan may skip regions unchanged since their last full read (scheduled
    /// scans do; scans started by hand and first scans read everything).
    async fn incremental(&self) -> bool {
        self.0.incremental
    }
    /// Regions whose resource services (EC2, RDS) this scan did not read again: no
    /// successful write call reached them since their last full read, less than a day ago
    /// (their findings and assets keep that read's state). Counted when the scan ends.
    async fn regions_unchanged(&self) -> i32 {
        self.0.regions_unchanged
    }
    /// When the scan was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When a worker started it; null while queued.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it ended (succeeded, partial or failed); null until then.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Why the scan failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// What could not be read (a `PARTIAL` scan).
    async fn problems(&self) -> Vec<ScanProblem> {
        self.0
            .problems
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| ScanProblem {
                        region: p["region"].as_str().unwrap_or_default().to_owned(),
                        service: p["service"].as_str().unwrap_or_default().to_owned(),
                        operation: p["operation"].as_str().unwrap_or_default().to_owned(),
                        message: p["message"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    /// Findings this scan opened (new or back).
    async fn findings_opened(&self) -> i32 {
        self.0.findings_opened
    }
    /// Findings this scan resolved.
    async fn findings_resolved(&self) -> i32 {
        self.0.findings_resolved
    }
    /// Resources inventoried.
    async fn resources_seen(&self) -> i32 {
        self.0.resources_seen
    }
}
