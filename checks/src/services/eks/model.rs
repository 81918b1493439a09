//! The EKS part of the inventory: the clusters of a region.

use serde::{Deserialize, Serialize};

/// An EKS cluster of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EksCluster {
    pub name: String,
    pub arn: Option<String>,
    /// What `DescribeCluster` said. `None`: it could not be read.
    pub details: Option<EksClusterDetails>,
}

/// The parts of a cluster's description the rules read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EksClusterDetails {
    /// The Kubernetes minor version, e.g. `1.31`.
    pub version: Option<String>,
    /// `resourcesVpcConfig.endpointPublicAccess`.
    pub endpoint_public_access: bool,
    /// `resourcesVpcConfig.endpointPrivateAccess`.
    pub endpoint_private_access: bool,
    /// `resourcesVpcConfig.publicAccessCidrs` (AWS answers `0.0.0.0/0` when unrestricted).
    pub public_access_cidrs: Vec<String>,
    /// The control-plane log types turned on (`api`, `audit`, `authenticator`,
    /// `controllerManager`, `scheduler`).
    pub enabled_log_types: Vec<String>,
    /// Whether an `encryptionConfig` envelope-encrypts secrets with a KMS key of the
    /// customer's (without one, EKS encrypts with a key of its own only).
    pub secrets_encrypted: bool,
}
