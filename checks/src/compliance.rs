//! Compliance frameworks: the control catalogues (`checks/compliance/*.json`, generated from
//! Prowler's machine-readable copies, see `checks/compliance/README.md`) and which of
//! Vigil's checks assess each control, read from the checks' own `compliance` tags
//! (`"CIS AWS Foundations v5.0.0 5.3"`, `"AWS FSBP EC2.13"`). The tags are the one place a
//! mapping is written; the tests below refuse a tag naming no control of a catalogue.

use std::{collections::HashMap, sync::LazyLock};

use serde::Deserialize;

use crate::{Rule, rules};

/// One control of a framework, as the catalogue lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct Control {
    /// The control's number or ID, e.g. `5.3` or `EC2.13`.
    pub id: String,
    /// Its section, e.g. `5 Networking`.
    pub section: String,
    /// Its subsection, if the framework has them (`2.1 Simple Storage Service (S3)`).
    pub subsection: Option<String>,
    /// Its title, as the framework words it.
    pub title: String,
    /// CIS profile (`Level 1`, `Level 2`) or FSBP severity.
    pub level: Option<String>,
    /// Whether the framework calls the control automated (assessable from configuration);
    /// the others are manual.
    pub automated: bool,
}

/// A compliance framework and its controls, in the framework's order.
#[derive(Debug, Clone, Deserialize)]
pub struct Framework {
    /// Vigil's ID of the framework: what `complianceReport(framework:)` takes.
    pub id: String,
    /// Its full name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The prefix of the checks' tags naming its controls (`CIS AWS Foundations v5.0.0`).
    pub tag: String,
    /// Where the catalogue came from.
    pub source: String,
    /// Every control, in order.
    pub controls: Vec<Control>,
}

impl Framework {
    /// A control by ID.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// The checks assessing `control`, in the order of [`rules`].
    pub fn rules_for(&self, control: &str) -> &[&'static Rule] {
        MAPPING
            .get(&(self.id.clone(), control.to_owned()))
            .map_or(&[], Vec::as_slice)
    }
}

const CATALOGUES: &[(&str, &str)] = &[
    (
        "cis_aws_5.0.json",
        include_str!("../compliance/cis_aws_5.0.json"),
    ),
    ("aws_fsbp.json", include_str!("../compliance/aws_fsbp.json")),
];

static FRAMEWORKS: LazyLock<Vec<Framework>> = LazyLock::new(|| {
    CATALOGUES
        .iter()
        // The files are part of the build and every one is parsed by the tests below, so a
        // build that passed them cannot fail here.
        .map(|(file, json)| {
            serde_json::from_str(json).unwrap_or_else(|e| panic!("catalogue {file}: {e}"))
        })
        .collect()
});

/// (framework ID, control ID) -> the checks tagged with it.
static MAPPING: LazyLock<HashMap<(String, String), Vec<&'static Rule>>> = LazyLock::new(|| {
    let mut map: HashMap<(String, String), Vec<&'static Rule>> = HashMap::new();
    for &rule in rules() {
        for tag in rule.compliance {
            if let Some((framework, control)) = parse_tag(tag) {
                map.entry((framework.id.clone(), control.to_owned()))
                    .or_default()
                    .push(rule);
            }
        }
    }
    map
});

/// Every framework, CIS first.
pub fn frameworks() -> &'static [Framework] {
    &FRAMEWORKS
}

/// A framework by its ID (`cis-aws-5.0`, `aws-fsbp`).
pub fn framework(id: &str) -> Option<&'static Framework> {
    frameworks().iter().find(|f| f.id == id)
}

/// The framework and control a check's tag names, if it names one of a known framework
/// (`"CIS AWS Foundations v5.0.0 5.3"` -> CIS v5.0, `5.3`).
pub fn parse_tag(tag: &str) -> Option<(&'static Framework, &str)> {
    frameworks().iter().find_map(|f| {
        let control = tag.strip_prefix(f.tag.as_str())?.strip_prefix(' ')?;
        f.control(control).map(|_| (f, control))
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_check_tag_names_a_control_of_a_catalogue() {
        for rule in rules() {
            for tag in rule.compliance {
                assert!(
                    parse_tag(tag).is_some(),
                    "{}: tag {tag:?} names no control of a catalogue",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn the_cis_catalogue_is_the_whole_v5_benchmark() {
        let cis = framework("cis-aws-5.0").unwrap();
        assert_eq!(cis.controls.len(), 63);
        let ids: HashSet<_> = cis.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), 63, "duplicate control IDs");
        // Renumbered in v5.0 against v3.0: 1.10 exists (Prowler's copy spells it 1.1), the
        // monitoring section is 4 with 4.1 to 4.16, EC2's subsection is 5.1.
        for id in ["1.10", "1.21", "2.3.1", "4.1", "4.16", "5.1.1", "5.7"] {
            assert!(ids.contains(id), "{id} missing");
        }
        assert_eq!(cis.controls.iter().filter(|c| c.automated).count(), 35);
        assert!(!cis.control("4.1").unwrap().automated);
        assert!(cis.control("1.3").unwrap().automated);
    }

    #[test]
    fn checks_map_to_v5_numbers_not_v3_ones() {
        let cis = framework("cis-aws-5.0").unwrap();
        let ids =
            |control: &str| -> Vec<&str> { cis.rules_for(control).iter().map(|r| r.id).collect() };
        // v3.0 5.1 (NACLs) is v5.0 5.2; v3.0 5.2 and 5.3 (security groups) are 5.3 and 5.4;
        // v3.0 5.4 (default group) is 5.5; the root's keys moved from 1.4 to 1.3.
        assert_eq!(ids("5.2"), ["ec2-nacl-admin-ports-open"]);
        assert!(ids("5.3").contains(&"ec2-sg-ssh-open") && ids("5.4").contains(&"ec2-sg-rdp-open"));
        assert_eq!(ids("5.5"), ["ec2-default-sg-allows-traffic"]);
        assert_eq!(ids("1.3"), ["iam-root-access-keys"]);
        assert_eq!(ids("1.4"), ["iam-root-no-mfa"]);
        assert_eq!(ids("2.2.3"), ["rds-instance-public"]);
        // The monitoring controls are manual; their CloudWatch checks still map.
        assert_eq!(ids("4.1"), ["cloudwatch-no-alarm-unauthorized-api-calls"]);
        assert!(parse_tag("CIS AWS Foundations v5.0.0 9.9").is_none());
        assert!(parse_tag("CIS AWS Foundations v3.0.0 5.2").is_none());
    }

    #[test]
    fn fsbp_controls_are_found_by_their_security_hub_ids() {
        let fsbp = framework("aws-fsbp").unwrap();
        assert!(fsbp.controls.iter().all(|c| c.automated));
        for (control, rule) in [
            ("EC2.2", "ec2-default-sg-allows-traffic"),
            ("S3.1", "s3-account-public-access-block-off"),
            ("CloudTrail.1", "cloudtrail-no-multi-region-trail"),
        ] {
            assert!(
                fsbp.rules_for(control).iter().any(|r| r.id == rule),
                "{control}"
            );
        }
    }
}
