//! VPC layout rules: subnets assigning public IPs, VPCs without an EC2 endpoint, in a
//! single Availability Zone, or without a private subnet.
//!
//! Like Prowler by default (without `--scan-unused-services`), these judge only the VPCs
//! and subnets in use, those with at least one network interface: the default VPC AWS
//! creates in every region is built exactly this way (one public subnet per zone), and an
//! empty one exposes nothing until something is launched into it.

use std::collections::BTreeSet;

use serde_json::json;

use crate::arn;
use crate::{
    Rule, Scope, Severity, Sink,
    model::{Ec2Inventory, Inventory, RouteTable},
};

/// Route tables could be read (the rest of EC2 may be readable without them).
pub const ROUTE_TABLES: crate::Source = crate::Source::Regional("ec2", |r| {
    r.ec2.as_ref().is_some_and(|e| e.route_tables.is_some())
});

/// VPC endpoints could be read.
pub const VPC_ENDPOINTS: crate::Source = crate::Source::Regional("ec2", |r| {
    r.ec2.as_ref().is_some_and(|e| e.vpc_endpoints.is_some())
});

/// The VPCs with at least one network interface.
fn vpcs_in_use(ec2: &Ec2Inventory) -> BTreeSet<&str> {
    ec2.network_interfaces
        .iter()
        .filter_map(|n| n.vpc_id.as_deref())
        .collect()
}

/// The subnets with at least one network interface.
fn subnets_in_use(ec2: &Ec2Inventory) -> BTreeSet<&str> {
    ec2.network_interfaces
        .iter()
        .filter_map(|n| n.subnet_id.as_deref())
        .collect()
}

/// Whether a route table sends the IPv4 or IPv6 internet to an internet gateway (an
/// egress-only one, `eigw-`, admits no inbound connection and does not count).
fn routes_to_internet(table: &RouteTable) -> bool {
    table.routes.iter().any(|r| {
        matches!(r.destination.as_str(), "0.0.0.0/0" | "::/0")
            && r.gateway_id
                .as_deref()
                .is_some_and(|g| g.starts_with("igw-"))
    })
}

/// The public subnets of the region: those whose route table (the one explicitly
/// associated, else their VPC's main one) routes to an internet gateway. `None` when the
/// route tables could not be read. A subnet whose VPC has no main route table known is in
/// neither set: see [`subnet_is_public`].
pub fn public_subnets(ec2: &Ec2Inventory) -> Option<BTreeSet<&str>> {
    Some(
        ec2.subnets
            .iter()
            .filter(|s| subnet_is_public(ec2, &s.subnet_id, &s.vpc_id) == Some(true))
            .map(|s| s.subnet_id.as_str())
            .collect(),
    )
    .filter(|_| ec2.route_tables.is_some())
}

/// Whether a subnet routes to an internet gateway; `None` when its route table is unknown.
pub fn subnet_is_public(ec2: &Ec2Inventory, subnet_id: &str, vpc_id: &str) -> Option<bool> {
    let tables = ec2.route_tables.as_ref()?;
    let table = tables
        .iter()
        .find(|t| t.subnet_ids.iter().any(|s| s == subnet_id))
        .or_else(|| tables.iter().find(|t| t.main && t.vpc_id == vpc_id))?;
    Some(routes_to_internet(table))
}

pub static SUBNET_AUTO_PUBLIC_IP: Rule = Rule {
    id: "ec2-subnet-auto-assigns-public-ip",
    title: "Subnet in use assigns public IP addresses automatically",
    severity: Severity::Medium,
    description: "Every instance launched into this subnet gets a public IPv4 address unless \
                  the launch asks otherwise, so a workload meant to stay internal becomes \
                  reachable from the internet by default, behind nothing but its security \
                  groups. Public addresses should be a deliberate choice per instance.",
    remediation: "Turn the attribute off (`aws ec2 modify-subnet-attribute --subnet-id \
                  <subnet-id> --no-map-public-ip-on-launch`) and give a public address only to \
                  the instances that need one (`--associate-public-ip-address`), or better, \
                  publish them through a load balancer.",
    // FSBP EC2.15, judged (as Prowler does by default) on the subnets in use.
    compliance: &["AWS FSBP EC2.15"],
    resource_type: "AWS::EC2::Subnet",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: subnet_auto_public_ip,
};

