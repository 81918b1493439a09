//! The ElastiCache part of the inventory: the cache clusters and replication groups of a
//! region.

use serde::{Deserialize, Serialize};

/// An ElastiCache cache cluster (a standalone one, or a member of a replication group).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CacheCluster {
    pub cache_cluster_id: String,
    pub arn: Option<String>,
    /// `redis`, `valkey` or `memcached`.
    pub engine: String,
    pub engine_version: Option<String>,
    /// The replication group it belongs to: its backups, upgrades and encryption are the
    /// group's settings.
    pub replication_group_id: Option<String>,
    /// `AutoMinorVersionUpgrade`. `None`: not in the answer.
    pub auto_minor_version_upgrade: Option<bool>,
    /// Days automatic snapshots are kept (`0`: automatic backups are off).
    pub snapshot_retention_limit: i32,
    /// `CacheSubnetGroupName` (`default`: the subnet group ElastiCache made in the default
    /// VPC).
    pub cache_subnet_group: Option<String>,
    /// The configuration endpoint (Memcached) or the nodes' endpoints, as `host:port`.
    pub endpoints: Vec<String>,
}

/// An ElastiCache (Redis OSS / Valkey) replication group.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReplicationGroup {
    pub replication_group_id: String,
    pub arn: Option<String>,
    pub engine: Option<String>,
    pub at_rest_encryption_enabled: bool,
    pub transit_encryption_enabled: bool,
    /// `AuthTokenEnabled`: clients must present the Redis AUTH token.
    pub auth_token_enabled: bool,
    /// RBAC user groups (Redis 6+): access is by user and password instead of one token.
    pub user_group_ids: Vec<String>,
    /// `AutoMinorVersionUpgrade`. `None`: not in the answer.
    pub auto_minor_version_upgrade: Option<bool>,
    /// Days automatic snapshots are kept (`0`: automatic backups are off).
    pub snapshot_retention_limit: i32,
    /// `AutomaticFailover` is `enabled` (or `enabling`).
    pub automatic_failover: bool,
    /// `MultiAZ` is `enabled`: replicas in other Availability Zones take over.
    #[serde(default)]
    pub multi_az: bool,
    pub member_clusters: Vec<String>,
    /// The configuration endpoint (cluster mode) or the primary and reader endpoints, as
    /// `host:port`.
    pub endpoints: Vec<String>,
}

/// The ElastiCache resources of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ElastiCacheInventory {
    pub cache_clusters: Vec<CacheCluster>,
    /// `None`: the replication groups could not be read.
    pub replication_groups: Option<Vec<ReplicationGroup>>,
}
