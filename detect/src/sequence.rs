//! Sequence rules: several detections by the same group (a principal, usually) within a
//! timespan, in order or not, raise one alert that links the steps' alerts. "A principal
//! works from a new address, enumerates, then creates a key for another user" says more
//! than its three alerts apart.
//!
//! Two spellings, both in the Sigma correlation format:
//!
//! ```yaml
//! correlation:                 # Sigma's own: each listed rule is one step
//!   type: temporal_ordered     # or temporal (any order)
//!   rules: [rule-a, rule-b, rule-c]
//!   group-by: [userIdentity.arn]
//!   timespan: 1h
//! ```
//!
//! ```yaml
//! correlation:                 # Vigil's extension: named steps, each any of some rules or tags
//!   type: vigil_sequence
//!   ordered: true              # the default
//!   steps:
//!     - name: new address
//!       rules: [vigil-first-seen-source-ip]
//!     - name: persistence or evasion
//!       tags: [attack.persistence, attack.defense-evasion]
//!   group-by: [userIdentity.arn]
//!   timespan: 1h
//! ```
//!
//! Steps name rules that raise alerts (single-event rules or counting and first-seen
//! correlations): a sequence links alerts, so, unlike a Sigma temporal correlation, it
//! does not silence its rules. This module parses sequences and decides, from the hits a
//! group made, whether one completes the sequence ([`Sequence::complete_with`]); the hits
//! themselves live in the database, kept by the worker.

use std::time::Duration;

use serde_json::Value;

use crate::{RuleError, RuleMeta, correlation::first_text};

/// Longest timespan of a sequence: the worker keeps step hits for a day.
pub const MAX_SEQUENCE_TIMESPAN: Duration = Duration::from_secs(24 * 3600);
/// Most steps a sequence may have.
pub const MAX_SEQUENCE_STEPS: usize = 16;

/// The correlation types that are sequences (compiled by [`Sequence::compile`]).
pub const SEQUENCE_TYPES: &[&str] = &["temporal", "temporal_ordered", "vigil_sequence"];

/// One step of a sequence: a hit of any of its rules, or of any rule carrying one of its
/// tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceStep {
    /// What the step means, e.g. `reconnaissance` (a rule ID for Sigma's temporal types).
    pub name: String,
    /// Rule or correlation IDs.
    pub rules: Vec<String>,
    /// Sigma tags, e.g. `attack.persistence` (compared case-insensitively).
    pub tags: Vec<String>,
}

impl SequenceStep {
    /// Whether a hit of the rule `rule_id`, tagged `tags`, is this step.
    pub fn matches(&self, rule_id: &str, tags: &[String]) -> bool {
        self.rules.iter().any(|r| r == rule_id)
            || self
                .tags
                .iter()
                .any(|t| tags.iter().any(|u| u.eq_ignore_ascii_case(t)))
    }
}

/// A compiled sequence rule.
#[derive(Debug, Clone)]
pub struct Sequence {
    pub meta: RuleMeta,
    /// Whether the steps must happen in the order listed (ties in time allowed).
    pub ordered: bool,
    pub steps: Vec<SequenceStep>,
    /// Dotted field paths of each step's event; their values together are the group.
    pub group_by: Vec<String>,
    /// Every step of one completion lies within this much time.
    pub timespan: Duration,
}

/// A step hit of one group, as the worker stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepHit<T> {
    /// The step's index in [`Sequence::steps`].
    pub step: usize,
    /// When its event happened (any ordered time: the worker uses microseconds).
    pub at: i64,
    /// The event: one event stands for one step only.
    pub event_id: String,
    /// Whatever the caller links to (the worker: the hit's alert).
    pub data: T,
}