fn subnet_auto_public_ip(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        let in_use = subnets_in_use(ec2);
        for subnet in ec2
            .subnets
            .iter()
            .filter(|s| s.map_public_ip_on_launch && in_use.contains(s.subnet_id.as_str()))
        {
            let arn = arn::ec2(inv, &region.region, "subnet", &subnet.subnet_id);
            sink.fail(
                &region.region,
                &subnet.subnet_id,
                Some(arn),
                json!({
                    "vpcId": subnet.vpc_id,
                    "availabilityZone": subnet.availability_zone,
                    "defaultForAz": subnet.default_for_az,
                    "mapPublicIpOnLaunch": true,
                }),
            );
        }
    }
}

/// Whether an endpoint serves the EC2 API itself (`com.amazonaws.<region>.ec2`, not
/// `ec2messages`).
fn is_ec2_endpoint(service_name: &str) -> bool {
    service_name.rsplit('.').next() == Some("ec2")
}

pub static VPC_NO_EC2_ENDPOINT: Rule = Rule {
    id: "ec2-vpc-no-ec2-endpoint",
    title: "VPC in use has no interface endpoint for the EC2 API",
    severity: Severity::Low,
    description: "Calls to the EC2 API from this VPC leave it for the public endpoint, over \
                  the internet or a NAT gateway. An interface endpoint keeps them on the AWS \
                  network and lets an endpoint policy limit which principals and actions may \
                  use it, so stolen credentials cannot be used through it against other \
                  accounts.",
    remediation: "Create an interface endpoint for EC2 (`aws ec2 create-vpc-endpoint \
                  --vpc-id <vpc-id> --vpc-endpoint-type Interface --service-name \
                  com.amazonaws.<region>.ec2 --subnet-ids <subnets> --security-group-ids <sg> \
                  --private-dns-enabled`).",
    // FSBP EC2.10, judged (as Prowler does by default) on the VPCs in use.
    compliance: &["AWS FSBP EC2.10"],
    resource_type: "AWS::EC2::VPC",
    scope: Scope::Regional,
    sources: &[super::SOURCE, VPC_ENDPOINTS],
    check: vpc_no_ec2_endpoint,
};

fn vpc_no_ec2_endpoint(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        let Some(endpoints) = &ec2.vpc_endpoints else {
            continue;
        };
        let in_use = vpcs_in_use(ec2);
        for vpc in ec2
            .vpcs
            .iter()
            .filter(|v| in_use.contains(v.vpc_id.as_str()))
        {
            let has = endpoints.iter().any(|e| {
                e.vpc_id == vpc.vpc_id
                    && is_ec2_endpoint(&e.service_name)
                    && !matches!(
                        e.state.to_ascii_lowercase().as_str(),
                        "deleted" | "deleting" | "failed" | "rejected" | "expired"
                    )
            });
            if !has {
                let arn = arn::ec2(inv, &region.region, "vpc", &vpc.vpc_id);
                sink.fail(
                    &region.region,
                    &vpc.vpc_id,
                    Some(arn),
                    json!({
                        "isDefault": vpc.is_default,
                        "service": format!("com.amazonaws.{}.ec2", region.region),
                        "endpoint": null,
                    }),
                );
            }
        }
    }
}

pub static VPC_SINGLE_AZ: Rule = Rule {
    id: "ec2-vpc-single-az",
    title: "VPC in use has subnets in one Availability Zone only",
    severity: Severity::Low,
    description: "Every subnet of the VPC is in the same Availability Zone, so nothing \
                  deployed in it can survive that zone's outage: load balancers, databases \
                  and Auto Scaling groups need subnets in at least two zones to fail over.",
    remediation: "Add subnets in a second Availability Zone (`aws ec2 create-subnet --vpc-id \
                  <vpc-id> --cidr-block <cidr> --availability-zone <other-az>`) and spread the \
                  workload's load balancers and groups across them.",
    compliance: &[],
    resource_type: "AWS::EC2::VPC",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: vpc_single_az,
};

fn vpc_single_az(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        let in_use = vpcs_in_use(ec2);
        for vpc in ec2
            .vpcs
            .iter()
            .filter(|v| in_use.contains(v.vpc_id.as_str()))
        {
            let zones: BTreeSet<&str> = ec2
                .subnets
                .iter()
                .filter(|s| s.vpc_id == vpc.vpc_id)
                .filter_map(|s| s.availability_zone.as_deref())
                .collect();
            if zones.len() == 1 {
                let arn = arn::ec2(inv, &region.region, "vpc", &vpc.vpc_id);
                sink.fail(
                    &region.region,
                    &vpc.vpc_id,
                    Some(arn),
                    json!({ "isDefault": vpc.is_default, "availabilityZones": zones }),
                );
            }
        }
    }
}

