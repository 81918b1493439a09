//! The inventory of one AWS account, as the scanner collected it: plain data, so the
//! checks are pure functions that unit tests feed with small fixtures.
//!
//! `Option` on a collection or attribute means "could not be read" (a permission error,
//! a region that is off): checks skip what they cannot see, and the scan reports it.
//! An empty `Vec` means "read, and there is none".

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Resource tags.
pub type Tags = BTreeMap<String, String>;

/// Everything collected from one account in one scan.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inventory {
    /// The 12-digit account.
    pub account_id: String,
    /// When collection started; ages (of keys, of last use) are measured from it.
    pub collected_at: DateTime<Utc>,
    /// Every enabled region that was scanned.
    pub regions: Vec<RegionInventory>,
    /// IAM (global). `None`: could not be read.
    pub iam: Option<IamInventory>,
    /// S3 (global listing). `None`: could not be read.
    pub s3: Option<S3Inventory>,
}

/// What one region holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegionInventory {
    pub region: String,
    pub ec2: Option<Ec2Inventory>,
    pub rds: Option<RdsInventory>,
    /// Trails visible from this region (shadow copies of multi-region trails included,
    /// as `DescribeTrails` returns them).
    pub trails: Option<Vec<Trail>>,
}

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
    /// `createVolumePermission` includes group `all`. `None`: the attribute could not be read.
    pub public: Option<bool>,
    /// Accounts it is shared with.
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Image {
    pub image_id: String,
    pub name: Option<String>,
    pub public: bool,
}

/// RDS resources of a region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RdsInventory {
    pub instances: Vec<DbInstance>,
    pub snapshots: Vec<DbSnapshot>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DbInstance {
    pub db_instance_identifier: String,
    pub arn: Option<String>,
    pub engine: String,
    pub publicly_accessible: bool,
    pub storage_encrypted: bool,
    pub endpoint_address: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub db_snapshot_identifier: String,
    pub arn: Option<String>,
    pub encrypted: bool,
    /// `restore` attribute includes `all`. `None`: could not be read.
    pub public: Option<bool>,
}

/// A CloudTrail trail as seen from one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: Option<String>,
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    /// `GetTrailStatus.IsLogging`. `None`: could not be read.
    pub is_logging: Option<bool>,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_key_prefix: Option<String>,
    /// Whether the event selectors include management events (read and write).
    /// `None`: could not be read.
    pub logs_management_events: Option<bool>,
}

/// IAM, which is global.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamInventory {
    /// `GetAccountSummary`: `AccountAccessKeysPresent`.
    pub root_access_keys_present: bool,
    /// `GetAccountSummary`: `AccountMFAEnabled`.
    pub root_mfa_enabled: bool,
    /// `None`: the account has no password policy (AWS's defaults apply).
    pub password_policy: Option<PasswordPolicy>,
    pub users: Vec<IamUser>,
    /// Customer-managed policies (default versions).
    pub policies: Vec<IamPolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_length: i32,
    /// How many previous passwords cannot be reused (`None`: not set).
    pub reuse_prevention: Option<i32>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub max_age_days: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamUser {
    pub user_name: String,
    pub arn: String,
    pub created: DateTime<Utc>,
    /// Has a console password (login profile).
    pub password_enabled: bool,
    pub password_last_used: Option<DateTime<Utc>>,
    pub mfa_devices: usize,
    pub access_keys: Vec<AccessKey>,
    /// Names of managed policies attached directly.
    pub attached_policies: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamPolicy {
    pub arn: String,
    pub name: String,
    /// The default version's document.
    pub document: serde_json::Value,
    pub attachment_count: i32,
}

/// S3, listed globally.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct S3Inventory {
    /// The account-level public access block. `None`: none configured (or not readable:
    /// see `account_block_readable`).
    pub account_public_access_block: Option<PublicAccessBlock>,
    /// False when the account-level block could not be read.
    pub account_block_readable: bool,
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four settings on.
    pub fn is_fully_on(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub region: Option<String>,
    /// Bucket-level block. `Some(None)`: read, none configured. `None`: not readable.
    pub public_access_block: Option<Option<PublicAccessBlock>>,
    /// The ACL grants AllUsers or AuthenticatedUsers. `None`: not readable.
    pub acl_public: Option<bool>,
    /// `GetBucketPolicyStatus.IsPublic` (false when there is no policy). `None`: not readable.
    pub policy_public: Option<bool>,
    /// The bucket policy denies requests without TLS (`aws:SecureTransport` false).
    /// `None`: not readable.
    pub tls_only: Option<bool>,
    /// Default encryption algorithm (`AES256`, `aws:kms`...). `Some(None)`: none
    /// configured (before 2023 buckets had none). `None`: not readable.
    pub encryption: Option<Option<String>>,
    pub tags: Tags,
}
