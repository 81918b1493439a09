//! EC2 SDK types to the inventory model.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types as t;
use vigil_checks::model as m;

use crate::scan::read::utc;

fn tags(tags: &[t::Tag]) -> m::Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn permission(p: &t::IpPermission) -> m::PermissionRule {
    m::PermissionRule {
        protocol: p.ip_protocol().unwrap_or("-1").to_owned(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_owned))
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6().map(str::to_owned))
            .collect(),
        source_groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect(),
    }
}

pub fn security_group(g: &t::SecurityGroup) -> m::SecurityGroup {
    m::SecurityGroup {
        group_id: g.group_id().unwrap_or_default().to_owned(),
        group_name: g.group_name().unwrap_or_default().to_owned(),
        vpc_id: g.vpc_id().map(str::to_owned),
        description: g.description().unwrap_or_default().to_owned(),
        ingress: g.ip_permissions().iter().map(permission).collect(),
        egress: g.ip_permissions_egress().iter().map(permission).collect(),
        tags: tags(g.tags()),
    }
}

pub fn instance(i: &t::Instance) -> m::Instance {
    m::Instance {
        instance_id: i.instance_id().unwrap_or_default().to_owned(),
        state: i
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default(),
        public_ip: i.public_ip_address().map(str::to_owned),
        private_ips: i
            .network_interfaces()
            .iter()
            .flat_map(|n| n.private_ip_addresses())
            .filter_map(|p| p.private_ip_address().map(str::to_owned))
            .chain(i.private_ip_address().map(str::to_owned))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        http_tokens: i
            .metadata_options()
            .and_then(|o| o.http_tokens())
            .map(|t| t.as_str().to_owned()),
        http_endpoint: i
            .metadata_options()
            .and_then(|o| o.http_endpoint())
            .map(|t| t.as_str().to_owned()),
        // The instance's groups and its interfaces' (moto lists an instance launched with
        // network interfaces without the former).
        security_groups: i
            .security_groups()
            .iter()
            .chain(i.network_interfaces().iter().flat_map(|n| n.groups()))
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        subnet_id: i.subnet_id().map(str::to_owned),
        vpc_id: i.vpc_id().map(str::to_owned),
        image_id: i.image_id().map(str::to_owned),
        launch_time: i.launch_time().and_then(utc),
        iam_instance_profile: i
            .iam_instance_profile()
            .and_then(|p| p.arn())
            .map(str::to_owned),
        tags: tags(i.tags()),
    }
}

pub fn network_interface(n: &t::NetworkInterface) -> m::NetworkInterface {
    m::NetworkInterface {
        network_interface_id: n.network_interface_id().unwrap_or_default().to_owned(),
        public_ip: n
            .association()
            .and_then(|a| a.public_ip())
            .map(str::to_owned),
        private_ips: n
            .private_ip_addresses()
            .iter()
            .filter_map(|p| p.private_ip_address().map(str::to_owned))
            .collect(),
        ipv6_addresses: n
            .ipv6_addresses()
            .iter()
            .filter_map(|a| a.ipv6_address().map(str::to_owned))
            .collect(),
        instance_id: n
            .attachment()
            .and_then(|a| a.instance_id())
            .map(str::to_owned),
        description: n.description().unwrap_or_default().to_owned(),
        vpc_id: n.vpc_id().map(str::to_owned),
        subnet_id: n.subnet_id().map(str::to_owned),
        groups: n
            .groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect(),
        interface_type: n.interface_type().map(|t| t.as_str().to_owned()),
        attachment_owner: n
            .attachment()
            .and_then(|a| a.instance_owner_id())
            .map(str::to_owned),
    }
}

