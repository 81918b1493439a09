//! The assessment: scans, findings (with suppression), the asset inventory with its
//! history, and which resource held an IP address at a given time.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    ids::{AssetId, AwsAccountId, FindingId, ScanId},
    jobs::{self, NewJob},
    roles::Permission,
    store::{assets, audit, aws_accounts, findings, scans},
    tasks::Task,
};

use super::{
    context::{parse_id, require, require_active_plan, state, tenant_tx},
    error::{GqlError, GqlResult},
    pagination::{decode_cursor, page_size},
};
use crate::connection;

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
    async fn aws_account(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<super::accounts::AwsAccountGql>> {
        super::loaders::aws_account(ctx, self.0.aws_account_id).await
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

connection!(ScanConnection, ScanEdge, ScanGql, "scans");

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

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "FindingStatus")]
pub enum FindingStatusGql {
    /// Seen by the last complete check.
    Open,
    /// No longer seen by a complete re-check.
    Resolved,
    /// Accepted by someone, with a reason; survives rescans.
    Suppressed,
}

impl FindingStatusGql {
    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
            Self::Suppressed => "suppressed",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "resolved" => Self::Resolved,
            "suppressed" => Self::Suppressed,
            _ => Self::Open,
        }
    }
}

/// One check failing on one resource.
#[derive(Debug, Clone)]
pub struct FindingGql(pub findings::Finding);

impl FindingGql {
    fn rule(&self) -> Option<&'static vigil_checks::Rule> {
        vigil_checks::rule(&self.0.rule_id)
    }
}

/// One check failing on one resource.
#[Object(name = "Finding")]
impl FindingGql {
    /// The finding's ID.
    async fn id(&self) -> ID {
        self.0.finding_id.to_string().into()
    }
    /// The check, e.g. `ec2-sg-ssh-open`.
    async fn rule_id(&self) -> &str {
        &self.0.rule_id
    }
    /// The check's title.
    async fn title(&self) -> &str {
        self.rule().map_or(self.0.rule_id.as_str(), |r| r.title)
    }
    /// The check's severity.
    async fn severity(&self) -> SeverityGql {
        SeverityGql::parse(&self.0.severity)
    }
    /// Where it stands.
    async fn status(&self) -> FindingStatusGql {
        FindingStatusGql::parse(&self.0.status)
    }
    /// The connection whose account holds the resource (an `AwsAccount.id`, not the
    /// 12-digit AWS account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<super::accounts::AwsAccountGql>> {
        super::loaders::aws_account(ctx, self.0.aws_account_id).await
    }
    /// The region, or `global` for account-wide resources (IAM, S3).
    async fn region(&self) -> &str {
        &self.0.region
    }
    /// The resource's type, e.g. `AWS::S3::Bucket`.
    async fn resource_type(&self) -> &str {
        &self.0.resource_type
    }
    /// The resource's ID in AWS, e.g. a security group ID, a bucket or user name.
    async fn resource_id(&self) -> &str {
        &self.0.resource_id
    }
    /// The resource's ARN, when known.
    async fn resource_arn(&self) -> Option<&str> {
        self.0.resource_arn.as_deref()
    }
    /// Why it matters.
    async fn description(&self) -> &str {
        self.rule().map_or("", |r| r.description)
    }
    /// How to fix it.
    async fn remediation(&self) -> &str {
        self.rule().map_or("", |r| r.remediation)
    }
    /// Compliance references (CIS AWS Foundations Benchmark controls).
    async fn compliance(&self) -> Vec<&'static str> {
        self.rule().map_or_else(Vec::new, |r| r.compliance.to_vec())
    }
    /// What the scan saw (the offending rule, the key's age...).
    async fn evidence(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.evidence.clone())
    }
    /// When a scan first saw it (kept if it resolves and comes back).
    async fn first_seen_at(&self) -> DateTime<Utc> {
        self.0.first_seen_at
    }
    /// When a scan last saw it.
    async fn last_seen_at(&self) -> DateTime<Utc> {
        self.0.last_seen_at
    }
    /// When a complete re-check stopped seeing it; null while it is still seen. Kept up to
    /// date while the finding is suppressed.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// Why it was suppressed; null unless it is suppressed.
    async fn suppressed_reason(&self) -> Option<&str> {
        self.0.suppressed_reason.as_deref()
    }
    /// When the suppression ends by itself.
    async fn suppressed_until(&self) -> Option<DateTime<Utc>> {
        self.0.suppressed_until
    }
    /// Who suppressed it.
    async fn suppressed_by(&self) -> Option<&str> {
        self.0.suppressed_by.as_deref()
    }
}

