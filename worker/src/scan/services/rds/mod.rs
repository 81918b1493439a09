//! RDS: DB instances, and DB snapshots with whether anyone may restore them; where the
//! region has instances, also their parameter groups' transport settings (each group read
//! once), the engine versions RDS offers for their engines, the certificate authorities and
//! the event subscriptions.

use std::collections::{BTreeMap, BTreeSet};

use futures::{StreamExt, stream};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, utc};

/// Per-snapshot attribute reads at once per region.
const ATTRIBUTE_CONCURRENCY: usize = 8;

/// RDS in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "rds",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &["rds.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let rds = read(r).await;
    fill(move |region: &mut RegionInventory| region.rds = rds)
}

/// Whether each snapshot's `restore` attribute includes `all` (`None`: unreadable).
async fn snapshot_public(
    c: &aws_sdk_rds::Client,
    r: Reader<'_>,
    ids: Vec<String>,
) -> BTreeMap<String, Option<bool>> {
    stream::iter(ids)
        .map(|id| async move {
            let out = c
                .describe_db_snapshot_attributes()
                .db_snapshot_identifier(&id)
                .send()
                .await;
            let public = r.ok("DescribeDBSnapshotAttributes", out).map(|o| {
                o.db_snapshot_attributes_result().is_some_and(|r| {
                    r.db_snapshot_attributes().iter().any(|a| {
                        a.attribute_name() == Some("restore")
                            && a.attribute_values().iter().any(|v| v == "all")
                    })
                })
            });
            (id, public)
        })
        .buffer_unordered(ATTRIBUTE_CONCURRENCY)
        .collect()
        .await
}

/// The parameters of a DB parameter group that decide whether clients must use TLS.
const TRANSPORT_PARAMETERS: [&str; 2] = ["rds.force_ssl", "require_secure_transport"];

/// Each parameter group's transport parameters that have a value (`None`: unreadable).
async fn transport_parameters(
    c: &aws_sdk_rds::Client,
    r: Reader<'_>,
    groups: BTreeSet<String>,
) -> BTreeMap<String, Option<BTreeMap<String, String>>> {
    stream::iter(groups)
        .map(|group| async move {
            let params: Option<Vec<_>> = r.ok(
                "DescribeDBParameters",
                c.describe_db_parameters()
                    .db_parameter_group_name(&group)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await,
            );
            let values = params.map(|ps| {
                ps.iter()
                    .filter_map(|p| {
                        let name = p.parameter_name()?;
                        if !TRANSPORT_PARAMETERS.contains(&name) {
                            return None;
                        }
                        Some((name.to_owned(), p.parameter_value()?.to_owned()))
                    })
                    .collect()
            });
            (group, values)
        })
        .buffer_unordered(ATTRIBUTE_CONCURRENCY)
        .collect()
        .await
}

/// The versions RDS offers for each engine (`None`: unreadable).
async fn engine_versions(
    c: &aws_sdk_rds::Client,
    r: Reader<'_>,
    engines: BTreeSet<String>,
) -> BTreeMap<String, Option<Vec<String>>> {
    stream::iter(engines)
        .map(|engine| async move {
            let versions: Option<Vec<_>> = r.ok(
                "DescribeDBEngineVersions",
                c.describe_db_engine_versions()
                    .engine(&engine)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await,
            );
            let versions = versions.map(|vs| {
                vs.iter()
                    .filter_map(|v| v.engine_version().map(str::to_owned))
                    .collect()
            });
            (engine, versions)
        })
        .buffer_unordered(ATTRIBUTE_CONCURRENCY)
        .collect()
        .await
}

/// What only a region with instances needs: transport parameters by group, engine
/// versions, certificate authorities and event subscriptions.
struct Beside {
    transport: BTreeMap<String, Option<BTreeMap<String, String>>>,
    engine_versions: BTreeMap<String, Option<Vec<String>>>,
    certificate_authorities: Option<BTreeMap<String, chrono::DateTime<chrono::Utc>>>,
    event_subscriptions: Option<Vec<m::RdsEventSubscription>>,
}

