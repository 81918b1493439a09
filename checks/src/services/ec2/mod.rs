//! EC2, with the VPC and EBS resources it reads: the inventory model of a region's
//! security groups, instances, network (with route tables and VPC endpoints), volumes,
//! snapshots and AMIs, and their rules.

mod assets;
mod ebs;
mod instances;
mod layout;
pub mod model;
mod net;
mod security_groups;
mod serial_console;
mod transit;
mod vpc;

pub use ebs::*;
pub use instances::*;
pub use layout::*;
pub use security_groups::*;
pub use serial_console::*;
pub use transit::*;
pub use vpc::*;

use crate::{
    Source,
    model::RegionInventory,
    services::{ListAssets, Service},
};

/// EC2's part of the inventory was read.
pub const SOURCE: Source = Source::Regional("ec2", read);

fn read(r: &RegionInventory) -> bool {
    r.ec2.is_some()
}

/// EC2 in the registry: its assets and its rules, in a stable order (security groups,
/// VPC, instances and images, EBS).
pub static SERVICE: Service = Service {
    name: "ec2",
    assets: ListAssets::Regional(assets::list),
    rules: &[
        &SG_SSH_OPEN,
        &SG_RDP_OPEN,
        &SG_MYSQL_OPEN,
        &SG_POSTGRES_OPEN,
        &SG_MSSQL_OPEN,
        &SG_ORACLE_OPEN,
        &SG_MONGODB_OPEN,
        &SG_REDIS_OPEN,
        &SG_MEMCACHED_OPEN,
        &SG_CIFS_OPEN,
        &SG_ELASTICSEARCH_OPEN,
        &SG_KIBANA_OPEN,
        &SG_ALL_PORTS_OPEN,
        &SG_WORLD_PORT_IN_USE,
        &DEFAULT_SG_ALLOWS_TRAFFIC,
        &SG_UNUSED,
        &NACL_ADMIN_PORTS_OPEN,
        &VPC_NO_FLOW_LOGS,
        &SUBNET_AUTO_PUBLIC_IP,
        &VPC_NO_EC2_ENDPOINT,
        &VPC_SINGLE_AZ,
        &VPC_NO_PRIVATE_SUBNET,
        &TRANSIT_GATEWAY_AUTO_ACCEPTS,
        &INSTANCE_IMDSV1_PUBLIC,
        &INSTANCE_IMDSV2_NOT_REQUIRED,
        &INSTANCE_NO_IAM_ROLE,
        &INSTANCE_PUBLIC_PORTS_OPEN,
        &INSTANCE_PUBLIC_IP,
        &INSTANCE_PUBLIC_WITH_PROFILE,
        &SERIAL_CONSOLE_ACCESS_ENABLED,
        &EIP_UNUSED,
        &AMI_PUBLIC,
        &EBS_VOLUME_UNENCRYPTED,
        &EBS_DEFAULT_ENCRYPTION_OFF,
        &SNAPSHOT_PUBLIC,
        &SNAPSHOT_UNENCRYPTED,
        &EBS_VOLUME_NO_SNAPSHOT,
    ],
};
