//! GuardDuty: the inventory model of detectors, and their rules (not enabled in a region,
//! and, on an enabled detector, each protection plan left off).

pub mod model;

use std::collections::BTreeMap;

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
    rules: &[
        &NOT_ENABLED,
        &S3_PROTECTION_DISABLED,
        &EKS_AUDIT_LOGS_DISABLED,
        &EKS_RUNTIME_MONITORING_DISABLED,
        &MALWARE_PROTECTION_DISABLED,
        &LAMBDA_PROTECTION_DISABLED,
        &RDS_PROTECTION_DISABLED,
    ],
};

const DETECTOR_TYPE: &str = "AWS::GuardDuty::Detector";

/// Lists the region's detectors.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(detectors) = &r.guardduty_detectors else {
        return;
    };
    for d in detectors {
        let cfg = crate::services::json(d);
        out.add(&r.region, DETECTOR_TYPE, &d.id, None, cfg);
    }
    out.complete(&r.region, DETECTOR_TYPE);
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

/// Fails each enabled detector on which none of the `plans` (feature names) is on; a
/// detector whose status or features could not be read is not assessed. A suspended
/// detector is `guardduty-not-enabled`'s finding, not these.
fn plan_rule(inv: &Inventory, sink: &mut Sink, plans: &[&str]) {
    for region in &inv.regions {
        for d in region.guardduty_detectors.iter().flatten() {
            let arn = format!(
                "arn:{}:guardduty:{}:{}:detector/{}",
                crate::arn::partition(&region.region),
                region.region,
                inv.account_id,
                d.id
            );
            match (d.status.as_deref(), &d.features) {
                (Some("ENABLED"), Some(features)) => {
                    let on = plans
                        .iter()
                        .any(|p| features.get(*p).map(String::as_str) == Some("ENABLED"));
                    if !on {
                        let status: BTreeMap<&str, &str> = plans
                            .iter()
                            .map(|p| (*p, features.get(*p).map_or("NOT_LISTED", String::as_str)))
                            .collect();
                        sink.fail(
                            &region.region,
                            &d.id,
                            Some(arn),
                            json!({ "features": status }),
                        );
                    }
                }
                (Some(_), Some(_)) => {}
                _ => sink.unknown(&region.region, &d.id),
            }
        }
    }
}

pub static S3_PROTECTION_DISABLED: Rule = Rule {
    id: "guardduty-s3-protection-disabled",
    title: "GuardDuty S3 Protection is off",
    severity: Severity::Medium,
    description: "The region's detector does not analyse S3 data events (`S3_DATA_EVENTS`): \
                  GuardDuty does not see objects being read in bulk from an unusual place, \
                  a bucket's protections being removed before an exfiltration, or access \
                  from known malicious addresses, which is how stolen credentials are most \
                  often turned into a data leak.",
    remediation: "Turn on S3 Protection (`aws guardduty update-detector --detector-id <id> \
                  --features Name=S3_DATA_EVENTS,Status=ENABLED`), or from the delegated \
                  administrator for every member account.",
    compliance: &["AWS FSBP GuardDuty.10"],
    resource_type: DETECTOR_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| plan_rule(inv, sink, &["S3_DATA_EVENTS"]),
};

pub static EKS_AUDIT_LOGS_DISABLED: Rule = Rule {
    id: "guardduty-eks-audit-logs-disabled",
    title: "GuardDuty EKS Audit Log Monitoring is off",
    severity: Severity::Medium,
    description: "The region's detector does not analyse the Kubernetes audit logs of its \
                  EKS clusters (`EKS_AUDIT_LOGS`): anonymous access to the API server, \
                  privileged pods, secrets read by an unusual identity or a cluster-admin \
                  binding made by an attacker go unreported.",
    remediation: "Turn on EKS Protection's audit log monitoring (`aws guardduty \
                  update-detector --detector-id <id> --features \
                  Name=EKS_AUDIT_LOGS,Status=ENABLED`); it needs no change on the clusters.",
    compliance: &[],
    resource_type: DETECTOR_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| plan_rule(inv, sink, &["EKS_AUDIT_LOGS"]),
};