connection!(FindingConnection, FindingEdge, FindingGql, "findings");

/// How findings are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum FindingOrder {
    /// Most severe first, then most recently seen (the default).
    Severity,
    /// Most recently seen by a scan first.
    LastSeen,
    /// Most recently opened first: the newest findings.
    FirstSeen,
}

impl From<FindingOrder> for findings::Order {
    fn from(o: FindingOrder) -> Self {
        match o {
            FindingOrder::Severity => Self::Severity,
            FindingOrder::LastSeen => Self::LastSeen,
            FindingOrder::FirstSeen => Self::FirstSeen,
        }
    }
}

/// Which findings to list.
#[derive(Debug, Default, InputObject)]
pub struct FindingFilter {
    /// Only findings of this connection (an `AwsAccount.id`).
    pub aws_account_id: Option<ID>,
    /// Only findings with one of these severities.
    pub severity: Option<Vec<SeverityGql>>,
    /// Only findings in one of these states.
    pub status: Option<Vec<FindingStatusGql>>,
    /// Only findings of this check (exact match, e.g. `ec2-sg-ssh-open`).
    pub rule_id: Option<String>,
    /// Only findings on this resource (exact match on `resourceId`).
    pub resource_id: Option<String>,
    /// Only findings in this region (exact match; `global` for account-wide resources).
    pub region: Option<String>,
}

/// Open findings by severity.
#[derive(Debug, Clone, SimpleObject)]
pub struct SeverityCount {
    /// The severity.
    pub severity: SeverityGql,
    /// Open findings of this severity.
    pub count: i64,
}

/// Open findings of one check.
#[derive(Debug, Clone, SimpleObject)]
pub struct RuleCount {
    /// The check, e.g. `ec2-sg-ssh-open`.
    pub rule_id: String,
    /// The check's title.
    pub title: String,
    /// The check's severity.
    pub severity: SeverityGql,
    /// Open findings of this check.
    pub count: i64,
}

/// Open findings counted.
#[derive(Debug, Clone, SimpleObject)]
pub struct FindingSummary {
    /// All open findings.
    pub total: i64,
    /// Most severe first.
    pub by_severity: Vec<SeverityCount>,
    /// The checks failing most first.
    pub by_rule: Vec<RuleCount>,
}

/// A resource in the inventory.
#[derive(Debug, Clone)]
pub struct AssetGql(pub assets::Asset);

/// One change of a resource's configuration between scans.
#[derive(Debug, Clone, SimpleObject)]
pub struct AssetChange {
    /// `created`, `modified` or `deleted`.
    pub kind: String,
    /// When the change was seen: the time of the scan that saw it.
    pub changed_at: DateTime<Utc>,
    /// The scan that saw the change.
    pub scan_id: Option<ID>,
    /// The configuration from this change on.
    pub configuration: Option<async_graphql::Json<serde_json::Value>>,
}

