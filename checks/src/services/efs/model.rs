//! The EFS part of the inventory: the file systems and access points of a region.

use serde::{Deserialize, Serialize};

/// An EFS file system of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EfsFileSystem {
    pub file_system_id: String,
    pub arn: Option<String>,
    /// The `Name` tag, as the console shows it.
    pub name: Option<String>,
    /// `Encrypted`: encryption at rest (set at creation only).
    pub encrypted: bool,
    /// Whether the backup policy's status is `ENABLED` (AWS Backup's automatic daily
    /// backups). `None`: could not be read.
    pub backup_enabled: Option<bool>,
    /// The Availability Zone of a One Zone file system (none: a Regional one).
    #[serde(default)]
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub mount_targets: i32,
    /// The statements of its file system policy (none: no policy). `None`: the policy
    /// could not be read, or is not JSON.
    #[serde(default)]
    pub policy_statements: Option<Vec<serde_json::Value>>,
}

/// An EFS access point of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EfsAccessPoint {
    pub access_point_id: String,
    pub arn: Option<String>,
    pub file_system_id: String,
    /// `RootDirectory.Path` (absent: `/`, the file system's root).
    pub root_directory: Option<String>,
    /// Whether a `PosixUser` is enforced on every request through the access point.
    pub posix_user: bool,
}

/// The EFS resources of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EfsInventory {
    pub file_systems: Vec<EfsFileSystem>,
    /// `None`: the access points could not be read.
    pub access_points: Option<Vec<EfsAccessPoint>>,
}
