//! SigmaHQ's public CloudTrail rules load as tenant rules and evaluate as their authors
//! meant.
//!
//! `rules/` holds every rule of `rules/cloud/aws/cloudtrail/` in SigmaHQ's repository,
//! verbatim (commit and licence in `rules/README.md`). Each is compiled by
//! `vigil_detect::Rule::compile`, the function the API compiles a tenant's rule with: it
//! compiles, or is in [`REFUSED`] with the reason its error must give. `fixtures.json`
//! (written by `fixtures.py`, by hand from how CloudTrail records look, never from the
//! rules' selections) holds, per rule id, complete CloudTrail records the rule must match
//! and close ones it must not; both the rule alone and a `RuleSet` of all of them (the
//! index the worker matches through) must agree.

use std::{collections::BTreeMap, path::PathBuf};

use serde_json::Value;
use vigil_detect::{Rule, RuleSet};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sigmahq")
}

/// SigmaHQ rules Vigil refuses, by file, with what the error must say. Reviewed: empty,
/// every construct these rules use is supported.
const REFUSED: &[(&str, &str)] = &[];

/// Rules that compile but that no CloudTrail record can match, by file, with why; their
/// fixtures have no `match` records (the reason is also in the fixture's `note`).
const CANNOT_MATCH: &[(&str, &str)] = &[
    (
        "aws_delete_saml_provider.yml",
        "requires a `status` field, which CloudTrail records do not have",
    ),
    (
        "aws_route_53_domain_transferred_lock_disabled.yml",
        "names route53.amazonaws.com; Route 53 Domains records route53domains.amazonaws.com",
    ),
    (
        "aws_route_53_domain_transferred_to_another_account.yml",
        "names route53.amazonaws.com; Route 53 Domains records route53domains.amazonaws.com",
    ),
];

/// The number of rules at the commit in `rules/README.md`: a file lost or added shows.
const RULE_FILES: usize = 57;

/// Every rule file, compiled: (file name, YAML, result).
fn compiled() -> Vec<(String, String, Result<Rule, vigil_detect::RuleError>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir().join("rules"))
        .expect("tests/sigmahq/rules")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let yaml = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            // A panic here fails the test: a refusal must be an error, never a panic.
            let result = Rule::compile(&yaml);
            (name, yaml, result)
        })
        .collect()
}

#[test]
fn every_sigmahq_rule_compiles_or_is_refused_for_a_reviewed_reason() {
    let all = compiled();
    assert_eq!(all.len(), RULE_FILES, "tests/sigmahq/rules changed");
    let mut problems = Vec::new();
    for (name, _, result) in &all {
        let refusal = REFUSED.iter().find(|(f, _)| f == name);
        match (result, refusal) {
            (Ok(_), None) => {}
            (Ok(_), Some(_)) => {
                problems.push(format!("{name} now compiles: take it out of REFUSED"))
            }
            (Err(e), Some((_, why))) if e.to_string().contains(why) => {}
            (Err(e), _) => problems.push(format!("{name} is refused: {e}")),
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    let loaded = all.iter().filter(|(_, _, r)| r.is_ok()).count();
    assert_eq!(loaded + REFUSED.len(), RULE_FILES);
}

/// Fields every record in the fixtures carries, as CloudTrail writes them: a fixture that
/// lost them would no longer show how the rule meets a real record.
const ENVELOPE: [&str; 13] = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestID",
    "eventID",
    "eventType",
    "recipientAccountId",
    "eventCategory",
];

#[test]
fn every_sigmahq_rule_matches_what_its_author_describes_and_not_its_neighbours() {
    let path = dir().join("fixtures.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fixtures: BTreeMap<String, Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rules: Vec<(String, Rule)> = compiled()
        .into_iter()
        .filter_map(|(name, _, r)| r.ok().map(|r| (name, r)))
        .collect();
    let set = RuleSet::new(rules.iter().map(|(_, r)| r.clone()).collect());
    let mut problems = Vec::new();
    let (mut matched, mut unmatched) = (0, 0);
    for (name, rule) in &rules {
        let Some(case) = fixtures.get(&rule.id) else {
            problems.push(format!("{name} ({}): no fixtures", rule.id));
            continue;
        };
        if case["file"].as_str() != Some(name) {
            problems.push(format!(
                "{name}: fixture {} names {}",
                rule.id, case["file"]
            ));
        }
        let records = |key: &str| case[key].as_array().cloned().unwrap_or_default();
        let (yes, no) = (records("match"), records("no_match"));
        let cannot = CANNOT_MATCH.iter().any(|(f, _)| f == name);
        if yes.is_empty() != cannot {
            problems.push(format!(
                "{name}: {} match records, {}",
                yes.len(),
                if cannot {
                    "but it is in CANNOT_MATCH"
                } else {
                    "needs at least one"
                }
            ));
        }
        if no.is_empty() {
            problems.push(format!("{name}: needs at least one no_match record"));
        }
        for (want, records) in [(true, &yes), (false, &no)] {
            for (i, record) in records.iter().enumerate() {
                let what = format!(
                    "{name}: {} record {i} ({} {})",
                    if want { "match" } else { "no_match" },
                    record["eventSource"],
                    record["eventName"]
                );
                if let Some(field) = ENVELOPE.iter().find(|f| record.get(**f).is_none()) {
                    problems.push(format!("{what} has no {field}"));
                }
                if rule.matches(record) != want {
                    problems.push(format!(
                        "{what}: the rule {}",
                        if want { "does not match" } else { "matches" }
                    ));
                }
                let indexed = set.matching(record).iter().any(|r| r.id == rule.id);
                if indexed != want {
                    problems.push(format!(
                        "{what}: through the RuleSet the rule {}",
                        if want { "does not match" } else { "matches" }
                    ));
                }
                if want { matched += 1 } else { unmatched += 1 }
            }
        }
    }
    let ids: Vec<&str> = rules.iter().map(|(_, r)| r.id.as_str()).collect();
    for id in fixtures.keys().filter(|k| !ids.contains(&k.as_str())) {
        problems.push(format!("fixtures for {id}, which no rule has"));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    assert!(matched >= RULE_FILES - CANNOT_MATCH.len() && unmatched >= RULE_FILES);
}
