//! RDS: DB instances, and DB snapshots with whether anyone may restore them.

use std::collections::BTreeMap;

use futures::{StreamExt, stream};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

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
    let public = snapshot_public(&c, r, ids).await;
    Some(m::RdsInventory {
        instances: instances
            .iter()
            .map(|d| m::DbInstance {
                db_instance_identifier: d.db_instance_identifier().unwrap_or_default().to_owned(),
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
    })
}
