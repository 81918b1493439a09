//! Backtests: what a rule would have raised over stored events, evaluated in memory in
//! time order, with the worker's semantics (see `worker/src/activity/correlate.rs` and
//! the alert grouping of `vigil_core::store::alerts`) but none of its writes.
//!
//! - A single-event rule raises on each match; matches of one principal within the group
//!   window join one alert.
//! - `event_count` / `value_count`: a group's matches within the timespan are counted
//!   (events, or distinct values of the field); reaching the threshold opens an alert
//!   that stands for that window, and the group's further matches within the group
//!   window grow it.
//! - `vigil_first_seen`: a value the group has not shown within the lookback raises,
//!   once the group has shown anything. A backtest knows only the replayed events, so a
//!   group's first event in the window is its baseline (the worker also waits for the
//!   account's learning period, which a backtest does not).
//!
//! Times are milliseconds since the Unix epoch.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    time::Instant,
};

use serde_json::Value;

use crate::{Correlation, CorrelationKind, Rule};

/// Sample event IDs kept per would-be alert.
pub const SAMPLE_EVENT_IDS: usize = 10;

/// A stored event, as a backtest reads it.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The connection (AWS account) it belongs to: state and alerts are per account.
    pub account: &'a str,
    pub event_id: &'a str,
    /// When it happened, in ms since the epoch.
    pub at: i64,
    pub raw: &'a Value,
}

/// What is replayed.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A single-event rule.
    Single(&'a Rule),
    /// A correlation (its `rules` resolved) and the base rules it counts.
    Correlation {
        correlation: &'a Correlation,
        bases: &'a [Rule],
    },
}

/// An alert the rule would have raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WouldBe {
    pub account: String,
    /// The correlation's group (its group-by values joined by `|`, plus the value for
    /// first-seen), or the principal for a single-event rule.
    pub group: String,
    /// The earliest event it stands for (for a count, the first of the window that
    /// reached the threshold).
    pub first_at: i64,
    /// The latest event that joined it.
    pub last_at: i64,
    /// Events it stands for.
    pub count: u64,
    /// Up to [`SAMPLE_EVENT_IDS`] of them, oldest first.
    pub sample_event_ids: Vec<String>,
}

/// What a backtest found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Records evaluated before the deadline.
    pub scanned: usize,
    /// IDs of the events the rule (for a correlation, one of its base rules) matched,
    /// oldest first.
    pub matched_event_ids: Vec<String>,
    /// Would-be alerts, in the order they would have opened.
    pub alerts: Vec<WouldBe>,
    /// False when the deadline came before the last record.
    pub complete: bool,
}

/// One group's matches within the timespan, oldest first, with how often each value
/// occurs (for distinct counts).
#[derive(Default)]
struct Window {
    matches: VecDeque<(i64, String, String)>,
    values: HashMap<String, usize>,
}

impl Window {
    fn push(&mut self, at: i64, event_id: &str, value: String) {
        *self.values.entry(value.clone()).or_default() += 1;
        self.matches.push_back((at, event_id.to_owned(), value));
    }

    fn forget_before(&mut self, start: i64) {
        while self.matches.front().is_some_and(|(at, ..)| *at < start) {
            if let Some((_, _, value)) = self.matches.pop_front()
                && let Some(n) = self.values.get_mut(&value)
            {
                *n -= 1;
                if *n == 0 {
                    self.values.remove(&value);
                }
            }
        }
    }
}

/// Alerts being built: one open alert per (account, group) within the group window.
struct Alerts {
    group_window: i64,
    all: Vec<WouldBe>,
    open: HashMap<(String, String), usize>,
}

impl Alerts {
    fn open_at(&self, account: &str, group: &str, at: i64) -> Option<usize> {
        self.open
            .get(&(account.to_owned(), group.to_owned()))
            .copied()
            .filter(|&i| self.all[i].last_at >= at - self.group_window)
    }

