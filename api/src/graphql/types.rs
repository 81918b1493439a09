//! GraphQL enums and objects shared across domains: roles, plans and severities, and the
//! two objects that refer to each other (a connection's newest scan, a scan's connection)
//! and that most domains return.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use vigil_core::{
    aws::template,
    ids::AwsAccountId,
    roles::Role,
    store::{
        aws_accounts, scans,
        tenants::{Plan, Tenant},
    },
};

use super::{
    context::{principal, state},
    error::GqlResult,
    loaders,
};
use crate::connect;

/// A member's (or API key's) role in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Role")]
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

impl From<Role> for RoleGql {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Analyst => Self::Analyst,
            Role::Viewer => Self::Viewer,
        }
    }
}

impl From<RoleGql> for Role {
    fn from(r: RoleGql) -> Self {
        match r {
            RoleGql::Owner => Self::Owner,
            RoleGql::Admin => Self::Admin,
            RoleGql::Analyst => Self::Analyst,
            RoleGql::Viewer => Self::Viewer,
        }
    }
}

/// Parses a stored role name (always valid: the column has a check constraint).
pub fn stored_role(s: &str) -> RoleGql {
    s.parse::<Role>().map_or(RoleGql::Viewer, RoleGql::from)
}

/// A tenant's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Plan")]
pub enum PlanGql {
    /// The 15-day free trial.
    Trial,
    /// A paid plan.
    Active,
    /// The trial ended: data stays readable; scans, ingestion and new connections stop.
    Expired,
}

impl From<Plan> for PlanGql {
    fn from(p: Plan) -> Self {
        match p {
            Plan::Trial => Self::Trial,
            Plan::Active => Self::Active,
            Plan::Expired => Self::Expired,
        }
    }
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
#[graphql(name = "Severity")]
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

impl SeverityGql {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Info => "info",
        }
    }
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "critical" => Self::Critical,
            "high" => Self::High,
            "medium" => Self::Medium,
            "low" => Self::Low,
            _ => Self::Info,
        }
    }
}

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "AwsAccountStatus")]
pub enum AwsAccountStatusGql {
    /// Created; waiting for the customer's role to be verified.
    Pending,
    /// Vigil can assume the role.
    Connected,
    /// The last attempt to use the role failed; `error` says why.
    Error,
}

fn status(s: &str) -> AwsAccountStatusGql {
    match s {
        "connected" => AwsAccountStatusGql::Connected,
        "error" => AwsAccountStatusGql::Error,
        _ => AwsAccountStatusGql::Pending,
    }
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
    /// valid CloudTrail digest vouches for, not stored) or `TRAIL_DIGEST_INVALID` (a digest
    /// whose signature does not verify).
    pub kind: String,
    /// The latest occurrence, explained.
    pub message: String,
    /// How many times it happened (records kept out, or changes seen).
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
        status(&self.0.status)
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
#[graphql(name = "ScanStatus")]
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

fn scan_status(s: &str) -> ScanStatusGql {
    match s {
        "running" => ScanStatusGql::Running,
        "succeeded" => ScanStatusGql::Succeeded,
        "partial" => ScanStatusGql::Partial,
        "failed" => ScanStatusGql::Failed,
        _ => ScanStatusGql::Queued,
    }
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

/// One assessment run over one connection.
#[Object(name = "Scan")]
impl ScanGql {
    /// The scan's ID.
    async fn id(&self) -> ID {
        self.0.scan_id.to_string().into()
    }
    /// Where it stands.
    async fn status(&self) -> ScanStatusGql {
        scan_status(&self.0.status)
    }
    /// The connection scanned (an `AwsAccount.id`, not the 12-digit AWS account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(&self, ctx: &Context<'_>) -> GqlResult<Option<AwsAccountGql>> {
        AwsAccountGql::load(ctx, self.0.aws_account_id).await
    }
    /// `manual`, `scheduled` or `connect` (the first scan after connecting).
    async fn trigger(&self) -> &str {
        &self.0.trigger
    }
    /// Enabled regions to scan.
    async fn regions_total(&self) -> i32 {
        self.0.regions_total
    }
    /// Regions read so far.
    async fn regions_done(&self) -> i32 {
        self.0.regions_done
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
