//! Vigil's configuration checks. Each [`Rule`] carries what a security team needs to act
//! on it (title, severity, why it matters, how to fix it, CIS references) and a pure
//! function over the [`model::Inventory`]. [`evaluate`] runs them all and also says which
//! (rule, region) pairs were fully checked, so a finding is only resolved where its rule
//! could see everything, never because data was missing.

mod arn;
pub mod assets;
pub mod compliance;
#[cfg(test)]
mod fixtures;
pub mod model;
pub mod services;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use model::{Inventory, RegionInventory};

/// How bad a finding is: the one scale of the whole product, shared with alerts.
pub use vigil_domain::Severity;

/// The data a rule reads, named by the service that reads it (`ec2::SOURCE`...): a rule is
/// complete for a region only when all of it was read.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A regional service (its name, as the scan's problems name it): whether a region's
    /// part was read.
    Regional(&'static str, fn(&RegionInventory) -> bool),
    /// A global service (its name): whether the account's part was read.
    Account(&'static str, fn(&Inventory) -> bool),
}

impl Source {
    /// The service's name (`ec2`, `s3`...), as a scan's problems name the service they
    /// could not read: a compliance report tells from it which checks a partial scan could
    /// not run.
    pub fn service(self) -> &'static str {
        match self {
            Source::Regional(name, _) | Source::Account(name, _) => name,
        }
    }

    /// Whether this data was read for `region` (for a global service: for the account).
    fn read_in(self, region: &RegionInventory, inv: &Inventory) -> bool {
        match self {
            Source::Regional(_, read) => read(region),
            Source::Account(_, read) => read(inv),
        }
    }

    /// Whether this data was read everywhere (every region, for a regional service).
    fn read_everywhere(self, inv: &Inventory) -> bool {
        match self {
            Source::Regional(_, read) => inv.regions.iter().all(read),
            Source::Account(_, read) => read(inv),
        }
    }
}

/// Where a rule's findings live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One evaluation per region; findings carry their region.
    Regional,
    /// One evaluation for the account; findings carry region `global`.
    Account,
}

/// The region name of account-level findings.
pub const GLOBAL: &str = "global";

/// A configuration check.
#[derive(Debug)]
pub struct Rule {
    /// Stable identifier, e.g. `ec2-sg-ssh-open`.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Why it matters.
    pub description: &'static str,
    /// How to fix it.
    pub remediation: &'static str,
    /// Compliance references, e.g. `CIS AWS Foundations v5.0.0 5.3` or `AWS FSBP EC2.13`:
    /// each names a control of a [`compliance`] catalogue (a test checks it).
    pub compliance: &'static [&'static str],
    /// The kind of resource findings point at, e.g. `AWS::EC2::SecurityGroup`.
    pub resource_type: &'static str,
    pub scope: Scope,
    /// What the rule reads.
    pub sources: &'static [Source],
    /// Reports failing resources (and those it could not judge) into the sink.
    pub check: fn(&Inventory, &mut Sink),
}

/// A resource failing a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    /// The region, or [`GLOBAL`].
    pub region: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    /// What was seen (the offending rule, the key's age...), for the finding's detail.
    pub evidence: serde_json::Value,
}

/// Collects one rule's results.
#[derive(Debug)]
pub struct Sink {
    rule: &'static Rule,
    findings: Vec<Finding>,
    unknown: Vec<(String, String)>,
}

impl Sink {
    fn new(rule: &'static Rule) -> Self {
        Self {
            rule,
            findings: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// Reports a failing resource.
    pub fn fail(
        &mut self,
        region: &str,
        resource_id: &str,
        arn: Option<String>,
        evidence: serde_json::Value,
    ) {
        self.findings.push(Finding {
            rule_id: self.rule.id.to_owned(),
            region: region.to_owned(),
            resource_type: self.rule.resource_type.to_owned(),
            resource_id: resource_id.to_owned(),
            resource_arn: arn,
            evidence,
        });
    }

    /// Reports a resource the rule could not judge (an attribute was unreadable): an
    /// open finding on it stays open.
    pub fn unknown(&mut self, region: &str, resource_id: &str) {
        self.unknown
            .push((region.to_owned(), resource_id.to_owned()));
    }
}

/// The outcome of running every rule over an inventory.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    /// (rule, region or `global`) pairs whose data was read completely: there, an open
    /// finding that is no longer reported is resolved.
    pub complete: Vec<(String, String)>,
    /// (rule, region, resource) that could not be judged; their findings stay as they are.
    pub unknown: Vec<(String, String, String)>,
}

static RULES: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    services::ALL
        .iter()
        .flat_map(|s| s.rules.iter().copied())
        .collect()
});

/// Every built-in rule, service by service in the order of [`services::ALL`].
pub fn rules() -> &'static [&'static Rule] {
    &RULES
}

/// Runs every rule of [`rules`].
pub fn evaluate(inv: &Inventory) -> Evaluation {
    evaluate_rules(inv, rules())
}

