//! The ECR part of the inventory: the private repositories of a region.

use serde::{Deserialize, Serialize};

/// A private ECR repository of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcrRepository {
    pub name: String,
    pub arn: Option<String>,
    /// `imageScanningConfiguration.scanOnPush`.
    pub scan_on_push: bool,
    /// `imageTagMutability`: `MUTABLE`, `IMMUTABLE` (or their `_WITH_EXCLUSION` forms).
    pub tag_mutability: String,
    /// Whether a lifecycle policy is set. `None`: could not be read.
    pub lifecycle_policy: Option<bool>,
    /// The statements of the repository policy (empty: none). `None`: could not be read.
    pub policy_statements: Option<Vec<serde_json::Value>>,
}

/// The private registry's scanning configuration in one region
/// (`GetRegistryScanningConfiguration`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcrRegistryScanning {
    /// `BASIC` (ECR's own scans of OS packages) or `ENHANCED` (Amazon Inspector).
    pub scan_type: String,
    pub rules: Vec<EcrScanningRule>,
}

/// One registry scanning rule: how often the repositories its filters match are scanned.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcrScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    pub scan_frequency: String,
    /// The repository name filters (`WILDCARD` patterns such as `prod-*`, or `*`).
    pub filters: Vec<String>,
}
