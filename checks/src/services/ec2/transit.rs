//! Transit gateway rules.

use serde_json::json;

use crate::{Rule, Scope, Severity, Sink, model::Inventory};

/// Transit gateways could be read (the rest of EC2 may be readable without them).
pub const TRANSIT_GATEWAYS: crate::Source = crate::Source::Regional("ec2", |r| {
    r.ec2.as_ref().is_some_and(|e| e.transit_gateways.is_some())
});

pub static TRANSIT_GATEWAY_AUTO_ACCEPTS: Rule = Rule {
    id: "ec2-transit-gateway-auto-accepts-attachments",
    title: "Transit gateway accepts VPC attachments automatically",
    severity: Severity::Medium,
    description: "The transit gateway has `AutoAcceptSharedAttachments` on: any account it is \
                  shared with (through AWS RAM) can attach a VPC and have it routed to every \
                  network behind the gateway, without anyone in this account approving it.",
    remediation: "Turn automatic acceptance off (`aws ec2 modify-transit-gateway \
                  --transit-gateway-id <id> --options AutoAcceptSharedAttachments=disable`) and \
                  accept each attachment request after review \
                  (`aws ec2 accept-transit-gateway-vpc-attachment`).",
    compliance: &["AWS FSBP EC2.23"],
    resource_type: "AWS::EC2::TransitGateway",
    scope: Scope::Regional,
    sources: &[super::SOURCE, TRANSIT_GATEWAYS],
    check: transit_gateway_auto_accepts,
};

fn transit_gateway_auto_accepts(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(gateways) = region
            .ec2
            .as_ref()
            .and_then(|e| e.transit_gateways.as_ref())
        else {
            continue;
        };
        for t in gateways.iter().filter(|t| t.state != "deleted") {
            if t.auto_accept_shared_attachments {
                sink.fail(
                    &region.region,
                    &t.transit_gateway_id,
                    t.arn.clone(),
                    json!({ "autoAcceptSharedAttachments": "enable" }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{failing, run, with_ec2},
        model::{Ec2Inventory, TransitGateway},
    };

    fn gateway(id: &str, auto_accept: bool) -> TransitGateway {
        TransitGateway {
            transit_gateway_id: id.into(),
            state: "available".into(),
            auto_accept_shared_attachments: auto_accept,
            ..Default::default()
        }
    }

    #[test]
    fn a_gateway_accepting_attachments_automatically_fails_and_one_reviewing_them_passes() {
        let inv = with_ec2(Ec2Inventory {
            transit_gateways: Some(vec![
                gateway("tgw-reviewed", false),
                gateway("tgw-open", true),
                TransitGateway {
                    state: "deleted".into(),
                    ..gateway("tgw-gone", true)
                },
            ]),
            ..Default::default()
        });
        assert_eq!(failing(&TRANSIT_GATEWAY_AUTO_ACCEPTS, &inv), ["tgw-open"]);
    }

    #[test]
    fn unread_gateways_are_not_assessed_never_failing() {
        let out = run(
            &TRANSIT_GATEWAY_AUTO_ACCEPTS,
            &with_ec2(Ec2Inventory::default()),
        );
        assert!(out.findings.is_empty());
        // The region is not complete, so no open finding there is resolved.
        assert!(out.complete.is_empty());
    }
}
