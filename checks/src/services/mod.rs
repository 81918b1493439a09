//! The registry of AWS services: each folder holds a service's part of the inventory
//! model, how its resources become assets, and its rules (with their tests). Adding a service is a folder and a line in
//! [`ALL`].

pub mod accessanalyzer;
pub mod acm;
pub mod apigateway;
pub mod cloudfront;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod config;
pub mod dynamodb;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod efs;
pub mod eks;
pub mod elasticache;
pub mod elbv2;
pub mod guardduty;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod opensearch;
pub mod organizations;
pub mod rds;
pub mod redshift;
pub mod route53;
pub mod s3;
pub mod secretsmanager;
pub mod securityhub;
pub mod sns;
pub mod sqs;

use serde::Serialize;

use crate::{
    GLOBAL, Rule,
    model::{Inventory, RegionInventory},
};

/// One AWS service's checks.
#[derive(Debug)]
pub struct Service {
    /// The service's name, as in its folder (`ec2`, `iam`...).
    pub name: &'static str,
    /// How it lists its resources as assets.
    pub assets: ListAssets,
    /// Its rules, in a stable order.
    pub rules: &'static [&'static Rule],
}

/// Every service, in the order their rules run.
pub static ALL: &[&Service] = &[
    &ec2::SERVICE,
    &cloudtrail::SERVICE,
    &iam::SERVICE,
    &accessanalyzer::SERVICE,
    &s3::SERVICE,
    &rds::SERVICE,
    &kms::SERVICE,
    &config::SERVICE,
    &guardduty::SERVICE,
    &securityhub::SERVICE,
    &lambda::SERVICE,
    &sns::SERVICE,
    &sqs::SERVICE,
    &secretsmanager::SERVICE,
    &ecr::SERVICE,
    &dynamodb::SERVICE,
    &efs::SERVICE,
    &elbv2::SERVICE,
    &ecs::SERVICE,
    &eks::SERVICE,
    &cloudfront::SERVICE,
    &organizations::SERVICE,
    &apigateway::SERVICE,
    &route53::SERVICE,
    &elasticache::SERVICE,
    &redshift::SERVICE,
    &opensearch::SERVICE,
    &acm::SERVICE,
    &cloudwatch::SERVICE,
];

/// One resource as stored in the asset inventory.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRecord {
    pub region: String,
    pub resource_type: &'static str,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub configuration: serde_json::Value,
    pub tags: serde_json::Value,
    /// (address, public) pairs the resource holds now.
    pub ips: Vec<(String, bool)>,
}

/// How a service lists its assets.
#[derive(Debug, Clone, Copy)]
pub enum ListAssets {
    /// From each region's part of the inventory.
    Regional(fn(&RegionInventory, &mut Assets)),
    /// From the account's part (assets carry region `global`).
    Account(fn(&Inventory, &mut Assets)),
}

/// The assets listed so far, and the (region, resource type) pairs read completely.
#[derive(Debug, Default)]
pub struct Assets {
    records: Vec<AssetRecord>,
    complete: Vec<(String, &'static str)>,
}

impl Assets {
    /// Adds a resource (no tags, no addresses: set them on the returned record).
    pub fn add(
        &mut self,
        region: &str,
        resource_type: &'static str,
        resource_id: &str,
        resource_arn: Option<String>,
        configuration: serde_json::Value,
    ) -> &mut AssetRecord {
        self.records.push(AssetRecord {
            region: region.to_owned(),
            resource_type,
            resource_id: resource_id.to_owned(),
            resource_arn,
            configuration,
            tags: serde_json::json!({}),
            ips: vec![],
        });
        self.records.last_mut().expect("just pushed")
    }

    /// Adds an account-level resource (region `global`).
    pub fn add_global(
        &mut self,
        resource_type: &'static str,
        resource_id: &str,
        resource_arn: Option<String>,
        configuration: serde_json::Value,
    ) -> &mut AssetRecord {
        self.add(
            GLOBAL,
            resource_type,
            resource_id,
            resource_arn,
            configuration,
        )
    }

    /// Says `resource_type` was read completely in `region`: its assets missing from
    /// this scan are gone.
    pub fn complete(&mut self, region: &str, resource_type: &'static str) {
        self.complete.push((region.to_owned(), resource_type));
    }

    /// The records, and the (region, resource type) pairs read completely.
    pub fn into_parts(self) -> (Vec<AssetRecord>, Vec<(String, &'static str)>) {
        (self.records, self.complete)
    }
}

/// A resource's model as its stored configuration.
pub fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use crate::{Scope, evaluate, rule, rules};

    fn is_kebab_case(id: &str) -> bool {
        !id.is_empty()
            && id.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    }

    #[test]
    fn every_rule_is_unique_kebab_case_and_fully_described() {
        assert!(rules().len() >= 35, "only {} rules", rules().len());
        let mut ids = HashSet::new();
        for rule in rules() {
            assert!(ids.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(is_kebab_case(rule.id), "{} is not kebab-case", rule.id);
            assert!(!rule.title.trim().is_empty(), "{} has no title", rule.id);
            assert!(
                !rule.description.trim().is_empty(),
                "{} has no description",
                rule.id
            );
            assert!(
                !rule.remediation.trim().is_empty(),
                "{} has no remediation",
                rule.id
            );
            assert!(!rule.sources.is_empty(), "{} reads nothing", rule.id);
            assert!(
                rule.resource_type.starts_with("AWS::"),
                "{} resource type",
                rule.id
            );
            for reference in rule.compliance {
                assert!(
                    crate::compliance::parse_tag(reference).is_some(),
                    "{}: {reference}",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn every_rule_can_be_looked_up_by_its_id() {
        for r in rules() {
            assert!(std::ptr::eq(rule(r.id).unwrap(), *r));
        }
        assert!(rule("no-such-rule").is_none());
    }

    #[test]
    fn an_empty_account_with_nothing_readable_yields_no_findings_and_nothing_complete() {
        let out = evaluate(&crate::model::Inventory::default());
        assert!(out.findings.is_empty());
        // Account-level rules over regional sources are vacuously complete without regions;
        // every other rule must not be.
        assert!(
            out.complete
                .iter()
                .all(|(id, _)| rule(id).unwrap().scope == Scope::Account)
        );
    }
}
