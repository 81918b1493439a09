//! RDS: the inventory model of DB instances and snapshots, and their rules.

pub mod model;

use serde_json::json;

use crate::{Rule, Scope, Severity};

/// RDS's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("rds", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.rds.is_some()
}

/// RDS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "rds",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&INSTANCE_PUBLIC, &STORAGE_UNENCRYPTED, &SNAPSHOT_PUBLIC],
};

/// Lists a region's DB instances and snapshots.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    use crate::services::json as configuration;
    let Some(rds) = &r.rds else {
        return;
    };
    for d in &rds.instances {
        out.add(
            &r.region,
            "AWS::RDS::DBInstance",
            &d.db_instance_identifier,
            d.arn.clone(),
            configuration(d),
        );
    }
    for s in &rds.snapshots {
        out.add(
            &r.region,
            "AWS::RDS::DBSnapshot",
            &s.db_snapshot_identifier,
            s.arn.clone(),
            configuration(s),
        );
    }
    out.complete(&r.region, "AWS::RDS::DBInstance");
    out.complete(&r.region, "AWS::RDS::DBSnapshot");
}

pub static INSTANCE_PUBLIC: Rule = Rule {
    id: "rds-instance-public",
    title: "RDS instance is publicly accessible",
    severity: Severity::High,
    description: "The database instance has a public endpoint that resolves to an internet \
                  address, so only its security groups stand between the database and scanners \
                  probing for weak credentials and engine vulnerabilities.",
    remediation: "Turn public access off (`aws rds modify-db-instance --db-instance-identifier \
                  <id> --no-publicly-accessible --apply-immediately`) and reach it from inside the \
                  VPC, through a bastion or SSM port forwarding.",
    compliance: &["CIS AWS Foundations v5.0.0 2.2.3", "AWS FSBP RDS.2"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        for region in &inv.regions {
            let Some(rds) = &region.rds else { continue };
            for db in rds.instances.iter().filter(|d| d.publicly_accessible) {
                let evidence = json!({
                    "publiclyAccessible": true,
                    "engine": db.engine,
                    "endpoint": db.endpoint_address,
                });
                sink.fail(
                    &region.region,
                    &db.db_instance_identifier,
                    db.arn.clone(),
                    evidence,
                );
            }
        }
    },
};

pub static STORAGE_UNENCRYPTED: Rule = Rule {
    id: "rds-storage-unencrypted",
    title: "RDS instance storage is not encrypted",
    severity: Severity::Medium,
    description: "The instance's storage, automated backups, snapshots and read replicas are \
                  unencrypted, so a snapshot shared or copied by mistake exposes the data without \
                  any KMS key policy in the way.",
    remediation: "Encryption cannot be turned on in place: snapshot the instance, copy the \
                  snapshot with a KMS key (`aws rds copy-db-snapshot ... --kms-key-id <key>`), \
                  restore from the copy and switch the application over.",
    compliance: &["CIS AWS Foundations v5.0.0 2.2.1", "AWS FSBP RDS.3"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        for region in &inv.regions {
            let Some(rds) = &region.rds else { continue };
            for db in rds.instances.iter().filter(|d| !d.storage_encrypted) {
                let evidence = json!({ "storageEncrypted": false, "engine": db.engine });
                sink.fail(
                    &region.region,
                    &db.db_instance_identifier,
                    db.arn.clone(),
                    evidence,
                );
            }
        }
    },
};

pub static SNAPSHOT_PUBLIC: Rule = Rule {
    id: "rds-snapshot-public",
    title: "RDS snapshot is public",
    severity: Severity::Critical,
    description: "Every AWS account can restore this snapshot into a database of its own and read \
                  all of its data. Public RDS snapshots are actively searched for and have leaked \
                  complete customer databases.",
    remediation: "Make it private (`aws rds modify-db-snapshot-attribute --db-snapshot-identifier \
                  <id> --attribute-name restore --values-to-remove all`) and share it with \
                  specific accounts only if needed.",
    compliance: &["AWS FSBP RDS.1"],
    resource_type: "AWS::RDS::DBSnapshot",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        for region in &inv.regions {
            let Some(rds) = &region.rds else { continue };
            for snapshot in &rds.snapshots {
                match snapshot.public {
                    Some(true) => {
                        let evidence = json!({ "public": true, "encrypted": snapshot.encrypted });
                        let id = &snapshot.db_snapshot_identifier;
                        sink.fail(&region.region, id, snapshot.arn.clone(), evidence);
                    }
                    None => sink.unknown(&region.region, &snapshot.db_snapshot_identifier),
                    Some(false) => {}
                }
            }
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{failing, run, unknown, with_rds},
        model::{DbInstance, DbSnapshot, RdsInventory},
    };

    /// A private, encrypted instance.
    fn db(id: &str) -> DbInstance {
        DbInstance {
            db_instance_identifier: id.into(),
            arn: Some(format!("arn:aws:rds:eu-west-1:123456789012:db:{id}")),
            engine: "postgres".into(),
            storage_encrypted: true,
            ..Default::default()
        }
    }

    fn with_instances(instances: Vec<DbInstance>) -> crate::model::Inventory {
        with_rds(RdsInventory {
            instances,
            ..Default::default()
        })
    }

    #[test]
    fn a_publicly_accessible_instance_fails_and_a_private_one_passes() {
        let public = DbInstance {
            publicly_accessible: true,
            endpoint_address: Some("public.abc.eu-west-1.rds.amazonaws.com".into()),
            ..db("public")
        };
        let out = run(
            &INSTANCE_PUBLIC,
            &with_instances(vec![public, db("private")]),
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].resource_id, "public");
        assert_eq!(
            out.findings[0].resource_arn.as_deref(),
            Some("arn:aws:rds:eu-west-1:123456789012:db:public")
        );
    }

    #[test]
    fn unencrypted_storage_fails_and_encrypted_storage_passes() {
        let plain = DbInstance {
            storage_encrypted: false,
            ..db("plain")
        };
        assert_eq!(
            failing(
                &STORAGE_UNENCRYPTED,
                &with_instances(vec![plain, db("encrypted")])
            ),
            ["plain"]
        );
    }

    #[test]
    fn a_public_snapshot_fails_a_private_one_passes_and_an_unreadable_one_is_unknown() {
        let snapshot = |id: &str, public| DbSnapshot {
            db_snapshot_identifier: id.into(),
            public,
            ..Default::default()
        };
        let inv = with_rds(RdsInventory {
            snapshots: vec![
                snapshot("public", Some(true)),
                snapshot("private", Some(false)),
                snapshot("unread", None),
            ],
            ..Default::default()
        });
        let out = run(&SNAPSHOT_PUBLIC, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["public"]);
        assert_eq!(unknown(&out), ["unread"]);
    }
}
