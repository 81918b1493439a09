//! The AWS Config part of the inventory: a region's configuration recorders.

use serde::{Deserialize, Serialize};

/// An AWS Config configuration recorder of one region (there is at most one per region).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfigRecorder {
    pub name: String,
    /// `DescribeConfigurationRecorderStatus.recording`. `None`: could not be read.
    pub recording: Option<bool>,
    /// `recordingGroup.allSupported`: it records every supported resource type (and the
    /// types AWS adds later).
    pub all_supported: bool,
    /// `recordingGroup.includeGlobalResourceTypes` (IAM's resources, recorded in one region).
    pub include_global_resource_types: bool,
}
