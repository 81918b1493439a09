//! The GuardDuty part of the inventory: a region's detectors.

use serde::{Deserialize, Serialize};

/// A GuardDuty detector of one region (there is at most one per account and region).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Detector {
    pub id: String,
    /// `GetDetector.Status` (`ENABLED` or `DISABLED`). `None`: could not be read.
    pub status: Option<String>,
}
