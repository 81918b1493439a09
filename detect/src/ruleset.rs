//! Rules indexed by the `eventName`s they can match, so an event is tested only against
//! the rules that could fire on it. With 100 rules, asking each rule in turn cost more than
//! parsing the event (a hash look-up per rule per event); one look-up per event does not.

use std::collections::HashMap;

use serde_json::Value;

use crate::Rule;

/// A list of rules, matched in its order, with an index by `eventName`.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Lowercase eventName → positions of the rules bounded to it, ascending.
    by_name: HashMap<String, Vec<usize>>,
    /// Positions of the rules any event could match, ascending.
    unbounded: Vec<usize>,
}

impl RuleSet {
    /// Indexes `rules`, keeping their order.
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut unbounded = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            match rule.matcher.event_names() {
                Some(names) => {
                    for name in names {
                        by_name.entry(name.clone()).or_default().push(i);
                    }
                }
                None => unbounded.push(i),
            }
        }
        Self {
            rules,
            by_name,
            unbounded,
        }
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules `event` matches, in the set's order.
    pub fn matching<'a>(&'a self, event: &Value) -> Vec<&'a Rule> {
        let name = event
            .get("eventName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let named: &[usize] = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_name
                .get(&name.to_ascii_lowercase())
                .map_or(&[], Vec::as_slice)
        } else {
            self.by_name.get(name).map_or(&[], Vec::as_slice)
        };
        // Merge the two ascending lists so hits come out in rule order.
        let (mut a, mut b) = (named.iter().peekable(), self.unbounded.iter().peekable());
        let mut out = Vec::new();
        loop {
            let (i, bounded) = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => (a.next().copied(), true),
                (Some(_), Some(_)) | (None, Some(_)) => (b.next().copied(), false),
                (Some(_), None) => (a.next().copied(), true),
                (None, None) => break,
            };
            let Some(i) = i else { break };
            let rule = &self.rules[i];
            let hit = if bounded {
                rule.matcher.matches_named(event)
            } else {
                rule.matches(event)
            };
            if hit {
                out.push(rule);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Same hits, in the same order, as asking every rule, over every built-in rule's
    /// examples and names in other cases.
    #[test]
    fn the_index_finds_exactly_what_asking_every_rule_finds() {
        let rules = crate::builtin::rules().unwrap();
        let set = RuleSet::new(rules.clone());
        let mut events: Vec<Value> = crate::builtin::FILES
            .iter()
            .flat_map(|(_, yaml)| {
                let doc: Value = serde_norway::from_str(yaml).unwrap();
                ["match", "nomatch"]
                    .into_iter()
                    .flat_map(|k| {
                        doc["vigil_tests"][k]
                            .as_array()
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        // CloudTrail's names are case-sensitive on the wire; Sigma compares without case.
        events
            .push(json!({ "eventName": "stoplogging", "eventSource": "cloudtrail.amazonaws.com" }));
        events.push(json!({ "eventSource": "s3.amazonaws.com" }));
        let mut hits = 0;
        for event in &events {
            let each: Vec<&str> = rules
                .iter()
                .filter(|r| r.matches(event))
                .map(|r| r.id.as_str())
                .collect();
            let indexed: Vec<&str> = set.matching(event).iter().map(|r| r.id.as_str()).collect();
            assert_eq!(indexed, each, "{event}");
            hits += each.len();
        }
        assert!(
            events.len() > 300 && hits > 100,
            "{} events, {hits} hits",
            events.len()
        );
    }
}