/// A resource in the inventory.
#[Object(name = "Asset")]
impl AssetGql {
    /// The asset's ID.
    async fn id(&self) -> ID {
        self.0.asset_id.to_string().into()
    }
    /// The connection whose account holds the resource (an `AwsAccount.id`, not the
    /// 12-digit AWS account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<super::accounts::AwsAccountGql>> {
        super::loaders::aws_account(ctx, self.0.aws_account_id).await
    }
    /// The region, or `global` for account-wide resources (IAM, S3).
    async fn region(&self) -> &str {
        &self.0.region
    }
    /// The resource's type, e.g. `AWS::EC2::Instance`.
    async fn resource_type(&self) -> &str {
        &self.0.resource_type
    }
    /// The resource's ID in AWS, e.g. an instance ID, a bucket or user name.
    async fn resource_id(&self) -> &str {
        &self.0.resource_id
    }
    /// The resource's ARN, when the scan records one.
    async fn resource_arn(&self) -> Option<&str> {
        self.0.resource_arn.as_deref()
    }
    /// The configuration as last seen.
    async fn configuration(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.configuration.clone())
    }
    /// The resource's AWS tags as a JSON object of key to value (`{}` when none are
    /// recorded).
    async fn tags(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.tags.clone())
    }
    /// When a scan first saw it.
    async fn first_seen_at(&self) -> DateTime<Utc> {
        self.0.first_seen_at
    }
    /// When a scan last saw it.
    async fn last_seen_at(&self) -> DateTime<Utc> {
        self.0.last_seen_at
    }
    /// When a complete scan stopped seeing it.
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    /// Its changes, newest first.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn changes(&self, ctx: &Context<'_>, first: Option<i32>) -> GqlResult<Vec<AssetChange>> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = assets::changes(&mut tx, p.tenant_id, self.0.asset_id, limit).await?;
        Ok(rows
            .into_iter()
            .map(|c| AssetChange {
                kind: c.kind,
                changed_at: c.changed_at,
                scan_id: c.scan_id.map(|s| s.to_string().into()),
                configuration: c.configuration.map(async_graphql::Json),
            })
            .collect())
    }
}

connection!(AssetConnection, AssetEdge, AssetGql, "assets");

/// How assets are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AssetOrder {
    /// By resource type, region and resource ID (the default).
    Type,
    /// Most recently discovered first: resources that appeared in the accounts lately.
    FirstSeen,
    /// Most recently seen by a scan first.
    LastSeen,
}

impl From<AssetOrder> for assets::Order {
    fn from(o: AssetOrder) -> Self {
        match o {
            AssetOrder::Type => Self::Type,
            AssetOrder::FirstSeen => Self::FirstSeen,
            AssetOrder::LastSeen => Self::LastSeen,
        }
    }
}

/// Which assets to list.
#[derive(Debug, Default, InputObject)]
pub struct AssetFilter {
    /// Only resources of this connection (an `AwsAccount.id`).
    pub aws_account_id: Option<ID>,
    /// e.g. `AWS::EC2::Instance`.
    pub resource_type: Option<String>,
    /// Only resources in this region (exact match; `global` for IAM and S3).
    pub region: Option<String>,
    /// Also list resources that no longer exist.
    pub include_deleted: Option<bool>,
}

/// A resource that held an address, and when.
#[derive(Debug, Clone, SimpleObject)]
pub struct ResourceAtIp {
    /// The resource.
    pub asset: AssetGql,
    /// The address.
    pub ip: String,
    /// A public (internet) address rather than a private one.
    pub public: bool,
    /// First scan that saw it hold the address.
    pub held_from: DateTime<Utc>,
    /// First scan that saw it no longer hold it (null: still holds it).
    pub held_until: Option<DateTime<Utc>>,
}

pub(crate) fn account_filter(id: Option<&ID>) -> GqlResult<Option<AwsAccountId>> {
    id.map(|i| {
        i.parse::<AwsAccountId>()
            .map_err(|_| GqlError::bad_input("awsAccountId is not an ID from this API"))
    })
    .transpose()
}

#[derive(Default)]
pub struct AssessmentQuery;

#[Object]
impl AssessmentQuery {
    /// One scan; null when absent (or another tenant's).
    async fn scan(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<ScanGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<ScanId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(scans::get(&mut tx, p.tenant_id, id).await?.map(ScanGql))
    }

    /// Scans, newest first, optionally of one connection.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn scans(
        &self,
        ctx: &Context<'_>,
        aws_account_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<ScanConnection> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(decode_cursor::<(DateTime<Utc>, ScanId)>)
            .transpose()?;
        let account = account_filter(aws_account_id.as_ref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        let (rows, total) = scans::page(&mut tx, p.tenant_id, account, after, limit + 1).await?;
        Ok(ScanConnection::from_rows(
            rows,
            limit,
            total,
            |s| (s.created_at, s.scan_id),
            ScanGql,
        ))
    }

