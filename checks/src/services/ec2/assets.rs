//! EC2's resources as assets, with the addresses instances and network interfaces hold.

use crate::{
    model::RegionInventory,
    services::{Assets, json},
};

const TYPES: &[&str] = &[
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::Volume",
    "AWS::EC2::Snapshot",
    "AWS::EC2::Image",
];

/// Lists a region's EC2 resources.
pub fn list(r: &RegionInventory, out: &mut Assets) {
    let Some(ec2) = &r.ec2 else {
        return;
    };
    let region = r.region.as_str();
    for i in &ec2.instances {
        // A terminated instance holds no address any more, whatever it reports.
        let holds = !matches!(i.state.as_str(), "terminated" | "shutting-down");
        let mut ips: Vec<(String, bool)> =
            i.private_ips.iter().map(|p| (p.clone(), false)).collect();
        ips.extend(i.public_ip.iter().map(|p| (p.clone(), true)));
        ips.retain(|_| holds);
        let a = out.add(region, "AWS::EC2::Instance", &i.instance_id, None, json(i));
        a.tags = json(&i.tags);
        a.ips = ips;
    }
    for g in &ec2.security_groups {
        out.add(
            region,
            "AWS::EC2::SecurityGroup",
            &g.group_id,
            None,
            json(g),
        )
        .tags = json(&g.tags);
    }
    for n in &ec2.network_interfaces {
        let mut ips: Vec<(String, bool)> =
            n.private_ips.iter().map(|p| (p.clone(), false)).collect();
        ips.extend(n.ipv6_addresses.iter().map(|p| (p.clone(), true)));
        ips.extend(n.public_ip.iter().map(|p| (p.clone(), true)));
        out.add(
            region,
            "AWS::EC2::NetworkInterface",
            &n.network_interface_id,
            None,
            json(n),
        )
        .ips = ips;
    }
    for v in &ec2.vpcs {
        out.add(region, "AWS::EC2::VPC", &v.vpc_id, None, json(v))
            .tags = json(&v.tags);
    }
    for s in &ec2.subnets {
        out.add(region, "AWS::EC2::Subnet", &s.subnet_id, None, json(s));
    }
    for a in &ec2.network_acls {
        out.add(
            region,
            "AWS::EC2::NetworkAcl",
            &a.network_acl_id,
            None,
            json(a),
        );
    }
    for v in &ec2.volumes {
        out.add(region, "AWS::EC2::Volume", &v.volume_id, None, json(v))
            .tags = json(&v.tags);
    }
    for s in &ec2.snapshots {
        out.add(region, "AWS::EC2::Snapshot", &s.snapshot_id, None, json(s));
    }
    for i in &ec2.images {
        out.add(region, "AWS::EC2::Image", &i.image_id, None, json(i));
    }
    for ty in TYPES {
        out.complete(region, ty);
    }
    // Read apart from the rest: listed, and complete, only when that read succeeded.
    if let Some(gateways) = &ec2.transit_gateways {
        for t in gateways {
            out.add(
                region,
                "AWS::EC2::TransitGateway",
                &t.transit_gateway_id,
                t.arn.clone(),
                json(t),
            )
            .tags = json(&t.tags);
        }
        out.complete(region, "AWS::EC2::TransitGateway");
    }
}
