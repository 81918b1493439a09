//! Detection rules: the built-in ones, and the tenant's own Sigma rules, which owners and
//! admins add, change, disable and dry-run against recent events.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    roles::Permission,
    store::{audit, detection_rules},
};
use vigil_detect::{Level, Rule, RuleMeta};

use super::{
    context::{parse_id, require, require_active_plan, state, tenant_tx},
    error::{GqlError, GqlResult},
    types::SeverityGql,
};
use crate::input::gql_time;

/// Most events a dry run looks at.
const DRY_RUN_MAX: i64 = 10_000;
/// How long a dry run may match before it answers with what it has (`complete: false`).
const DRY_RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);
/// Rule compilations and dry runs running at once in this process; the rest wait. They
/// are CPU-bound, so they run on the blocking pool, never on a runtime thread, and this
/// keeps a flood of them from taking every core from the other requests.
static CPU_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs CPU-bound rule work on the blocking pool, at most [`CPU_PERMITS`] at a time.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> GqlResult<T> {
    let permit = CPU_PERMITS.acquire().await.map_err(GqlError::internal)?;
    // The permit moves into the task: a caller that goes away does not free it early.
    tokio::task::spawn_blocking(move || {
        let _held = permit;
        work()
    })
    .await
    .map_err(GqlError::internal)
}

fn severity(level: Level) -> SeverityGql {
    level.severity().into()
}

/// Compiles tenant YAML off the runtime threads, turning errors into `BAD_USER_INPUT`
/// with the line and field.
async fn compile(yaml: &str) -> GqlResult<Rule> {
    let owned = yaml.to_owned();
    bounded(move || Rule::compile(&owned))
        .await?
        .map_err(|e| GqlError::BadInput {
            message: format!("the rule cannot be used: {e}"),
            field: Some(e.field.clone()),
            line: e.line.map(|l| l as i64),
            reason: None,
        })
}

/// A detection rule.
#[derive(Debug, Clone, SimpleObject)]
pub struct DetectionRule {
    /// The rule's ID (a Sigma `id`, or `tenant:<uuid>` for the tenant's own rules).
    pub id: ID,
    /// The rule's name (Sigma `title`).
    pub title: String,
    /// Why it matters (Sigma `description`).
    pub description: String,
    /// Its severity, from the Sigma `level`.
    pub severity: SeverityGql,
    /// MITRE ATT&CK techniques.
    pub techniques: Vec<String>,
    /// What to do first when it fires (Vigil's `runbook` field; optional for tenant rules).
    pub runbook: Option<String>,
    /// Shipped with Vigil (read-only) rather than written by the tenant.
    pub builtin: bool,
    /// Whether it runs on new events (built-in rules always do).
    pub enabled: bool,
    /// The Sigma YAML.
    pub yaml: String,
    /// When the tenant's rule was last changed; null for built-in rules.
    pub updated_at: Option<DateTime<Utc>>,
}

impl DetectionRule {
    fn from_builtin(r: &RuleMeta) -> Self {
        Self {
            id: r.id.clone().into(),
            title: r.title.clone(),
            description: r.description.clone(),
            severity: severity(r.level),
            techniques: r.techniques(),
            runbook: r.runbook.clone(),
            builtin: true,
            enabled: true,
            yaml: r.source.clone(),
            updated_at: None,
        }
    }

    fn from_tenant(stored: detection_rules::StoredRule, compiled: Option<&Rule>) -> Self {
        Self {
            id: format!("tenant:{}", stored.rule_id).into(),
            title: stored.title,
            description: compiled.map(|r| r.description.clone()).unwrap_or_default(),
            severity: compiled.map_or(SeverityGql::Medium, |r| severity(r.level)),
            techniques: compiled.map(|r| r.techniques()).unwrap_or_default(),
            runbook: compiled.and_then(|r| r.runbook.clone()),
            builtin: false,
            enabled: stored.enabled,
            yaml: stored.yaml,
            updated_at: Some(stored.updated_at),
        }
    }
}

/// What a dry run found.
#[derive(Debug, Clone, SimpleObject)]
pub struct DetectionRuleTest {
    /// Events looked at: the tenant's most recent since `since`, Vigil's own calls
    /// excepted, and only those of the eventNames the rule can match when it names them
    /// (so such a rule is tried on its whole window, up to `limit` events of those names).
    pub scanned: i64,
    /// CloudTrail event IDs that matched, newest first (at most 100).
    pub matched_event_ids: Vec<String>,
    /// How many matched in all.
    pub matched: i64,
    /// False when the time budget (5 s) ran out first: `scanned` says how far it got.
    pub complete: bool,
}

/// Matches the records (newest first) until the deadline.
fn dry_run(
    rule: &Rule,
    records: &[(String, DateTime<Utc>, serde_json::Value)],
    deadline: std::time::Instant,
) -> DetectionRuleTest {
    let mut hits = Vec::new();
    let mut scanned = 0;
    for (id, _, raw) in records {
        if std::time::Instant::now() >= deadline {
            break;
        }
        scanned += 1;
        if rule.matches(raw) {
            hits.push(id.clone());
        }
    }
    DetectionRuleTest {
        scanned: scanned as i64,
        matched: hits.len() as i64,
        complete: scanned == records.len(),
        matched_event_ids: hits.into_iter().take(100).collect(),
    }
}

