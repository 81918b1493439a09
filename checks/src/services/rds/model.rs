//! The RDS part of the inventory: DB instances and DB snapshots.

use serde::{Deserialize, Serialize};

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
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub db_snapshot_identifier: String,
    pub arn: Option<String>,
    pub encrypted: bool,
    /// `restore` attribute includes `all`. `None`: could not be read.
    pub public: Option<bool>,
}
