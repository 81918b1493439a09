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
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub db_snapshot_identifier: String,
    pub arn: Option<String>,
    pub encrypted: bool,
    /// `restore` attribute includes `all`. `None`: could not be read.
    pub public: Option<bool>,
}