impl Rule {
    /// Whether the rule judges a region from that region's own data alone (a regional
    /// rule reading only regional services): its findings there can be recorded as soon as
    /// the region is read, before the rest of the account.
    pub fn region_local(&self) -> bool {
        self.scope == Scope::Regional
            && self
                .sources
                .iter()
                .all(|s| matches!(s, Source::Regional(..)))
    }
}

static REGION_LOCAL: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    rules()
        .iter()
        .copied()
        .filter(|r| r.region_local())
        .collect()
});

/// The rules of [`rules`] that are [`Rule::region_local`].
pub fn region_local_rules() -> &'static [&'static Rule] {
    &REGION_LOCAL
}

/// Runs the [`region_local_rules`] over one region of the account, as soon as it is read:
/// the same findings, complete pairs and unknowns for that region as [`evaluate`] gives
/// over the whole account. `collected_at` is the scan's collection time: rules that
/// measure ages (a runtime past its deprecation day, a secret unread for 90 days) measure
/// from it, as over the whole account.
pub fn evaluate_region(
    account_id: &str,
    collected_at: chrono::DateTime<chrono::Utc>,
    region: &RegionInventory,
) -> Evaluation {
    let inv = Inventory {
        account_id: account_id.to_owned(),
        collected_at,
        regions: vec![region.clone()],
        ..Default::default()
    };
    evaluate_rules(&inv, region_local_rules())
}

/// Runs the given rules.
pub fn evaluate_rules(inv: &Inventory, rules: &[&'static Rule]) -> Evaluation {
    let mut out = Evaluation::default();
    for &rule in rules {
        let mut sink = Sink::new(rule);
        (rule.check)(inv, &mut sink);
        match rule.scope {
            Scope::Regional => {
                for region in &inv.regions {
                    if rule.sources.iter().all(|s| s.read_in(region, inv)) {
                        out.complete
                            .push((rule.id.to_owned(), region.region.clone()));
                    }
                }
            }
            Scope::Account => {
                let complete = rule.sources.iter().all(|s| s.read_everywhere(inv));
                if complete {
                    out.complete.push((rule.id.to_owned(), GLOBAL.to_owned()));
                }
            }
        }
        out.findings.append(&mut sink.findings);
        out.unknown.extend(
            sink.unknown
                .into_iter()
                .map(|(region, id)| (rule.id.to_owned(), region, id)),
        );
    }
    out
}

/// Looks a rule up by ID.
pub fn rule(id: &str) -> Option<&'static Rule> {
    rules().iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, ACCOUNT};
    use crate::model::{Ec2Inventory, Snapshot, Trail};

    /// Findings, complete pairs and unknowns, each sorted.
    type Sorted = (
        Vec<String>,
        Vec<(String, String)>,
        Vec<(String, String, String)>,
    );

    fn sorted(mut e: Evaluation) -> Sorted {
        let mut ids: Vec<String> = e
            .findings
            .iter()
            .map(|f| format!("{} {} {}", f.rule_id, f.region, f.resource_id))
            .collect();
        ids.sort();
        e.complete.sort();
        e.unknown.sort();
        (ids, e.complete, e.unknown)
    }

    #[test]
    fn a_region_alone_gives_what_the_whole_account_gives_for_its_region_local_rules() {
        // A multi-region trail that is not logging, homed in us-east-1 and seen from
        // eu-west-1 too; a public and an unknown snapshot in eu-west-1.
        let trail = Trail {
            name: "org".into(),
            home_region: "us-east-1".into(),
            is_multi_region: true,
            is_logging: Some(false),
            ..Default::default()
        };
        let mut inv = fixtures::with_trails(vec![
            ("us-east-1", Some(vec![trail.clone()])),
            ("eu-west-1", Some(vec![trail])),
        ]);
        inv.regions[1].ec2 = Some(Ec2Inventory {
            snapshots: vec![
                Snapshot {
                    snapshot_id: "snap-public".into(),
                    public: Some(true),
                    ..Default::default()
                },
                Snapshot {
                    snapshot_id: "snap-unknown".into(),
                    public: None,
                    ..Default::default()
                },
            ],
            ..Default::default()
        });
        let whole = evaluate_rules(&inv, region_local_rules());
        assert!(!whole.findings.is_empty() && !whole.unknown.is_empty());
        let mut per_region = Evaluation::default();
        for region in &inv.regions {
            let mut one = evaluate_region(ACCOUNT, inv.collected_at, region);
            per_region.findings.append(&mut one.findings);
            per_region.complete.append(&mut one.complete);
            per_region.unknown.append(&mut one.unknown);
        }
        assert_eq!(sorted(whole), sorted(per_region));
    }

    #[test]
    fn rules_reading_another_service_or_the_account_wait_for_the_whole_account() {
        let local = |id: &str| rule(id).unwrap().region_local();
        assert!(local("ec2-snapshot-public"));
        assert!(!local("cloudtrail-bucket-public"));
        assert!(!local("cloudtrail-no-multi-region-trail"));
    }
}