    fn grow(&mut self, i: usize, at: i64, event_id: &str) {
        let a = &mut self.all[i];
        a.count += 1;
        a.last_at = a.last_at.max(at);
        if a.sample_event_ids.len() < SAMPLE_EVENT_IDS {
            a.sample_event_ids.push(event_id.to_owned());
        }
    }

    /// Opens an alert standing for `window` (time, event ID), oldest first.
    fn open(&mut self, account: &str, group: String, window: &[(i64, &str)]) {
        let first = window.first().map_or(0, |w| w.0);
        let last = window.iter().map(|w| w.0).max().unwrap_or(first);
        self.open
            .insert((account.to_owned(), group.clone()), self.all.len());
        self.all.push(WouldBe {
            account: account.to_owned(),
            group,
            first_at: first,
            last_at: last,
            count: window.len() as u64,
            sample_event_ids: window
                .iter()
                .take(SAMPLE_EVENT_IDS)
                .map(|w| w.1.to_owned())
                .collect(),
        });
    }

    /// Raises on one event: grows the group's open alert, or opens one.
    fn raise(&mut self, account: &str, group: String, at: i64, event_id: &str) {
        match self.open_at(account, &group, at) {
            Some(i) => self.grow(i, at, event_id),
            None => self.open(account, group, &[(at, event_id)]),
        }
    }
}

/// The principal an alert of a single-event rule groups on, as the worker stores it.
fn principal(raw: &Value) -> String {
    raw.pointer("/userIdentity/arn")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("-")
        .to_owned()
}

