//! The RDS part of the inventory: DB instances and DB snapshots, the region's event
//! subscriptions, the engine versions RDS still offers and its certificate authorities.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// RDS resources of a region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RdsInventory {
    pub instances: Vec<DbInstance>,
    pub snapshots: Vec<DbSnapshot>,
    /// `DescribeEventSubscriptions` (read only where the region has instances). `None`:
    /// could not be read.
    #[serde(default)]
    pub event_subscriptions: Option<Vec<RdsEventSubscription>>,
    /// The versions RDS offers per engine in use (`DescribeDBEngineVersions`): an
    /// instance's version missing from its engine's list is deprecated. `None` for an
    /// engine: could not be read.
    #[serde(default)]
    pub engine_versions: BTreeMap<String, Option<Vec<String>>>,
    /// The certificate authorities' expiry (`DescribeCertificates`), by identifier. `None`:
    /// could not be read.
    #[serde(default)]
    pub certificate_authorities: Option<BTreeMap<String, DateTime<Utc>>>,
}

/// An RDS event notification subscription.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RdsEventSubscription {
    pub id: String,
    pub arn: Option<String>,
    /// `db-instance`, `db-cluster`, `db-parameter-group`... (none: every source type).
    pub source_type: Option<String>,
    /// The sources it is limited to (none: every source of its type).
    pub source_ids: Vec<String>,
    /// The event categories it sends (none: every category).
    pub categories: Vec<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DbInstance {
    pub db_instance_identifier: String,
    pub arn: Option<String>,
    pub engine: String,
    pub publicly_accessible: bool,
    pub storage_encrypted: bool,
    pub endpoint_address: Option<String>,
    /// Days automated backups are kept (`0`: automated backups are off).
    #[serde(default)]
    pub backup_retention_period: i32,
    #[serde(default)]
    pub deletion_protection: bool,
    /// `IAMDatabaseAuthenticationEnabled`.
    #[serde(default)]
    pub iam_auth_enabled: bool,
    #[serde(default)]
    pub auto_minor_version_upgrade: bool,
    #[serde(default)]
    pub multi_az: bool,
    /// `MasterUsername`.
    #[serde(default)]
    pub master_username: Option<String>,
    /// Member of an Aurora cluster (`DBClusterIdentifier` set): backups, deletion
    /// protection, IAM authentication and availability are the cluster's settings.
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub engine_version: Option<String>,
    /// The endpoint's port.
    #[serde(default)]
    pub port: Option<i32>,
    /// `EnabledCloudwatchLogsExports`: the log types published to CloudWatch Logs.
    #[serde(default)]
    pub log_exports: Vec<String>,
    /// Seconds between enhanced monitoring samples (`0`: enhanced monitoring off).
    #[serde(default)]
    pub monitoring_interval: i32,
    #[serde(default)]
    pub copy_tags_to_snapshot: bool,
    /// The VPC of its subnet group (none: not in a VPC).
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// `CACertificateIdentifier`.
    #[serde(default)]
    pub ca_certificate: Option<String>,
    /// Its DB parameter group.
    #[serde(default)]
    pub parameter_group: Option<String>,
    /// The group's transport parameters (`rds.force_ssl`, `require_secure_transport`) that
    /// have a value. `None`: the group could not be read (or was not: Aurora members).
    #[serde(default)]
    pub transport_parameters: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub db_snapshot_identifier: String,
    pub arn: Option<String>,
    pub encrypted: bool,
    /// `restore` attribute includes `all`. `None`: could not be read.
    pub public: Option<bool>,
}