/// A VPC, with the IDs of the flow logs attached to it.
pub fn vpc(v: &t::Vpc, flow_by_vpc: &BTreeMap<String, Vec<String>>) -> m::Vpc {
    let id = v.vpc_id().unwrap_or_default().to_owned();
    m::Vpc {
        flow_log_ids: flow_by_vpc.get(&id).cloned().unwrap_or_default(),
        vpc_id: id,
        cidr_block: v.cidr_block().map(str::to_owned),
        is_default: v.is_default().unwrap_or(false),
        tags: tags(v.tags()),
    }
}

pub fn subnet(s: &t::Subnet) -> m::Subnet {
    m::Subnet {
        subnet_id: s.subnet_id().unwrap_or_default().to_owned(),
        vpc_id: s.vpc_id().unwrap_or_default().to_owned(),
        cidr_block: s.cidr_block().map(str::to_owned),
        map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
        availability_zone: s.availability_zone().map(str::to_owned),
        default_for_az: s.default_for_az().unwrap_or(false),
    }
}

pub fn route_table(t: &t::RouteTable) -> m::RouteTable {
    m::RouteTable {
        route_table_id: t.route_table_id().unwrap_or_default().to_owned(),
        vpc_id: t.vpc_id().unwrap_or_default().to_owned(),
        main: t.associations().iter().any(|a| a.main().unwrap_or(false)),
        subnet_ids: t
            .associations()
            .iter()
            .filter_map(|a| a.subnet_id().map(str::to_owned))
            .collect(),
        routes: t
            .routes()
            .iter()
            .map(|r| m::Route {
                destination: r
                    .destination_cidr_block()
                    .or(r.destination_ipv6_cidr_block())
                    .or(r.destination_prefix_list_id())
                    .unwrap_or_default()
                    .to_owned(),
                gateway_id: r.gateway_id().map(str::to_owned),
                nat_gateway_id: r.nat_gateway_id().map(str::to_owned),
            })
            .collect(),
    }
}

pub fn vpc_endpoint(e: &t::VpcEndpoint) -> m::VpcEndpoint {
    m::VpcEndpoint {
        vpc_endpoint_id: e.vpc_endpoint_id().unwrap_or_default().to_owned(),
        vpc_id: e.vpc_id().unwrap_or_default().to_owned(),
        service_name: e.service_name().unwrap_or_default().to_owned(),
        endpoint_type: e
            .vpc_endpoint_type()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        state: e.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
    }
}

pub fn network_acl(a: &t::NetworkAcl) -> m::NetworkAcl {
    m::NetworkAcl {
        network_acl_id: a.network_acl_id().unwrap_or_default().to_owned(),
        vpc_id: a.vpc_id().unwrap_or_default().to_owned(),
        is_default: a.is_default().unwrap_or(false),
        entries: a
            .entries()
            .iter()
            .map(|e| m::AclEntry {
                rule_number: e.rule_number().unwrap_or(32767),
                egress: e.egress().unwrap_or(false),
                protocol: e.protocol().unwrap_or("-1").to_owned(),
                rule_action: e
                    .rule_action()
                    .map(|r| r.as_str().to_owned())
                    .unwrap_or_default(),
                cidr_ipv4: e.cidr_block().map(str::to_owned),
                cidr_ipv6: e.ipv6_cidr_block().map(str::to_owned),
                from_port: e.port_range().and_then(|p| p.from()),
                to_port: e.port_range().and_then(|p| p.to()),
            })
            .collect(),
    }
}

pub fn volume(v: &t::Volume) -> m::Volume {
    m::Volume {
        volume_id: v.volume_id().unwrap_or_default().to_owned(),
        encrypted: v.encrypted().unwrap_or(false),
        size_gib: v.size().unwrap_or(0),
        state: v.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        attached_instance_id: v
            .attachments()
            .first()
            .and_then(|a| a.instance_id())
            .map(str::to_owned),
        tags: tags(v.tags()),
    }
}

