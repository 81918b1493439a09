//! Findings: a check failing on one resource; listed, counted, read, and suppressed or
//! unsuppressed by analysts and up.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    ids::FindingId,
    roles::Permission,
    store::{audit, findings},
};

use super::{
    context::{account_filter, parse_id, require, state, tenant_tx},
    error::{GqlError, GqlResult},
    pagination::{decode_cursor, page_size, wants_total},
    types::{AwsAccountGql, SeverityGql},
};
use crate::{connection, input::gql_time};

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "FindingStatus", remote = "vigil_domain::FindingStatus")]
pub enum FindingStatusGql {
    /// Seen by the last complete check.
    Open,
    /// No longer seen by a complete re-check.
    Resolved,
    /// Accepted by someone, with a reason; survives rescans.
    Suppressed,
}

/// A CloudTrail event that changed a finding's resource before the finding opened or
/// resolved.
#[derive(Debug, Clone, SimpleObject)]
pub struct FindingChange {
    /// `OPENED` (opened or reopened) or `RESOLVED`: what the evaluation after it did.
    pub transition: String,
    /// When that evaluation ran.
    pub evaluated_at: DateTime<Utc>,
    /// The CloudTrail event ID (the activity log shows the event under it).
    pub event_id: String,
    /// When the call was made.
    pub occurred_at: DateTime<Utc>,
    /// The API call, e.g. `AuthorizeSecurityGroupIngress`.
    pub event_name: String,
    /// The service it was made to, e.g. `ec2.amazonaws.com`.
    pub event_source: String,
    /// The region it was made in.
    pub region: String,
    /// Who made the call.
    pub principal_arn: Option<String>,
    /// From where.
    pub source_ip_address: Option<String>,
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
        self.0.severity.into()
    }
    /// Where it stands.
    async fn status(&self) -> FindingStatusGql {
        self.0.status.into()
    }
    /// The connection whose account holds the resource (an `AwsAccount.id`, not the
    /// 12-digit AWS account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(&self, ctx: &Context<'_>) -> GqlResult<Option<AwsAccountGql>> {
        AwsAccountGql::load(ctx, self.0.aws_account_id).await
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
    /// The CloudTrail events that changed the resource between the evaluation before and
    /// the one that opened, reopened or resolved the finding: who, when, from where (newest
    /// evaluation first). Empty when no such event was stored (or the finding's first
    /// evaluation).
    async fn changes(&self, ctx: &Context<'_>) -> GqlResult<Vec<FindingChange>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let list = findings::changes(&mut tx, self.0.finding_id).await?;
        Ok(list
            .into_iter()
            .map(|c| FindingChange {
                transition: c.transition.to_uppercase(),
                evaluated_at: c.evaluated_at,
                event_id: c.event_id,
                occurred_at: c.occurred_at,
                event_name: c.event_name,
                event_source: c.event_source,
                region: c.region,
                principal_arn: c.principal_arn,
                source_ip_address: c.source_ip,
            })
            .collect())
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

/// Reads and counts findings.
#[derive(Default)]
pub struct FindingsQuery;

#[Object]
impl FindingsQuery {
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
                .map(|v| v.iter().map(|&s| s.into()).collect()),
            statuses: filter.status.map(|v| v.iter().map(|&s| s.into()).collect()),
            rule_id: filter.rule_id,
            resource_id: filter.resource_id,
            region: filter.region,
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = findings::page(&mut tx, &f, order, after, limit + 1).await?;
        let total = if wants_total(ctx) {
            findings::count(&mut tx, &f).await?
        } else {
            0
        };
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
        Ok(findings::get(&mut tx, id).await?.map(FindingGql))
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
        let (by_severity, by_rule) = findings::summary(&mut tx, account).await?;
        Ok(FindingSummary {
            total: by_severity.iter().map(|(_, n)| n).sum(),
            by_severity: by_severity
                .into_iter()
                .map(|(s, count)| SeverityCount {
                    severity: s.into(),
                    count,
                })
                .collect(),
            by_rule: by_rule
                .into_iter()
                .map(|(rule_id, severity, count)| RuleCount {
                    title: vigil_checks::rule(&rule_id)
                        .map_or_else(|| rule_id.clone(), |r| r.title.to_owned()),
                    rule_id,
                    severity: severity.into(),
                    count,
                })
                .collect(),
        })
    }
}

/// Suppresses and unsuppresses findings.
#[derive(Default)]
pub struct FindingsMutation;

#[Object]
impl FindingsMutation {
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
        let until = gql_time("until", until)?;
        if until.is_some_and(|u| {
            u <= state(ctx)
                .map(|s| s.clock.now())
                .unwrap_or_else(|_| Utc::now())
        }) {
            return Err(GqlError::bad_input("until must be in the future"));
        }
        let mut tx = tenant_tx(ctx, p).await?;
        let f = findings::suppress(&mut tx, id, &reason, until, &p.label)
            .await?
            .ok_or(GqlError::NotFound("finding"))?;
        audit::record(
            &mut tx,
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
        let f = findings::unsuppress(&mut tx, id)
            .await?
            .ok_or(GqlError::NotFound("finding"))?;
        audit::record(
            &mut tx,
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
