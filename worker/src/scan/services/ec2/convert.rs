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
