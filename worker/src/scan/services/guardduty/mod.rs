//! GuardDuty: a region's detectors, with their status.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// GuardDuty in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "guardduty",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: one or two cheap calls, needed in every region.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let detectors = read(r).await;
    fill(move |region: &mut RegionInventory| region.guardduty_detectors = detectors)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::Detector>> {
    let c = aws_sdk_guardduty::Client::new(r.config);
    let ids = r.ok(
        "ListDetectors",
        c.list_detectors()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::new();
    for id in ids {
        // An unreadable detector keeps its status unknown (not assessed), not disabled.
        let status = r
            .ok(
                "GetDetector",
                c.get_detector().detector_id(&id).send().await,
            )
            .and_then(|d| d.status().map(|s| s.as_str().to_owned()));
        out.push(m::Detector { id, status });
    }
    Some(out)
}
