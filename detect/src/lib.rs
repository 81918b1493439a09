//! Vigil's detection engine: Sigma rules (the open format security teams already write)
//! compiled to matchers over CloudTrail records as JSON.
//!
//! Supported: selections as maps (fields ANDed), lists of maps (ORed) or keywords (plain
//! values searched in every value of the record); values as scalars, `null` (missing or
//! null) or lists (ORed, or ANDed with `|all`); Sigma's `*`/`?` wildcards; the modifiers
//! `contains`, `startswith`, `endswith`, `cased`, `re` (with its flags `i`, `m`, `s`),
//! `cidr`, `all`, `exists`, `windash`, `base64`, `base64offset` (after `wide`/`utf16le`,
//! `utf16be` or `utf16` to encode the text first), the numeric comparisons `lt`, `lte`,
//! `gt`, `gte` (a JSON number or a string holding one, against the rule's number; anything
//! else never matches) and `fieldref` (`a|fieldref: b`: the value of field `a` equals the
//! value of field `b` of the same record; with `|contains`, `|startswith` or `|endswith`
//! after it, contains, starts or ends with it; a missing field never matches); conditions
//! with `and`, `or`, `not`, parentheses, `1 of`/`any of`/`all of` a pattern and `them`
//! (every selection not named `_...`). Field names are dotted paths; a path through an
//! array matches if any element does (CloudTrail nests lists as `items`), and a text value
//! tested against a field holding an object matches any value nested in it. Strings
//! compare case-insensitively, as Sigma specifies, unless `cased`. Anything else (`expand`,
//! which needs a processing pipeline's placeholders, unknown modifiers, aggregations) is
//! refused at compile time with the line and field
//! named. Why this is written here rather than
//! taken from `sigma-rust`: `docs/decisions.md`.

pub mod backtest;
pub mod builtin;
mod condition;
pub mod correlation;
mod matcher;
pub mod replay;
mod ruleset;
pub mod sequence;
pub mod tenant;

use serde_json::Value;

pub use condition::{MAX_CONDITION_BYTES, MAX_CONDITION_DEPTH};
pub use correlation::{Correlation, CorrelationKind};
pub use matcher::{
    MAX_FIELD_PATH_BYTES, MAX_FIELD_PATH_SEGMENTS, MAX_SELECTIONS, MAX_VALUES, Matcher,
};
pub use ruleset::RuleSet;
pub use sequence::{Sequence, SequenceStep, StepHit};
pub use vigil_domain::Severity;

/// Why a rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", line.map(|l| format!("line {l}, ")).unwrap_or_default(), field)]
pub struct RuleError {
    /// The YAML line the problem is on, when known.
    pub line: Option<usize>,
    /// The field (or section) at fault.
    pub field: String,
    pub message: String,
}

