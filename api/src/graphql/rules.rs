//! Detection rules: the built-in ones, and the tenant's own Sigma rules (single-event rules
//! and correlations over them or over built-in rules), which owners and admins add,
//! change, disable and backtest against recent events. How a correlation names its rules
//! is described in `vigil_detect::tenant`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;
use vigil_core::{
    roles::Permission,
    store::{alerts, audit, detection_rules},
};
use vigil_detect::{
    Level, RuleError, RuleMeta,
    backtest::{self, Record, Target},
    tenant::{Catalog, Compiled, ID_PREFIX, Stored},
};

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

/// A rule problem as `BAD_USER_INPUT`, with the line and field.
fn bad_rule(e: RuleError) -> GqlError {
    GqlError::BadInput {
        message: format!("the rule cannot be used: {e}"),
        field: Some(e.field.clone()),
        line: e.line.map(|l| l as i64),
        reason: None,
    }
}

/// Compiles tenant YAML (a single-event rule or a correlation) off the runtime threads,
/// turning errors into `BAD_USER_INPUT` with the line and field.
async fn compile(yaml: &str) -> GqlResult<Compiled> {
    let owned = yaml.to_owned();
    bounded(move || Compiled::compile(&owned))
        .await?
        .map_err(bad_rule)
}

/// The tenant's stored rules, compiled (to check references and ids against).
async fn catalog(tx: &mut vigil_core::db::TenantTx) -> GqlResult<Catalog> {
    let stored = detection_rules::list(tx, false).await?;
    bounded(move || {
        Catalog::new(stored.iter().map(|s| Stored {
            id: stored_id(s.rule_id),
            yaml: &s.yaml,
            enabled: s.enabled,
        }))
    })
    .await
}

/// The ID a tenant rule runs and is shown under.
fn stored_id(rule_id: uuid::Uuid) -> String {
    format!("{ID_PREFIX}{rule_id}")
}

/// Checks a new or changed rule against the tenant's others (off the runtime threads): its
/// `id` names it alone, and a correlation's references resolve.
async fn check_against(catalog: Catalog, rule: Compiled) -> GqlResult<(Catalog, Compiled)> {
    bounded(move || {
        catalog.check_id(&rule)?;
        if let Compiled::Correlation(c) = &rule {
            catalog.resolve(c)?;
        }
        Ok((catalog, rule))
    })
    .await?
    .map_err(bad_rule)
}

/// Whether a rule counts single events or correlates several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "DetectionRuleKind")]
pub enum DetectionRuleKind {
    /// A Sigma rule matched against one CloudTrail event at a time.
    Single,
    /// A Sigma correlation over the matches of other rules (counts within a timespan,
    /// first-seen values).
    Correlation,
}