pub static EKS_RUNTIME_MONITORING_DISABLED: Rule = Rule {
    id: "guardduty-eks-runtime-monitoring-disabled",
    title: "GuardDuty Runtime Monitoring for EKS is off",
    severity: Severity::Medium,
    description: "Neither EKS Runtime Monitoring nor the unified Runtime Monitoring is on \
                  for the region's detector: what runs inside the EKS nodes' containers \
                  (a reverse shell, a crypto-miner, a container escape, a file dropped and \
                  run) is not watched.",
    remediation: "Turn on Runtime Monitoring with automated agent management for EKS (`aws \
                  guardduty update-detector --detector-id <id> --features \
                  'Name=RUNTIME_MONITORING,Status=ENABLED,AdditionalConfiguration=[{Name=EKS_ADDON_MANAGEMENT,Status=ENABLED}]'`), \
                  or deploy the GuardDuty security agent add-on to each cluster.",
    compliance: &[],
    resource_type: DETECTOR_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| plan_rule(inv, sink, &["EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING"]),
};

pub static MALWARE_PROTECTION_DISABLED: Rule = Rule {
    id: "guardduty-ec2-malware-protection-disabled",
    title: "GuardDuty Malware Protection for EC2 is off",
    severity: Severity::Medium,
    description: "The region's detector does not scan the EBS volumes of an instance or \
                  container it suspects (`EBS_MALWARE_PROTECTION`): a finding about a \
                  compromised instance comes without the evidence of which trojan, \
                  backdoor or miner is on its disks.",
    remediation: "Turn on GuardDuty-initiated malware scans (`aws guardduty update-detector \
                  --detector-id <id> --features Name=EBS_MALWARE_PROTECTION,Status=ENABLED`).",
    compliance: &[],
    resource_type: DETECTOR_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| plan_rule(inv, sink, &["EBS_MALWARE_PROTECTION"]),
};

pub static LAMBDA_PROTECTION_DISABLED: Rule = Rule {
    id: "guardduty-lambda-protection-disabled",
    title: "GuardDuty Lambda Protection is off",
    severity: Severity::Medium,
    description: "The region's detector does not analyse the network activity of Lambda \
                  functions (`LAMBDA_NETWORK_LOGS`): a function abused to mine coins, reach \
                  a command-and-control server or send data out is not reported.",
    remediation: "Turn on Lambda Protection (`aws guardduty update-detector --detector-id \
                  <id> --features Name=LAMBDA_NETWORK_LOGS,Status=ENABLED`).",
    compliance: &[],
    resource_type: DETECTOR_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| plan_rule(inv, sink, &["LAMBDA_NETWORK_LOGS"]),
};

