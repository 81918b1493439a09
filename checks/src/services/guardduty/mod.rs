//! GuardDuty: the inventory model of detectors, and their rule.

pub mod model;

use serde_json::json;

use crate::{Rule, Scope, Severity, Sink, model::Inventory};

/// GuardDuty's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("guardduty", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.guardduty_detectors.is_some()
}

/// GuardDuty in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "guardduty",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&NOT_ENABLED],
};

/// Lists the region's detectors.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(detectors) = &r.guardduty_detectors else {
        return;
    };
    for d in detectors {
        let cfg = crate::services::json(d);
        out.add(&r.region, "AWS::GuardDuty::Detector", &d.id, None, cfg);
    }
    out.complete(&r.region, "AWS::GuardDuty::Detector");
}

pub static NOT_ENABLED: Rule = Rule {
    id: "guardduty-not-enabled",
    title: "GuardDuty is not enabled in the region",
    severity: Severity::High,
    description: "The region has no GuardDuty detector, or it is suspended. GuardDuty's threat \
                  detection (credential exfiltration, crypto-mining, reconnaissance, malware) \
                  does not run there, and attackers favour regions nobody watches.",
    remediation: "Enable it in every region (`aws guardduty create-detector --enable \
                  --region <region>`, or `aws guardduty update-detector --detector-id <id> \
                  --enable` for a suspended one); with AWS Organizations, a delegated \
                  administrator can auto-enable it for every account.",
    compliance: &["AWS FSBP GuardDuty.1"],
    resource_type: "AWS::::Account",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_enabled,
};

fn not_enabled(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(detectors) = &region.guardduty_detectors else {
            continue;
        };
        if detectors
            .iter()
            .any(|d| d.status.as_deref() == Some("ENABLED"))
        {
            continue;
        }
        if detectors.iter().any(|d| d.status.is_none()) {
            sink.unknown(&region.region, &inv.account_id);
            continue;
        }
        sink.fail(
            &region.region,
            &inv.account_id,
            None,
            json!({ "detectors": detectors }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{self, ACCOUNT, run, unknown, with_regions},
        model::Detector,
    };

    fn detector(status: Option<&str>) -> Detector {
        Detector {
            id: "12abc34d567e8fa901bc2d34e56789f0".into(),
            status: status.map(str::to_owned),
        }
    }

    fn with_detectors(regions: Vec<(&str, Option<Vec<Detector>>)>) -> Inventory {
        with_regions(regions, |r, read| r.guardduty_detectors = read)
    }

    fn failing_regions(inv: &Inventory) -> Vec<String> {
        fixtures::failing_regions(&NOT_ENABLED, inv)
    }

    #[test]
    fn an_enabled_detector_passes_and_a_region_without_one_fails() {
        let inv = with_detectors(vec![
            ("us-east-1", Some(vec![detector(Some("ENABLED"))])),
            ("eu-west-1", Some(vec![])),
        ]);
        assert_eq!(failing_regions(&inv), ["eu-west-1"]);
    }

    #[test]
    fn a_suspended_detector_fails() {
        let inv = with_detectors(vec![("us-east-1", Some(vec![detector(Some("DISABLED"))]))]);
        assert_eq!(failing_regions(&inv), ["us-east-1"]);
        let out = run(&NOT_ENABLED, &inv);
        assert_eq!(
            out.findings[0].evidence["detectors"][0]["status"],
            "DISABLED"
        );
    }

    #[test]
    fn an_unreadable_region_or_status_is_not_assessed() {
        let inv = with_detectors(vec![
            ("us-east-1", None),
            ("eu-west-1", Some(vec![detector(None)])),
        ]);
        let out = run(&NOT_ENABLED, &inv);
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), [ACCOUNT]);
        assert_eq!(out.complete.len(), 1);
    }
}
