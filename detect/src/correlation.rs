//! Sigma correlation rules: detections over several events that one event cannot show
//! (a burst of denied calls, many failed logins, one address trying many users), and
//! Vigil's first-seen rules (a principal in a region or from an address it has not used
//! in the lookback period).
//!
//! A correlation names the base rules whose matches it counts, the fields that group
//! them, a timespan and a threshold, in the Sigma correlation format:
//!
//! ```yaml
//! correlation:
//!   type: event_count        # or value_count (with field), or vigil_first_seen (with field)
//!   rules: [vigil-api-call-denied]
//!   group-by: [userIdentity.arn]
//!   timespan: 10m
//!   condition: { gte: 10 }
//! ```
//!
//! This module parses and describes correlations and pulls the group and value out of an
//! event; the state (which events matched, over how long) lives in the database, because
//! workers are many and restart, and is kept by the worker.

use std::time::Duration;

use serde_json::Value;

use crate::{Level, RuleError, RuleMeta, matcher::resolve};

/// What a correlation counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrelationKind {
    /// At least `threshold` matching events of one group within the timespan.
    EventCount,
    /// At least `threshold` distinct values of `field` in one group within the timespan.
    ValueCount { field: String },
    /// A value of `field` the group has not shown within the timespan (the lookback),
    /// once the account has a baseline. Vigil's extension to Sigma.
    FirstSeen { field: String },
}

/// A compiled correlation rule.
#[derive(Debug, Clone)]
pub struct Correlation {
    pub meta: RuleMeta,
    pub kind: CorrelationKind,
    /// IDs of the base rules whose matches are counted.
    pub rules: Vec<String>,
    /// Dotted field paths; their values together are the group.
    pub group_by: Vec<String>,
    pub timespan: Duration,
    /// Matches needed (`condition: {gte: N}`; `gt: N` is N + 1). 1 for first-seen.
    pub threshold: u64,
    /// Whether the base rules also raise alerts on their own (Sigma's `generate`).
    pub generate: bool,
}

/// The `correlation` section of a parsed rule (`what`: the kind of rule, for the error).
pub(crate) fn section<'a>(doc: &'a Value, yaml: &str, what: &str) -> Result<&'a Value, RuleError> {
    let c = &doc["correlation"];
    if c.is_object() {
        Ok(c)
    } else {
        Err(RuleError::at(
            yaml,
            "correlation",
            format!("{what} needs a `correlation` section"),
        ))
    }
}

/// The section's `timespan`: a non-zero duration, or the error `hint`.
pub(crate) fn timespan(c: &Value, yaml: &str, hint: &str) -> Result<Duration, RuleError> {
    c["timespan"]
        .as_str()
        .and_then(|t| humantime::parse_duration(t).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| RuleError::at(yaml, "timespan", hint))
}