pub static RDS_PROTECTION_DISABLED: Rule = Rule {
    id: "guardduty-rds-protection-disabled",
    title: "GuardDuty RDS Protection is off",
    severity: Severity::Medium,
    description: "The region's detector does not analyse the login activity of its Aurora \
                  and RDS databases (`RDS_LOGIN_EVENTS`): password spraying, a successful \
                  login from a malicious address or an unusual user reaching a database \
                  goes unreported.",
    remediation: "Turn on RDS Protection (`aws guardduty update-detector --detector-id <id> \
                  --features Name=RDS_LOGIN_EVENTS,Status=ENABLED`).",
    compliance: &["AWS FSBP GuardDuty.9"],
    resource_type: DETECTOR_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| plan_rule(inv, sink, &["RDS_LOGIN_EVENTS"]),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{self, ACCOUNT, failing, run, unknown, with_regions},
        model::Detector,
    };

    fn detector(status: Option<&str>) -> Detector {
        Detector {
            id: "12abc34d567e8fa901bc2d34e56789f0".into(),
            status: status.map(str::to_owned),
            features: status.map(|_| BTreeMap::new()),
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

    /// The protection-plan rules and the feature each needs on.
    const PLANS: &[(&Rule, &str)] = &[
        (&S3_PROTECTION_DISABLED, "S3_DATA_EVENTS"),
        (&EKS_AUDIT_LOGS_DISABLED, "EKS_AUDIT_LOGS"),
        (&EKS_RUNTIME_MONITORING_DISABLED, "EKS_RUNTIME_MONITORING"),
        (&MALWARE_PROTECTION_DISABLED, "EBS_MALWARE_PROTECTION"),
        (&LAMBDA_PROTECTION_DISABLED, "LAMBDA_NETWORK_LOGS"),
        (&RDS_PROTECTION_DISABLED, "RDS_LOGIN_EVENTS"),
    ];

    fn with_features(id: &str, status: &str, on: &[&str]) -> Detector {
        let mut features: BTreeMap<String, String> = PLANS
            .iter()
            .map(|(_, f)| (f.to_string(), "DISABLED".to_owned()))
            .collect();
        for f in on {
            features.insert(f.to_string(), "ENABLED".into());
        }
        Detector {
            id: id.into(),
            status: Some(status.into()),
            features: Some(features),
        }
    }

    #[test]
    fn each_protection_plan_off_fails_on_an_enabled_detector_only() {
        let all: Vec<&str> = PLANS.iter().map(|(_, f)| *f).collect();
        let inv = with_detectors(vec![
            (
                "us-east-1",
                Some(vec![with_features("good", "ENABLED", &all)]),
            ),
            (
                "eu-west-1",
                Some(vec![with_features("bare", "ENABLED", &[])]),
            ),
            // Suspended: guardduty-not-enabled's finding, not the plans'.
            (
                "eu-west-2",
                Some(vec![with_features("off", "DISABLED", &[])]),
            ),
            ("eu-west-3", Some(vec![])),
        ]);
        for (rule, feature) in PLANS {
            let out = run(rule, &inv);
            let got: Vec<(&str, &str)> = out
                .findings
                .iter()
                .map(|f| (f.region.as_str(), f.resource_id.as_str()))
                .collect();
            assert_eq!(got, [("eu-west-1", "bare")], "{}", rule.id);
            let f = &out.findings[0];
            assert_eq!(f.evidence["features"][feature], "DISABLED", "{}", rule.id);
            assert_eq!(
                f.resource_arn.as_deref(),
                Some("arn:aws:guardduty:eu-west-1:123456789012:detector/bare")
            );
            assert_eq!(out.complete.len(), 4, "{}", rule.id);
        }
    }

    #[test]
    fn unified_runtime_monitoring_covers_eks_and_an_unlisted_plan_is_off() {
        let unified = with_features("unified", "ENABLED", &["RUNTIME_MONITORING"]);
        let mut unlisted = with_features("unlisted", "ENABLED", &[]);
        unlisted.features = Some(BTreeMap::new());
        let inv = with_detectors(vec![
            ("us-east-1", Some(vec![unified])),
            ("eu-west-1", Some(vec![unlisted])),
        ]);
        assert_eq!(
            failing(&EKS_RUNTIME_MONITORING_DISABLED, &inv),
            ["unlisted"]
        );
        let out = run(&S3_PROTECTION_DISABLED, &inv);
        assert_eq!(out.findings.len(), 2);
        assert_eq!(
            out.findings[1].evidence["features"]["S3_DATA_EVENTS"],
            "NOT_LISTED"
        );
    }

    #[test]
    fn an_unreadable_detector_is_not_assessed_by_the_plan_rules() {
        let mut unread = with_features("unread", "ENABLED", &[]);
        unread.features = None;
        unread.status = None;
        let inv = with_detectors(vec![("us-east-1", Some(vec![unread])), ("eu-west-1", None)]);
        for (rule, _) in PLANS {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(unknown(&out), ["unread"], "{}", rule.id);
            // The region read counts as judged (its detector stays as it was); the other not.
            assert_eq!(out.complete.len(), 1, "{}", rule.id);
        }
    }
}
