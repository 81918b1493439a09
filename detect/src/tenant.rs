//! A tenant's own rules as one set: single-event Sigma rules, and correlations over them
//! or over built-in rules, checked when saved and resolved for the worker and backtests.
//!
//! **How rules are named.** Every rule has its Sigma `id:` (derived from the title when
//! the YAML has none). A tenant correlation names its base rules in `rules:` by that id:
//! a built-in rule's (`vigil-api-call-denied`) or one of the tenant's own rules'
//! (`acme-snapshot-deleted`); the stored ID the API shows (`tenant:<uuid>`) is accepted
//! too. So that a name means one rule, a tenant rule's `id:` may be neither a built-in
//! rule's nor another of the tenant's rules'. At run time each tenant rule, single or
//! correlation, goes by its stored ID (`tenant:<uuid>`): its alerts carry it, and the
//! correlation state (matches, baselines) is keyed on it, so a tenant correlation can
//! never share state with a built-in one or another tenant's, whatever its YAML says.
//!
//! **What a correlation may count.** Single-event rules only: a correlation that names
//! another correlation (chaining) is refused, so there are no cycles to run into; one
//! that names itself is refused as the cycle it would be. Its timespan is bounded by what
//! Vigil keeps: base-rule matches for [`MAX_COUNT_TIMESPAN`], first-seen values for
//! [`MAX_FIRST_SEEN_LOOKBACK`].

use std::{collections::HashSet, time::Duration};

use crate::{Correlation, CorrelationKind, Rule, RuleError, RuleMeta, builtin};

/// Prefix of the stored ID of a tenant's rule (`tenant:<uuid>`).
pub const ID_PREFIX: &str = "tenant:";
/// Longest `timespan` of an `event_count` or `value_count` correlation: housekeeping
/// forgets base-rule matches after a day, so a longer window would silently count less.
pub const MAX_COUNT_TIMESPAN: Duration = Duration::from_secs(86_400);
/// Longest lookback of a `vigil_first_seen` correlation: housekeeping forgets values not
/// seen for 31 days.
pub const MAX_FIRST_SEEN_LOOKBACK: Duration = Duration::from_secs(30 * 86_400);

/// A tenant rule, compiled: one event, or a correlation over several.
#[derive(Debug, Clone)]
pub enum Compiled {
    /// A single-event Sigma rule.
    Single(Rule),
    /// A correlation; its `rules` are the references as written until resolved.
    Correlation(Correlation),
}

impl Compiled {
    /// Compiles tenant YAML: a correlation when it has a `correlation` section, a
    /// single-event rule otherwise. A correlation's references are not checked here (see
    /// [`Catalog::resolve`]), but its type and timespan are.
    pub fn compile(yaml: &str) -> Result<Self, RuleError> {
        let doc = crate::parse_yaml(yaml)?;
        if doc.get("correlation").is_none() {
            return Rule::compile(yaml).map(Self::Single);
        }
        // Sequences and any other type the engine learns later are refused here by name
        // until tenant rules are taught them.
        if let Some(other) = doc["correlation"]["type"]
            .as_str()
            .filter(|t| !["event_count", "value_count", "vigil_first_seen"].contains(t))
        {
            return Err(RuleError::at(
                yaml,
                "type",
                format!(
                    "your own correlations may be event_count, value_count or vigil_first_seen, not `{other}`"
                ),
            ));
        }
        let c = Correlation::compile(yaml)?;
        // `matches!` rather than one `match`: a kind added to the engine later must not
        // break this build, and is refused below.
        let (limit, what) = if matches!(c.kind, CorrelationKind::FirstSeen { .. }) {
            (
                MAX_FIRST_SEEN_LOOKBACK,
                "a first-seen lookback is at most 30d: Vigil forgets values after 31 days",
            )
        } else if matches!(
            c.kind,
            CorrelationKind::EventCount | CorrelationKind::ValueCount { .. }
        ) {
            (
                MAX_COUNT_TIMESPAN,
                "a counting correlation's timespan is at most 24h: Vigil keeps base-rule matches for a day",
            )
        } else {
            return Err(RuleError::at(
                yaml,
                "type",
                "your own correlations may be event_count, value_count or vigil_first_seen",
            ));
        };
        if c.timespan > limit {
            return Err(RuleError::at(
                yaml,
                "timespan",
                format!(
                    "{what} (this one is {})",
                    humantime::format_duration(c.timespan)
                ),
            ));
        }
        Ok(Self::Correlation(c))
    }

    /// The rule's title, id, level and tags.
    pub fn meta(&self) -> &RuleMeta {
        match self {
            Self::Single(r) => &r.meta,
            Self::Correlation(c) => &c.meta,
        }
    }

