//! IAM Access Analyzer: a region's analyzers, with their status.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// Access Analyzer in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "accessanalyzer",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: one cheap call, needed in every region.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let analyzers = read(r).await;
    fill(move |region: &mut RegionInventory| region.access_analyzers = analyzers)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::Analyzer>> {
    let c = aws_sdk_accessanalyzer::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "ListAnalyzers",
        c.list_analyzers()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    Some(
        listed
            .iter()
            .map(|a| m::Analyzer {
                name: a.name().to_owned(),
                arn: a.arn().to_owned(),
                analyzer_type: a.r#type().as_str().to_owned(),
                status: a.status().as_str().to_owned(),
            })
            .collect(),
    )
}
