//! Alerts: detections over the accounts' activity, grouped per incident, with the rule's
//! explanation and runbook; acknowledged and closed by analysts and up.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    roles::Permission,
    store::{alerts, audit},
};

use super::{
    context::{account_filter, parse_id, require, state, tenant_tx},
    error::{GqlError, GqlResult},
    pagination::{decode_cursor, page_size, wants_total},
    types::{AwsAccountGql, SeverityGql},
};
use crate::{connection, input::gql_time};

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "AlertStatus", remote = "vigil_domain::AlertStatus")]
pub enum AlertStatusGql {
    /// Nobody has looked at it yet.
    Open,
    /// Someone is on it; new events still join it.
    Acknowledged,
    /// Dealt with; new events raise a new alert.
    Closed,
}

/// A detection: one rule firing for one principal, with every event that joined it.
#[derive(Debug, Clone)]
pub struct AlertGql(pub alerts::Alert);

impl AlertGql {
    /// The rule's description: a built-in's, or the tenant's own rule's (read once per
    /// page, through the request's loader).
    async fn rule(&self, ctx: &Context<'_>) -> GqlResult<Option<RuleOf>> {
        if let Some(meta) = vigil_detect::builtin::meta_by_id(&self.0.rule_id) {
            return Ok(Some(RuleOf::Builtin(meta)));
        }
        Ok(super::loaders::tenant_rule(ctx, &self.0.rule_id)
            .await?
            .map(RuleOf::Tenant))
    }
}

/// An alert's rule: built-in ones live as long as the process, the tenant's are loaded.
enum RuleOf {
    Builtin(&'static vigil_detect::RuleMeta),
    Tenant(std::sync::Arc<vigil_detect::RuleMeta>),
}

impl std::ops::Deref for RuleOf {
    type Target = vigil_detect::RuleMeta;
    fn deref(&self) -> &Self::Target {
        match self {
            Self::Builtin(meta) => meta,
            Self::Tenant(meta) => meta,
        }
    }
}

/// A detection: one rule firing for one principal, with every event that joined it.
#[Object(name = "Alert")]
impl AlertGql {
    /// The alert's ID.
    async fn id(&self) -> ID {
        self.0.alert_id.to_string().into()
    }
    /// The detection rule, e.g. `vigil-cloudtrail-logging-stopped`.
    async fn rule_id(&self) -> &str {
        &self.0.rule_id
    }
    /// The rule's title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The rule's severity.
    async fn severity(&self) -> SeverityGql {
        self.0.severity.into()
    }
    /// Where it stands.
    async fn status(&self) -> AlertStatusGql {
        self.0.status.into()
    }
    /// The connection the events came from (an `AwsAccount.id`, not the 12-digit AWS
    /// account ID).
    async fn aws_account_id(&self) -> ID {
        self.0.aws_account_id.to_string().into()
    }
    /// The connection itself (read once for a whole page).
    async fn aws_account(&self, ctx: &Context<'_>) -> GqlResult<Option<AwsAccountGql>> {
        AwsAccountGql::load(ctx, self.0.aws_account_id).await
    }
    /// The AWS region of the first event.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// The API call of the first event, e.g. `StopLogging`.
    async fn event_name(&self) -> Option<&str> {
        self.0.event_name.as_deref()
    }
    /// The service of the first event, e.g. `cloudtrail.amazonaws.com`.
    async fn event_source(&self) -> Option<&str> {
        self.0.event_source.as_deref()
    }
    /// Who did it.
    async fn principal_arn(&self) -> Option<&str> {
        self.0.principal_arn.as_deref()
    }
    /// From where.
    async fn source_ip_address(&self) -> Option<&str> {
        self.0.source_ip.as_deref()
    }
    /// The account's resource that held the source address at the time, when known.
    async fn source_resource(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.0.source_resource.clone().map(async_graphql::Json)
    }
    /// When the first event of the alert happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.first_seen_at
    }
    /// When the earliest event of the alert happened (CloudTrail's `eventTime`); the same
    /// as `occurredAt`.
    async fn first_seen_at(&self) -> DateTime<Utc> {
        self.0.first_seen_at
    }
    /// When the latest event that joined the alert happened (CloudTrail's `eventTime`).
    async fn last_seen_at(&self) -> DateTime<Utc> {
        self.0.last_seen_at
    }
    /// CloudTrail event ID of the first event.
    async fn event_id(&self) -> &str {
        &self.0.first_event_id
    }
    /// Event IDs that joined the alert (the first 50).
    async fn event_ids(&self) -> &[String] {
        &self.0.event_ids
    }
    /// How many events joined the alert.
    async fn event_count(&self) -> i32 {
        self.0.event_count
    }
    /// Why it matters.
    async fn description(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(self
            .rule(ctx)
            .await?
            .map(|r| r.description.clone())
            .unwrap_or_default())
    }
    /// What to do first.
    async fn runbook(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.rule(ctx).await?.and_then(|r| r.runbook.clone()))
    }
    /// MITRE ATT&CK techniques, e.g. `T1562.008`.
    async fn techniques(&self, ctx: &Context<'_>) -> GqlResult<Vec<String>> {
        Ok(self
            .rule(ctx)
            .await?
            .map(|r| r.techniques())
            .unwrap_or_default())
    }
    /// Who acknowledged or closed it (a user's email or an API key's name).
    async fn acknowledged_by(&self) -> Option<&str> {
        self.0.acknowledged_by.as_deref()
    }
    /// When it was acknowledged.
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    /// When it was closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// For an alert of a sequence rule (several alerts of one principal in order, e.g. a
    /// new address, reconnaissance, then persistence), its steps in the order they
    /// happened, each with its own alert; empty for other alerts.
    async fn sequence_steps(&self, ctx: &Context<'_>) -> GqlResult<Vec<AlertSequenceStep>> {
        if !may_be_sequence(&self.0.rule_id) {
            return Ok(Vec::new());
        }
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let steps = alerts::sequence_steps(&mut tx, self.0.alert_id).await?;
        tx.commit().await?;
        Ok(steps
            .into_iter()
            .map(|(link, alert)| AlertSequenceStep {
                step: link.step.saturating_add(1),
                name: link.step_name,
                occurred_at: link.occurred_at,
                event_id: link.event_id,
                alert: AlertGql(alert),
            })
            .collect())
    }
    /// The sequence alerts this alert is a step of, most recent first (at most 50).
    async fn sequence_alerts(&self, ctx: &Context<'_>) -> GqlResult<Vec<AlertGql>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let found = alerts::sequences_of(&mut tx, self.0.alert_id).await?;
        tx.commit().await?;
        Ok(found.into_iter().map(AlertGql).collect())
    }
}

