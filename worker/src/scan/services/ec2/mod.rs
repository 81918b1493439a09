//! EC2, with the VPC and EBS resources it serves: security groups, instances, network
//! interfaces, VPCs with their flow logs, subnets, route tables, VPC endpoints, network
//! ACLs, volumes, snapshots (and which are public), AMIs, Elastic IPs and the EBS default
//! encryption. The reads run at once;
//! any that fails leaves the region's EC2 part unread (all failures are recorded).

mod convert;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{
    FlowLog, Image, NetworkAcl, NetworkInterface, Reservation, SecurityGroup, Snapshot, Subnet,
    Volume, Vpc,
};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// EC2 in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "ec2",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &["ec2.amazonaws.com", "ebs.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let ec2 = read(r).await;
    fill(move |region: &mut RegionInventory| region.ec2 = ec2)
}

/// The network side of a region.
struct Network {
    security_groups: Vec<SecurityGroup>,
    reservations: Vec<Reservation>,
    interfaces: Vec<NetworkInterface>,
    vpcs: Vec<Vpc>,
    subnets: Vec<Subnet>,
    acls: Vec<NetworkAcl>,
}

/// The storage and images of a region.
struct Storage {
    volumes: Vec<Volume>,
    snapshots: Vec<Snapshot>,
    images: Vec<Image>,
}

async fn network(c: &aws_sdk_ec2::Client, r: Reader<'_>) -> Option<Network> {
    let (security_groups, reservations, interfaces, vpcs, subnets, acls) = tokio::join!(
        c.describe_security_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_network_interfaces()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_vpcs()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_subnets()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_network_acls()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    );
    Some(Network {
        security_groups: r.ok("DescribeSecurityGroups", security_groups)?,
        reservations: r.ok("DescribeInstances", reservations)?,
        interfaces: r.ok("DescribeNetworkInterfaces", interfaces)?,
        vpcs: r.ok("DescribeVpcs", vpcs)?,
        subnets: r.ok("DescribeSubnets", subnets)?,
        acls: r.ok("DescribeNetworkAcls", acls)?,
    })
}

async fn storage(c: &aws_sdk_ec2::Client, r: Reader<'_>) -> Option<Storage> {
    let (volumes, snapshots, images) = tokio::join!(
        c.describe_volumes()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_snapshots()
            .owner_ids("self")
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_images().owners("self").send(),
    );
    Some(Storage {
        volumes: r.ok("DescribeVolumes", volumes)?,
        snapshots: r.ok("DescribeSnapshots", snapshots)?,
        images: r.ok("DescribeImages", images)?.images().to_vec(),
    })
}

async fn flow_logs(c: &aws_sdk_ec2::Client, r: Reader<'_>) -> Option<Vec<FlowLog>> {
    r.ok(
        "DescribeFlowLogs",
        c.describe_flow_logs()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )
}

/// The IDs of the account's public snapshots, from one filtered list call
/// (`RestorableByUserIds=all`) rather than one `DescribeSnapshotAttribute` per snapshot:
/// `None` where the call failed, so no snapshot is called private on an error.
async fn public_snapshots(c: &aws_sdk_ec2::Client, r: Reader<'_>) -> Option<BTreeSet<String>> {
    let public: Vec<Snapshot> = r.ok(
        "DescribeSnapshots",
        c.describe_snapshots()
            .owner_ids("self")
            .restorable_by_user_ids("all")
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    Some(
        public
            .iter()
            .filter_map(|s| s.snapshot_id().map(str::to_owned))
            .collect(),
    )
}

async fn read(r: Reader<'_>) -> Option<m::Ec2Inventory> {
    let c = aws_sdk_ec2::Client::new(r.config);
    // Every read at once: EC2's request quota is per account and region, and a region's
    // dozen list calls are well within its burst.
    let (
        network,
        storage,
        flow_logs,
        public,
        ebs_default,
        addresses,
        gateways,
        serial_console,
        route_tables,
        endpoints,
    ) = tokio::join!(
        network(&c, r),
        storage(&c, r),
        flow_logs(&c, r),
        public_snapshots(&c, r),
        c.get_ebs_encryption_by_default().send(),
        c.describe_addresses().send(),
        c.describe_transit_gateways()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.get_serial_console_access_status().send(),
        c.describe_route_tables()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_vpc_endpoints()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    );
    let (network, storage, flow_logs) = (network?, storage?, flow_logs?);
    let ebs_default = r
        .ok("GetEbsEncryptionByDefault", ebs_default)
        .and_then(|o| o.ebs_encryption_by_default());
    let mut flow_by_vpc: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &flow_logs {
        if let (Some(res), Some(id)) = (f.resource_id(), f.flow_log_id()) {
            flow_by_vpc
                .entry(res.to_owned())
                .or_default()
                .push(id.to_owned());
        }
    }
    Some(m::Ec2Inventory {
        security_groups: network
            .security_groups
            .iter()
            .map(convert::security_group)
            .collect(),
        instances: network
            .reservations
            .iter()
            .flat_map(|r| r.instances())
            .map(convert::instance)
            .collect(),
        network_interfaces: network
            .interfaces
            .iter()
            .map(convert::network_interface)
            .collect(),
        vpcs: network
            .vpcs
            .iter()
            .map(|v| convert::vpc(v, &flow_by_vpc))
            .collect(),
        subnets: network.subnets.iter().map(convert::subnet).collect(),
        network_acls: network.acls.iter().map(convert::network_acl).collect(),
        volumes: storage.volumes.iter().map(convert::volume).collect(),
        snapshots: storage
            .snapshots
            .iter()
            .map(|s| convert::snapshot(s, public.as_ref()))
            .collect(),
        images: storage.images.iter().map(convert::image).collect(),
        ebs_encryption_by_default: ebs_default,
        // Unreadable addresses leave only the rule reading them unassessed.
        addresses: r
            .ok("DescribeAddresses", addresses)
            .map(|o| o.addresses().iter().map(convert::address).collect()),
        // Likewise the transit gateways.
        transit_gateways: r
            .ok("DescribeTransitGateways", gateways)
            .map(|g: Vec<_>| g.iter().map(convert::transit_gateway).collect()),
        serial_console_access: r
            .ok("GetSerialConsoleAccessStatus", serial_console)
            .and_then(|s| s.serial_console_access_enabled()),
        // Unreadable route tables or endpoints leave only the rules reading them unassessed.
        route_tables: r
            .ok("DescribeRouteTables", route_tables)
            .map(|t: Vec<_>| t.iter().map(convert::route_table).collect()),
        vpc_endpoints: r
            .ok("DescribeVpcEndpoints", endpoints)
            .map(|e: Vec<_>| e.iter().map(convert::vpc_endpoint).collect()),
    })
}