async fn beside(
    c: &aws_sdk_rds::Client,
    r: Reader<'_>,
    instances: &[aws_sdk_rds::types::DbInstance],
) -> Beside {
    if instances.is_empty() {
        return Beside {
            transport: BTreeMap::new(),
            engine_versions: BTreeMap::new(),
            certificate_authorities: Some(BTreeMap::new()),
            event_subscriptions: Some(vec![]),
        };
    }
    // Aurora members take their transport settings from the cluster's parameter group.
    let groups = instances
        .iter()
        .filter(|d| d.db_cluster_identifier().is_none())
        .filter_map(|d| d.db_parameter_groups().first()?.db_parameter_group_name())
        .map(str::to_owned)
        .collect();
    let engines = instances
        .iter()
        .filter_map(|d| d.engine().map(str::to_owned))
        .collect();
    let (transport, engine_versions, certificates, subscriptions) = tokio::join!(
        transport_parameters(c, r, groups),
        engine_versions(c, r, engines),
        c.describe_certificates()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        c.describe_event_subscriptions()
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    );
    let certificate_authorities = r
        .ok("DescribeCertificates", certificates)
        .map(|cs: Vec<_>| {
            cs.iter()
                .filter_map(|ca| {
                    Some((
                        ca.certificate_identifier()?.to_owned(),
                        utc(ca.valid_till()?)?,
                    ))
                })
                .collect()
        });
    let event_subscriptions =
        r.ok("DescribeEventSubscriptions", subscriptions)
            .map(|subs: Vec<_>| {
                subs.iter()
                    .map(|s| m::RdsEventSubscription {
                        id: s.cust_subscription_id().unwrap_or_default().to_owned(),
                        arn: s.event_subscription_arn().map(str::to_owned),
                        source_type: s.source_type().map(str::to_owned),
                        source_ids: s.source_ids_list().to_vec(),
                        categories: s.event_categories_list().to_vec(),
                        enabled: s.enabled().unwrap_or(false),
                    })
                    .collect()
            });
    Beside {
        transport,
        engine_versions,
        certificate_authorities,
        event_subscriptions,
    }
}

async fn read(r: Reader<'_>) -> Option<m::RdsInventory> {
    let c = aws_sdk_rds::Client::new(r.config);
    let instances: Vec<_> = r.ok(
        "DescribeDBInstances",
        c.describe_db_instances()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let snapshots: Vec<_> = r.ok(
        "DescribeDBSnapshots",
        c.describe_db_snapshots()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let ids = snapshots
        .iter()
        .filter_map(|s| s.db_snapshot_identifier().map(str::to_owned))
        .collect();
    let (public, extra) = tokio::join!(snapshot_public(&c, r, ids), beside(&c, r, &instances));
    Some(m::RdsInventory {
        instances: instances
            .iter()
            .map(|d| {
                let parameter_group = d
                    .db_parameter_groups()
                    .first()
                    .and_then(|g| g.db_parameter_group_name())
                    .map(str::to_owned);
                m::DbInstance {
                    db_instance_identifier: d
                        .db_instance_identifier()
                        .unwrap_or_default()
                        .to_owned(),
                    arn: d.db_instance_arn().map(str::to_owned),
                    engine: d.engine().unwrap_or_default().to_owned(),
                    publicly_accessible: d.publicly_accessible().unwrap_or(false),
                    storage_encrypted: d.storage_encrypted().unwrap_or(false),
                    endpoint_address: d.endpoint().and_then(|e| e.address()).map(str::to_owned),
                    backup_retention_period: d.backup_retention_period().unwrap_or(0),
                    deletion_protection: d.deletion_protection().unwrap_or(false),
                    iam_auth_enabled: d.iam_database_authentication_enabled().unwrap_or(false),
                    auto_minor_version_upgrade: d.auto_minor_version_upgrade().unwrap_or(false),
                    multi_az: d.multi_az().unwrap_or(false),
                    master_username: d.master_username().map(str::to_owned),
                    cluster: d.db_cluster_identifier().map(str::to_owned),
                    engine_version: d.engine_version().map(str::to_owned),
                    port: d.endpoint().and_then(|e| e.port()).or(d.db_instance_port()),
                    log_exports: d.enabled_cloudwatch_logs_exports().to_vec(),
                    monitoring_interval: d.monitoring_interval().unwrap_or(0),
                    copy_tags_to_snapshot: d.copy_tags_to_snapshot().unwrap_or(false),
                    vpc_id: d
                        .db_subnet_group()
                        .and_then(|g| g.vpc_id())
                        .map(str::to_owned),
                    ca_certificate: d.ca_certificate_identifier().map(str::to_owned),
                    transport_parameters: match (&parameter_group, d.db_cluster_identifier()) {
                        (Some(g), None) => extra.transport.get(g).cloned().flatten(),
                        _ => None,
                    },
                    parameter_group,
                }
            })
            .collect(),
        snapshots: snapshots
            .iter()
            .map(|s| {
                let id = s.db_snapshot_identifier().unwrap_or_default().to_owned();
                m::DbSnapshot {
                    public: public.get(&id).copied().flatten(),
                    db_snapshot_identifier: id,
                    arn: s.db_snapshot_arn().map(str::to_owned),
                    encrypted: s.encrypted().unwrap_or(false),
                }
            })
            .collect(),
        event_subscriptions: extra.event_subscriptions,
        engine_versions: extra.engine_versions,
        certificate_authorities: extra.certificate_authorities,
    })
}
