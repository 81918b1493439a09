//! RDS: the inventory model of DB instances and snapshots, and their rules (more in
//! `settings` and `events`).

mod events;
pub mod model;
mod settings;

use serde_json::json;

pub use events::*;
pub use settings::*;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{DbInstance, Inventory},
};

/// RDS's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("rds", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.rds.is_some()
}

/// RDS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "rds",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &INSTANCE_PUBLIC,
        &STORAGE_UNENCRYPTED,
        &SNAPSHOT_PUBLIC,
        &BACKUPS_DISABLED,
        &DELETION_PROTECTION_OFF,
        &IAM_AUTH_OFF,
        &AUTO_MINOR_UPGRADE_OFF,
        &NOT_MULTI_AZ,
        &DEFAULT_ADMIN_USERNAME,
        &TRANSPORT_NOT_ENCRYPTED,
        &LOGS_NOT_EXPORTED,
        &ENHANCED_MONITORING_OFF,
        &COPY_TAGS_OFF,
        &DEFAULT_PORT,
        &ENGINE_VERSION_DEPRECATED,
        &CERTIFICATE_EXPIRING,
        &NOT_IN_VPC,
        &SNAPSHOT_UNENCRYPTED,
        &NO_INSTANCE_EVENT_SUBSCRIPTION,
        &NO_CLUSTER_EVENT_SUBSCRIPTION,
        &NO_PARAMETER_GROUP_EVENT_SUBSCRIPTION,
    ],
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

/// Reports every instance of every readable region for which `fails` gives evidence.
/// `instance_level`: false for settings an Aurora cluster holds for its members, which
/// are then not judged on the instance.
fn each_instance(
    inv: &Inventory,
    sink: &mut Sink,
    instance_level: bool,
    fails: impl Fn(&DbInstance) -> Option<serde_json::Value>,
) {
    for region in &inv.regions {
        let Some(rds) = &region.rds else { continue };
        for db in &rds.instances {
            if !instance_level && (db.cluster.is_some() || db.engine.starts_with("aurora")) {
                continue;
            }
            if let Some(mut evidence) = fails(db) {
                evidence["engine"] = db.engine.clone().into();
                sink.fail(
                    &region.region,
                    &db.db_instance_identifier,
                    db.arn.clone(),
                    evidence,
                );
            }
        }
    }
}

pub static BACKUPS_DISABLED: Rule = Rule {
    id: "rds-automated-backups-disabled",
    title: "RDS instance has automated backups off",
    severity: Severity::Medium,
    description: "The instance keeps no automated backups (retention 0 days), so there is no \
                  point-in-time recovery: a bad migration, an accidental `DROP`, ransomware or a \
                  deleted instance loses the data since the last manual snapshot, if any.",
    remediation: "Set a retention period of at least 7 days (`aws rds modify-db-instance \
                  --db-instance-identifier <id> --backup-retention-period 7 \
                  --apply-immediately`).",
    compliance: &["AWS FSBP RDS.11"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, false, |db| {
            (db.backup_retention_period == 0).then(|| json!({ "backupRetentionPeriod": 0 }))
        })
    },
};

pub static DELETION_PROTECTION_OFF: Rule = Rule {
    id: "rds-deletion-protection-off",
    title: "RDS instance has deletion protection off",
    severity: Severity::Low,
    description: "Anyone (or any automation) allowed `rds:DeleteDBInstance` can delete the \
                  database in one call; deletion protection makes that a deliberate two-step \
                  change, which stops mistakes and slows down an intruder bent on destruction.",
    remediation: "Turn it on (`aws rds modify-db-instance --db-instance-identifier <id> \
                  --deletion-protection --apply-immediately`).",
    compliance: &["AWS FSBP RDS.8"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, false, |db| {
            (!db.deletion_protection).then(|| json!({ "deletionProtection": false }))
        })
    },
};

pub static IAM_AUTH_OFF: Rule = Rule {
    id: "rds-iam-auth-off",
    title: "RDS instance does not accept IAM authentication",
    severity: Severity::Low,
    description: "Database users can only sign in with long-lived passwords, which end up in \
                  configuration files and are rarely rotated; IAM database authentication lets \
                  applications use short-lived tokens tied to their role and revoked with it.",
    remediation: "Enable it (`aws rds modify-db-instance --db-instance-identifier <id> \
                  --enable-iam-database-authentication --apply-immediately`) and move \
                  applications to `rds generate-db-auth-token` users.",
    compliance: &["AWS FSBP RDS.10"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, false, |db| {
            // IAM authentication exists for MySQL, MariaDB and PostgreSQL engines only.
            let supported = ["mysql", "mariadb", "postgres"]
                .iter()
                .any(|e| db.engine.starts_with(e));
            (supported && !db.iam_auth_enabled)
                .then(|| json!({ "iamDatabaseAuthenticationEnabled": false }))
        })
    },
};

