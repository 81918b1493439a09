//! The OpenSearch part of the inventory: the OpenSearch Service (and legacy Elasticsearch)
//! domains of a region.

use serde::{Deserialize, Serialize};

/// An OpenSearch Service domain of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OpenSearchDomain {
    pub name: String,
    pub arn: Option<String>,
    /// What `DescribeDomain` said. `None`: it could not be read.
    pub details: Option<OpenSearchDomainDetails>,
}

/// The parts of a domain's description the rules read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OpenSearchDomainDetails {
    /// `OpenSearch_2.13`, `Elasticsearch_7.10`...
    pub engine_version: Option<String>,
    /// The public endpoint (a domain outside any VPC).
    pub endpoint: Option<String>,
    /// The VPC endpoint (a domain placed in a VPC).
    pub vpc_endpoint: Option<String>,
    /// Whether `VPCOptions` place the domain in a VPC (reachable only from there).
    pub in_vpc: bool,
    /// The statements of the domain's access policy (none: no policy). `None`: the
    /// policy is not JSON, so it cannot be judged.
    pub access_policy_statements: Option<Vec<serde_json::Value>>,
    /// `EncryptionAtRestOptions.Enabled`.
    pub encryption_at_rest: bool,
    /// `NodeToNodeEncryptionOptions.Enabled`.
    pub node_to_node_encryption: bool,
    /// `DomainEndpointOptions.EnforceHTTPS`.
    pub enforce_https: bool,
    /// `DomainEndpointOptions.TLSSecurityPolicy` (`Policy-Min-TLS-1-2-2019-07`...).
    pub tls_security_policy: Option<String>,
    /// The log types published to a CloudWatch Logs group (`ES_APPLICATION_LOGS`,
    /// `AUDIT_LOGS`, `SEARCH_SLOW_LOGS`, `INDEX_SLOW_LOGS`).
    pub published_log_types: Vec<String>,
    /// `AdvancedSecurityOptions.Enabled` (fine-grained access control).
    pub fine_grained_access_control: bool,
    /// `ClusterConfig.InstanceCount` (data nodes).
    pub instance_count: i32,
    /// `ClusterConfig.ZoneAwarenessEnabled`.
    pub zone_awareness: bool,
    /// `ClusterConfig.DedicatedMasterEnabled`.
    #[serde(default)]
    pub dedicated_master_enabled: bool,
    /// `ClusterConfig.DedicatedMasterCount` (0: none).
    #[serde(default)]
    pub dedicated_master_count: i32,
}