/// Replays `records` (oldest first) through `target` until `deadline`. `group_window`
/// (ms) is how close in time matches of a group must be to join one alert.
pub fn run(
    target: Target<'_>,
    records: &[Record<'_>],
    group_window: i64,
    deadline: Instant,
) -> Outcome {
    let mut out = Outcome::default();
    let mut alerts = Alerts {
        group_window,
        all: Vec::new(),
        open: HashMap::new(),
    };
    let mut windows: HashMap<(String, String), Window> = HashMap::new();
    // (account, group) -> value -> (first seen, last seen).
    let mut baselines: HashMap<(String, String), HashMap<String, (i64, i64)>> = HashMap::new();
    let counted: HashSet<&str> = match target {
        Target::Correlation { correlation, .. } => {
            correlation.rules.iter().map(String::as_str).collect()
        }
        Target::Single(_) => HashSet::new(),
    };
    for r in records {
        if Instant::now() >= deadline {
            out.alerts = alerts.all;
            return out;
        }
        out.scanned += 1;
        let c = match target {
            Target::Single(rule) => {
                if rule.matches(r.raw) {
                    out.matched_event_ids.push(r.event_id.to_owned());
                    alerts.raise(r.account, principal(r.raw), r.at, r.event_id);
                }
                continue;
            }
            Target::Correlation { correlation, bases } => {
                if !bases
                    .iter()
                    .any(|b| counted.contains(b.id.as_str()) && b.matches(r.raw))
                {
                    continue;
                }
                out.matched_event_ids.push(r.event_id.to_owned());
                correlation
            }
        };
        let Some(group) = c.group_key(r.raw) else {
            continue;
        };
        let span = i64::try_from(c.timespan.as_millis()).unwrap_or(i64::MAX);
        let key = (r.account.to_owned(), group.clone());
        match &c.kind {
            CorrelationKind::FirstSeen { .. } => {
                let Some(value) = c.value(r.raw) else {
                    continue;
                };
                let seen = baselines.entry(key).or_default();
                let known = seen.get(&value).is_some_and(|(first, last)| {
                    *first <= r.at && *last >= r.at.saturating_sub(span)
                });
                let has_history = seen.values().any(|(first, _)| *first < r.at);
                let entry = seen.entry(value.clone()).or_insert((r.at, r.at));
                entry.0 = entry.0.min(r.at);
                entry.1 = entry.1.max(r.at);
                if !known && has_history {
                    alerts.raise(r.account, format!("{group}|{value}"), r.at, r.event_id);
                }
            }
            kind => {
                let value = match kind {
                    CorrelationKind::ValueCount { .. } => match c.value(r.raw) {
                        Some(v) => v,
                        None => continue,
                    },
                    _ => r.event_id.to_owned(),
                };
                let window = windows.entry(key).or_default();
                window.push(r.at, r.event_id, value);
                window.forget_before(r.at.saturating_sub(span));
                if let Some(i) = alerts.open_at(r.account, &group, r.at) {
                    alerts.grow(i, r.at, r.event_id);
                    continue;
                }
                if window.values.len() as u64 >= c.threshold {
                    let events: Vec<(i64, &str)> = window
                        .matches
                        .iter()
                        .map(|(at, id, _)| (*at, id.as_str()))
                        .collect();
                    alerts.open(r.account, group, &events);
                }
            }
        }
    }
    out.complete = true;
    out.alerts = alerts.all;
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;

    const MINUTE: i64 = 60_000;

    fn base() -> Rule {
        let mut r = Rule::compile("title: Deleted\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: DeleteSnapshot}\n  condition: sel\n").unwrap();
        r.meta.id = "tenant:1".into();
        r
    }

    fn correlation(body: &str) -> Correlation {
        let mut c = Correlation::compile(&format!(
            "title: Burst\nid: burst\nlevel: high\ncorrelation:\n  rules: [tenant:1]\n  group-by: [userIdentity.arn]\n{body}"
        ))
        .unwrap();
        c.meta.id = "tenant:2".into();
        c
    }

    /// (account, id, minute, who, name, region)
    fn events(spec: &[(&str, &str, i64, &str, &str, &str)]) -> Vec<(String, String, i64, Value)> {
        spec.iter()
            .map(|(account, id, minute, who, name, region)| {
                (
                    (*account).to_owned(),
                    (*id).to_owned(),
                    minute * MINUTE,
                    json!({ "eventID": id, "eventName": name, "awsRegion": region,
                            "userIdentity": { "arn": format!("arn:aws:iam::1:user/{who}") } }),
                )
            })
            .collect()
    }

    fn replay(target: Target<'_>, events: &[(String, String, i64, Value)]) -> Outcome {
        let records: Vec<Record<'_>> = events
            .iter()
            .map(|(account, id, at, raw)| Record {
                account,
                event_id: id,
                at: *at,
                raw,
            })
            .collect();
        run(
            target,
            &records,
            60 * MINUTE,
            Instant::now() + Duration::from_secs(60),
        )
    }

    #[test]
    fn an_event_count_raises_for_the_group_that_reaches_it_only() {
        let c = correlation("  type: event_count\n  timespan: 10m\n  condition: {gte: 3}\n");
        let bases = [base()];
        let evs = events(&[
            ("a", "m1", 0, "mallory", "DeleteSnapshot", "x"),
            ("a", "b1", 1, "bob", "DeleteSnapshot", "x"),
            ("a", "n1", 2, "mallory", "DescribeSnapshots", "x"),
            ("a", "m2", 3, "mallory", "DeleteSnapshot", "x"),
            ("a", "b2", 4, "bob", "DeleteSnapshot", "x"),
            ("a", "m3", 5, "mallory", "DeleteSnapshot", "x"),
            // Joins mallory's open alert.
            ("a", "m4", 30, "mallory", "DeleteSnapshot", "x"),
            // Bob again, but his first two are out of the 10 minute window.
            ("a", "b3", 20, "bob", "DeleteSnapshot", "x"),
            // Another account's group is another group.
            ("z", "m5", 6, "mallory", "DeleteSnapshot", "x"),
        ]);
        let mut sorted = evs.clone();
        sorted.sort_by_key(|e| e.2);
        let out = replay(
            Target::Correlation {
                correlation: &c,
                bases: &bases,
            },
            &sorted,
        );
        assert!(out.complete);
        assert_eq!(out.scanned, 9);
        assert_eq!(out.matched_event_ids.len(), 8);
        assert_eq!(out.alerts.len(), 1, "{:?}", out.alerts);
        let a = &out.alerts[0];
        assert_eq!(
            (a.account.as_str(), a.group.as_str()),
            ("a", "arn:aws:iam::1:user/mallory")
        );
        assert_eq!((a.first_at, a.last_at, a.count), (0, 30 * MINUTE, 4));
        assert_eq!(a.sample_event_ids, ["m1", "m2", "m3", "m4"]);
    }

    #[test]
    fn a_value_count_counts_distinct_values() {
        let c = correlation(
            "  type: value_count\n  field: awsRegion\n  timespan: 1h\n  condition: {gte: 3}\n",
        );
        let bases = [base()];
        let same = events(&[
            ("a", "1", 0, "m", "DeleteSnapshot", "eu-west-1"),
            ("a", "2", 1, "m", "DeleteSnapshot", "eu-west-1"),
            ("a", "3", 2, "m", "DeleteSnapshot", "eu-west-1"),
        ]);
        let target = Target::Correlation {
            correlation: &c,
            bases: &bases,
        };
        assert!(replay(target, &same).alerts.is_empty());
        let spread = events(&[
            ("a", "1", 0, "m", "DeleteSnapshot", "eu-west-1"),
            ("a", "2", 1, "m", "DeleteSnapshot", "eu-west-1"),
            ("a", "3", 2, "m", "DeleteSnapshot", "us-east-1"),
            ("a", "4", 3, "m", "DeleteSnapshot", "ap-south-1"),
        ]);
        let out = replay(target, &spread);
        assert_eq!(out.alerts.len(), 1);
        assert_eq!(out.alerts[0].count, 4);
    }

    #[test]
    fn first_seen_learns_from_the_window_then_raises_per_new_value() {
        let c = correlation("  type: vigil_first_seen\n  field: awsRegion\n  timespan: 30d\n");
        let bases = [base()];
        let evs = events(&[
            ("a", "1", 0, "m", "DeleteSnapshot", "eu-west-1"),
            ("a", "2", 1, "m", "DeleteSnapshot", "eu-west-1"),
            ("a", "3", 2, "m", "DeleteSnapshot", "sa-east-1"),
            ("a", "4", 3, "m", "DeleteSnapshot", "sa-east-1"),
        ]);
        let out = replay(
            Target::Correlation {
                correlation: &c,
                bases: &bases,
            },
            &evs,
        );
        assert_eq!(out.alerts.len(), 1, "{:?}", out.alerts);
        assert_eq!(out.alerts[0].group, "arn:aws:iam::1:user/m|sa-east-1");
        assert_eq!(out.alerts[0].sample_event_ids, ["3"]);
    }

    #[test]
    fn single_rules_group_by_principal_and_the_deadline_stops_the_replay() {
        let rule = base();
        let evs = events(&[
            ("a", "1", 0, "m", "DeleteSnapshot", "x"),
            ("a", "2", 10, "m", "DeleteSnapshot", "x"),
            ("a", "3", 200, "m", "DeleteSnapshot", "x"),
            ("a", "4", 201, "b", "DeleteSnapshot", "x"),
        ]);
        let out = replay(Target::Single(&rule), &evs);
        let counts: Vec<u64> = out.alerts.iter().map(|a| a.count).collect();
        assert_eq!(counts, [2, 1, 1]);
        let records: Vec<Record<'_>> = evs
            .iter()
            .map(|(account, id, at, raw)| Record {
                account,
                event_id: id,
                at: *at,
                raw,
            })
            .collect();
        let late = run(
            Target::Single(&rule),
            &records,
            MINUTE,
            Instant::now() - Duration::from_millis(1),
        );
        assert_eq!((late.scanned, late.complete), (0, false));
    }
}
