//! DynamoDB: a region's tables, with deletion protection, encryption and point-in-time
//! recovery.

use aws_sdk_dynamodb::types::{PointInTimeRecoveryStatus, SseType};
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// DynamoDB in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "dynamodb",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let tables = read(r).await;
    fill(move |region: &mut RegionInventory| region.dynamodb_tables = tables)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::DynamoTable>> {
    let c = aws_sdk_dynamodb::Client::new(r.config);
    let names: Vec<String> = r.ok(
        "ListTables",
        c.list_tables()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let described = r
            .ok(
                "DescribeTable",
                c.describe_table().table_name(&name).send().await,
            )
            .and_then(|d| d.table);
        let pitr = r
            .ok(
                "DescribeContinuousBackups",
                c.describe_continuous_backups()
                    .table_name(&name)
                    .send()
                    .await,
            )
            .map(|b| {
                b.continuous_backups_description()
                    .and_then(|d| d.point_in_time_recovery_description())
                    .and_then(|p| p.point_in_time_recovery_status())
                    == Some(&PointInTimeRecoveryStatus::Enabled)
            });
        out.push(m::DynamoTable {
            arn: described
                .as_ref()
                .and_then(|t| t.table_arn())
                .map(str::to_owned),
            deletion_protection: described
                .as_ref()
                .map(|t| t.deletion_protection_enabled().unwrap_or(false)),
            point_in_time_recovery: pitr,
            // No SSE description: the AWS owned key, DynamoDB's default.
            kms_encryption: described
                .as_ref()
                .map(|t| t.sse_description().and_then(|d| d.sse_type()) == Some(&SseType::Kms)),
            name,
        });
    }
    Some(out)
}