/// Whether alerts of `rule_id` may link steps: built-in single-event rules and counting
/// correlations never do, so a page of them reads no links.
fn may_be_sequence(rule_id: &str) -> bool {
    vigil_detect::builtin::by_id(rule_id).is_none()
        && vigil_detect::builtin::correlation_by_id(rule_id).is_none()
}

/// One step of a sequence alert.
#[derive(Debug, Clone, SimpleObject)]
pub struct AlertSequenceStep {
    /// The step's position in the sequence rule: 1 for its first step.
    pub step: i32,
    /// The step's name in the rule, e.g. `Reconnaissance` (a rule ID for Sigma's
    /// temporal types).
    pub name: String,
    /// When the step's event happened (CloudTrail's `eventTime`).
    pub occurred_at: DateTime<Utc>,
    /// The CloudTrail event ID of the step's event.
    pub event_id: String,
    /// The step's own alert (it may hold more events than this one).
    pub alert: AlertGql,
}

connection!(AlertConnection, AlertEdge, AlertGql, "alerts");

/// How alerts are ordered, by their latest activity (`lastSeenAt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AlertOrder {
    /// Most recent activity first (the default).
    LastSeenDesc,
    /// Oldest activity first: with `filter.since` set to a checkpoint, a puller reads what
    /// happened since in order and keeps the last `lastSeenAt` as its next checkpoint.
    LastSeenAsc,
}

