//! The Redshift part of the inventory: the provisioned clusters of a region.

use serde::{Deserialize, Serialize};

/// A Redshift provisioned cluster.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RedshiftCluster {
    pub cluster_identifier: String,
    pub arn: Option<String>,
    pub publicly_accessible: bool,
    /// `Encrypted`: encryption at rest.
    pub encrypted: bool,
    /// Days automated snapshots are kept (`0`: automated snapshots are off).
    pub automated_snapshot_retention_period: i32,
    /// `AllowVersionUpgrade`: major version upgrades applied in the maintenance window.
    pub allow_version_upgrade: bool,
    pub enhanced_vpc_routing: bool,
    pub master_username: Option<String>,
    /// `DBName`: the database created with the cluster.
    pub db_name: Option<String>,
    pub vpc_id: Option<String>,
    /// The endpoint, as `host:port`.
    pub endpoint: Option<String>,
    /// The nodes' (address, public) pairs.
    pub node_addresses: Vec<(String, bool)>,
    /// The cluster's parameter group.
    pub parameter_group: Option<String>,
    /// The parameter group's `require_ssl`. `None`: could not be read.
    pub require_ssl: Option<bool>,
    /// Audit logging (`DescribeLoggingStatus`) is on. `None`: could not be read.
    pub audit_logging: Option<bool>,
    /// `MultiAZ` is `Enabled`: the cluster runs in two Availability Zones.
    #[serde(default)]
    pub multi_az: bool,
}
