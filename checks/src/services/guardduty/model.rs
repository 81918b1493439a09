//! The GuardDuty part of the inventory: a region's detectors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A GuardDuty detector of one region (there is at most one per account and region).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Detector {
    pub id: String,
    /// `GetDetector.Status` (`ENABLED` or `DISABLED`). `None`: could not be read.
    pub status: Option<String>,
    /// The protection plans of `GetDetector.Features` by name (`S3_DATA_EVENTS`,
    /// `EKS_AUDIT_LOGS`, `EBS_MALWARE_PROTECTION`, `RDS_LOGIN_EVENTS`,
    /// `LAMBDA_NETWORK_LOGS`, `EKS_RUNTIME_MONITORING`, `RUNTIME_MONITORING`...), each with
    /// its status (`ENABLED` or `DISABLED`). Where AWS still answers a plan only in the
    /// older `DataSources` (S3 logs, Kubernetes audit logs, EBS malware scans), its status
    /// is filed under the feature's name. `None`: `GetDetector` could not be read.
    #[serde(default)]
    pub features: Option<BTreeMap<String, String>>,
}