fn tenant_rule_id(id: &ID) -> GqlResult<uuid::Uuid> {
    parse_id(
        &ID::from(id.strip_prefix("tenant:").unwrap_or(id.as_str())),
        "detection rule",
    )
}

#[derive(Default)]
pub struct RulesQuery;

#[Object]
impl RulesQuery {
    /// Every detection rule: the built-in ones, then the tenant's.
    async fn detection_rules(&self, ctx: &Context<'_>) -> GqlResult<Vec<DetectionRule>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let own = detection_rules::list(&mut tx, false).await?;
        let builtin = vigil_detect::builtin::all().iter().map(|r| &r.meta);
        let correlations = vigil_detect::builtin::correlations()
            .iter()
            .map(|c| &c.meta);
        let mut out: Vec<DetectionRule> = builtin
            .chain(correlations)
            .map(DetectionRule::from_builtin)
            .collect();
        out.extend(own.into_iter().map(|s| {
            let compiled = Rule::compile(&s.yaml).ok();
            DetectionRule::from_tenant(s, compiled.as_ref())
        }));
        Ok(out)
    }

    /// Dry-runs a rule (YAML, not saved) against the tenant's recent events, for at most
    /// 5 seconds (see `complete`).
    async fn test_detection_rule(
        &self,
        ctx: &Context<'_>,
        yaml: String,
        since: Option<DateTime<Utc>>,
        limit: Option<i32>,
    ) -> GqlResult<DetectionRuleTest> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        require_active_plan(ctx, p).await?;
        let rule = compile(&yaml).await?;
        let now = state(ctx)?.clock.now();
        let since = gql_time("since", since)?.unwrap_or(now - chrono::Duration::days(7));
        let limit = i64::from(limit.unwrap_or(DRY_RUN_MAX as i32)).clamp(1, DRY_RUN_MAX);
        let mut tx = tenant_tx(ctx, p).await?;
        let names = rule
            .event_names()
            .map(|n| n.iter().cloned().collect::<Vec<_>>());
        let records = detection_rules::recent_records(&mut tx, since, names, limit).await?;
        drop(tx);
        bounded(move || dry_run(&rule, &records, std::time::Instant::now() + DRY_RUN_BUDGET)).await
    }
}

#[derive(Default)]
pub struct RulesMutation;

#[Object]
impl RulesMutation {
    /// Adds a Sigma rule for the tenant's CloudTrail (owners and admins). Invalid YAML or
    /// unsupported constructs answer `BAD_USER_INPUT` with `extensions.line` and `field`.
    async fn create_detection_rule(
        &self,
        ctx: &Context<'_>,
        yaml: String,
    ) -> GqlResult<DetectionRule> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let rule = compile(&yaml).await?;
        let mut tx = tenant_tx(ctx, p).await?;
        let stored = detection_rules::insert(&mut tx, &rule.title, &yaml, &p.label).await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "detection_rule.created",
            Some(&rule.title),
            json!({ "rule_id": stored.rule_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(DetectionRule::from_tenant(stored, Some(&rule)))
    }

    /// Changes a tenant rule's YAML and/or turns it on or off (owners and admins).
    async fn update_detection_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        yaml: Option<String>,
        enabled: Option<bool>,
    ) -> GqlResult<DetectionRule> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let id = tenant_rule_id(&id)?;
        let compiled = match yaml.as_deref() {
            Some(y) => Some(compile(y).await?),
            None => None,
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let stored = detection_rules::update(
            &mut tx,
            id,
            compiled
                .as_ref()
                .zip(yaml.as_deref())
                .map(|(r, y)| (r.title.as_str(), y)),
            enabled,
        )
        .await?
        .ok_or(GqlError::NotFound("detection rule"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "detection_rule.updated",
            Some(&stored.title),
            json!({ "rule_id": id, "enabled": enabled }),
        )
        .await?;
        tx.commit().await?;
        let compiled = compiled.or_else(|| Rule::compile(&stored.yaml).ok());
        Ok(DetectionRule::from_tenant(stored, compiled.as_ref()))
    }

    /// Deletes a tenant rule (owners and admins).
    async fn delete_detection_rule(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let rule_id = tenant_rule_id(&id)?;
        let mut tx = tenant_tx(ctx, p).await?;
        if !detection_rules::delete(&mut tx, rule_id).await? {
            return Err(GqlError::NotFound("detection rule"));
        }
        audit::record(
            &mut tx,
            &p.actor(),
            "detection_rule.deleted",
            None,
            json!({ "rule_id": rule_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_dry_run_stops_at_its_deadline_and_says_it_is_incomplete() {
        let rule = Rule::compile(
            "title: T\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: StopLogging}\n  condition: sel\n",
        )
        .unwrap();
        let records: Vec<_> = (0..3)
            .map(|i| {
                (
                    format!("e{i}"),
                    Utc::now(),
                    json!({ "eventName": "StopLogging" }),
                )
            })
            .collect();
        let done = dry_run(&rule, &records, Instant::now() + Duration::from_secs(60));
        assert_eq!((done.scanned, done.matched, done.complete), (3, 3, true));
        let late = dry_run(&rule, &records, Instant::now() - Duration::from_millis(1));
        assert_eq!((late.scanned, late.matched, late.complete), (0, 0, false));
    }
}
