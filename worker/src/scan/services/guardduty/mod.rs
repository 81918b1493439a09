//! GuardDuty: a region's detectors, with their status and protection plans (`GetDetector`).

use std::collections::BTreeMap;

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
        // An unreadable detector keeps its status and plans unknown (not assessed), not
        // disabled.
        let got = r.ok(
            "GetDetector",
            c.get_detector().detector_id(&id).send().await,
        );
        let status = got
            .as_ref()
            .and_then(|d| d.status().map(|s| s.as_str().to_owned()));
        let features = got.as_ref().map(features);
        out.push(m::Detector {
            id,
            status,
            features,
        });
    }
    Some(out)
}

/// The detector's protection plans by feature name, with their status. The older
/// `DataSources` answer fills in the plans it describes (S3 logs, Kubernetes audit logs,
/// EBS malware scans) where `Features` does not list them, as some regions and older
/// detectors still answer only there.
// `DataSources` is deprecated in favour of `Features`, but is what older detectors fill in
// (and what Prowler reads these three plans from).
#[allow(deprecated)]
fn features(
    d: &aws_sdk_guardduty::operation::get_detector::GetDetectorOutput,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = d
        .features()
        .iter()
        .filter_map(|f| {
            Some((
                f.name()?.as_str().to_owned(),
                f.status()?.as_str().to_owned(),
            ))
        })
        .collect();
    if let Some(ds) = d.data_sources() {
        let legacy = [
            ("S3_DATA_EVENTS", ds.s3_logs().and_then(|s| s.status())),
            (
                "EKS_AUDIT_LOGS",
                ds.kubernetes()
                    .and_then(|k| k.audit_logs())
                    .and_then(|a| a.status()),
            ),
            (
                "EBS_MALWARE_PROTECTION",
                ds.malware_protection()
                    .and_then(|mp| mp.scan_ec2_instance_with_findings())
                    .and_then(|s| s.ebs_volumes())
                    .and_then(|e| e.status()),
            ),
        ];
        for (name, status) in legacy {
            if let Some(status) = status {
                let status = status.as_str();
                // Either answer saying ENABLED is enough: they describe the same plan.
                let entry = out
                    .entry(name.to_owned())
                    .or_insert_with(|| status.to_owned());
                if status == "ENABLED" {
                    *entry = status.to_owned();
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use aws_sdk_guardduty::{
        operation::get_detector::GetDetectorOutput,
        types::{
            DataSourceConfigurationsResult, DataSourceStatus, DetectorFeatureConfigurationResult,
            DetectorFeatureResult, DetectorStatus, FeatureStatus, S3LogsConfigurationResult,
        },
    };

    /// moto answers `Features` as they were given and only two `DataSources`: the
    /// merging of both answers is tested here on values as AWS returns them.
    #[test]
    #[allow(deprecated)]
    fn features_and_older_data_sources_merge_by_plan() {
        let got = GetDetectorOutput::builder()
            .status(DetectorStatus::Enabled)
            .service_role("arn:aws:iam::123456789012:role/aws-service-role/guardduty")
            .features(
                DetectorFeatureConfigurationResult::builder()
                    .name(DetectorFeatureResult::RdsLoginEvents)
                    .status(FeatureStatus::Enabled)
                    .build(),
            )
            .features(
                DetectorFeatureConfigurationResult::builder()
                    .name(DetectorFeatureResult::S3DataEvents)
                    .status(FeatureStatus::Disabled)
                    .build(),
            )
            .data_sources(
                DataSourceConfigurationsResult::builder()
                    .s3_logs(
                        S3LogsConfigurationResult::builder()
                            .status(DataSourceStatus::Enabled)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let f = super::features(&got);
        assert_eq!(f["RDS_LOGIN_EVENTS"], "ENABLED");
        // The older answer says S3 logs are on: the plan is on.
        assert_eq!(f["S3_DATA_EVENTS"], "ENABLED");
        assert!(!f.contains_key("LAMBDA_NETWORK_LOGS"));
    }
}
