//! Every built-in rule, grouped by service.

mod arn;
pub mod cloudtrail;
pub mod ebs;
pub mod ec2;
pub mod ec2_instances;
#[cfg(test)]
mod fixtures;
pub mod iam;
mod net;
pub mod rds;
pub mod s3;
pub mod vpc;

use crate::Rule;

/// All built-in rules, in a stable order.
pub static ALL: &[&Rule] = &[
    // EC2: security groups
    &ec2::SG_SSH_OPEN,
    &ec2::SG_RDP_OPEN,
    &ec2::SG_MYSQL_OPEN,
    &ec2::SG_POSTGRES_OPEN,
    &ec2::SG_MSSQL_OPEN,
    &ec2::SG_ORACLE_OPEN,
    &ec2::SG_MONGODB_OPEN,
    &ec2::SG_REDIS_OPEN,
    &ec2::SG_MEMCACHED_OPEN,
    &ec2::SG_ELASTICSEARCH_OPEN,
    &ec2::SG_KIBANA_OPEN,
    &ec2::SG_ALL_PORTS_OPEN,
    &ec2::DEFAULT_SG_ALLOWS_TRAFFIC,
    // EC2: VPC
    &vpc::NACL_ADMIN_PORTS_OPEN,
    &vpc::VPC_NO_FLOW_LOGS,
    // EC2: instances and images
    &ec2_instances::INSTANCE_IMDSV1_PUBLIC,
    &ec2_instances::AMI_PUBLIC,
    // EC2: EBS
    &ebs::EBS_VOLUME_UNENCRYPTED,
    &ebs::EBS_DEFAULT_ENCRYPTION_OFF,
    &ebs::SNAPSHOT_PUBLIC,
    // CloudTrail
    &cloudtrail::NO_MULTI_REGION_TRAIL,
    &cloudtrail::TRAIL_NOT_LOGGING,
    &cloudtrail::LOG_VALIDATION_OFF,
    &cloudtrail::NOT_KMS_ENCRYPTED,
    &cloudtrail::BUCKET_PUBLIC,
    // IAM
    &iam::ROOT_ACCESS_KEYS,
    &iam::ROOT_NO_MFA,
    &iam::USER_CONSOLE_NO_MFA,
    &iam::ACCESS_KEY_OLD,
    &iam::CREDENTIALS_UNUSED,
    &iam::USER_MULTIPLE_ACTIVE_KEYS,
    &iam::PASSWORD_POLICY_LENGTH,
    &iam::PASSWORD_POLICY_REUSE,
    &iam::POLICY_ADMIN_STAR,
    // S3
    &s3::ACCOUNT_PUBLIC_ACCESS_BLOCK_OFF,
    &s3::BUCKET_PUBLIC,
    &s3::BUCKET_NO_TLS_ONLY,
    &s3::BUCKET_NO_DEFAULT_ENCRYPTION,
    // RDS
    &rds::INSTANCE_PUBLIC,
    &rds::STORAGE_UNENCRYPTED,
    &rds::SNAPSHOT_PUBLIC,
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::{Scope, evaluate, rule};

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
        assert!(ALL.len() >= 35, "only {} rules", ALL.len());
        let mut ids = HashSet::new();
        for rule in ALL {
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
                    reference.starts_with("CIS AWS Foundations v3.0.0 "),
                    "{}: {reference}",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn every_rule_can_be_looked_up_by_its_id() {
        for r in ALL {
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