/// Which alerts to list.
#[derive(Debug, Default, InputObject)]
pub struct AlertFilter {
    /// Only alerts of this connection (an `AwsAccount.id`).
    pub aws_account_id: Option<ID>,
    /// Only alerts with one of these severities.
    pub severity: Option<Vec<SeverityGql>>,
    /// Only alerts in one of these states.
    pub status: Option<Vec<AlertStatusGql>>,
    /// Only alerts whose first event is this API call (exact match, e.g. `StopLogging`).
    pub event_name: Option<String>,
    /// Only alerts of this rule (exact rule ID).
    pub rule_id: Option<String>,
    /// Only alerts of this principal (exact ARN).
    pub principal_arn: Option<String>,
    /// Only alerts from this source (exact match: an address, or an AWS service name).
    pub source_ip_address: Option<String>,
    /// Alerts with activity from this time.
    pub since: Option<DateTime<Utc>>,
    /// Alerts that started before this time.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AlertsQuery;

/// How many alerts began on one day with one severity.
#[derive(Debug, Clone, SimpleObject)]
pub struct AlertDayCount {
    /// The day, YYYY-MM-DD, in the time zone asked for.
    pub day: String,
    /// The alerts' severity.
    pub severity: SeverityGql,
    /// How many alerts began that day with that severity.
    pub count: i32,
}

#[Object]
impl AlertsQuery {
    /// One alert; another organization's ID, or a malformed one, reads as absent.
    async fn alert(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<AlertGql>> {
        let p = require(ctx, Permission::Read)?;
        let Ok(id) = id.parse::<uuid::Uuid>() else {
            return Ok(None);
        };
        let mut tx = tenant_tx(ctx, p).await?;
        Ok(alerts::get(&mut tx, id).await?.map(AlertGql))
    }

    /// Alerts counted per day and severity, by the day their first event happened in
    /// `timeZone` (an IANA name such as "Europe/Paris"; UTC when left out), from `since` on;
    /// days without alerts are left out.
    async fn alert_counts_by_day(
        &self,
        ctx: &Context<'_>,
        since: DateTime<Utc>,
        time_zone: Option<String>,
        aws_account_id: Option<ID>,
    ) -> GqlResult<Vec<AlertDayCount>> {
        let p = require(ctx, Permission::Read)?;
        let account = account_filter(aws_account_id.as_ref())?;
        let since = gql_time("since", Some(since))?.unwrap_or(since);
        let tz = time_zone.unwrap_or_else(|| "UTC".to_owned());
        let unknown_zone = || GqlError::BadInput {
            message: format!("timeZone `{tz}` is not an IANA time zone such as Europe/Paris"),
            field: Some("timeZone".to_owned()),
            line: None,
            reason: None,
        };
        let plausible = !tz.is_empty()
            && tz.len() <= 64
            && tz
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
        if !plausible {
            return Err(unknown_zone());
        }
        let mut tx = tenant_tx(ctx, p).await?;
        let rows = match alerts::counts_by_day(&mut tx, account, since, &tz).await {
            Ok(rows) => rows,
            // 22023 invalid_parameter_value: PostgreSQL does not know the zone.
            Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("22023") => {
                return Err(unknown_zone());
            }
            Err(e) => return Err(e.into()),
        };
        Ok(rows
            .into_iter()
            .map(|(day, severity, count)| AlertDayCount {
                day,
                severity: severity.into(),
                count: i32::try_from(count).unwrap_or(i32::MAX),
            })
            .collect())
    }

    /// Alerts, most recent activity first unless `orderBy` says otherwise.
    #[graphql(complexity = "super::pagination::cost(first, child_complexity)")]
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AlertFilter>,
        #[graphql(
            desc = "The order; LAST_SEEN_DESC when left out. A cursor is valid only with the order it came from."
        )]
        order_by: Option<AlertOrder>,
    ) -> GqlResult<AlertConnection> {
        let p = require(ctx, Permission::Read)?;
        let limit = page_size(first)?;
        let after = after
            .as_deref()
            .map(decode_cursor::<(DateTime<Utc>, uuid::Uuid)>)
            .transpose()?;
        let f = filter.unwrap_or_default();
        let filter = alerts::Filter {
            aws_account_id: account_filter(f.aws_account_id.as_ref())?,
            severities: f.severity.map(|v| v.iter().map(|&s| s.into()).collect()),
            statuses: f.status.map(|v| v.iter().map(|&s| s.into()).collect()),
            event_name: f.event_name,
            rule_id: f.rule_id,
            principal_arn: f.principal_arn,
            source_ip: f.source_ip_address,
            since: gql_time("filter.since", f.since)?,
            until: gql_time("filter.until", f.until)?,
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let order = match order_by.unwrap_or(AlertOrder::LastSeenDesc) {
            AlertOrder::LastSeenAsc => alerts::Order::LastSeenAsc,
            AlertOrder::LastSeenDesc => alerts::Order::LastSeenDesc,
        };
        let rows = alerts::page(&mut tx, &filter, order, after, limit + 1).await?;
        let total = if wants_total(ctx) {
            alerts::count(&mut tx, &filter).await?
        } else {
            0
        };
        Ok(AlertConnection::from_rows(
            rows,
            limit,
            total,
            |a| (a.last_seen_at, a.alert_id),
            AlertGql,
        ))
    }
}

async fn set_status(ctx: &Context<'_>, id: ID, status: AlertStatusGql) -> GqlResult<AlertGql> {
    let p = require(ctx, Permission::TriageAlerts)?;
    let id: uuid::Uuid = parse_id(&id, "alert")?;
    let now = state(ctx)?.clock.now();
    let mut tx = tenant_tx(ctx, p).await?;
    let alert = alerts::set_status(&mut tx, id, status.into(), &p.label, now)
        .await?
        .ok_or(GqlError::NotFound("alert"))?;
    audit::record(
        &mut tx,
        &p.actor(),
        &format!("alert.{}", vigil_domain::AlertStatus::from(status)),
        Some(&alert.title),
        json!({ "alert_id": alert.alert_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(AlertGql(alert))
}

#[derive(Default)]
pub struct AlertsMutation;

#[Object]
impl AlertsMutation {
    /// Marks an alert as being handled (analysts and up).
    async fn acknowledge_alert(&self, ctx: &Context<'_>, id: ID) -> GqlResult<AlertGql> {
        set_status(ctx, id, AlertStatusGql::Acknowledged).await
    }

    /// Closes an alert (analysts and up); later events raise a new one.
    async fn close_alert(&self, ctx: &Context<'_>, id: ID) -> GqlResult<AlertGql> {
        set_status(ctx, id, AlertStatusGql::Closed).await
    }
}
