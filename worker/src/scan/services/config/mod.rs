//! AWS Config: a region's configuration recorders, with whether each is recording.

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// AWS Config in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "config",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Read at every scan: two cheap calls, and the account-wide coverage rule needs every
    // region's answer.
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let recorders = read(r).await;
    fill(move |region: &mut RegionInventory| region.config_recorders = recorders)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::ConfigRecorder>> {
    let c = aws_sdk_config::Client::new(r.config);
    let described = r.ok(
        "DescribeConfigurationRecorders",
        c.describe_configuration_recorders().send().await,
    )?;
    // An unreadable status leaves each recorder's `recording` unknown, not false.
    let status = r.ok(
        "DescribeConfigurationRecorderStatus",
        c.describe_configuration_recorder_status().send().await,
    );
    let recording = |name: &str| {
        status.as_ref().map(|s| {
            s.configuration_recorders_status()
                .iter()
                .any(|st| st.name() == Some(name) && st.recording())
        })
    };
    Some(
        described
            .configuration_recorders()
            .iter()
            .map(|rec| {
                let name = rec.name().unwrap_or_default().to_owned();
                let group = rec.recording_group();
                m::ConfigRecorder {
                    recording: recording(&name),
                    all_supported: group.is_some_and(|g| g.all_supported()),
                    include_global_resource_types: group
                        .is_some_and(|g| g.include_global_resource_types()),
                    name,
                }
            })
            .collect(),
    )
}