pub static VPC_NO_PRIVATE_SUBNET: Rule = Rule {
    id: "ec2-vpc-no-private-subnet",
    title: "VPC in use has only public subnets",
    severity: Severity::Low,
    description: "Every subnet of the VPC routes to an internet gateway, so there is no \
                  private tier: databases, caches and internal services run in subnets \
                  reachable from the internet, held back by security groups alone. A tiered \
                  layout keeps them in private subnets with no route from the internet.",
    remediation: "Create private subnets (`aws ec2 create-subnet`) with a route table that has \
                  no internet gateway route (a NAT gateway for outbound traffic if needed), and \
                  move the internal workloads there; keep only load balancers and bastions in \
                  the public ones.",
    compliance: &[],
    resource_type: "AWS::EC2::VPC",
    scope: Scope::Regional,
    sources: &[super::SOURCE, ROUTE_TABLES],
    check: vpc_no_private_subnet,
};

fn vpc_no_private_subnet(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        let in_use = vpcs_in_use(ec2);
        for vpc in ec2
            .vpcs
            .iter()
            .filter(|v| in_use.contains(v.vpc_id.as_str()))
        {
            let subnets: Vec<_> = ec2
                .subnets
                .iter()
                .filter(|s| s.vpc_id == vpc.vpc_id)
                .map(|s| (s, subnet_is_public(ec2, &s.subnet_id, &vpc.vpc_id)))
                .collect();
            if subnets.is_empty() || subnets.iter().any(|(_, p)| *p == Some(false)) {
                continue;
            }
            if subnets.iter().any(|(_, p)| p.is_none()) {
                sink.unknown(&region.region, &vpc.vpc_id);
                continue;
            }
            let arn = arn::ec2(inv, &region.region, "vpc", &vpc.vpc_id);
            sink.fail(
                &region.region,
                &vpc.vpc_id,
                Some(arn),
                json!({
                    "isDefault": vpc.is_default,
                    "publicSubnets": subnets.iter().map(|(s, _)| &s.subnet_id).collect::<Vec<_>>(),
                    "privateSubnets": 0,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{REGION, failing, run, unknown, with_ec2},
        model::{NetworkInterface, Route, Subnet, Vpc, VpcEndpoint},
    };

    fn vpc(id: &str) -> Vpc {
        Vpc {
            vpc_id: id.into(),
            ..Default::default()
        }
    }

    fn subnet(id: &str, vpc: &str, az: &str, auto_ip: bool) -> Subnet {
        Subnet {
            subnet_id: id.into(),
            vpc_id: vpc.into(),
            availability_zone: Some(az.into()),
            map_public_ip_on_launch: auto_ip,
            ..Default::default()
        }
    }

    fn eni(id: &str, vpc: &str, subnet: &str) -> NetworkInterface {
        NetworkInterface {
            network_interface_id: id.into(),
            vpc_id: Some(vpc.into()),
            subnet_id: Some(subnet.into()),
            ..Default::default()
        }
    }

    fn table(id: &str, vpc: &str, main: bool, subnets: &[&str], igw: bool) -> RouteTable {
        let mut routes = vec![Route {
            destination: "10.0.0.0/16".into(),
            gateway_id: Some("local".into()),
            ..Default::default()
        }];
        if igw {
            routes.push(Route {
                destination: "0.0.0.0/0".into(),
                gateway_id: Some("igw-1".into()),
                ..Default::default()
            });
        } else {
            routes.push(Route {
                destination: "0.0.0.0/0".into(),
                nat_gateway_id: Some("nat-1".into()),
                ..Default::default()
            });
        }
        RouteTable {
            route_table_id: id.into(),
            vpc_id: vpc.into(),
            main,
            subnet_ids: subnets.iter().map(|s| (*s).into()).collect(),
            routes,
        }
    }

    /// vpc-tiered: public a, private b (in use); vpc-flat: one public subnet (in use);
    /// vpc-idle: public, auto-assigning, nothing in it.
    fn estate() -> Ec2Inventory {
        Ec2Inventory {
            vpcs: vec![vpc("vpc-tiered"), vpc("vpc-flat"), vpc("vpc-idle")],
            subnets: vec![
                subnet("subnet-pub", "vpc-tiered", "eu-west-1a", true),
                subnet("subnet-priv", "vpc-tiered", "eu-west-1b", false),
                subnet("subnet-flat", "vpc-flat", "eu-west-1a", true),
                subnet("subnet-idle", "vpc-idle", "eu-west-1a", true),
            ],
            network_interfaces: vec![
                eni("eni-1", "vpc-tiered", "subnet-pub"),
                eni("eni-2", "vpc-tiered", "subnet-priv"),
                eni("eni-3", "vpc-flat", "subnet-flat"),
            ],
            route_tables: Some(vec![
                table("rtb-main-tiered", "vpc-tiered", true, &[], false),
                table("rtb-pub", "vpc-tiered", false, &["subnet-pub"], true),
                table("rtb-main-flat", "vpc-flat", true, &[], true),
                table("rtb-main-idle", "vpc-idle", true, &[], true),
            ]),
            vpc_endpoints: Some(vec![
                VpcEndpoint {
                    vpc_endpoint_id: "vpce-1".into(),
                    vpc_id: "vpc-tiered".into(),
                    service_name: "com.amazonaws.eu-west-1.ec2".into(),
                    endpoint_type: "Interface".into(),
                    state: "available".into(),
                },
                VpcEndpoint {
                    vpc_endpoint_id: "vpce-2".into(),
                    vpc_id: "vpc-flat".into(),
                    service_name: "com.amazonaws.eu-west-1.ec2messages".into(),
                    endpoint_type: "Interface".into(),
                    state: "available".into(),
                },
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn subnets_in_use_assigning_public_ips_fail_and_idle_ones_are_not_judged() {
        let inv = with_ec2(estate());
        assert_eq!(
            failing(&SUBNET_AUTO_PUBLIC_IP, &inv),
            ["subnet-pub", "subnet-flat"]
        );
    }

    #[test]
    fn a_vpc_in_use_without_an_ec2_endpoint_fails_and_ec2messages_is_not_one() {
        let inv = with_ec2(estate());
        assert_eq!(failing(&VPC_NO_EC2_ENDPOINT, &inv), ["vpc-flat"]);
    }

    #[test]
    fn unreadable_endpoints_or_route_tables_leave_their_rule_unassessed() {
        let mut ec2 = estate();
        ec2.vpc_endpoints = None;
        ec2.route_tables = None;
        let inv = with_ec2(ec2);
        for rule in [&VPC_NO_EC2_ENDPOINT, &VPC_NO_PRIVATE_SUBNET] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert!(out.complete.is_empty(), "{}", rule.id);
        }
        // The rest of EC2 still judges the subnets.
        assert_eq!(run(&SUBNET_AUTO_PUBLIC_IP, &inv).complete.len(), 1);
    }

    #[test]
    fn a_vpc_in_use_with_subnets_in_one_zone_fails() {
        let inv = with_ec2(estate());
        assert_eq!(failing(&VPC_SINGLE_AZ, &inv), ["vpc-flat"]);
    }

    #[test]
    fn a_vpc_in_use_with_only_public_subnets_fails_and_a_tiered_one_passes() {
        let inv = with_ec2(estate());
        let out = run(&VPC_NO_PRIVATE_SUBNET, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["vpc-flat"]);
        assert_eq!(out.findings[0].evidence["publicSubnets"][0], "subnet-flat");
        let ec2 = estate();
        assert_eq!(
            public_subnets(&ec2)
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            ["subnet-flat", "subnet-idle", "subnet-pub"]
        );
    }

    #[test]
    fn a_private_only_vpc_passes_and_one_without_a_known_route_table_is_unknown() {
        let mut ec2 = estate();
        // vpc-flat's main table routes to a NAT gateway only: private.
        ec2.route_tables.as_mut().unwrap()[2] =
            table("rtb-main-flat", "vpc-flat", true, &[], false);
        assert!(failing(&VPC_NO_PRIVATE_SUBNET, &with_ec2(ec2.clone())).is_empty());
        // No main table known for it: not judged.
        ec2.route_tables.as_mut().unwrap().remove(2);
        let out = run(&VPC_NO_PRIVATE_SUBNET, &with_ec2(ec2));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["vpc-flat"]);
        assert_eq!(out.unknown[0].1, REGION);
    }

    #[test]
    fn an_egress_only_gateway_does_not_make_a_subnet_public() {
        let mut ec2 = estate();
        let flat = &mut ec2.route_tables.as_mut().unwrap()[2];
        flat.routes[1] = Route {
            destination: "::/0".into(),
            gateway_id: Some("eigw-1".into()),
            ..Default::default()
        };
        assert_eq!(
            subnet_is_public(&ec2, "subnet-flat", "vpc-flat"),
            Some(false)
        );
    }
}