    /// Whether it is a correlation.
    pub fn is_correlation(&self) -> bool {
        matches!(self, Self::Correlation(_))
    }
}

/// One of the tenant's stored rules.
#[derive(Debug, Clone)]
pub struct Stored<'a> {
    /// The stored ID, `tenant:<uuid>`.
    pub id: String,
    pub yaml: &'a str,
    pub enabled: bool,
}

struct Entry {
    id: String,
    enabled: bool,
    compiled: Result<Compiled, RuleError>,
}

/// The tenant's rules, compiled, to check new ones against and to resolve references.
pub struct Catalog {
    entries: Vec<Entry>,
}

/// A base rule a reference resolved to.
enum Base<'a> {
    Builtin(&'static Rule),
    Tenant(&'a Entry, &'a Rule),
}

/// What the worker runs for a tenant besides the built-in rules.
#[derive(Debug, Clone, Default)]
pub struct Active {
    /// Enabled single-event rules, each with its stored ID as `id`.
    pub rules: Vec<Rule>,
    /// Enabled correlations, each with its stored ID as `id` and its references
    /// resolved to the IDs rules run under (a built-in id, or `tenant:<uuid>`).
    pub correlations: Vec<Correlation>,
    /// Tenant rules that only feed correlations (Sigma's `generate: false`): they raise
    /// no alert of their own.
    pub silent: HashSet<String>,
    /// Stored rules that cannot run now (stored ID, why): saved rules were valid, but a
    /// rule they name may have changed since.
    pub skipped: Vec<(String, String)>,
}

