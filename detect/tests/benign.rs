//! The built-in rules stay quiet on ordinary administration.
//!
//! `tests/benign/corpus.jsonl` holds four days of CloudTrail records from two accounts of a
//! healthy estate, shaped as AWS writes them: GitHub Actions deploying through OIDC (Lambda,
//! ECS, ECR, CloudFormation change sets), Terraform plans, people browsing the console
//! through IAM Identity Center, AWS Backup, EC2 and Application Auto Scaling, AWS Config,
//! CloudTrail's own deliveries, services assuming their roles, KMS calls from
//! `AWS Internal`, applications' data events, SSM parameters read without decryption, and an
//! on-call engineer's occasional AccessDenied. `tests/benign/generate.py` writes it
//! (deterministic: change the script and run it again, never edit the corpus by hand).
//!
//! Every built-in single-event rule that raises alerts on its own (`builtin::generates`) is
//! replayed over every record, and none may match: a rule that does is too broad, or the
//! record is not benign (then fix the generator). Rules that only feed correlations are
//! left out, and so are the correlations themselves (`builtin::correlations()`: counts
//! within a timespan, first-seen regions and addresses), which need the account's history
//! from the database: this test does not cover them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

/// SigmaHQ's public CloudTrail rules, compiled and replayed in this same test binary (the
/// crate keeps one: each test binary links the crate again).
mod sigmahq;

use serde_json::Value;
use vigil_detect::{Rule, builtin, replay};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/benign/corpus.jsonl");

fn corpus() -> Vec<Value> {
    let bytes = std::fs::read(CORPUS).unwrap_or_else(|e| panic!("{CORPUS}: {e}"));
    replay::records(&bytes).unwrap_or_else(|e| panic!("{CORPUS}: {e}"))
}

fn text<'a>(record: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(record, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("-")
}

/// The rules under test: every built-in single-event rule that alerts on its own.
fn alerting_rules() -> Vec<Rule> {
    builtin::all()
        .iter()
        .filter(|r| builtin::generates(&r.id))
        .cloned()
        .collect()
}

#[test]
fn no_builtin_rule_alerts_on_ordinary_administration() {
    let records = corpus();
    let rules = alerting_rules();
    assert!(
        rules.len() >= 20 && rules.iter().any(|r| r.id == "vigil-root-account-usage"),
        "only {} alerting rules: is builtin::generates right?",
        rules.len()
    );
    let mut by_rule: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for hit in replay::replay(&rules, &records) {
        by_rule.entry(&hit.rule.id).or_default().push(hit.record);
    }
    if by_rule.is_empty() {
        return;
    }
    let mut report = String::new();
    for (rule, hits) in &by_rule {
        report.push_str(&format!(
            "\n{rule} matched {} benign record(s):",
            hits.len()
        ));
        for &i in hits.iter().take(10) {
            let r = &records[i];
            report.push_str(&format!(
                "\n    {} {} eventID {} (record {} of {CORPUS}, by {})",
                text(r, &["eventSource"]),
                text(r, &["eventName"]),
                text(r, &["eventID"]),
                i + 1,
                text(r, &["userIdentity", "arn"]),
            ));
        }
        if hits.len() > 10 {
            report.push_str(&format!("\n    ... and {} more", hits.len() - 10));
        }
    }
    panic!(
        "{} built-in rule(s) alert on ordinary administration (narrow the rule, or if the \
         record is not benign, fix tests/benign/generate.py):{report}",
        by_rule.len()
    );
}

#[test]
fn the_corpus_is_large_varied_and_shaped_as_aws_writes_it() {
    let records = corpus();
    assert!(
        records.len() >= 3000,
        "{} records: the corpus must hold at least 3000",
        records.len()
    );
    let sources: BTreeSet<&str> = records.iter().map(|r| text(r, &["eventSource"])).collect();
    assert!(
        sources.len() >= 15,
        "{} event sources: the corpus must cover at least 15 ({sources:?})",
        sources.len()
    );
    let mut ids = HashSet::new();
    for (i, r) in records.iter().enumerate() {
        for key in [
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "eventID",
            "eventType",
            "recipientAccountId",
            "eventCategory",
        ] {
            assert!(r.get(key).is_some(), "record {} has no {key}", i + 1);
        }
        assert!(
            r["readOnly"].is_boolean() && r["managementEvent"].is_boolean(),
            "record {}",
            i + 1
        );
        assert!(
            ids.insert(text(r, &["eventID"])),
            "record {}: eventID repeated",
            i + 1
        );
    }
    // The scenarios are all there: deployments, console, services, backups, scaling.
    let names: HashSet<&str> = records.iter().map(|r| text(r, &["eventName"])).collect();
    for name in [
        "AssumeRoleWithWebIdentity",
        "UpdateFunctionCode20150331v2",
        "UpdateFunctionConfiguration20150331v2",
        "PublishVersion20150331",
        "RegisterTaskDefinition",
        "UpdateService",
        "PutImage",
        "CreateChangeSet",
        "ExecuteChangeSet",
        "ConsoleLogin",
        "CreateSnapshot",
        "CopySnapshot",
        "DeleteSnapshot",
        "RunInstances",
        "TerminateInstances",
        "AssumeRole",
        "Decrypt",
        "GenerateDataKey",
        "GetBucketAcl",
        "PutObject",
        "GetObject",
        "PutMetricData",
        "CreateLogStream",
        "GetParameter",
        "GetCallerIdentity",
    ] {
        assert!(names.contains(name), "no {name} in the corpus");
    }
    assert!(
        records
            .iter()
            .any(|r| text(r, &["errorCode"]).contains("AccessDenied")
                || text(r, &["errorCode"]).contains("UnauthorizedOperation")),
        "no denied call in the corpus"
    );
}

/// The corpus is quiet because it is benign, not because its records are shaped so that no
/// rule can reach their fields: the same records, made malicious, are caught.
#[test]
fn the_same_records_made_malicious_are_caught() {
    let records = corpus();
    let find = |name: &str, identity_type: &str| {
        records
            .iter()
            .find(|r| {
                text(r, &["eventName"]) == name
                    && text(r, &["userIdentity", "type"]) == identity_type
            })
            .cloned()
            .unwrap_or_else(|| panic!("no {name} by an {identity_type} in the corpus"))
    };
    let matches = |rule: &str, record: &Value| {
        builtin::by_id(rule)
            .unwrap_or_else(|| panic!("no built-in rule {rule}"))
            .matches(record)
    };

    let mut login = find("ConsoleLogin", "IAMUser");
    assert!(!matches("vigil-console-login-without-mfa", &login));
    login["additionalEventData"]["MFAUsed"] = "No".into();
    assert!(matches("vigil-console-login-without-mfa", &login));

    let mut whoami = find("GetCallerIdentity", "AssumedRole");
    assert!(!matches(
        "vigil-get-caller-identity-offensive-tool",
        &whoami
    ));
    let agent = format!("{} distrib/kali.2024", text(&whoami, &["userAgent"]));
    whoami["userAgent"] = agent.into();
    assert!(matches("vigil-get-caller-identity-offensive-tool", &whoami));

    let mut get_acl = find("GetBucketAcl", "AWSService");
    get_acl["eventName"] = "PutBucketAcl".into();
    get_acl["requestParameters"]["x-amz-acl"] = "public-read".into();
    assert!(matches("vigil-s3-bucket-acl-public", &get_acl));
}