impl RuleError {
    fn at(yaml: &str, field: &str, message: impl Into<String>) -> Self {
        let key = field.split('|').next().unwrap_or(field);
        let line = yaml
            .lines()
            .position(|l| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .starts_with(&format!("{field}:"))
            })
            .or_else(|| yaml.lines().position(|l| l.contains(key)))
            .map(|i| i + 1);
        Self {
            line,
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Severity levels of Sigma (`level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Critical,
    High,
    Medium,
    Low,
    Informational,
}

impl Level {
    /// The severity Vigil gives alerts of this level (Sigma's `informational` is INFO).
    pub fn severity(self) -> Severity {
        match self {
            Level::Critical => Severity::Critical,
            Level::High => Severity::High,
            Level::Medium => Severity::Medium,
            Level::Low => Severity::Low,
            Level::Informational => Severity::Info,
        }
    }
}

/// A compiled Sigma rule with the metadata an alert needs (reachable directly through
/// `Deref`: `rule.id`, `rule.title`...).
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    matcher: Matcher,
}

impl std::ops::Deref for Rule {
    type Target = RuleMeta;
    fn deref(&self) -> &RuleMeta {
        &self.meta
    }
}

/// The descriptive part of a rule, shared by single-event and correlation rules.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub description: String,
    pub level: Level,
    /// Sigma tags, e.g. `attack.defense-evasion`, `attack.t1562.008`.
    pub tags: Vec<String>,
    /// What to do first (Vigil's `runbook` field; optional for tenant rules).
    pub runbook: Option<String>,
    pub falsepositives: Vec<String>,
    /// The YAML as written.
    pub source: String,
}

/// Largest rule accepted, in bytes of YAML.
pub const MAX_RULE_BYTES: usize = 64 * 1024;

/// Parses rule YAML, naming the line of a syntax error. The size is checked first; the
/// parser itself bounds nesting (128 levels) and alias expansion (100 times the document's
/// events), so aliases cannot blow a small document up (`billion laughs`).
pub(crate) fn parse_yaml(yaml: &str) -> Result<Value, RuleError> {
    if yaml.len() > MAX_RULE_BYTES {
        return Err(RuleError {
            line: None,
            field: "yaml".into(),
            message: format!(
                "a rule is at most {} KiB of YAML (the limit)",
                MAX_RULE_BYTES / 1024
            ),
        });
    }
    serde_norway::from_str(yaml).map_err(|e| RuleError {
        line: e.location().map(|l| l.line()),
        field: "yaml".into(),
        message: format!("not valid YAML: {e}"),
    })
}

impl RuleMeta {
    /// MITRE ATT&CK technique IDs from the tags (`attack.t1562.008` -> `T1562.008`).
    pub fn techniques(&self) -> Vec<String> {
        self.tags
            .iter()
            .filter_map(|t| t.strip_prefix("attack.t"))
            .map(|t| format!("T{t}"))
            .collect()
    }

    pub(crate) fn from_doc(doc: &Value, yaml: &str) -> Result<Self, RuleError> {
        let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
        let title =
            text("title").ok_or_else(|| RuleError::at(yaml, "title", "a rule needs a title"))?;
        let level_text = text("level").unwrap_or_else(|| "medium".into());
        let level = Level::parse(&level_text)
            .ok_or_else(|| RuleError::at(yaml, "level", format!("unknown level `{level_text}`")))?;
        let list = |k: &str| -> Vec<String> {
            doc.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        Ok(Self {
            id: text("id").unwrap_or_else(|| title.to_lowercase().replace(' ', "-")),
            description: text("description").unwrap_or_default(),
            runbook: text("runbook"),
            tags: list("tags"),
            falsepositives: list("falsepositives"),
            title,
            level,
            source: yaml.to_owned(),
        })
    }
}

impl Rule {
    /// Parses and compiles a rule; only `product: aws, service: cloudtrail` is accepted.
    pub fn compile(yaml: &str) -> Result<Self, RuleError> {
        let doc = parse_yaml(yaml)?;
        let logsource = &doc["logsource"];
        if logsource["product"].as_str() != Some("aws")
            || logsource["service"].as_str() != Some("cloudtrail")
        {
            return Err(RuleError::at(
                yaml,
                "logsource",
                "only `product: aws` with `service: cloudtrail` is supported",
            ));
        }
        let meta = RuleMeta::from_doc(&doc, yaml)?;
        let matcher = Matcher::compile(&doc["detection"], yaml)?;
        Ok(Self { meta, matcher })
    }

    /// Whether the CloudTrail record matches.
    pub fn matches(&self, event: &Value) -> bool {
        self.matcher.matches(event)
    }

    /// The lowercase `eventName`s a record must have to possibly match, when the rule
    /// implies a finite set (None: a record of any name could).
    pub fn event_names(&self) -> Option<&std::collections::HashSet<String>> {
        self.matcher.event_names()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rule(detection: &str) -> Rule {
        Rule::compile(&format!(
            "title: Test\nlevel: high\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n{detection}"
        ))
        .unwrap()
    }

    #[test]
    fn fields_are_anded_lists_ored_and_strings_case_insensitive() {
        let r = rule(
            "  sel:\n    eventSource: cloudtrail.amazonaws.com\n    eventName:\n      - StopLogging\n      - DeleteTrail\n  condition: sel\n",
        );
        assert!(r.matches(
            &json!({ "eventSource": "cloudtrail.amazonaws.com", "eventName": "stoplogging" })
        ));
        assert!(r.matches(
            &json!({ "eventSource": "cloudtrail.amazonaws.com", "eventName": "DeleteTrail" })
        ));
        assert!(!r.matches(
            &json!({ "eventSource": "cloudtrail.amazonaws.com", "eventName": "StartLogging" })
        ));
        assert!(
            !r.matches(&json!({ "eventSource": "ec2.amazonaws.com", "eventName": "StopLogging" }))
        );
    }

    #[test]
    fn paths_reach_into_cloudtrail_item_lists() {
        let r = rule(
            "  sel:\n    requestParameters.ipPermissions.items.ipRanges.items.cidrIp: '0.0.0.0/0'\n  condition: sel\n",
        );
        let open = json!({ "requestParameters": { "ipPermissions": { "items": [
            { "ipRanges": { "items": [{ "cidrIp": "10.0.0.0/8" }, { "cidrIp": "0.0.0.0/0" }] } }] } } });
        let closed = json!({ "requestParameters": { "ipPermissions": { "items": [
            { "ipRanges": { "items": [{ "cidrIp": "10.0.0.0/8" }] } }] } } });
        assert!(r.matches(&open));
        assert!(!r.matches(&closed));
    }

    #[test]
    fn modifiers_and_wildcards_behave_as_sigma_says() {
        let r = rule(concat!(
            "  a:\n    userAgent|contains: kali\n",
            "  b:\n    eventName|startswith: Delete\n    eventSource|endswith: '.amazonaws.com'\n",
            "  c:\n    sourceIPAddress|cidr: 198.51.100.0/24\n",
            "  d:\n    errorCode|re: '^(Client\\.)?UnauthorizedOperation$'\n",
            "  e:\n    eventName: 'Get*Data'\n",
            "  f:\n    userAgent|contains|all:\n      - boto3\n      - pacu\n",
            "  g:\n    additionalEventData.MFAUsed|exists: false\n",
            "  condition: 1 of them\n"
        ));
        assert!(r.matches(&json!({ "userAgent": "aws-cli/2 distrib/KALI" })));
        assert!(r.matches(&json!({ "eventName": "DeleteTrail", "eventSource": "cloudtrail.amazonaws.com", "additionalEventData": { "MFAUsed": "No" } })));
        assert!(r.matches(&json!({ "sourceIPAddress": "198.51.100.23", "additionalEventData": { "MFAUsed": "Yes" } })));
        assert!(!r.matches(&json!({ "sourceIPAddress": "203.0.113.9", "additionalEventData": { "MFAUsed": "Yes" } })));
        assert!(r.matches(&json!({ "errorCode": "Client.UnauthorizedOperation", "additionalEventData": { "MFAUsed": "Yes" } })));
        assert!(r.matches(
            &json!({ "eventName": "GetPasswordData", "additionalEventData": { "MFAUsed": "Yes" } })
        ));
        assert!(r.matches(
            &json!({ "userAgent": "boto3/1 pacu", "additionalEventData": { "MFAUsed": "Yes" } })
        ));
        assert!(!r.matches(
            &json!({ "userAgent": "boto3/1", "additionalEventData": { "MFAUsed": "Yes" } })
        ));
    }

    #[test]
    fn escaped_wildcards_are_literal() {
        let r = rule(
            "  sel:\n    requestParameters.policyDocument|contains: 'Action\":\"\\*\"'\n  condition: sel\n",
        );
        assert!(
            r.matches(&json!({ "requestParameters": { "policyDocument": "{\"Action\":\"*\"}" } }))
        );
        assert!(!r.matches(
            &json!({ "requestParameters": { "policyDocument": "{\"Action\":\"s3:Get\"}" } })
        ));
    }

    #[test]
    fn conditions_combine_selections() {
        let r = rule(
            "  sel:\n    eventName: ConsoleLogin\n  mfa:\n    additionalEventData.MFAUsed: 'Yes'\n  condition: sel and not mfa\n",
        );
        assert!(r.matches(
            &json!({ "eventName": "ConsoleLogin", "additionalEventData": { "MFAUsed": "No" } })
        ));
        assert!(!r.matches(
            &json!({ "eventName": "ConsoleLogin", "additionalEventData": { "MFAUsed": "Yes" } })
        ));
        let all = rule("  sel_a:\n    a: 1\n  sel_b:\n    b: 2\n  condition: all of sel_*\n");
        assert!(all.matches(&json!({ "a": 1, "b": 2 })));
        assert!(!all.matches(&json!({ "a": 1 })));
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let bad = "title: T\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName|base32: x\n  condition: sel\n";
        let err = Rule::compile(bad).unwrap_err();
        assert_eq!(
            (err.line, err.field.as_str()),
            (Some(7), "eventName|base32")
        );
        assert!(
            err.to_string().contains("unsupported modifier `base32`"),
            "{err}"
        );
        let yaml = Rule::compile("title: [unclosed\n").unwrap_err();
        assert_eq!(yaml.field, "yaml");
        assert!(yaml.line.is_some());
        let missing = "title: T\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    a: 1\n  condition: sel and other\n";
        assert!(
            Rule::compile(missing)
                .unwrap_err()
                .to_string()
                .contains("no selection named `other`")
        );
        let windows = "title: T\nlogsource:\n  product: windows\ndetection:\n  sel:\n    a: 1\n  condition: sel\n";
        assert_eq!(Rule::compile(windows).unwrap_err().field, "logsource");
    }

    #[test]
    fn numeric_comparisons_compare_numbers_and_numeric_strings() {
        let at = |m: &str, n: &str| rule(&format!("  sel:\n    n|{m}: {n}\n  condition: sel\n"));
        let (lt, lte, gt, gte) = (
            at("lt", "10"),
            at("lte", "10"),
            at("gt", "10"),
            at("gte", "10"),
        );
        assert!(lt.matches(&json!({ "n": 9 })) && !lt.matches(&json!({ "n": 10 })));
        assert!(lte.matches(&json!({ "n": 10 })) && !lte.matches(&json!({ "n": 10.5 })));
        assert!(gt.matches(&json!({ "n": 10.5 })) && !gt.matches(&json!({ "n": 10 })));
        assert!(gte.matches(&json!({ "n": 10 })) && !gte.matches(&json!({ "n": -3 })));
        // A string holding a number is a number; "10.0" equals 10.
        assert!(gt.matches(&json!({ "n": "11" })) && !gt.matches(&json!({ "n": "9" })));
        assert!(gte.matches(&json!({ "n": "10.0" })) && !lt.matches(&json!({ "n": "1e3" })));
        // Anything else never matches, whichever way the comparison goes.
        for v in [
            json!("abc"),
            json!(""),
            json!("NaN"),
            json!("inf"),
            json!(true),
            json!(null),
        ] {
            for r in [&lt, &lte, &gt, &gte] {
                assert!(!r.matches(&json!({ "n": v })), "{v}");
            }
        }
        assert!(!gt.matches(&json!({})) && !lt.matches(&json!({ "other": 1 })));
        // Rule values may be negative, fractional or quoted numbers.
        assert!(at("gt", "-1.5").matches(&json!({ "n": -1 })));
        assert!(!at("gt", "-1.5").matches(&json!({ "n": -2 })));
        assert!(at("lt", "'0.5'").matches(&json!({ "n": "0.25" })));
        assert!(!at("lt", "'0.5'").matches(&json!({ "n": "0.75" })));
        // Integers compare exactly, beyond f64's 53 bits.
        let big = at("gt", "9007199254740992");
        assert!(big.matches(&json!({ "n": 9_007_199_254_740_993_u64 })));
        assert!(!big.matches(&json!({ "n": "9007199254740992" })));
        // Through arrays any element may match; with `all` every value must.
        let any = rule("  sel:\n    items.size|gte: 100\n  condition: sel\n");
        assert!(any.matches(&json!({ "items": [{ "size": 1 }, { "size": 100 }] })));
        assert!(!any.matches(&json!({ "items": [{ "size": 1 }, { "size": 99 }] })));
        let both = rule("  sel:\n    n|gt|all: [1, 5]\n  condition: sel\n");
        assert!(both.matches(&json!({ "n": 6 })) && !both.matches(&json!({ "n": 3 })));
    }

    #[test]
    fn fieldref_compares_two_fields_of_the_same_record() {
        let same = rule(
            "  sel:\n    requestParameters.userName|fieldref: userIdentity.userName\n  condition: sel\n",
        );
        let event = |target: Value, caller: Value| json!({ "requestParameters": { "userName": target }, "userIdentity": { "userName": caller } });
        assert!(same.matches(&event(json!("alice"), json!("alice"))));
        assert!(
            same.matches(&event(json!("Alice"), json!("alice"))),
            "case-insensitive"
        );
        assert!(!same.matches(&event(json!("ci-deployer"), json!("mallory"))));
        assert!(!same.matches(&event(json!("alice"), json!("alice2"))));
        // Missing or null on either side never matches, even when both are missing.
        assert!(!same.matches(&json!({ "requestParameters": { "userName": "alice" } })));
        assert!(!same.matches(&json!({ "userIdentity": { "userName": "alice" } })));
        assert!(!same.matches(&json!({})));
        assert!(!same.matches(&event(Value::Null, Value::Null)));
        // Numbers compare by their text: an account ID may be a string on one side.
        let own = rule(
            "  sel:\n    requestParameters.principal|fieldref: recipientAccountId\n  condition: sel\n",
        );
        assert!(own.matches(&json!({ "requestParameters": { "principal": 111122223333_u64 }, "recipientAccountId": "111122223333" })));
        assert!(!own.matches(&json!({ "requestParameters": { "principal": "999988887777" }, "recipientAccountId": "111122223333" })));
        // Through arrays, any value of one side against any value of the other.
        let shared =
            rule("  sel:\n    add.items.userId|fieldref: recipientAccountId\n  condition: sel\n");
        let share = |ids: &[&str]| {
            let items: Vec<Value> = ids.iter().map(|id| json!({ "userId": id })).collect();
            json!({ "add": { "items": items }, "recipientAccountId": "111122223333" })
        };
        assert!(shared.matches(&share(&["999988887777", "111122223333"])));
        assert!(!shared.matches(&share(&["999988887777", "444455556666"])));
        // `not` over a field reference: the usual way to leave out the caller's own account.
        let foreign = rule(
            "  sel:\n    userIdentity.accountId|exists: true\n  own:\n    userIdentity.accountId|fieldref: recipientAccountId\n  condition: sel and not own\n",
        );
        assert!(foreign.matches(&json!({ "userIdentity": { "accountId": "999988887777" }, "recipientAccountId": "111122223333" })));
        assert!(!foreign.matches(&json!({ "userIdentity": { "accountId": "111122223333" }, "recipientAccountId": "111122223333" })));
        // A field reference on eventName names no event, so it does not narrow the index.
        let by_name = rule("  sel:\n    eventName|fieldref: expected\n  condition: sel\n");
        assert!(by_name.event_names().is_none());
        assert!(by_name.matches(&json!({ "eventName": "GetObject", "expected": "getobject" })));
        assert!(!by_name.matches(&json!({ "eventName": "GetObject", "expected": "PutObject" })));
    }

    #[test]
    fn fieldref_combines_with_contains_startswith_endswith_and_all() {
        let with = |m: &str| {
            rule(&format!(
                "  sel:\n    userIdentity.arn|fieldref|{m}: recipientAccountId\n  condition: sel\n"
            ))
        };
        let event = |arn: &str, account: &str| json!({ "userIdentity": { "arn": arn }, "recipientAccountId": account });
        let arn = "arn:aws:iam::111122223333:user/alice";
        assert!(with("contains").matches(&event(arn, "111122223333")));
        assert!(!with("contains").matches(&event(arn, "999988887777")));
        let prefix = rule(
            "  sel:\n    bucket|fieldref|startswith: userIdentity.userName\n  condition: sel\n",
        );
        let bucket =
            |name: &str| json!({ "bucket": name, "userIdentity": { "userName": "Alice" } });
        assert!(prefix.matches(&bucket("alice-scratch")));
        assert!(!prefix.matches(&bucket("scratch-alice")));
        let suffix =
            rule("  sel:\n    bucket|fieldref|endswith: userIdentity.userName\n  condition: sel\n");
        assert!(suffix.matches(&bucket("scratch-alice")));
        assert!(!suffix.matches(&bucket("alice-scratch")));
        // An empty referenced value is contained in every text: it matches only by equality.
        assert!(!with("contains").matches(&event(arn, "")));
        assert!(
            rule("  sel:\n    a|fieldref: b\n  condition: sel\n")
                .matches(&json!({ "a": "", "b": "" }))
        );
        // A list of references: any of them, or every one with `all`.
        let any =
            rule("  sel:\n    target|fieldref:\n      - caller\n      - owner\n  condition: sel\n");
        let all = rule(
            "  sel:\n    target|fieldref|contains|all:\n      - caller\n      - owner\n  condition: sel\n",
        );
        let record = json!({ "target": "alice-and-bob", "caller": "alice", "owner": "bob" });
        assert!(!any.matches(&record) && all.matches(&record));
        assert!(any.matches(&json!({ "target": "bob", "caller": "alice", "owner": "bob" })));
        assert!(
            !all.matches(
                &json!({ "target": "alice-and-carol", "caller": "alice", "owner": "bob" })
            )
        );
    }

    #[test]
    fn bad_comparisons_and_field_references_are_refused_naming_the_line() {
        let compile = |field: &str, value: &str| {
            Rule::compile(&format!(
                "title: T\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n  sel:\n    eventName: X\n    {field}: {value}\n  condition: sel\n"
            ))
            .unwrap_err()
        };
        let cases = [
            (
                "n|gt",
                "abc",
                "`gt` compares numbers; `abc` is not a number",
            ),
            (
                "n|lte",
                "'NaN'",
                "`lte` compares numbers; `NaN` is not a number",
            ),
            (
                "n|gte",
                "true",
                "`gte` compares numbers; `true` is not a number",
            ),
            (
                "n|lt",
                "null",
                "`lt` compares numbers; `null` is not a number",
            ),
            (
                "n|gt",
                "[1, x]",
                "`gt` compares numbers; `x` is not a number",
            ),
            ("n|gt|lt", "5", "`lt` cannot be combined with `gt`"),
            (
                "n|contains|gt",
                "5",
                "`gt` cannot be combined with `contains`",
            ),
            (
                "n|gt|fieldref",
                "m",
                "`gt` cannot be combined with `fieldref`",
            ),
            (
                "a|fieldref",
                "5",
                "`fieldref` takes the name of another field, not `5`",
            ),
            (
                "a|fieldref",
                "null",
                "`fieldref` takes the name of another field, not `null`",
            ),
            ("a|fieldref", "'b*'", "without wildcards, not `b*`"),
            ("a|fieldref", "''", "without wildcards, not ``"),
            (
                "a|fieldref|re",
                "b",
                "`fieldref` cannot be combined with `re`",
            ),
            (
                "a|fieldref|cidr",
                "b",
                "`fieldref` cannot be combined with `cidr`",
            ),
            (
                "a|exists|fieldref",
                "b",
                "`fieldref` cannot be combined with `exists`",
            ),
            (
                "a|contains|fieldref",
                "b",
                "`fieldref` must come before `contains`: write `a|fieldref|contains`",
            ),
            ("n|between", "5", "unsupported modifier `between`"),
        ];
        for (field, value, message) in cases {
            let err = compile(field, value);
            assert_eq!((err.line, err.field.as_str()), (Some(6), field), "{err}");
            assert!(err.to_string().contains(message), "{field}: {err}");
        }
        let deep = vec!["b"; matcher::MAX_FIELD_PATH_SEGMENTS + 1].join(".");
        let err = compile("a|fieldref", &deep);
        assert!(err.to_string().contains("16 dotted parts"), "{err}");
    }

    #[test]
    fn rules_past_the_size_limits_are_refused_naming_the_limit() {
        let compile = |detection: String| {
            Rule::compile(&format!(
                "title: T\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}"
            ))
        };
        let many: String = (0..=matcher::MAX_SELECTIONS)
            .map(|i| format!("  s{i}: {{a: 1}}\n"))
            .collect();
        let err = compile(format!("{many}  condition: 1 of them\n")).unwrap_err();
        assert!(err.to_string().contains("at most 64 selections"), "{err}");
        let values: String = (0..=matcher::MAX_VALUES)
            .map(|i| format!("v{i}, "))
            .collect();
        let err = compile(format!("  sel: {{a: [{values}]}}\n  condition: sel\n")).unwrap_err();
        assert!(err.to_string().contains("at most 1024 values"), "{err}");
        let deep = vec!["a"; matcher::MAX_FIELD_PATH_SEGMENTS + 1].join(".");
        let err = compile(format!("  sel: {{{deep}: 1}}\n  condition: sel\n")).unwrap_err();
        assert!(err.to_string().contains("16 dotted parts"), "{err}");
        let long = "a".repeat(matcher::MAX_FIELD_PATH_BYTES + 1);
        assert!(compile(format!("  sel: {{{long}: 1}}\n  condition: sel\n")).is_err());
        let err = compile(format!(
            "  sel: {{a: 1}}\n  condition: {}sel{}\n",
            "(".repeat(100),
            ")".repeat(100)
        ))
        .unwrap_err();
        assert_eq!(err.field, "condition");
        assert!(err.to_string().contains("levels deep"), "{err}");
        let big = format!("title: T\ndescription: {}\n", "x".repeat(MAX_RULE_BYTES));
        assert!(
            Rule::compile(&big)
                .unwrap_err()
                .to_string()
                .contains("64 KiB")
        );
    }

    #[test]
    fn aliases_cannot_expand_a_small_rule_into_a_huge_one() {
        // Each level refers to the previous one ten times: 10^9 strings once expanded.
        let mut yaml =
            String::from("title: T\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            yaml.push_str(&format!(
                "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let err = Rule::compile(&yaml).unwrap_err();
        assert_eq!(err.field, "yaml", "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn attack_tags_become_technique_ids() {
        let r = Rule::compile("title: T\ntags: [attack.defense-evasion, attack.t1562.008]\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {a: 1}\n  condition: sel\n").unwrap();
        assert_eq!(r.techniques(), vec!["T1562.008".to_owned()]);
    }
}
