//! The EC2 part of the inventory: security groups, instances, network interfaces, VPCs,
//! subnets, network ACLs, EBS volumes and snapshots, and AMIs.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Resource tags (the same type as `crate::model::Tags`, spelt out so that this model
/// does not depend on the inventory that gathers it).
type Tags = BTreeMap<String, String>;

/// EC2 and VPC resources of a region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ec2Inventory {
    pub security_groups: Vec<SecurityGroup>,
    pub instances: Vec<Instance>,
    pub network_interfaces: Vec<NetworkInterface>,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub network_acls: Vec<NetworkAcl>,
    pub volumes: Vec<Volume>,
    /// Snapshots owned by the account.
    pub snapshots: Vec<Snapshot>,
    /// AMIs owned by the account.
    pub images: Vec<Image>,
    /// `GetEbsEncryptionByDefault`. `None`: could not be read.
    pub ebs_encryption_by_default: Option<bool>,
    /// The region's Elastic IP addresses (`DescribeAddresses`). `None`: could not be read.
    #[serde(default)]
    pub addresses: Option<Vec<ElasticIp>>,
    /// The region's transit gateways (`DescribeTransitGateways`). `None`: could not be read.
    #[serde(default)]
    pub transit_gateways: Option<Vec<TransitGateway>>,
    /// `GetSerialConsoleAccessStatus`: the serial console may be used on the region's
    /// instances. `None`: could not be read.
    #[serde(default)]
    pub serial_console_access: Option<bool>,
    /// The region's route tables (`DescribeRouteTables`). `None`: could not be read.
    #[serde(default)]
    pub route_tables: Option<Vec<RouteTable>>,
    /// The region's VPC endpoints (`DescribeVpcEndpoints`). `None`: could not be read.
    #[serde(default)]
    pub vpc_endpoints: Option<Vec<VpcEndpoint>>,
}

/// A route table of a VPC.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RouteTable {
    pub route_table_id: String,
    pub vpc_id: String,
    /// The VPC's main route table: it routes every subnet not explicitly associated with
    /// another one.
    pub main: bool,
    /// The subnets explicitly associated with it.
    pub subnet_ids: Vec<String>,
    pub routes: Vec<Route>,
}

/// One route of a route table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Route {
    /// The IPv4 or IPv6 destination (`0.0.0.0/0`, `::/0`, `10.0.0.0/16`...), or a prefix
    /// list ID.
    pub destination: String,
    /// The internet, egress-only internet, virtual private or local gateway (`igw-...`,
    /// `eigw-...`, `vgw-...`, `local`).
    pub gateway_id: Option<String>,
    pub nat_gateway_id: Option<String>,
}

/// A VPC endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VpcEndpoint {
    pub vpc_endpoint_id: String,
    pub vpc_id: String,
    /// `com.amazonaws.<region>.<service>`.
    pub service_name: String,
    /// `Interface`, `Gateway` or `GatewayLoadBalancer`.
    pub endpoint_type: String,
    /// `available`, `pending`, `deleted`...
    pub state: String,
}

/// A transit gateway of the account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TransitGateway {
    pub transit_gateway_id: String,
    pub arn: Option<String>,
    pub state: String,
    /// `AutoAcceptSharedAttachments` is `enable`: attachment requests from the accounts
    /// it is shared with are accepted without review.
    pub auto_accept_shared_attachments: bool,
    pub tags: Tags,
}

/// An Elastic IP address of the account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ElasticIp {
    /// `AllocationId` (VPC addresses; EC2-Classic ones have none).
    pub allocation_id: Option<String>,
    pub public_ip: String,
    /// `AssociationId`: set while the address is associated with an instance or interface.
    pub association_id: Option<String>,
    pub instance_id: Option<String>,
    pub network_interface_id: Option<String>,
}

/// One ingress or egress rule of a security group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, or `-1` for all protocols.
    pub protocol: String,
    /// First port (None for all protocols).
    pub from_port: Option<i32>,
    /// Last port (None for all protocols).
    pub to_port: Option<i32>,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
    /// Other security groups allowed.
    pub source_groups: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: Option<String>,
    pub description: String,
    pub ingress: Vec<PermissionRule>,
    pub egress: Vec<PermissionRule>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Instance {
    pub instance_id: String,
    /// `pending`, `running`, `stopped`, `terminated`...
    pub state: String,
    pub public_ip: Option<String>,
    pub private_ips: Vec<String>,
    /// Instance metadata options: `optional` (IMDSv1 allowed) or `required` (IMDSv2 only).
    pub http_tokens: Option<String>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
    pub security_groups: Vec<String>,
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    pub image_id: Option<String>,
    pub launch_time: Option<DateTime<Utc>>,
    /// The ARN of the instance profile attached (through which it gets a role's
    /// credentials). `None`: none attached.
    #[serde(default)]
    pub iam_instance_profile: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub network_interface_id: String,
    pub public_ip: Option<String>,
    pub private_ips: Vec<String>,
    pub ipv6_addresses: Vec<String>,
    /// The instance it is attached to.
    pub instance_id: Option<String>,
    pub description: String,
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// The security groups it is in.
    #[serde(default)]
    pub groups: Vec<String>,
    /// `interface`, `lambda`, `vpc_endpoint`, `api_gateway_managed`, `nat_gateway`...
    #[serde(default)]
    pub interface_type: Option<String>,
    /// The owner of what it is attached to (`amazon-elb` for a load balancer's, an
    /// account ID for an instance's).
    #[serde(default)]
    pub attachment_owner: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Vpc {
    pub vpc_id: String,
    pub cidr_block: Option<String>,
    pub is_default: bool,
    /// IDs of the flow logs attached to the VPC.
    pub flow_log_ids: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Subnet {
    pub subnet_id: String,
    pub vpc_id: String,
    pub cidr_block: Option<String>,
    pub map_public_ip_on_launch: bool,
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// A default subnet of the region's default VPC.
    #[serde(default)]
    pub default_for_az: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub network_acl_id: String,
    pub vpc_id: String,
    pub is_default: bool,
    pub entries: Vec<AclEntry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AclEntry {
    pub rule_number: i32,
    pub egress: bool,
    /// `-1` (all), `6` (tcp), `17` (udp)...
    pub protocol: String,
    /// `allow` or `deny`.
    pub rule_action: String,
    pub cidr_ipv4: Option<String>,
    pub cidr_ipv6: Option<String>,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Volume {
    pub volume_id: String,
    pub encrypted: bool,
    pub size_gib: i32,
    pub state: String,
    pub attached_instance_id: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    pub snapshot_id: String,
    pub volume_id: Option<String>,
    pub encrypted: bool,
    /// `createVolumePermission` includes group `all`. `None`: it could not be read.
    pub public: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Image {
    pub image_id: String,
    pub name: Option<String>,
    pub public: bool,
}
