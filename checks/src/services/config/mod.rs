//! AWS Config: the inventory model of configuration recorders, and their rule.

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{ConfigRecorder, Inventory},
};

/// AWS Config's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("config", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.config_recorders.is_some()
}

/// AWS Config in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "config",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&NOT_RECORDING],
};

/// Lists the region's configuration recorders.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(recorders) = &r.config_recorders else {
        return;
    };
    for rec in recorders {
        let cfg = crate::services::json(rec);
        out.add(
            &r.region,
            "AWS::Config::ConfigurationRecorder",
            &rec.name,
            None,
            cfg,
        );
    }
    out.complete(&r.region, "AWS::Config::ConfigurationRecorder");
}

pub static NOT_RECORDING: Rule = Rule {
    id: "config-recorder-not-recording",
    title: "AWS Config is not recording all resources in the region",
    severity: Severity::Medium,
    description: "The region has no AWS Config recorder, or it is stopped, or it records only \
                  some resource types. Configuration changes there leave no history: an \
                  investigation cannot tell what a resource looked like when it was abused, \
                  and resources started in a forgotten region go unrecorded.",
    remediation: "Create a recorder for all supported resource types and start it, in every \
                  region (`aws configservice put-configuration-recorder \
                  --configuration-recorder name=default,roleARN=<role-arn> --recording-group \
                  allSupported=true,includeGlobalResourceTypes=true`, a delivery channel with \
                  `aws configservice put-delivery-channel`, then `aws configservice \
                  start-configuration-recorder --configuration-recorder-name default`).",
    compliance: &["CIS AWS Foundations v5.0.0 3.3", "AWS FSBP Config.1"],
    resource_type: "AWS::::Account",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_recording,
};

fn recorder_json(rec: &ConfigRecorder) -> serde_json::Value {
    json!({
        "name": rec.name,
        "recording": rec.recording,
        "allSupported": rec.all_supported,
    })
}

fn not_recording(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(recorders) = &region.config_recorders else {
            continue;
        };
        let qualifying = |r: &&ConfigRecorder| r.all_supported;
        if recorders
            .iter()
            .filter(qualifying)
            .any(|r| r.recording == Some(true))
        {
            continue;
        }
        // A recorder of every type whose status we could not read may be recording.
        if recorders
            .iter()
            .filter(qualifying)
            .any(|r| r.recording.is_none())
        {
            sink.unknown(&region.region, &inv.account_id);
            continue;
        }
        sink.fail(
            &region.region,
            &inv.account_id,
            None,
            json!({ "recorders": recorders.iter().map(recorder_json).collect::<Vec<_>>() }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, ACCOUNT, run, unknown, with_regions};

    /// A recorder of every resource type, recording.
    fn recorder() -> ConfigRecorder {
        ConfigRecorder {
            name: "default".into(),
            recording: Some(true),
            all_supported: true,
            include_global_resource_types: true,
        }
    }

    fn with_recorders(regions: Vec<(&str, Option<Vec<ConfigRecorder>>)>) -> Inventory {
        with_regions(regions, |r, read| r.config_recorders = read)
    }

    fn failing_regions(inv: &Inventory) -> Vec<String> {
        fixtures::failing_regions(&NOT_RECORDING, inv)
    }

    #[test]
    fn a_region_recording_everything_passes_and_one_without_a_recorder_fails() {
        let inv = with_recorders(vec![
            ("us-east-1", Some(vec![recorder()])),
            ("eu-west-1", Some(vec![])),
        ]);
        assert_eq!(failing_regions(&inv), ["eu-west-1"]);
        assert_eq!(run(&NOT_RECORDING, &inv).complete.len(), 2);
    }

    #[test]
    fn a_stopped_or_partial_recorder_fails() {
        let stopped = ConfigRecorder {
            recording: Some(false),
            ..recorder()
        };
        let partial = ConfigRecorder {
            all_supported: false,
            ..recorder()
        };
        let inv = with_recorders(vec![
            ("us-east-1", Some(vec![stopped])),
            ("eu-west-1", Some(vec![partial])),
        ]);
        assert_eq!(failing_regions(&inv), ["us-east-1", "eu-west-1"]);
        let out = run(&NOT_RECORDING, &inv);
        assert_eq!(out.findings[0].evidence["recorders"][0]["recording"], false);
    }

    #[test]
    fn an_unreadable_region_or_status_is_not_assessed() {
        let unread = ConfigRecorder {
            recording: None,
            ..recorder()
        };
        let inv = with_recorders(vec![("us-east-1", None), ("eu-west-1", Some(vec![unread]))]);
        let out = run(&NOT_RECORDING, &inv);
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), [ACCOUNT]);
        assert_eq!(out.complete.len(), 1, "only the region that was read");
    }
}