/// A snapshot; `public` holds the IDs of the region's public snapshots, `None` where they
/// could not be listed.
pub fn snapshot(s: &t::Snapshot, public: Option<&BTreeSet<String>>) -> m::Snapshot {
    let id = s.snapshot_id().unwrap_or_default().to_owned();
    m::Snapshot {
        public: public.map(|p| p.contains(&id)),
        snapshot_id: id,
        volume_id: s.volume_id().map(str::to_owned),
        encrypted: s.encrypted().unwrap_or(false),
    }
}

pub fn image(i: &t::Image) -> m::Image {
    m::Image {
        image_id: i.image_id().unwrap_or_default().to_owned(),
        name: i.name().map(str::to_owned),
        public: i.public().unwrap_or(false),
    }
}

pub fn address(a: &t::Address) -> m::ElasticIp {
    // moto answers an unassociated address with empty strings rather than no element.
    let set = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_owned);
    m::ElasticIp {
        allocation_id: set(a.allocation_id()),
        public_ip: a.public_ip().unwrap_or_default().to_owned(),
        association_id: set(a.association_id()),
        instance_id: set(a.instance_id()),
        network_interface_id: set(a.network_interface_id()),
    }
}

pub fn transit_gateway(g: &t::TransitGateway) -> m::TransitGateway {
    m::TransitGateway {
        transit_gateway_id: g.transit_gateway_id().unwrap_or_default().to_owned(),
        arn: g.transit_gateway_arn().map(str::to_owned),
        state: g.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
        auto_accept_shared_attachments: g
            .options()
            .and_then(|o| o.auto_accept_shared_attachments())
            .is_some_and(|a| a.as_str() == "enable"),
        tags: tags(g.tags()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_table_keeps_its_main_flag_subnets_and_both_families_of_routes() {
        let table = t::RouteTable::builder()
            .route_table_id("rtb-1")
            .vpc_id("vpc-1")
            .associations(t::RouteTableAssociation::builder().main(true).build())
            .associations(
                t::RouteTableAssociation::builder()
                    .main(false)
                    .subnet_id("subnet-1")
                    .build(),
            )
            .routes(
                t::Route::builder()
                    .destination_cidr_block("10.0.0.0/16")
                    .gateway_id("local")
                    .build(),
            )
            .routes(
                t::Route::builder()
                    .destination_ipv6_cidr_block("::/0")
                    .gateway_id("igw-1")
                    .build(),
            )
            .routes(
                t::Route::builder()
                    .destination_cidr_block("0.0.0.0/0")
                    .nat_gateway_id("nat-1")
                    .build(),
            )
            .build();
        let got = route_table(&table);
        assert!(got.main);
        assert_eq!(got.subnet_ids, ["subnet-1"]);
        let routes: Vec<_> = got
            .routes
            .iter()
            .map(|r| {
                (
                    r.destination.as_str(),
                    r.gateway_id.as_deref(),
                    r.nat_gateway_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            routes,
            [
                ("10.0.0.0/16", Some("local"), None),
                ("::/0", Some("igw-1"), None),
                ("0.0.0.0/0", None, Some("nat-1")),
            ]
        );
    }

    #[test]
    fn a_load_balancer_interface_keeps_its_groups_subnet_and_owner() {
        let eni = t::NetworkInterface::builder()
            .network_interface_id("eni-1")
            .subnet_id("subnet-1")
            .vpc_id("vpc-1")
            .interface_type(t::NetworkInterfaceType::Interface)
            .groups(t::GroupIdentifier::builder().group_id("sg-1").build())
            .attachment(
                t::NetworkInterfaceAttachment::builder()
                    .instance_owner_id("amazon-elb")
                    .build(),
            )
            .build();
        let got = network_interface(&eni);
        assert_eq!(got.groups, ["sg-1"]);
        assert_eq!(got.subnet_id.as_deref(), Some("subnet-1"));
        assert_eq!(got.interface_type.as_deref(), Some("interface"));
        assert_eq!(got.attachment_owner.as_deref(), Some("amazon-elb"));
    }
}
