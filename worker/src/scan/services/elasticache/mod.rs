//! ElastiCache: a region's cache clusters (with their nodes' endpoints) and replication
//! groups.

use aws_sdk_elasticache::types::{AutomaticFailoverStatus, Endpoint, MultiAzStatus};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// ElastiCache in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "elasticache",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &["elasticache.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let elasticache = read(r).await;
    fill(move |region: &mut RegionInventory| region.elasticache = elasticache)
}

/// An endpoint as `host:port`.
fn endpoint(e: &Endpoint) -> Option<String> {
    let host = e.address()?;
    Some(match e.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

async fn read(r: Reader<'_>) -> Option<m::ElastiCacheInventory> {
    let c = aws_sdk_elasticache::Client::new(r.config);
    let clusters: Vec<_> = r.ok(
        "DescribeCacheClusters",
        c.describe_cache_clusters()
            .show_cache_node_info(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let replication_groups = r
        .ok(
            "DescribeReplicationGroups",
            c.describe_replication_groups()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        )
        .map(|groups: Vec<_>| groups.iter().map(replication_group).collect());
    Some(m::ElastiCacheInventory {
        cache_clusters: clusters.iter().map(cache_cluster).collect(),
        replication_groups,
    })
}

fn cache_cluster(c: &aws_sdk_elasticache::types::CacheCluster) -> m::CacheCluster {
    let endpoints = match c.configuration_endpoint().and_then(endpoint) {
        Some(e) => vec![e],
        None => c
            .cache_nodes()
            .iter()
            .filter_map(|n| n.endpoint().and_then(endpoint))
            .collect(),
    };
    m::CacheCluster {
        cache_cluster_id: c.cache_cluster_id().unwrap_or_default().to_owned(),
        arn: c.arn().map(str::to_owned),
        engine: c.engine().unwrap_or_default().to_owned(),
        engine_version: c.engine_version().map(str::to_owned),
        replication_group_id: c.replication_group_id().map(str::to_owned),
        auto_minor_version_upgrade: c.auto_minor_version_upgrade(),
        snapshot_retention_limit: c.snapshot_retention_limit().unwrap_or(0),
        cache_subnet_group: c.cache_subnet_group_name().map(str::to_owned),
        endpoints,
    }
}

fn replication_group(g: &aws_sdk_elasticache::types::ReplicationGroup) -> m::ReplicationGroup {
    let endpoints = match g.configuration_endpoint().and_then(endpoint) {
        Some(e) => vec![e],
        None => g
            .node_groups()
            .iter()
            .flat_map(|n| [n.primary_endpoint(), n.reader_endpoint()])
            .flatten()
            .filter_map(endpoint)
            .collect(),
    };
    m::ReplicationGroup {
        replication_group_id: g.replication_group_id().unwrap_or_default().to_owned(),
        arn: g.arn().map(str::to_owned),
        engine: g.engine().map(str::to_owned),
        at_rest_encryption_enabled: g.at_rest_encryption_enabled().unwrap_or(false),
        transit_encryption_enabled: g.transit_encryption_enabled().unwrap_or(false),
        auth_token_enabled: g.auth_token_enabled().unwrap_or(false),
        user_group_ids: g.user_group_ids().to_vec(),
        auto_minor_version_upgrade: g.auto_minor_version_upgrade(),
        snapshot_retention_limit: g.snapshot_retention_limit().unwrap_or(0),
        automatic_failover: matches!(
            g.automatic_failover(),
            Some(AutomaticFailoverStatus::Enabled | AutomaticFailoverStatus::Enabling)
        ),
        multi_az: g.multi_az() == Some(&MultiAzStatus::Enabled),
        member_clusters: g.member_clusters().to_vec(),
        endpoints,
    }
}
