//! Redshift: a region's provisioned clusters, with each one's audit-logging status and its
//! parameter group's `require_ssl`.

use std::collections::{BTreeMap, BTreeSet};

use futures::{StreamExt, stream};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// Per-cluster and per-parameter-group reads at once per region.
const CONCURRENCY: usize = 8;

/// Redshift in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "redshift",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &["redshift.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let clusters = read(r).await;
    fill(move |region: &mut RegionInventory| region.redshift_clusters = clusters)
}

/// Whether audit logging is on, per cluster (`None`: unreadable).
async fn logging(
    c: &aws_sdk_redshift::Client,
    r: Reader<'_>,
    ids: Vec<String>,
) -> BTreeMap<String, Option<bool>> {
    stream::iter(ids)
        .map(|id| async move {
            let out = c
                .describe_logging_status()
                .cluster_identifier(&id)
                .send()
                .await;
            let on = r
                .ok("DescribeLoggingStatus", out)
                .map(|o| o.logging_enabled().unwrap_or(false));
            (id, on)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

/// Each parameter group's `require_ssl` (`None`: unreadable). Absent reads as off, the
/// engine's default.
async fn require_ssl(
    c: &aws_sdk_redshift::Client,
    r: Reader<'_>,
    groups: BTreeSet<String>,
) -> BTreeMap<String, Option<bool>> {
    stream::iter(groups)
        .map(|group| async move {
            let params: Option<Vec<_>> = r.ok(
                "DescribeClusterParameters",
                c.describe_cluster_parameters()
                    .parameter_group_name(&group)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await,
            );
            let on = params.map(|ps| {
                ps.iter().any(|p| {
                    p.parameter_name() == Some("require_ssl")
                        && p.parameter_value()
                            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
                })
            });
            (group, on)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

async fn read(r: Reader<'_>) -> Option<Vec<m::RedshiftCluster>> {
    let c = aws_sdk_redshift::Client::new(r.config);
    let clusters: Vec<_> = r.ok(
        "DescribeClusters",
        c.describe_clusters()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let ids = clusters
        .iter()
        .filter_map(|cl| cl.cluster_identifier().map(str::to_owned))
        .collect();
    let groups = clusters
        .iter()
        .filter_map(|cl| cl.cluster_parameter_groups().first())
        .filter_map(|g| g.parameter_group_name().map(str::to_owned))
        .collect();
    let (logging, ssl) = tokio::join!(logging(&c, r, ids), require_ssl(&c, r, groups));
    Some(
        clusters
            .iter()
            .map(|cl| {
                let id = cl.cluster_identifier().unwrap_or_default().to_owned();
                let parameter_group = cl
                    .cluster_parameter_groups()
                    .first()
                    .and_then(|g| g.parameter_group_name())
                    .map(str::to_owned);
                // The cluster's own ARN is in no answer; the namespace's names its partition.
                let partition = cl
                    .cluster_namespace_arn()
                    .and_then(|a| a.split(':').nth(1))
                    .unwrap_or("aws");
                m::RedshiftCluster {
                    arn: Some(format!(
                        "arn:{partition}:redshift:{}:{}:cluster:{id}",
                        r.region, r.account_id
                    )),
                    publicly_accessible: cl.publicly_accessible().unwrap_or(false),
                    encrypted: cl.encrypted().unwrap_or(false),
                    automated_snapshot_retention_period: cl
                        .automated_snapshot_retention_period()
                        .unwrap_or(0),
                    allow_version_upgrade: cl.allow_version_upgrade().unwrap_or(false),
                    enhanced_vpc_routing: cl.enhanced_vpc_routing().unwrap_or(false),
                    master_username: cl.master_username().map(str::to_owned),
                    db_name: cl.db_name().map(str::to_owned),
                    vpc_id: cl.vpc_id().map(str::to_owned),
                    endpoint: cl.endpoint().and_then(|e| {
                        let host = e.address()?;
                        Some(match e.port() {
                            Some(port) => format!("{host}:{port}"),
                            None => host.to_owned(),
                        })
                    }),
                    node_addresses: cl
                        .cluster_nodes()
                        .iter()
                        .flat_map(|n| {
                            [
                                n.public_ip_address().map(|ip| (ip.to_owned(), true)),
                                n.private_ip_address().map(|ip| (ip.to_owned(), false)),
                            ]
                        })
                        .flatten()
                        .collect(),
                    require_ssl: parameter_group
                        .as_ref()
                        .and_then(|g| ssl.get(g).copied().flatten()),
                    parameter_group,
                    audit_logging: logging.get(&id).copied().flatten(),
                    multi_az: cl
                        .multi_az()
                        .is_some_and(|v| v.eq_ignore_ascii_case("enabled")),
                    cluster_identifier: id,
                }
            })
            .collect(),
    )
}
