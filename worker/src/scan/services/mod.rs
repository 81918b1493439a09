//! The registry of AWS services the scanner reads: each folder turns one service's SDK
//! calls into its part of the inventory model (`vigil_checks::model`). Adding a service is
//! a folder and a line in [`ALL`].

mod accessanalyzer;
mod acm;
mod apigateway;
mod cloudfront;
mod cloudtrail;
mod cloudwatch;
mod config;
mod dynamodb;
mod ec2;
mod ecr;
mod ecs;
mod efs;
mod eks;
mod elasticache;
mod elbv2;
mod guardduty;
mod iam;
mod kms;
mod lambda;
mod opensearch;
mod organizations;
mod rds;
mod redshift;
mod route53;
mod s3;
mod secretsmanager;
mod securityhub;
mod sns;
mod sqs;

use futures::future::BoxFuture;
use vigil_checks::model::{Inventory, RegionInventory};

use super::read::Reader;

/// Puts a service's collected part into the inventory.
pub type Fill<T> = Box<dyn FnOnce(&mut T) + Send>;

/// Wraps the step that puts a collected part into the inventory.
pub fn fill<T>(f: impl FnOnce(&mut T) + Send + 'static) -> Fill<T> {
    Box::new(f)
}

/// How a service is collected.
pub enum Collect {
    /// Once per enabled region, into that region's inventory.
    Regional(for<'a> fn(Reader<'a>) -> BoxFuture<'a, Fill<RegionInventory>>),
    /// Once per account (through `us-east-1`), into the account's inventory.
    Global(for<'a> fn(Reader<'a>) -> BoxFuture<'a, Fill<Inventory>>),
}

/// One AWS service's collector.
pub struct Service {
    /// The service's name, as problems record it (`ec2`, `iam`...).
    pub name: &'static str,
    pub collect: Collect,
    /// The CloudTrail event sources of the write calls that change what this regional
    /// service reads. A scheduled rescan skips the service in a region no such call has
    /// touched since its last full read. Empty: the service is read at every scan (global
    /// services, time-dependent checks, cheap reads that account-wide rules need everywhere).
    pub changed_by: &'static [&'static str],
}

/// The event sources of every service a rescan may skip ([`Service::changed_by`]): a
/// global service's sources only map its writes to it for a re-check.
pub fn skippable_sources() -> Vec<&'static str> {
    ALL.iter()
        .filter(|s| matches!(s.collect, Collect::Regional(_)))
        .flat_map(|s| s.changed_by)
        .copied()
        .collect()
}

/// Every service the scanner reads.
pub static ALL: &[Service] = &[
    ec2::SERVICE,
    rds::SERVICE,
    cloudtrail::SERVICE,
    iam::SERVICE,
    accessanalyzer::SERVICE,
    s3::SERVICE,
    kms::SERVICE,
    config::SERVICE,
    guardduty::SERVICE,
    securityhub::SERVICE,
    lambda::SERVICE,
    sns::SERVICE,
    sqs::SERVICE,
    secretsmanager::SERVICE,
    ecr::SERVICE,
    dynamodb::SERVICE,
    efs::SERVICE,
    elbv2::SERVICE,
    cloudfront::SERVICE,
    ecs::SERVICE,
    eks::SERVICE,
    organizations::SERVICE,
    apigateway::SERVICE,
    route53::SERVICE,
    opensearch::SERVICE,
    acm::SERVICE,
    cloudwatch::SERVICE,
    elasticache::SERVICE,
    redshift::SERVICE,
];

/// The statements of a resource policy document (one statement object counts as a list
/// of one). `None`: the document is not JSON, so it is not assessed rather than read as
/// harmless.
pub fn policy_statements(document: &str) -> Option<Vec<serde_json::Value>> {
    match serde_json::from_str::<serde_json::Value>(document).ok()? {
        serde_json::Value::Object(mut doc) => match doc.remove("Statement") {
            Some(serde_json::Value::Array(s)) => Some(s),
            Some(s @ serde_json::Value::Object(_)) => Some(vec![s]),
            _ => Some(vec![]),
        },
        _ => None,
    }
}