    /// Findings, most severe first then most recently seen, unless `orderBy` says otherwise.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn findings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<FindingFilter>,
        #[graphql(
            desc = "The order; SEVERITY when left out. A cursor is valid only with the order it came from."
        )]
        order_by: Option<FindingOrder>,
    ) -> GqlResult<FindingConnection> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let order = order_by.map_or(findings::Order::Severity, Into::into);
        let after = after
            .as_deref()
            .map(decode_cursor::<findings::Cursor>)
            .transpose()?;
        if after.as_ref().is_some_and(|c| !order.made(c)) {
            return Err(GqlError::bad_input("after is a cursor of another orderBy"));
        }
        let filter = filter.unwrap_or_default();
        let f = findings::Filter {
            aws_account_id: account_filter(filter.aws_account_id.as_ref())?,
            severities: filter
                .severity
                .map(|v| v.iter().map(|s| s.as_str().to_owned()).collect()),
            statuses: filter
                .status
                .map(|v| v.iter().map(|s| s.as_str().to_owned()).collect()),
            rule_id: filter.rule_id,
            resource_id: filter.resource_id,
            region: filter.region,
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let (rows, total) =
            findings::page(&mut tx, p.tenant_id, &f, order, after, limit + 1).await?;
        Ok(FindingConnection::from_rows(
            rows,
            limit,
            total,
            |(rank, f)| order.cursor(*rank, f),
            |(_, f)| FindingGql(f),
        ))
    }

    /// One finding; null when absent (or another tenant's).
    async fn finding(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<FindingGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<FindingId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(findings::get(&mut tx, p.tenant_id, id)
            .await?
            .map(FindingGql))
    }

    /// Open findings counted by severity and by check.
    async fn finding_summary(
        &self,
        ctx: &Context<'_>,
        aws_account_id: Option<ID>,
    ) -> GqlResult<FindingSummary> {
        let p = require(ctx, Permission::Read)?;
        let account = account_filter(aws_account_id.as_ref())?;
        let mut tx = tenant_tx(ctx, p).await?;
        let (by_severity, by_rule) = findings::summary(&mut tx, p.tenant_id, account).await?;
        Ok(FindingSummary {
            total: by_severity.iter().map(|(_, n)| n).sum(),
            by_severity: by_severity
                .into_iter()
                .map(|(s, count)| SeverityCount {
                    severity: SeverityGql::parse(&s),
                    count,
                })
                .collect(),
            by_rule: by_rule
                .into_iter()
                .map(|(rule_id, severity, count)| RuleCount {
                    title: vigil_checks::rule(&rule_id)
                        .map_or_else(|| rule_id.clone(), |r| r.title.to_owned()),
                    rule_id,
                    severity: SeverityGql::parse(&severity),
                    count,
                })
                .collect(),
        })
    }

    /// The asset inventory by type, region and ID, unless `orderBy` says otherwise.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn assets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AssetFilter>,
        #[graphql(
            desc = "The order; TYPE when left out. A cursor is valid only with the order it came from."
        )]
        order_by: Option<AssetOrder>,
    ) -> GqlResult<AssetConnection> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let order = order_by.map_or(assets::Order::Type, Into::into);
        let after = after
            .as_deref()
            .map(decode_cursor::<assets::Cursor>)
            .transpose()?;
        if after.as_ref().is_some_and(|c| !order.made(c)) {
            return Err(GqlError::bad_input("after is a cursor of another orderBy"));
        }
        let filter = filter.unwrap_or_default();
        let f = assets::Filter {
            aws_account_id: account_filter(filter.aws_account_id.as_ref())?,
            resource_type: filter.resource_type,
            region: filter.region,
            include_deleted: filter.include_deleted.unwrap_or(false),
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let (rows, total) = assets::page(&mut tx, p.tenant_id, &f, order, after, limit + 1).await?;
        Ok(AssetConnection::from_rows(
            rows,
            limit,
            total,
            |a| order.cursor(a),
            AssetGql,
        ))
    }

    /// One asset with its history; null when absent (or another tenant's).
    async fn asset(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<AssetGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<AssetId>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(assets::get(&mut tx, p.tenant_id, id).await?.map(AssetGql))
    }

    /// The resources of the tenant's accounts that held `ip` at `at` (default: now).
    async fn resources_by_ip(
        &self,
        ctx: &Context<'_>,
        ip: String,
        at: Option<DateTime<Utc>>,
    ) -> GqlResult<Vec<ResourceAtIp>> {
        let p = require(ctx, Permission::Read)?;
        let ip: std::net::IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| GqlError::bad_input("ip is not an IPv4 or IPv6 address"))?;
        let at = at.unwrap_or_else(|| {
            state(ctx)
                .map(|s| s.clock.now())
                .unwrap_or_else(|_| Utc::now())
        });
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = assets::by_ip(&mut tx, p.tenant_id, &ip.to_string(), at).await?;
        Ok(rows
            .into_iter()
            .map(|h| ResourceAtIp {
                asset: AssetGql(h.asset),
                ip: h.ip,
                public: h.public,
                held_from: h.seen_from,
                held_until: h.seen_until,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct AssessmentMutation;

#[Object]
impl AssessmentMutation {
    /// Scans a connected account now (owners and admins). When a scan of it is already
    /// queued or running, returns that one.
    async fn start_scan(&self, ctx: &Context<'_>, aws_account_id: ID) -> GqlResult<ScanGql> {
        let p = require(ctx, Permission::ManageAccounts)?;
        let id: AwsAccountId = parse_id(&aws_account_id, "AWS account")?;
        require_active_plan(ctx, p).await?;
        let mut tx = tenant_tx(ctx, p).await?;
        let account = aws_accounts::get(&mut tx, p.tenant_id, id)
            .await?
            .ok_or(GqlError::NotFound("AWS account"))?;
        if account.role_arn.is_none() {
            return Err(GqlError::bad_input(
                "verify the account's role before scanning it",
            ));
        }
        if let Some(active) = scans::active(&mut tx, p.tenant_id, id).await? {
            return Ok(ScanGql(active));
        }
        let scan = scans::insert(&mut tx, p.tenant_id, id, "manual").await?;
        let task = Task::ScanAccount {
            tenant_id: p.tenant_id,
            aws_account_id: id,
            scan_id: Some(scan.scan_id),
        };
        let key = task.unique_key().unwrap_or_default();
        jobs::enqueue(&mut tx, NewJob::new(task).tenant(p.tenant_id).unique(key)).await?;
        tx.commit().await?;
        Ok(ScanGql(scan))
    }

    /// Suppresses a finding (analysts and up): it stays suppressed across rescans until
    /// `until` (if given) or `unsuppressFinding`.
    async fn suppress_finding(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        until: Option<DateTime<Utc>>,
    ) -> GqlResult<FindingGql> {
        let p = require(ctx, Permission::TriageFindings)?;
        let id: FindingId = parse_id(&id, "finding")?;
        let reason = reason.trim().to_owned();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(GqlError::bad_input("reason must be 1 to 1000 characters"));
        }
        if until.is_some_and(|u| {
            u <= state(ctx)
                .map(|s| s.clock.now())
                .unwrap_or_else(|_| Utc::now())
        }) {
            return Err(GqlError::bad_input("until must be in the future"));
        }
        let mut tx = tenant_tx(ctx, p).await?;
        let f = findings::suppress(&mut tx, p.tenant_id, id, &reason, until, &p.label)
            .await?
            .ok_or(GqlError::NotFound("finding"))?;
        audit::record(
            &mut tx,
            p.tenant_id,
            &p.actor(),
            "finding.suppressed",
            Some(&format!("{} {}", f.rule_id, f.resource_id)),
            json!({ "finding_id": f.finding_id, "reason": reason, "until": until }),
        )
        .await?;
        tx.commit().await?;
        Ok(FindingGql(f))
    }

    /// Lifts a suppression (analysts and up).
    async fn unsuppress_finding(&self, ctx: &Context<'_>, id: ID) -> GqlResult<FindingGql> {
        let p = require(ctx, Permission::TriageFindings)?;
        let id: FindingId = parse_id(&id, "finding")?;
        let mut tx = tenant_tx(ctx, p).await?;
        let f = findings::unsuppress(&mut tx, p.tenant_id, id)
            .await?
            .ok_or(GqlError::NotFound("finding"))?;
        audit::record(
            &mut tx,
            p.tenant_id,
            &p.actor(),
            "finding.unsuppressed",
            Some(&format!("{} {}", f.rule_id, f.resource_id)),
            json!({ "finding_id": f.finding_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(FindingGql(f))
    }
}