impl Sequence {
    /// Parses a sequence rule (`correlation.type` one of [`SEQUENCE_TYPES`]). The rules
    /// its steps name are checked by [`Sequence::check_rules`], since only the caller
    /// knows the rule set.
    pub fn compile(yaml: &str) -> Result<Self, RuleError> {
        let doc = crate::parse_yaml(yaml)?;
        let meta = RuleMeta::from_doc(&doc, yaml)?;
        let c = crate::correlation::section(&doc, yaml, "a sequence rule")?;
        let kind = c["type"].as_str();
        let ordered = match kind {
            Some("temporal_ordered") => true,
            Some("temporal") => false,
            Some("vigil_sequence") => match &c["ordered"] {
                Value::Null => true,
                Value::Bool(b) => *b,
                _ => {
                    return Err(RuleError::at(yaml, "ordered", "expected true or false"));
                }
            },
            Some(other) => {
                return Err(RuleError::at(
                    yaml,
                    "type",
                    format!(
                        "`{other}` is not a sequence type (supported: temporal, temporal_ordered, vigil_sequence)"
                    ),
                ));
            }
            None => return Err(RuleError::at(yaml, "type", "a correlation needs a `type`")),
        };
        if c.get("aliases").is_some() {
            return Err(RuleError::at(
                yaml,
                "aliases",
                "field aliases are not supported: group by fields every step's events carry",
            ));
        }
        let strings = |v: &Value, field: &str| -> Result<Vec<String>, RuleError> {
            match v {
                Value::Null => Ok(Vec::new()),
                Value::String(s) => Ok(vec![s.clone()]),
                Value::Array(a) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| RuleError::at(yaml, field, "expected a list of strings"))
                    })
                    .collect(),
                _ => Err(RuleError::at(yaml, field, "expected a list of strings")),
            }
        };
        let steps = if kind == Some("vigil_sequence") {
            if c.get("rules").is_some() {
                return Err(RuleError::at(
                    yaml,
                    "rules",
                    "a vigil_sequence lists `steps` (each with rules or tags), not `rules`",
                ));
            }
            let Some(list) = c["steps"].as_array() else {
                return Err(RuleError::at(
                    yaml,
                    "steps",
                    "a vigil_sequence needs `steps`: a list of {name, rules, tags}",
                ));
            };
            let mut steps = Vec::with_capacity(list.len());
            for (i, s) in list.iter().enumerate() {
                let name = s["name"]
                    .as_str()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| {
                        RuleError::at(yaml, "name", format!("step {} needs a `name`", i + 1))
                    })?;
                let step = SequenceStep {
                    name: name.to_owned(),
                    rules: strings(&s["rules"], "rules")?,
                    tags: strings(&s["tags"], "tags")?,
                };
                if step.rules.is_empty() && step.tags.is_empty() {
                    return Err(RuleError::at(
                        yaml,
                        "steps",
                        format!(
                            "step `{name}` names no `rules` and no `tags`: it could never match"
                        ),
                    ));
                }
                steps.push(step);
            }
            steps
        } else {
            if c.get("steps").is_some() {
                return Err(RuleError::at(
                    yaml,
                    "steps",
                    "named `steps` need `type: vigil_sequence`; temporal types list `rules`",
                ));
            }
            strings(&c["rules"], "rules")?
                .into_iter()
                .map(|r| SequenceStep {
                    name: r.clone(),
                    rules: vec![r],
                    tags: Vec::new(),
                })
                .collect()
        };
        let steps_field = if kind == Some("vigil_sequence") {
            "steps"
        } else {
            "rules"
        };
        if steps.len() < 2 {
            return Err(RuleError::at(
                yaml,
                steps_field,
                "a sequence needs at least two steps",
            ));
        }
        if steps.len() > MAX_SEQUENCE_STEPS {
            return Err(RuleError::at(
                yaml,
                steps_field,
                format!("a sequence has at most {MAX_SEQUENCE_STEPS} steps"),
            ));
        }
        let group_by = strings(&c["group-by"], "group-by")?;
        if group_by.is_empty() {
            return Err(RuleError::at(
                yaml,
                "group-by",
                "name at least one field to group by (e.g. userIdentity.arn): steps of different principals are not one attack",
            ));
        }
        let timespan = crate::correlation::timespan(
            c,
            yaml,
            "a sequence needs a `timespan`: a duration such as 30m or 1h",
        )?;
        if timespan > MAX_SEQUENCE_TIMESPAN {
            return Err(RuleError::at(
                yaml,
                "timespan",
                "a sequence's timespan is at most 24h (its steps are remembered for a day)",
            ));
        }
        Ok(Self {
            meta,
            ordered,
            steps,
            group_by,
            timespan,
        })
    }

    /// Checks that every rule a step names is one `known` accepts (an ID of a rule or
    /// correlation that raises alerts), naming the line of the first that is not.
    pub fn check_rules(&self, known: impl Fn(&str) -> bool) -> Result<(), RuleError> {
        for step in &self.steps {
            if let Some(unknown) = step.rules.iter().find(|r| !known(r)) {
                let line = self
                    .meta
                    .source
                    .lines()
                    .position(|l| l.contains(unknown.as_str()))
                    .map(|i| i + 1);
                return Err(RuleError {
                    line,
                    field: "rules".into(),
                    message: format!(
                        "step `{}` names `{unknown}`, which is not a rule or correlation that raises alerts",
                        step.name
                    ),
                });
            }
        }
        Ok(())
    }

    /// The steps a hit of the rule `rule_id` tagged `tags` stands for (a hit may be several).
    pub fn steps_of(&self, rule_id: &str, tags: &[String]) -> Vec<usize> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.matches(rule_id, tags))
            .map(|(i, _)| i)
            .collect()
    }

    /// The event's group: the group-by values joined, or `None` when one is missing.
    pub fn group_key(&self, event: &Value) -> Option<String> {
        let parts: Option<Vec<String>> =
            self.group_by.iter().map(|f| first_text(event, f)).collect();
        parts.map(|p| p.join("|"))
    }

    /// The timespan in the hits' unit, microseconds.
    pub fn timespan_micros(&self) -> i64 {
        i64::try_from(self.timespan.as_micros()).unwrap_or(i64::MAX)
    }

    /// Whether `new` (a hit not in `hits`) completes the sequence with hits of the same
    /// group: one hit per step, each of a different event, all within the timespan, in
    /// the steps' order (ties allowed) when the sequence is ordered. Answers the chosen
    /// hits by step (`new` among them), or `None`. Only completions that hold `new` count,
    /// so a hit that adds nothing to a finished sequence raises nothing, and hits can
    /// arrive in any order: the completion is found by whichever arrives last.
    ///
    /// Every window that holds `new` starts at a hit no later than it and no earlier than
    /// a timespan before it (a first step's hit, when ordered); for each such start the
    /// steps after `new`'s take the earliest hit that keeps the order, those before it the
    /// latest.
    pub fn complete_with<'h, T>(
        &self,
        new: &'h StepHit<T>,
        hits: &'h [StepHit<T>],
    ) -> Option<Vec<&'h StepHit<T>>> {
        let span = self.timespan_micros();
        let n = self.steps.len();
        if new.step >= n {
            return None;
        }
        // An ordered completion starts at its first step's hit, so only those start a
        // window (a burst of hits of a later step adds no starts to try).
        let mut starts: Vec<i64> = hits
            .iter()
            .chain([new])
            .filter(|h| !self.ordered || h.step == 0)
            .map(|h| h.at)
            .filter(|&t| t <= new.at && t >= new.at.saturating_sub(span))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        for lo in starts {
            let hi = lo.saturating_add(span);
            let within = |h: &&StepHit<T>| h.at >= lo && h.at <= hi;
            let mut chosen: Vec<Option<&StepHit<T>>> = vec![None; n];
            chosen[new.step] = Some(new);
            let used = |chosen: &[Option<&StepHit<T>>], h: &StepHit<T>| {
                chosen.iter().flatten().any(|c| c.event_id == h.event_id)
            };
            let mut ok = true;
            if self.ordered {
                // After new's step: the earliest hit at or after the previous step's.
                let mut cur = new.at;
                for k in new.step + 1..n {
                    let pick = hits
                        .iter()
                        .filter(within)
                        .filter(|h| h.step == k && h.at >= cur && !used(&chosen, h))
                        .min_by_key(|h| h.at);
                    match pick {
                        Some(h) => {
                            cur = h.at;
                            chosen[k] = Some(h);
                        }
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                // Before it: the latest hit at or before the next step's.
                let mut cur = new.at;
                for k in (0..new.step).rev() {
                    if !ok {
                        break;
                    }
                    let pick = hits
                        .iter()
                        .filter(within)
                        .filter(|h| h.step == k && h.at <= cur && !used(&chosen, h))
                        .max_by_key(|h| h.at);
                    match pick {
                        Some(h) => {
                            cur = h.at;
                            chosen[k] = Some(h);
                        }
                        None => ok = false,
                    }
                }
            } else {
                for k in (0..n).filter(|&k| k != new.step) {
                    let pick = hits
                        .iter()
                        .filter(within)
                        .filter(|h| h.step == k && !used(&chosen, h))
                        .min_by_key(|h| h.at.abs_diff(new.at));
                    match pick {
                        Some(h) => chosen[k] = Some(h),
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
            }
            if ok {
                return chosen.into_iter().collect();
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const HEAD: &str = "title: Chain\nid: t-chain\nlevel: critical\ndescription: d\n";

    fn seq(body: &str) -> Result<Sequence, RuleError> {
        Sequence::compile(&format!("{HEAD}correlation:\n{body}"))
    }

    const NAMED: &str = "  type: vigil_sequence\n  steps:\n    - name: new address\n      rules: [first-seen]\n    - name: recon\n      rules: [burst]\n      tags: [attack.discovery]\n    - name: persistence or evasion\n      tags: [attack.persistence, attack.defense-evasion]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n";

    fn hit(step: usize, at: i64, event: &str) -> StepHit<()> {
        StepHit {
            step,
            at,
            event_id: event.to_owned(),
            data: (),
        }
    }

    fn chosen(found: Option<Vec<&StepHit<()>>>) -> Option<Vec<&str>> {
        found.map(|v| v.into_iter().map(|h| h.event_id.as_str()).collect())
    }

    const MIN: i64 = 60_000_000;

    #[test]
    fn named_steps_match_rules_or_tags() {
        let s = seq(NAMED).unwrap();
        assert!(s.ordered);
        assert_eq!(s.steps.len(), 3);
        assert_eq!(s.timespan, Duration::from_secs(3600));
        assert_eq!(s.steps_of("first-seen", &[]), vec![0]);
        assert_eq!(s.steps_of("burst", &[]), vec![1]);
        let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            s.steps_of(
                "key-for-another-user",
                &tags(&["attack.Persistence", "attack.t1098"])
            ),
            vec![2]
        );
        assert_eq!(
            s.steps_of("stop-logging", &tags(&["attack.defense-evasion"])),
            vec![2]
        );
        assert_eq!(
            s.steps_of("tool", &tags(&["attack.discovery", "attack.persistence"])),
            vec![1, 2]
        );
        assert!(s.steps_of("other", &tags(&["attack.impact"])).is_empty());
        let e = json!({ "userIdentity": { "arn": "arn:aws:iam::1:user/x" } });
        assert_eq!(s.group_key(&e).as_deref(), Some("arn:aws:iam::1:user/x"));
        assert_eq!(s.group_key(&json!({})), None);
    }

    #[test]
    fn sigma_temporal_types_make_one_step_per_rule() {
        let o =
            seq("  type: temporal_ordered\n  rules: [a, b, c]\n  group-by: [x]\n  timespan: 30m\n")
                .unwrap();
        assert!(o.ordered);
        assert_eq!(
            o.steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(o.steps_of("b", &[]), vec![1]);
        let u =
            seq("  type: temporal\n  rules: [a, b]\n  group-by: [x]\n  timespan: 5m\n").unwrap();
        assert!(!u.ordered);
        let unordered_named =
            seq(&NAMED.replace("  steps:", "  ordered: false\n  steps:")).unwrap();
        assert!(!unordered_named.ordered);
    }

    #[test]
    fn mistakes_are_refused_naming_the_field() {
        let cases = [
            (
                "  type: vigil_sequence\n  steps: []\n  group-by: [x]\n  timespan: 1h\n",
                "steps",
                "at least two steps",
            ),
            (
                "  type: vigil_sequence\n  group-by: [x]\n  timespan: 1h\n",
                "steps",
                "needs `steps`",
            ),
            (
                "  type: vigil_sequence\n  steps:\n    - name: a\n      rules: [a]\n    - name: b\n  group-by: [x]\n  timespan: 1h\n",
                "steps",
                "step `b` names no `rules` and no `tags`",
            ),
            (
                "  type: vigil_sequence\n  steps:\n    - rules: [a]\n    - name: b\n      rules: [b]\n  group-by: [x]\n  timespan: 1h\n",
                "name",
                "step 1 needs a `name`",
            ),
            (
                "  type: temporal_ordered\n  rules: [a, b]\n  group-by: [x]\n",
                "timespan",
                "needs a `timespan`",
            ),
            (
                "  type: temporal_ordered\n  rules: [a, b]\n  group-by: [x]\n  timespan: soon\n",
                "timespan",
                "needs a `timespan`",
            ),
            (
                "  type: temporal_ordered\n  rules: [a, b]\n  group-by: [x]\n  timespan: 2d\n",
                "timespan",
                "at most 24h",
            ),
            (
                "  type: temporal_ordered\n  rules: [a, b]\n  timespan: 1h\n",
                "group-by",
                "at least one field",
            ),
            (
                "  type: temporal\n  rules: [a]\n  group-by: [x]\n  timespan: 1h\n",
                "rules",
                "at least two steps",
            ),
            (
                "  type: temporal\n  group-by: [x]\n  timespan: 1h\n",
                "rules",
                "at least two steps",
            ),
            (
                "  type: temporal\n  rules: [a, 3]\n  group-by: [x]\n  timespan: 1h\n",
                "rules",
                "list of strings",
            ),
            (
                "  type: event_count\n  rules: [a, b]\n  group-by: [x]\n  timespan: 1h\n",
                "type",
                "not a sequence type",
            ),
            (
                "  type: vigil_sequence\n  ordered: maybe\n  steps: []\n  group-by: [x]\n  timespan: 1h\n",
                "ordered",
                "true or false",
            ),
            (
                "  type: temporal\n  steps: []\n  group-by: [x]\n  timespan: 1h\n",
                "steps",
                "need `type: vigil_sequence`",
            ),
            (
                "  type: temporal\n  rules: [a, b]\n  aliases: {ip: {a: x, b: y}}\n  group-by: [ip]\n  timespan: 1h\n",
                "aliases",
                "not supported",
            ),
        ];
        for (body, field, message) in cases {
            let err = seq(body).unwrap_err();
            assert_eq!(err.field, field, "{body}: {err}");
            assert!(err.to_string().contains(message), "{body}: {err}");
            if body.contains(&format!("{field}:")) {
                assert!(err.line.is_some(), "{body}: {err}");
            }
        }
        assert_eq!(
            Sequence::compile("title: T\n").unwrap_err().field,
            "correlation"
        );
    }

    #[test]
    fn unknown_rules_are_refused_naming_the_step_and_line() {
        let s = seq(NAMED).unwrap();
        assert!(s.check_rules(|r| r == "first-seen" || r == "burst").is_ok());
        let err = s.check_rules(|r| r == "first-seen").unwrap_err();
        assert_eq!(err.field, "rules");
        assert_eq!(err.line, Some(11), "{err}");
        assert!(
            err.to_string().contains("step `recon` names `burst`"),
            "{err}"
        );
    }

    #[test]
    fn an_ordered_sequence_completes_in_order_within_the_timespan() {
        let s = seq(NAMED).unwrap();
        let hits = [hit(0, 0, "e1"), hit(1, 10 * MIN, "e2")];
        let last = hit(2, 20 * MIN, "e3");
        assert_eq!(
            chosen(s.complete_with(&last, &hits)),
            Some(vec!["e1", "e2", "e3"])
        );
        // Arriving in any order, whichever completes it finds it.
        let first = hit(0, 0, "e1");
        let rest = [hit(1, 10 * MIN, "e2"), hit(2, 20 * MIN, "e3")];
        assert_eq!(
            chosen(s.complete_with(&first, &rest)),
            Some(vec!["e1", "e2", "e3"])
        );
        let middle = hit(1, 10 * MIN, "e2");
        let ends = [hit(2, 20 * MIN, "e3"), hit(0, 0, "e1")];
        assert_eq!(
            chosen(s.complete_with(&middle, &ends)),
            Some(vec!["e1", "e2", "e3"])
        );
        // Ties in time keep the order.
        let tied = [hit(0, 5, "a"), hit(1, 5, "b")];
        assert!(s.complete_with(&hit(2, 5, "c"), &tied).is_some());
    }

    #[test]
    fn out_of_order_spread_out_or_single_event_steps_do_not_complete() {
        let s = seq(NAMED).unwrap();
        // Persistence before the reconnaissance.
        let hits = [hit(0, 0, "e1"), hit(2, 5 * MIN, "e3")];
        assert_eq!(s.complete_with(&hit(1, 10 * MIN, "e2"), &hits), None);
        // Longer than the timespan from first to last.
        let hits = [hit(0, 0, "e1"), hit(1, 30 * MIN, "e2")];
        assert_eq!(s.complete_with(&hit(2, 61 * MIN, "e3"), &hits), None);
        assert!(s.complete_with(&hit(2, 60 * MIN, "e3"), &hits).is_some());
        // One event is one step: a new address's first call that is also the persistence.
        let hits = [hit(0, 0, "e1"), hit(1, 0, "e2")];
        assert_eq!(s.complete_with(&hit(2, 0, "e1"), &hits), None);
        // A step missing.
        assert_eq!(s.complete_with(&hit(2, 0, "e3"), &[hit(0, 0, "e1")]), None);
        // A hit that is no step of the sequence.
        assert_eq!(s.complete_with(&hit(7, 0, "e3"), &hits), None);
    }

    #[test]
    fn the_window_holding_the_new_hit_is_found_among_older_ones() {
        let s = seq(NAMED).unwrap();
        // An old address change, then a fresh one with recon and persistence: the fresh one
        // is chosen because the old one is over an hour before the persistence.
        let hits = [
            hit(0, 0, "old"),
            hit(0, 100 * MIN, "new"),
            hit(1, 110 * MIN, "recon"),
        ];
        assert_eq!(
            chosen(s.complete_with(&hit(2, 120 * MIN, "persist"), &hits)),
            Some(vec!["new", "recon", "persist"])
        );
        // Before the new hit, the latest fitting hits are linked; after it, the earliest.
        let hits = [
            hit(1, 10 * MIN, "recon-1"),
            hit(1, 20 * MIN, "recon-2"),
            hit(2, 30 * MIN, "persist-1"),
            hit(2, 40 * MIN, "persist-2"),
        ];
        assert_eq!(
            chosen(s.complete_with(&hit(0, 15 * MIN, "addr"), &hits)),
            Some(vec!["addr", "recon-2", "persist-1"])
        );
    }

    #[test]
    fn a_burst_of_one_step_completes_once_its_other_steps_arrive() {
        let s = seq(NAMED).unwrap();
        // A thousand reconnaissance hits after the new address, then the persistence.
        let mut hits: Vec<StepHit<()>> = (0..1000)
            .map(|i| hit(1, MIN + i, &format!("recon-{i}")))
            .collect();
        hits.push(hit(0, 0, "addr"));
        assert_eq!(
            chosen(s.complete_with(&hit(2, 2 * MIN, "persist"), &hits)),
            Some(vec!["addr", "recon-999", "persist"])
        );
        // Without the new address, no window starts and nothing completes.
        hits.pop();
        assert_eq!(s.complete_with(&hit(2, 2 * MIN, "persist"), &hits), None);
    }

    #[test]
    fn an_unordered_sequence_takes_its_steps_in_any_order() {
        let s = seq("  type: temporal\n  rules: [a, b, c]\n  group-by: [x]\n  timespan: 10m\n")
            .unwrap();
        let hits = [hit(2, 0, "c"), hit(0, 5 * MIN, "a")];
        assert_eq!(
            chosen(s.complete_with(&hit(1, 2 * MIN, "b"), &hits)),
            Some(vec!["a", "b", "c"])
        );
        assert_eq!(s.complete_with(&hit(1, 11 * MIN, "b"), &hits), None);
    }
}