/// A detection rule.
#[derive(Debug, Clone, SimpleObject)]
pub struct DetectionRule {
    /// The rule's ID (a Sigma `id`, or `tenant:<uuid>` for the tenant's own rules).
    pub id: ID,
    /// The Sigma `id:` of the YAML (derived from the title when it has none): the name a
    /// correlation uses for it in `rules:`. Built-in rules: the same as `id`.
    pub sigma_id: String,
    /// A single-event rule or a correlation.
    pub kind: DetectionRuleKind,
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
    fn from_builtin(r: &RuleMeta, kind: DetectionRuleKind) -> Self {
        Self {
            id: r.id.clone().into(),
            sigma_id: r.id.clone(),
            kind,
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

    fn from_tenant(stored: detection_rules::StoredRule, compiled: Option<&Compiled>) -> Self {
        let meta = compiled.map(Compiled::meta);
        Self {
            id: stored_id(stored.rule_id).into(),
            sigma_id: meta.map(|m| m.id.clone()).unwrap_or_default(),
            kind: if compiled.is_some_and(Compiled::is_correlation) {
                DetectionRuleKind::Correlation
            } else {
                DetectionRuleKind::Single
            },
            title: stored.title,
            description: meta.map(|m| m.description.clone()).unwrap_or_default(),
            severity: meta.map_or(SeverityGql::Medium, |m| severity(m.level)),
            techniques: meta.map(RuleMeta::techniques).unwrap_or_default(),
            runbook: meta.and_then(|m| m.runbook.clone()),
            builtin: false,
            enabled: stored.enabled,
            yaml: stored.yaml,
            updated_at: Some(stored.updated_at),
        }
    }
}

/// An alert a backtest says the rule would have raised.
#[derive(Debug, Clone, SimpleObject)]
pub struct WouldBeAlert {
    /// The connection whose events raised it.
    pub aws_account_id: ID,
    /// What the alert groups on: a correlation's group-by values joined by `|` (plus the
    /// new value for first-seen rules), or the principal's ARN for a single-event rule.
    pub group: String,
    /// The earliest event it stands for (for a count, the first of the window that
    /// reached the threshold).
    pub first_event_at: DateTime<Utc>,
    /// The latest event that joined it.
    pub last_event_at: DateTime<Utc>,
    /// Events it stands for.
    pub count: i64,
    /// Up to 10 of their CloudTrail event IDs, oldest first.
    pub sample_event_ids: Vec<String>,
}

/// What a dry run (backtest) found.
#[derive(Debug, Clone, SimpleObject)]
pub struct DetectionRuleTest {
    /// Events looked at: the tenant's most recent since `since`, Vigil's own calls
    /// excepted, and only those of the eventNames the rule (for a correlation, its base
    /// rules) can match when it names them (so such a rule is tried on its whole window,
    /// up to `limit` events of those names).
    pub scanned: i64,
    /// CloudTrail event IDs that matched (for a correlation, that one of its base rules
    /// matched), newest first (at most 100).
    pub matched_event_ids: Vec<String>,
    /// How many matched in all.
    pub matched: i64,
    /// False when the time budget (5 s) ran out first: `scanned` says how far it got.
    pub complete: bool,
    /// True when the window held more than `limit` events: only the newest `limit` were
    /// replayed, so a count that began earlier may be missing.
    pub capped: bool,
    /// What was replayed: a single-event rule or a correlation.
    pub kind: DetectionRuleKind,
    /// The alerts the rule would have raised, in the order they would have opened (at
    /// most 100): matches of one group within an hour of each other are one alert, as
    /// they are live.
    pub would_raise: Vec<WouldBeAlert>,
    /// How many alerts it would have raised in all.
    pub would_raise_count: i64,
}

/// Alerts and event IDs a backtest answers with at most.
const MAX_LISTED: usize = 100;

/// Replays the records (newest first, as read) in time order until the deadline.
fn run_backtest(
    target: Target<'_>,
    rows: &[detection_rules::RecordRow],
    capped: bool,
    deadline: std::time::Instant,
) -> DetectionRuleTest {
    let accounts: Vec<String> = rows.iter().map(|r| r.aws_account_id.to_string()).collect();
    let records: Vec<Record<'_>> = rows
        .iter()
        .zip(&accounts)
        .rev()
        .map(|(r, account)| Record {
            account,
            event_id: &r.event_id,
            at: r.occurred_at.timestamp_millis(),
            raw: &r.raw,
        })
        .collect();
    let window = alerts::GROUP_WINDOW.num_milliseconds();
    let out = backtest::run(target, &records, window, deadline);
    let time = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default();
    DetectionRuleTest {
        scanned: out.scanned as i64,
        matched: out.matched_event_ids.len() as i64,
        matched_event_ids: out
            .matched_event_ids
            .iter()
            .rev()
            .take(MAX_LISTED)
            .cloned()
            .collect(),
        complete: out.complete,
        capped,
        kind: match target {
            Target::Single(_) => DetectionRuleKind::Single,
            Target::Correlation { .. } => DetectionRuleKind::Correlation,
        },
        would_raise_count: out.alerts.len() as i64,
        would_raise: out
            .alerts
            .into_iter()
            .take(MAX_LISTED)
            .map(|a| WouldBeAlert {
                aws_account_id: a.account.into(),
                group: a.group,
                first_event_at: time(a.first_at),
                last_event_at: time(a.last_at),
                count: i64::try_from(a.count).unwrap_or(i64::MAX),
                sample_event_ids: a.sample_event_ids,
            })
            .collect(),
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
    /// Every detection rule: the built-in ones (single-event, then correlations), then
    /// the tenant's.
    async fn detection_rules(&self, ctx: &Context<'_>) -> GqlResult<Vec<DetectionRule>> {
        let p = require(ctx, Permission::Read)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let own = detection_rules::list(&mut tx, false).await?;
        let builtin = vigil_detect::builtin::all()
            .iter()
            .map(|r| DetectionRule::from_builtin(&r.meta, DetectionRuleKind::Single));
        let correlations = vigil_detect::builtin::correlations()
            .iter()
            .map(|c| DetectionRule::from_builtin(&c.meta, DetectionRuleKind::Correlation));
        let mut out: Vec<DetectionRule> = builtin.chain(correlations).collect();
        out.extend(own.into_iter().map(|s| {
            let compiled = Compiled::compile(&s.yaml).ok();
            DetectionRule::from_tenant(s, compiled.as_ref())
        }));
        Ok(out)
    }

    /// Backtests a rule (YAML, not saved) against the tenant's recent events, for at most
    /// 5 seconds (see `complete`) and `limit` events (see `capped`): which events it
    /// matches and which alerts it would have raised. A correlation is replayed with its
    /// base rules, in time order, in memory: nothing is written, and only this tenant's
    /// events are read.
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
        // A correlation's references resolve against the tenant's rules as saved now.
        let (rule, bases) = match rule {
            Compiled::Single(r) => (Compiled::Single(r), Vec::new()),
            Compiled::Correlation(c) => {
                let catalog = catalog(&mut tx).await?;
                let (resolved, bases) = bounded(move || catalog.resolve(&c))
                    .await?
                    .map_err(bad_rule)?;
                (Compiled::Correlation(resolved), bases)
            }
        };
        // Only the events of the names the rule (or every base rule) is bounded to.
        let names = match &rule {
            Compiled::Single(r) => r.event_names().map(|n| n.iter().cloned().collect()),
            Compiled::Correlation(_) => bases
                .iter()
                .map(|b| b.event_names())
                .collect::<Option<Vec<_>>>()
                .map(|sets| sets.into_iter().flatten().cloned().collect::<Vec<_>>()),
        };
        // One more than the limit tells whether the window held more.
        let mut rows = detection_rules::recent_records(&mut tx, since, names, limit + 1).await?;
        drop(tx);
        let capped = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        bounded(move || {
            let deadline = std::time::Instant::now() + DRY_RUN_BUDGET;
            let target = match &rule {
                Compiled::Single(r) => Target::Single(r),
                Compiled::Correlation(c) => Target::Correlation {
                    correlation: c,
                    bases: &bases,
                },
            };
            run_backtest(target, &rows, capped, deadline)
        })
        .await
    }
}

#[derive(Default)]
pub struct RulesMutation;

#[Object]
impl RulesMutation {
    /// Adds a Sigma rule or correlation for the tenant's CloudTrail (owners and admins).
    /// Invalid YAML or unsupported constructs answer `BAD_USER_INPUT` with
    /// `extensions.line` and `field`; so do an `id` another rule has, and a correlation
    /// naming rules that do not exist, itself or another correlation, or a timespan
    /// longer than Vigil keeps its state.
    async fn create_detection_rule(
        &self,
        ctx: &Context<'_>,
        yaml: String,
    ) -> GqlResult<DetectionRule> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let rule = compile(&yaml).await?;
        let mut tx = tenant_tx(ctx, p).await?;
        let catalog = catalog(&mut tx).await?;
        let (_, rule) = check_against(catalog, rule).await?;
        let title = rule.meta().title.clone();
        let stored = detection_rules::insert(&mut tx, &title, &yaml, &p.label).await?;
        audit::record(
            &mut tx,
            &p.actor(),
            "detection_rule.created",
            Some(&title),
            json!({ "rule_id": stored.rule_id, "correlation": rule.is_correlation() }),
        )
        .await?;
        tx.commit().await?;
        Ok(DetectionRule::from_tenant(stored, Some(&rule)))
    }

    /// Changes a tenant rule's YAML and/or turns it on or off (owners and admins). A rule
    /// that one of the tenant's correlations counts keeps its `id` and stays a
    /// single-event rule until that correlation is changed.
    async fn update_detection_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        yaml: Option<String>,
        enabled: Option<bool>,
    ) -> GqlResult<DetectionRule> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let rule_id = tenant_rule_id(&id)?;
        let compiled = match yaml.as_deref() {
            Some(y) => Some(compile(y).await?),
            None => None,
        };
        let mut tx = tenant_tx(ctx, p).await?;
        let compiled = match compiled {
            Some(rule) => {
                let catalog = catalog(&mut tx).await?;
                let own = stored_id(rule_id);
                let users = catalog.referrers(&own);
                let before = catalog.get(&own).map(|c| c.meta().id.clone());
                let renamed = before
                    .as_deref()
                    .is_none_or(|b| !rule.meta().id.eq_ignore_ascii_case(b));
                if !users.is_empty() && (renamed || rule.is_correlation()) {
                    return Err(GqlError::BadInput {
                        message: format!(
                            "your correlation(s) {} count this rule by its id `{}`: keep its id and keep it a single-event rule, or change them first",
                            quoted(&users),
                            before.unwrap_or_default()
                        ),
                        field: Some("id".into()),
                        line: None,
                        reason: None,
                    });
                }
                Some(check_against(catalog.without(&own), rule).await?.1)
            }
            None => None,
        };
        let title_and_yaml = compiled
            .as_ref()
            .zip(yaml.as_deref())
            .map(|(r, y)| (r.meta().title.clone(), y));
        let stored = detection_rules::update(
            &mut tx,
            rule_id,
            title_and_yaml.as_ref().map(|(t, y)| (t.as_str(), *y)),
            enabled,
        )
        .await?
        .ok_or(GqlError::NotFound("detection rule"))?;
        audit::record(
            &mut tx,
            &p.actor(),
            "detection_rule.updated",
            Some(&stored.title),
            json!({ "rule_id": rule_id, "enabled": enabled }),
        )
        .await?;
        tx.commit().await?;
        let compiled = compiled.or_else(|| Compiled::compile(&stored.yaml).ok());
        Ok(DetectionRule::from_tenant(stored, compiled.as_ref()))
    }

    /// Deletes a tenant rule (owners and admins); not one that a correlation of the
    /// tenant counts (`BAD_USER_INPUT` names the correlations).
    async fn delete_detection_rule(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let p = require(ctx, Permission::ManageIntegrations)?;
        let rule_id = tenant_rule_id(&id)?;
        let mut tx = tenant_tx(ctx, p).await?;
        let users = catalog(&mut tx).await?.referrers(&stored_id(rule_id));
        if !users.is_empty() {
            return Err(GqlError::bad_input(format!(
                "your correlation(s) {} count this rule: delete or change them first",
                quoted(&users)
            )));
        }
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

/// Titles as a list for a message: “A”, “B”.
fn quoted(titles: &[String]) -> String {
    titles
        .iter()
        .map(|t| format!("“{t}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn rows(names: &[&str]) -> Vec<detection_rules::RecordRow> {
        // Newest first, as read.
        names
            .iter()
            .enumerate()
            .map(|(i, name)| detection_rules::RecordRow {
                aws_account_id: uuid::Uuid::nil(),
                event_id: format!("e{i}"),
                occurred_at: Utc::now() - chrono::Duration::minutes(i as i64),
                raw: json!({ "eventName": name }),
            })
            .collect()
    }

    #[test]
    fn a_dry_run_stops_at_its_deadline_and_says_it_is_incomplete() {
        let Compiled::Single(rule) = Compiled::compile(
            "title: T\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: StopLogging}\n  condition: sel\n",
        )
        .unwrap() else {
            panic!("a single-event rule")
        };
        let records = rows(&["StopLogging", "DescribeTrails", "StopLogging"]);
        let done = run_backtest(
            Target::Single(&rule),
            &records,
            false,
            Instant::now() + Duration::from_secs(60),
        );
        assert_eq!((done.scanned, done.matched, done.complete), (3, 2, true));
        // Newest first, and one alert: the same (missing) principal within the hour.
        assert_eq!(done.matched_event_ids, ["e0", "e2"]);
        assert_eq!((done.would_raise_count, done.would_raise[0].count), (1, 2));
        let late = run_backtest(
            Target::Single(&rule),
            &records,
            true,
            Instant::now() - Duration::from_millis(1),
        );
        assert_eq!(
            (late.scanned, late.matched, late.complete, late.capped),
            (0, 0, false, true)
        );
    }
}