pub static AUTO_MINOR_UPGRADE_OFF: Rule = Rule {
    id: "rds-auto-minor-upgrade-off",
    title: "RDS instance does not apply minor engine upgrades",
    severity: Severity::Medium,
    description: "Automatic minor version upgrades are off, so security fixes in the database \
                  engine's minor releases are only applied when someone remembers to, and known \
                  engine vulnerabilities stay open.",
    remediation: "Turn them on (`aws rds modify-db-instance --db-instance-identifier <id> \
                  --auto-minor-version-upgrade --apply-immediately`); they are applied in the \
                  instance's maintenance window.",
    compliance: &["CIS AWS Foundations v5.0.0 2.2.2", "AWS FSBP RDS.13"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, true, |db| {
            (!db.auto_minor_version_upgrade).then(|| json!({ "autoMinorVersionUpgrade": false }))
        })
    },
};

pub static NOT_MULTI_AZ: Rule = Rule {
    id: "rds-instance-not-multi-az",
    title: "RDS instance is in a single Availability Zone",
    severity: Severity::Low,
    description: "The instance has no standby in another Availability Zone, so an AZ outage, a \
                  host failure or maintenance takes the database down until it is repaired or \
                  restored.",
    remediation: "Convert it to a Multi-AZ deployment (`aws rds modify-db-instance \
                  --db-instance-identifier <id> --multi-az --apply-immediately`; a standby is \
                  created without downtime).",
    compliance: &["CIS AWS Foundations v5.0.0 2.2.4", "AWS FSBP RDS.5"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, false, |db| {
            (!db.multi_az).then(|| json!({ "multiAZ": false }))
        })
    },
};

/// Engines' default administrator names, the first names credential stuffing tries.
const DEFAULT_ADMIN_NAMES: [&str; 5] = ["admin", "administrator", "postgres", "root", "sa"];

pub static DEFAULT_ADMIN_USERNAME: Rule = Rule {
    id: "rds-default-admin-username",
    title: "RDS instance uses a default administrator username",
    severity: Severity::Low,
    description: "The master user is named as the engine's default (`admin`, `postgres`...), so \
                  an attacker guessing passwords already knows half of the credential.",
    remediation: "The master username cannot be changed in place: restore a snapshot into a new \
                  instance with a custom `--master-username`, or create a custom administrator \
                  and stop using the default one.",
    compliance: &["AWS FSBP RDS.25"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, false, |db| {
            let name = db.master_username.as_deref()?;
            DEFAULT_ADMIN_NAMES
                .contains(&name.to_ascii_lowercase().as_str())
                .then(|| json!({ "masterUsername": name }))
        })
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
            backup_retention_period: 7,
            deletion_protection: true,
            iam_auth_enabled: true,
            auto_minor_version_upgrade: true,
            multi_az: true,
            master_username: Some("billing_owner".into()),
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

    #[test]
    fn each_instance_setting_rule_fails_on_its_bad_setting_and_passes_the_good_instance() {
        type Spoil = fn(&mut DbInstance);
        let cases: [(&'static Rule, Spoil); 6] = [
            (&BACKUPS_DISABLED, |d| d.backup_retention_period = 0),
            (&DELETION_PROTECTION_OFF, |d| d.deletion_protection = false),
            (&IAM_AUTH_OFF, |d| d.iam_auth_enabled = false),
            (&AUTO_MINOR_UPGRADE_OFF, |d| {
                d.auto_minor_version_upgrade = false
            }),
            (&NOT_MULTI_AZ, |d| d.multi_az = false),
            (&DEFAULT_ADMIN_USERNAME, |d| {
                d.master_username = Some("Postgres".into())
            }),
        ];
        for (rule, spoil) in cases {
            let mut bad = db("bad");
            spoil(&mut bad);
            let inv = with_instances(vec![db("good"), bad]);
            assert_eq!(failing(rule, &inv), ["bad"], "{}", rule.id);
            assert_eq!(run(rule, &inv).complete.len(), 1, "{}", rule.id);
            assert!(run(rule, &crate::fixtures::inventory()).findings.is_empty());
        }
    }

    #[test]
    fn cluster_settings_are_not_judged_on_aurora_members_nor_iam_auth_on_other_engines() {
        let aurora = DbInstance {
            engine: "aurora-postgresql".into(),
            cluster: Some("orders".into()),
            backup_retention_period: 0,
            deletion_protection: false,
            iam_auth_enabled: false,
            multi_az: false,
            master_username: Some("postgres".into()),
            ..db("member")
        };
        let oracle = DbInstance {
            engine: "oracle-ee".into(),
            iam_auth_enabled: false,
            ..db("oracle")
        };
        let inv = with_instances(vec![aurora, oracle]);
        for rule in [
            &BACKUPS_DISABLED,
            &DELETION_PROTECTION_OFF,
            &IAM_AUTH_OFF,
            &NOT_MULTI_AZ,
            &DEFAULT_ADMIN_USERNAME,
        ] {
            assert!(failing(rule, &inv).is_empty(), "{}", rule.id);
        }
        let unupgraded = DbInstance {
            engine: "aurora-mysql".into(),
            cluster: Some("c".into()),
            auto_minor_version_upgrade: false,
            ..db("aurora-instance")
        };
        assert_eq!(
            failing(&AUTO_MINOR_UPGRADE_OFF, &with_instances(vec![unupgraded])),
            ["aurora-instance"]
        );
    }
}
