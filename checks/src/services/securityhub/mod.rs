//! Security Hub: the inventory model of a region's hub, and its rule.

pub mod model;

use serde_json::json;

use crate::{Rule, Scope, Severity, Sink, model::Inventory};

/// Security Hub's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("securityhub", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.security_hub.is_some()
}

/// Security Hub in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "securityhub",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&NOT_ENABLED],
};

/// Lists the region's hub, when it is on.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(hub) = &r.security_hub else {
        return;
    };
    if let (true, Some(arn)) = (hub.enabled, &hub.hub_arn) {
        let cfg = crate::services::json(hub);
        out.add(
            &r.region,
            "AWS::SecurityHub::Hub",
            arn,
            Some(arn.clone()),
            cfg,
        );
    }
    out.complete(&r.region, "AWS::SecurityHub::Hub");
}

pub static NOT_ENABLED: Rule = Rule {
    id: "securityhub-not-enabled",
    title: "Security Hub is not enabled in the region",
    severity: Severity::Medium,
    description: "The account is not subscribed to Security Hub in the region, so the findings \
                  of GuardDuty, Inspector, Macie and IAM Access Analyzer there are not gathered \
                  in one place, and AWS's own control checks (FSBP, CIS) do not run.",
    remediation: "Enable it in every region (`aws securityhub enable-security-hub \
                  --enable-default-standards --region <region>`), or from the delegated \
                  administrator for the whole organisation with central configuration.",
    compliance: &["CIS AWS Foundations v5.0.0 4.16"],
    resource_type: "AWS::::Account",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_enabled,
};

fn not_enabled(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        if let Some(hub) = region.security_hub.as_ref().filter(|h| !h.enabled) {
            sink.fail(
                &region.region,
                &inv.account_id,
                None,
                json!({ "securityHubEnabled": hub.enabled }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{failing_regions, run, with_regions};
    use model::SecurityHub;

    fn hub(enabled: bool) -> Option<SecurityHub> {
        Some(SecurityHub {
            enabled,
            hub_arn: enabled
                .then(|| "arn:aws:securityhub:us-east-1:123456789012:hub/default".into()),
        })
    }

    #[test]
    fn a_region_without_security_hub_fails_one_with_it_passes_and_unread_is_not_assessed() {
        let inv = with_regions(
            vec![
                ("us-east-1", hub(true)),
                ("eu-west-1", hub(false)),
                ("eu-west-2", None),
            ],
            |r, h| r.security_hub = h,
        );
        assert_eq!(failing_regions(&NOT_ENABLED, &inv), ["eu-west-1"]);
        let complete: Vec<_> = run(&NOT_ENABLED, &inv)
            .complete
            .into_iter()
            .map(|(_, region)| region)
            .collect();
        assert_eq!(complete, ["us-east-1", "eu-west-1"]);
    }
}
