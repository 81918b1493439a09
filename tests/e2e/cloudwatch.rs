//! The CIS monitoring controls 4.1 to 4.15 (the `cloudwatch-no-alarm-*` checks) against the
//! seeded account (`tests/aws/vigil_emulator/seed_cloudwatch.py`): a second multi-region
//! trail delivers to a log group whose filters, alarms and subscribed topic pass 4.3, 4.4,
//! 4.5 and 4.12; every other control fails, each naming the step that is missing. CloudWatch's
//! alarms are read over rpc-v2-cbor, which the emulator harness translates for moto
//! (`rpcv2cbor.py`). Denied reads leave the checks not assessed, never failing.

use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::assessment::seeded;

const PREFIX: &str = "cloudwatch-no-alarm-";
const PASSING: &[&str] = &[
    "root-usage",
    "iam-policy-changes",
    "cloudtrail-changes",
    "network-gateway-changes",
];

const FINDINGS: &str = "query($f: FindingFilter) { findings(first: 100, filter: $f) { edges { node { ruleId resourceId resourceType compliance evidence } } } }";

async fn open_controls(s: &crate::assessment::Seeded) -> Vec<Value> {
    let mut found = Vec::new();
    // The monitoring controls only (the service's log group check has findings of its own).
    for rule in vigil_checks::services::cloudwatch::SERVICE
        .rules
        .iter()
        .filter(|r| r.id.starts_with(PREFIX))
    {
        let data = s
            .app
            .graphql_ok(
                &s.token,
                FINDINGS,
                json!({ "f": { "ruleId": rule.id, "status": ["OPEN"], "awsAccountId": s.connection["id"] } }),
            )
            .await;
        found.extend(
            data["findings"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
    }
    found
}

fn missing<'a>(found: &'a [Value], slug: &str) -> &'a str {
    let rule = format!("{PREFIX}{slug}");
    found
        .iter()
        .find(|f| f["ruleId"] == rule.as_str())
        .unwrap_or_else(|| panic!("{rule} not open"))["evidence"]["missing"]
        .as_str()
        .unwrap()
}

fn rule_ids(found: &[Value]) -> Vec<String> {
    found
        .iter()
        .map(|f| f["ruleId"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn seeded_monitoring_controls_pass_and_fail_as_set_up_and_denied_reads_assess_nothing(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let s = seeded(opts).await;
    s.worker().drain().await.unwrap();
    assert!(
        s.summary["cloudwatch"]["us-east-1"]["trail"]
            .as_str()
            .unwrap()
            .ends_with(":trail/cis-monitoring"),
        "{}",
        s.summary
    );
    let open = open_controls(&s).await;
    // Eleven of the fifteen fail, on the account, each tagged with its CIS control.
    assert_eq!(open.len(), 11, "{:?}", rule_ids(&open));
    for slug in PASSING {
        assert!(
            !rule_ids(&open).contains(&format!("{PREFIX}{slug}")),
            "{slug} should pass"
        );
    }
    for f in &open {
        assert_eq!(f["resourceId"], s.account.as_str());
        assert_eq!(f["resourceType"], "AWS::::Account");
        let tag = f["compliance"][0].as_str().unwrap();
        assert!(tag.starts_with("CIS AWS Foundations v5.0.0 4."), "{tag}");
    }
    // Each failing control names the step that is missing.
    assert_eq!(
        missing(&open, "unauthorized-api-calls"),
        "no CloudWatch alarm on the metric filter's metric"
    );
    assert_eq!(
        missing(&open, "console-sign-in-without-mfa"),
        "no alarm notifies an SNS topic with a confirmed subscriber"
    );
    // A filter of ConsoleLogin alone is not the benchmark's filter for failed sign-ins.
    assert_eq!(
        missing(&open, "console-auth-failures"),
        "no metric filter with the benchmark's pattern on the trail's log group"
    );
    assert_eq!(
        missing(&open, "vpc-changes"),
        "no metric filter with the benchmark's pattern on the trail's log group"
    );

    // The alarms and filters are assets.
    for (kind, id) in [
        ("AWS::CloudWatch::Alarm", "cis-RootUsage"),
        ("AWS::Logs::MetricFilter", "cloudtrail-cis/RootUsage"),
    ] {
        let assets = s
            .app
            .graphql_ok(
                &s.token,
                "query($f: AssetFilter) { assets(first: 100, filter: $f) { edges { node { resourceId } } } }",
                json!({ "f": { "resourceType": kind, "region": "us-east-1" } }),
            )
            .await;
        assert!(assets.to_string().contains(id), "{kind} {id}: {assets}");
    }

    // Each read denied in turn: the scan is PARTIAL naming it, and nothing is opened (a
    // reader taking a denied read for "none" would open the three passing controls) or
    // resolved.
    for (service, operation) in [
        ("monitoring", "DescribeAlarms"),
        ("logs", "DescribeMetricFilters"),
        ("sns", "ListSubscriptionsByTopic"),
    ] {
        let scan = s.scan_denied(&[(service, Some(operation))]).await;
        assert_eq!(scan["status"], "PARTIAL", "{scan}");
        assert!(
            scan["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["service"] == "cloudwatch" && p["operation"] == operation),
            "{scan}"
        );
        let after = open_controls(&s).await;
        assert_eq!(rule_ids(&after), rule_ids(&open), "{operation} denied");
        assert_eq!(scan["findingsResolved"], 0, "{scan}");
    }
    // The compliance report, after the denied read: root usage (4.3) is still evidenced by
    // the detections (events were ingested), its reason naming the unread subscriptions;
    // network gateways (4.12), which only the CloudWatch check evidences, is not assessed.
    let report = s
        .app
        .graphql_ok(
            &s.token,
            "query($a: ID) { complianceReport(framework: \"cis-aws-5.0\", awsAccountId: $a) { controls { id status reason checks } } }",
            json!({ "a": s.connection["id"] }),
        )
        .await;
    let control = |id: &str| {
        report["complianceReport"]["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let c43 = control("4.3");
    assert_eq!(c43["status"], "PASS", "{c43}");
    assert!(
        c43["reason"]
            .as_str()
            .unwrap()
            .contains("CloudWatch metric filter and alarm: the latest scan of seeded")
            && c43["reason"]
                .as_str()
                .unwrap()
                .contains("could not read ListSubscriptionsByTopic"),
        "{c43}"
    );
    let c412 = control("4.12");
    assert_eq!(c412["status"], "NOT_ASSESSED", "{c412}");
    assert!(
        c412["reason"]
            .as_str()
            .unwrap()
            .contains("could not read ListSubscriptionsByTopic"),
        "{c412}"
    );
}