impl Catalog {
    /// Compiles the tenant's stored rules.
    pub fn new<'a>(stored: impl IntoIterator<Item = Stored<'a>>) -> Self {
        Self {
            entries: stored
                .into_iter()
                .map(|s| Entry {
                    compiled: Compiled::compile(s.yaml),
                    id: s.id,
                    enabled: s.enabled,
                })
                .collect(),
        }
    }

    /// The catalog without one stored rule (the one being replaced by an update).
    pub fn without(mut self, id: &str) -> Self {
        self.entries.retain(|e| e.id != id);
        self
    }

    /// A stored rule by its stored ID, when it compiles.
    pub fn get(&self, id: &str) -> Option<&Compiled> {
        self.entries
            .iter()
            .find(|e| e.id == id)
            .and_then(|e| e.compiled.as_ref().ok())
    }

    fn find(&self, reference: &str) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| {
                e.id == reference
                    || e.compiled
                        .as_ref()
                        .is_ok_and(|c| c.meta().id.eq_ignore_ascii_case(reference))
            })
            .collect()
    }

    /// Checks that a new or changed rule's `id` names it alone: not a built-in rule's,
    /// not another of the tenant's rules'.
    pub fn check_id(&self, rule: &Compiled) -> Result<(), RuleError> {
        let meta = rule.meta();
        let id = meta.id.as_str();
        if builtin::meta_by_id(id).is_some() {
            return Err(RuleError::at(
                &meta.source,
                "id",
                format!("`{id}` is the id of a built-in rule: give your rule an id of its own"),
            ));
        }
        if id.starts_with(ID_PREFIX) {
            return Err(RuleError::at(
                &meta.source,
                "id",
                format!("ids starting with `{ID_PREFIX}` are Vigil's names for stored rules"),
            ));
        }
        if let Some(other) = self.find(id).first() {
            let title = other
                .compiled
                .as_ref()
                .map_or("", |c| c.meta().title.as_str());
            return Err(RuleError::at(
                &meta.source,
                "id",
                format!(
                    "`{id}` is already the id of your rule “{title}”: correlations name rules by id, so each needs its own"
                ),
            ));
        }
        Ok(())
    }

    fn base(&self, reference: &str) -> Result<Base<'_>, String> {
        if !reference.starts_with(ID_PREFIX) {
            if let Some(rule) = builtin::by_id(reference) {
                return Ok(Base::Builtin(rule));
            }
            if builtin::correlation_by_id(reference).is_some() {
                return Err(format!(
                    "`{reference}` is a correlation: a correlation counts single-event rules only"
                ));
            }
        }
        match self.find(reference).as_slice() {
            [] => Err(format!(
                "`{reference}` is not the id of a built-in rule or of one of yours"
            )),
            [one] => match &one.compiled {
                Ok(Compiled::Single(rule)) => Ok(Base::Tenant(one, rule)),
                Ok(Compiled::Correlation(_)) => Err(format!(
                    "`{reference}` is a correlation: a correlation counts single-event rules only"
                )),
                Err(e) => Err(format!("your rule `{reference}` does not compile: {e}")),
            },
            _ => Err(format!(
                "`{reference}` names several of your rules: give them distinct ids"
            )),
        }
    }

    /// Resolves a correlation's references: the correlation with `rules` rewritten to
    /// the IDs the rules run under, and those rules (tenant ones renamed to their stored
    /// ID). Unknown, ambiguous or self references and correlations of correlations are
    /// refused, all of them named in one error.
    pub fn resolve(&self, c: &Correlation) -> Result<(Correlation, Vec<Rule>), RuleError> {
        let mut problems = Vec::new();
        let mut ids = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        for reference in &c.rules {
            if reference.eq_ignore_ascii_case(&c.meta.id) {
                problems.push(format!(
                    "`{reference}` is this correlation itself: a rule cannot count its own alerts (a cycle)"
                ));
                continue;
            }
            match self.base(reference) {
                Ok(base) => {
                    let rule = match base {
                        Base::Builtin(rule) => rule.clone(),
                        Base::Tenant(entry, rule) => {
                            let mut rule = rule.clone();
                            rule.meta.id = entry.id.clone();
                            rule
                        }
                    };
                    if !ids.contains(&rule.meta.id) {
                        ids.push(rule.meta.id.clone());
                        rules.push(rule);
                    }
                }
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(RuleError::at(&c.meta.source, "rules", problems.join("; ")));
        }
        let mut resolved = c.clone();
        resolved.rules = ids;
        Ok((resolved, rules))
    }

    /// Titles of the tenant's correlations that count the stored rule `id`: it cannot be
    /// deleted, renamed or turned into a correlation while they do.
    pub fn referrers(&self, id: &str) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|e| match &e.compiled {
                Ok(Compiled::Correlation(c)) if e.id != id => Some(c),
                _ => None,
            })
            .filter(|c| {
                self.resolve(c)
                    .is_ok_and(|(resolved, _)| resolved.rules.iter().any(|r| r == id))
                    || c.rules.iter().any(|r| r == id)
            })
            .map(|c| c.meta.title.clone())
            .collect()
    }

    /// What the worker runs: the enabled rules, correlations resolved, and which tenant
    /// rules only feed them. A rule that no longer compiles or resolves is skipped.
    pub fn active(&self) -> Active {
        let mut out = Active::default();
        let mut generating = HashSet::new();
        let mut feeding = HashSet::new();
        for e in self.entries.iter().filter(|e| e.enabled) {
            match &e.compiled {
                Ok(Compiled::Single(rule)) => {
                    let mut rule = rule.clone();
                    rule.meta.id = e.id.clone();
                    out.rules.push(rule);
                }
                Ok(Compiled::Correlation(c)) => match self.resolve(c) {
                    Ok((mut resolved, _)) => {
                        resolved.meta.id = e.id.clone();
                        for r in resolved.rules.iter().filter(|r| r.starts_with(ID_PREFIX)) {
                            feeding.insert(r.clone());
                            if resolved.generate {
                                generating.insert(r.clone());
                            }
                        }
                        out.correlations.push(resolved);
                    }
                    Err(err) => out.skipped.push((e.id.clone(), err.to_string())),
                },
                Err(err) => out.skipped.push((e.id.clone(), err.to_string())),
            }
        }
        out.silent = feeding.difference(&generating).cloned().collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const BASE: &str = "title: Snapshot deleted\nid: acme-snapshot-deleted\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: DeleteSnapshot}\n  condition: sel\nlevel: low\n";

    fn burst(rules: &str, timespan: &str) -> String {
        format!(
            "title: Many snapshots deleted\nid: acme-snapshot-burst\nlevel: high\ntags: [attack.t1485]\ncorrelation:\n  type: event_count\n  rules: {rules}\n  group-by: [userIdentity.arn]\n  timespan: {timespan}\n  condition: {{gte: 3}}\n"
        )
    }

    fn catalog(extra: &[(&str, &str, bool)]) -> Catalog {
        Catalog::new(
            [("tenant:1", BASE, true)]
                .iter()
                .chain(extra)
                .map(|(id, yaml, enabled)| Stored {
                    id: (*id).to_owned(),
                    yaml,
                    enabled: *enabled,
                }),
        )
    }

    fn correlation(yaml: &str) -> Correlation {
        match Compiled::compile(yaml).unwrap() {
            Compiled::Correlation(c) => c,
            Compiled::Single(_) => panic!("not a correlation"),
        }
    }

    #[test]
    fn references_resolve_to_the_ids_rules_run_under() {
        let cat = catalog(&[]);
        let c = correlation(&burst(
            "[acme-snapshot-deleted, vigil-api-call-denied]",
            "10m",
        ));
        let (resolved, bases) = cat.resolve(&c).unwrap();
        assert_eq!(resolved.rules, ["tenant:1", "vigil-api-call-denied"]);
        assert_eq!(bases.len(), 2);
        assert!(bases[0].matches(&json!({ "eventName": "DeleteSnapshot" })));
        // The stored ID works too, and naming a rule twice counts it once.
        let c = correlation(&burst("[tenant:1, ACME-snapshot-deleted]", "10m"));
        assert_eq!(cat.resolve(&c).unwrap().0.rules, ["tenant:1"]);
    }

    #[test]
    fn bad_references_are_all_named() {
        let cat = catalog(&[("tenant:2", &burst("[acme-snapshot-deleted]", "1h"), true)]);
        let c = correlation(&burst(
            "[nope, acme-snapshot-burst, vigil-first-seen-region, acme-other-burst]",
            "10m",
        ));
        let c = Correlation {
            meta: RuleMeta {
                id: "acme-other-burst".into(),
                ..c.meta
            },
            ..c
        };
        let err = cat.resolve(&c).unwrap_err();
        assert_eq!(err.field, "rules");
        for part in [
            "`nope` is not the id",
            "`acme-snapshot-burst` is a correlation",
            "`vigil-first-seen-region` is a correlation",
            "`acme-other-burst` is this correlation itself",
        ] {
            assert!(err.message.contains(part), "{part}: {err}");
        }
    }

    #[test]
    fn timespans_past_what_vigil_keeps_are_refused() {
        let err = Compiled::compile(&burst("[a]", "2d")).unwrap_err();
        assert_eq!(err.field, "timespan");
        assert!(err.message.contains("at most 24h"), "{err}");
        assert!(Compiled::compile(&burst("[a]", "24h")).is_ok());
        let first_seen = "title: New region\ncorrelation:\n  type: vigil_first_seen\n  rules: [a]\n  group-by: [userIdentity.arn]\n  field: awsRegion\n  timespan: 60d\n";
        let err = Compiled::compile(first_seen).unwrap_err();
        assert!(err.message.contains("at most 30d"), "{err}");
        assert!(Compiled::compile(&first_seen.replace("60d", "30d")).is_ok());
    }

    #[test]
    fn ids_must_name_one_rule() {
        let cat = catalog(&[]);
        let same = Compiled::compile(&BASE.replace("Snapshot deleted", "Other")).unwrap();
        assert!(
            cat.check_id(&same)
                .unwrap_err()
                .message
                .contains("“Snapshot deleted”")
        );
        let builtin_id =
            Compiled::compile(&BASE.replace("acme-snapshot-deleted", "vigil-api-call-denied"))
                .unwrap();
        assert!(
            cat.check_id(&builtin_id)
                .unwrap_err()
                .message
                .contains("built-in")
        );
        let prefixed =
            Compiled::compile(&BASE.replace("acme-snapshot-deleted", "tenant:x")).unwrap();
        assert!(cat.check_id(&prefixed).is_err());
        // An update replaces the rule: its own id is free.
        assert!(cat.without("tenant:1").check_id(&same).is_ok());
    }

    #[test]
    fn the_worker_runs_enabled_rules_under_their_stored_ids_and_silences_fed_ones() {
        let cat = catalog(&[
            ("tenant:2", &burst("[acme-snapshot-deleted]", "1h"), true),
            (
                "tenant:3",
                &burst("[gone]", "1h").replace("acme-snapshot-burst", "b2"),
                true,
            ),
            (
                "tenant:4",
                &BASE.replace("acme-snapshot-deleted", "off"),
                false,
            ),
        ]);
        let active = cat.active();
        let ids: Vec<&str> = active.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["tenant:1"]);
        assert_eq!(active.correlations.len(), 1);
        assert_eq!(active.correlations[0].meta.id, "tenant:2");
        assert_eq!(active.correlations[0].rules, ["tenant:1"]);
        assert_eq!(active.silent, HashSet::from(["tenant:1".to_owned()]));
        assert_eq!(active.skipped.len(), 1);
        assert!(
            active.skipped[0].1.contains("`gone`"),
            "{:?}",
            active.skipped
        );
        assert_eq!(cat.referrers("tenant:1"), ["Many snapshots deleted"]);
        assert!(cat.referrers("tenant:4").is_empty());
        // With `generate: true` the base rule alerts on its own too.
        let loud = burst("[acme-snapshot-deleted]", "1h").replace(
            "condition: {gte: 3}",
            "condition: {gte: 3}\n  generate: true",
        );
        let cat = catalog(&[("tenant:2", &loud, true)]);
        assert!(cat.active().silent.is_empty());
    }
}
