//! EC2, with the VPC and EBS resources it serves: security groups, instances, network
//! interfaces, VPCs with their flow logs, subnets, network ACLs, volumes, snapshots (with
//! who may restore them), AMIs and the EBS default encryption. The reads run one after
//! another; the first that fails leaves the region's EC2 part unread.

mod convert;

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{
    FlowLog, Image, NetworkAcl, NetworkInterface, Reservation, SecurityGroup, Snapshot,
    SnapshotAttributeName, Subnet, Volume, Vpc,
};
use futures::{StreamExt, stream};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// Per-snapshot attribute reads at once per region.
const ATTRIBUTE_CONCURRENCY: usize = 8;

/// EC2 in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "ec2",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
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
    Some(Network {
        security_groups: r.ok(
            "DescribeSecurityGroups",
            c.describe_security_groups()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
        reservations: r.ok(
            "DescribeInstances",
            c.describe_instances()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
        interfaces: r.ok(
            "DescribeNetworkInterfaces",
            c.describe_network_interfaces()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
        vpcs: r.ok(
            "DescribeVpcs",
            c.describe_vpcs()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
        subnets: r.ok(
            "DescribeSubnets",
            c.describe_subnets()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
        acls: r.ok(
            "DescribeNetworkAcls",
            c.describe_network_acls()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
    })
}

async fn storage(c: &aws_sdk_ec2::Client, r: Reader<'_>) -> Option<Storage> {
    Some(Storage {
        volumes: r.ok(
            "DescribeVolumes",
            c.describe_volumes()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
        snapshots: r.ok(
            "DescribeSnapshots",
            c.describe_snapshots()
                .owner_ids("self")
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )?,
        images: r
            .ok(
                "DescribeImages",
                c.describe_images().owners("self").send().await,
            )?
            .images()
            .to_vec(),
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

/// Who may create volumes from each snapshot: (public, shared with accounts), or
/// `(None, [])` where the attribute could not be read.
async fn snapshot_permissions(
    c: &aws_sdk_ec2::Client,
    r: Reader<'_>,
    snapshots: &[Snapshot],
) -> BTreeMap<String, (Option<bool>, Vec<String>)> {
    let ids: Vec<String> = snapshots
        .iter()
        .filter_map(|s| s.snapshot_id().map(str::to_owned))
        .collect();
    stream::iter(ids)
        .map(|id| async move {
            let out = c
                .describe_snapshot_attribute()
                .snapshot_id(&id)
                .attribute(SnapshotAttributeName::CreateVolumePermission)
                .send()
                .await;
            let Some(o) = r.ok("DescribeSnapshotAttribute", out) else {
                return (id, (None, vec![]));
            };
            let perms = o.create_volume_permissions();
            let public = perms
                .iter()
                .any(|p| p.group().is_some_and(|g| g.as_str() == "all"));
            let shared = perms
                .iter()
                .filter_map(|p| p.user_id().map(str::to_owned))
                .collect();
            (id, (Some(public), shared))
        })
        .buffer_unordered(ATTRIBUTE_CONCURRENCY)
        .collect()
        .await
}

async fn read(r: Reader<'_>) -> Option<m::Ec2Inventory> {
    let c = aws_sdk_ec2::Client::new(r.config);
    let network = network(&c, r).await?;
    let storage = storage(&c, r).await?;
    let flow_logs = flow_logs(&c, r).await?;
    let ebs_default = r
        .ok(
            "GetEbsEncryptionByDefault",
            c.get_ebs_encryption_by_default().send().await,
        )
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
    let permissions = snapshot_permissions(&c, r, &storage.snapshots).await;
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
            .map(|s| convert::snapshot(s, &permissions))
            .collect(),
        images: storage.images.iter().map(convert::image).collect(),
        ebs_encryption_by_default: ebs_default,
    })
}