impl Correlation {
    /// Parses a correlation rule; the referenced rules are checked by the caller, which
    /// knows the rule set.
    pub fn compile(yaml: &str) -> Result<Self, RuleError> {
        let doc = crate::parse_yaml(yaml)?;
        let meta = RuleMeta::from_doc(&doc, yaml)?;
        let c = section(&doc, yaml, "a correlation rule")?;
        let strings = |k: &str| -> Vec<String> {
            match &c[k] {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let rules = strings("rules");
        if rules.is_empty() {
            return Err(RuleError::at(
                yaml,
                "rules",
                "name at least one base rule by its id",
            ));
        }
        let group_by = strings("group-by");
        if group_by.is_empty() {
            return Err(RuleError::at(
                yaml,
                "group-by",
                "name at least one field to group by",
            ));
        }
        let timespan = timespan(c, yaml, "expected a duration such as 10m, 1h or 30d")?;
        let field = || {
            c["field"].as_str().map(str::to_owned).ok_or_else(|| {
                RuleError::at(
                    yaml,
                    "field",
                    "this correlation type counts the values of a `field`",
                )
            })
        };
        let kind = match c["type"].as_str() {
            Some("event_count") => CorrelationKind::EventCount,
            Some("value_count") => CorrelationKind::ValueCount { field: field()? },
            Some("vigil_first_seen") => CorrelationKind::FirstSeen { field: field()? },
            // Sequences link alerts rather than count events: their own type.
            Some(other) if crate::sequence::SEQUENCE_TYPES.contains(&other) => {
                return Err(RuleError::at(
                    yaml,
                    "type",
                    format!("`{other}` is a sequence: compile it with `Sequence::compile`"),
                ));
            }
            Some(other) => {
                return Err(RuleError::at(
                    yaml,
                    "type",
                    format!(
                        "unsupported correlation type `{other}` (supported: event_count, value_count, vigil_first_seen, and the sequences temporal, temporal_ordered, vigil_sequence)"
                    ),
                ));
            }
            None => return Err(RuleError::at(yaml, "type", "a correlation needs a `type`")),
        };
        let threshold = match (&kind, &c["condition"]) {
            (CorrelationKind::FirstSeen { .. }, _) => 1,
            (_, cond) => match (cond["gte"].as_u64(), cond["gt"].as_u64()) {
                (Some(n), None) if n > 0 => n,
                (None, Some(n)) => n + 1,
                _ => {
                    return Err(RuleError::at(
                        yaml,
                        "condition",
                        "expected `condition: {gte: N}` or `{gt: N}` with N at least 1",
                    ));
                }
            },
        };
        Ok(Self {
            meta,
            kind,
            rules,
            group_by,
            timespan,
            threshold,
            generate: c["generate"]
                .as_bool()
                .or(doc["generate"].as_bool())
                .unwrap_or(false),
        })
    }

    /// The event's group: the group-by values joined, or `None` when one is missing
    /// (an event that cannot be attributed is not counted).
    pub fn group_key(&self, event: &Value) -> Option<String> {
        let parts: Option<Vec<String>> =
            self.group_by.iter().map(|f| first_text(event, f)).collect();
        parts.map(|p| p.join("|"))
    }

    /// The value counted (value_count) or remembered (first-seen), when present.
    pub fn value(&self, event: &Value) -> Option<String> {
        match &self.kind {
            CorrelationKind::EventCount => None,
            CorrelationKind::ValueCount { field } | CorrelationKind::FirstSeen { field } => {
                first_text(event, field)
            }
        }
    }
}

/// The first non-empty scalar at a dotted path, as text.
pub(crate) fn first_text(event: &Value, dotted: &str) -> Option<String> {
    let path: Vec<String> = dotted.split('.').map(str::to_owned).collect();
    let mut out = Vec::new();
    resolve(event, &path, &mut out);
    out.into_iter().find_map(|v| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

impl Level {
    /// Parses Sigma's `level`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "critical" => Level::Critical,
            "high" => Level::High,
            "medium" => Level::Medium,
            "low" => Level::Low,
            "informational" => Level::Informational,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const HEAD: &str = "title: Burst\nid: t-burst\nlevel: high\ndescription: d\n";

    #[test]
    fn event_and_value_counts_parse_with_their_thresholds() {
        let c = Correlation::compile(&format!(
            "{HEAD}correlation:\n  type: event_count\n  rules: [a]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n  condition: {{gte: 10}}\n"
        ))
        .unwrap();
        assert_eq!(c.kind, CorrelationKind::EventCount);
        assert_eq!((c.threshold, c.timespan), (10, Duration::from_secs(600)));
        assert!(!c.generate);
        let v = Correlation::compile(&format!(
            "{HEAD}correlation:\n  type: value_count\n  rules: a\n  group-by: [sourceIPAddress]\n  field: userIdentity.userName\n  timespan: 30m\n  condition: {{gt: 4}}\n  generate: true\n"
        ))
        .unwrap();
        assert_eq!(v.threshold, 5);
        assert!(v.generate);
        let e = json!({ "sourceIPAddress": "203.0.113.7", "userIdentity": { "userName": "bob" } });
        assert_eq!(v.group_key(&e).as_deref(), Some("203.0.113.7"));
        assert_eq!(v.value(&e).as_deref(), Some("bob"));
        assert_eq!(v.group_key(&json!({ "userIdentity": {} })), None);
    }

    #[test]
    fn mistakes_name_the_field() {
        let cases = [
            (
                "correlation:\n  type: value_sum\n  rules: [a]\n  group-by: [x]\n  timespan: 5m\n",
                "type",
            ),
            (
                "correlation:\n  type: event_count\n  group-by: [x]\n  timespan: 5m\n  condition: {gte: 2}\n",
                "rules",
            ),
            (
                "correlation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2}\n",
                "group-by",
            ),
            (
                "correlation:\n  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: soon\n  condition: {gte: 2}\n",
                "timespan",
            ),
            (
                "correlation:\n  type: event_count\n  rules: [a]\n  group-by: [x]\n  timespan: 5m\n  condition: {lte: 2}\n",
                "condition",
            ),
            (
                "correlation:\n  type: value_count\n  rules: [a]\n  group-by: [x]\n  timespan: 5m\n  condition: {gte: 2}\n",
                "field",
            ),
        ];
        for (body, field) in cases {
            let err = Correlation::compile(&format!("{HEAD}{body}")).unwrap_err();
            assert_eq!(err.field, field, "{body}: {err}");
            if body.contains(&format!("{field}:")) {
                assert!(err.line.is_some(), "{body}: {err}");
            }
        }
    }
}
