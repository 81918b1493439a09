//! IAM Access Analyzer: the inventory model of a region's analyzers, and their rule.

pub mod model;

use serde_json::json;

use crate::{Rule, Scope, Severity, Sink, model::Inventory};

/// Access Analyzer's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("accessanalyzer", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.access_analyzers.is_some()
}

/// Access Analyzer in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "accessanalyzer",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&NOT_ENABLED],
};

/// Lists the region's analyzers.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(analyzers) = &r.access_analyzers else {
        return;
    };
    for a in analyzers {
        let cfg = crate::services::json(a);
        out.add(
            &r.region,
            "AWS::AccessAnalyzer::Analyzer",
            &a.name,
            Some(a.arn.clone()),
            cfg,
        );
    }
    out.complete(&r.region, "AWS::AccessAnalyzer::Analyzer");
}

pub static NOT_ENABLED: Rule = Rule {
    id: "accessanalyzer-not-enabled",
    title: "IAM Access Analyzer is not enabled in the region",
    severity: Severity::Medium,
    description: "The region has no active IAM Access Analyzer, so nobody is told when a bucket, \
                  key, role, queue, secret or snapshot there becomes reachable from outside the \
                  account or organisation: the usual way data is shared by mistake or exposed \
                  by an intruder goes unnoticed.",
    remediation: "Create an analyzer in every region (`aws accessanalyzer create-analyzer \
                  --analyzer-name external-access --type ACCOUNT --region <region>`, or \
                  `--type ORGANIZATION` from the delegated administrator) and review its \
                  findings.",
    compliance: &["CIS AWS Foundations v5.0.0 1.19"],
    resource_type: "AWS::::Account",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_enabled,
};

fn not_enabled(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(analyzers) = &region.access_analyzers else {
            continue;
        };
        if analyzers.iter().any(|a| a.status == "ACTIVE") {
            continue;
        }
        sink.fail(
            &region.region,
            &inv.account_id,
            None,
            json!({ "analyzers": analyzers }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{failing_regions, run, with_regions};
    use model::Analyzer;

    fn analyzer(status: &str) -> Analyzer {
        Analyzer {
            name: "external-access".into(),
            arn: "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/external-access".into(),
            analyzer_type: "ACCOUNT".into(),
            status: status.into(),
        }
    }

    #[test]
    fn a_region_without_an_active_analyzer_fails_and_one_with_it_passes() {
        let inv = with_regions(
            vec![
                ("us-east-1", Some(vec![analyzer("ACTIVE")])),
                ("eu-west-1", Some(vec![])),
                ("eu-west-2", Some(vec![analyzer("DISABLED")])),
            ],
            |r, a| r.access_analyzers = a,
        );
        assert_eq!(
            failing_regions(&NOT_ENABLED, &inv),
            ["eu-west-1", "eu-west-2"]
        );
        assert_eq!(run(&NOT_ENABLED, &inv).complete.len(), 3);
    }

    #[test]
    fn an_unreadable_region_is_not_assessed_never_failing() {
        let inv = with_regions(vec![("eu-west-1", None)], |r, a| r.access_analyzers = a);
        let out = run(&NOT_ENABLED, &inv);
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }

    /// moto has no Access Analyzer: the harness stubs `ListAnalyzers`; this is the shape
    /// AWS answers with (recorded from the API reference's example), as the SDK decodes it.
    #[test]
    fn a_recorded_list_analyzers_answer_is_what_the_rule_reads() {
        let recorded = r#"{"analyzers":[{"arn":"arn:aws:access-analyzer:us-east-1:123456789012:analyzer/ConsoleAnalyzer-1","createdAt":"2024-05-01T10:00:00Z","name":"ConsoleAnalyzer-1","status":"ACTIVE","type":"ACCOUNT"}]}"#;
        let v: serde_json::Value = serde_json::from_str(recorded).unwrap();
        let a = &v["analyzers"][0];
        let parsed = Analyzer {
            name: a["name"].as_str().unwrap().into(),
            arn: a["arn"].as_str().unwrap().into(),
            analyzer_type: a["type"].as_str().unwrap().into(),
            status: a["status"].as_str().unwrap().into(),
        };
        let inv = with_regions(vec![("us-east-1", Some(vec![parsed]))], |r, a| {
            r.access_analyzers = a
        });
        assert!(failing_regions(&NOT_ENABLED, &inv).is_empty());
    }
}
