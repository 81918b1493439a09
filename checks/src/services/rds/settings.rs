//! RDS instance settings read from `DescribeDBInstances` and the reads beside it (parameter
//! groups, engine versions, certificate authorities), and snapshot encryption.

use chrono::Duration;
use serde_json::json;

use super::{SOURCE, each_instance};
use crate::{
    Rule, Scope, Severity, Sink,
    model::{DbInstance, Inventory},
};

/// The transport parameter an engine's parameter group sets (`None`: the engine has no
/// such parameter: Oracle, Db2, whose TLS is an option group's listener).
fn transport_parameter(engine: &str) -> Option<&'static str> {
    if engine.starts_with("postgres") || engine.starts_with("sqlserver") {
        Some("rds.force_ssl")
    } else if engine.starts_with("mysql") || engine.starts_with("mariadb") {
        Some("require_secure_transport")
    } else {
        None
    }
}

/// Whether a transport parameter's value requires TLS (`1`; MySQL also says `ON`).
fn requires_tls(value: &str) -> bool {
    let value = value.trim();
    value == "1" || value.eq_ignore_ascii_case("ON")
}

/// An Aurora member, whose transport, logs and tag settings are its cluster's.
fn aurora_member(db: &DbInstance) -> bool {
    db.cluster.is_some() || db.engine.starts_with("aurora")
}

pub static TRANSPORT_NOT_ENCRYPTED: Rule = Rule {
    id: "rds-instance-transport-not-encrypted",
    title: "RDS instance accepts unencrypted connections",
    severity: Severity::Medium,
    description: "The instance's parameter group does not require TLS (`rds.force_ssl` for \
                  PostgreSQL and SQL Server, `require_secure_transport` for MySQL and \
                  MariaDB), so a client that does not ask for TLS sends its password and \
                  every query and result in clear text, readable and alterable by anyone on \
                  the network path.",
    remediation: "In a custom parameter group (default groups cannot be changed), set the \
                  parameter (`aws rds modify-db-parameter-group --db-parameter-group-name \
                  <group> --parameters \
                  ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate`, or \
                  `require_secure_transport=1` for MySQL/MariaDB), attach it to the instance \
                  and make sure clients connect with TLS.",
    compliance: &["AWS FSBP RDS.38", "AWS FSBP RDS.39"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: transport_not_encrypted,
};

fn transport_not_encrypted(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(rds) = &region.rds else { continue };
        for db in rds.instances.iter().filter(|d| !aurora_member(d)) {
            let Some(parameter) = transport_parameter(&db.engine) else {
                continue;
            };
            let Some(parameters) = &db.transport_parameters else {
                sink.unknown(&region.region, &db.db_instance_identifier);
                continue;
            };
            let value = parameters.get(parameter);
            if !value.is_some_and(|v| requires_tls(v)) {
                sink.fail(
                    &region.region,
                    &db.db_instance_identifier,
                    db.arn.clone(),
                    json!({
                        "engine": db.engine,
                        "parameterGroup": db.parameter_group,
                        "parameter": parameter,
                        "value": value,
                    }),
                );
            }
        }
    }
}

pub static LOGS_NOT_EXPORTED: Rule = Rule {
    id: "rds-instance-logs-not-exported",
    title: "RDS instance publishes no logs to CloudWatch Logs",
    severity: Severity::Medium,
    description: "None of the instance's database logs (error, general, slow query, audit, \
                  PostgreSQL) are published to CloudWatch Logs. They stay on the instance, \
                  rotated away within days and lost with it, so failed logins, privilege \
                  changes and unusual queries cannot be alerted on or investigated later.",
    remediation: "Publish the engine's logs (`aws rds modify-db-instance \
                  --db-instance-identifier <id> --cloudwatch-logs-export-configuration \
                  '{\"EnableLogTypes\":[\"postgresql\",\"upgrade\"]}' --apply-immediately`; \
                  `error`, `general`, `slowquery`, `audit` for MySQL), with the engine's \
                  logging parameters set to log what matters.",
    compliance: &["AWS FSBP RDS.9"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, false, |db| {
            db.log_exports
                .is_empty()
                .then(|| json!({ "enabledCloudwatchLogsExports": [] }))
        })
    },
};

pub static ENHANCED_MONITORING_OFF: Rule = Rule {
    id: "rds-instance-enhanced-monitoring-off",
    title: "RDS instance has enhanced monitoring off",
    severity: Severity::Low,
    description: "Enhanced monitoring is off, so the operating system's metrics and process \
                  list (what runs on the host, its CPU, memory and I/O by process) are not \
                  recorded: resource exhaustion, a runaway or unexpected process goes unseen \
                  until the database slows down or fails.",
    remediation: "Turn it on with a monitoring role (`aws rds modify-db-instance \
                  --db-instance-identifier <id> --monitoring-interval 60 \
                  --monitoring-role-arn <rds-monitoring-role-arn> --apply-immediately`).",
    compliance: &["AWS FSBP RDS.6"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, true, |db| {
            (db.monitoring_interval <= 0).then(|| json!({ "monitoringInterval": 0 }))
        })
    },
};

pub static COPY_TAGS_OFF: Rule = Rule {
    id: "rds-instance-copy-tags-to-snapshots-off",
    title: "RDS instance does not copy its tags to snapshots",
    severity: Severity::Low,
    description: "Snapshots of the instance are created without its tags, so tag-based \
                  access control (ABAC conditions on `aws:ResourceTag`), data classification \
                  and ownership do not follow the data into its snapshots: a snapshot of a \
                  confidential database is not recognisable or protected as one.",
    remediation: "Turn it on (`aws rds modify-db-instance --db-instance-identifier <id> \
                  --copy-tags-to-snapshot --apply-immediately`) and tag the existing \
                  snapshots.",
    compliance: &["AWS FSBP RDS.17"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, false, |db| {
            (!db.copy_tags_to_snapshot).then(|| json!({ "copyTagsToSnapshot": false }))
        })
    },
};

/// Each engine family's default port.
fn default_port(engine: &str) -> Option<i32> {
    [
        ("aurora-postgresql", 5432),
        ("postgres", 5432),
        ("aurora", 3306),
        ("mysql", 3306),
        ("mariadb", 3306),
        ("oracle", 1521),
        ("sqlserver", 1433),
        ("db2", 50000),
    ]
    .iter()
    .find(|(prefix, _)| engine.starts_with(prefix))
    .map(|(_, port)| *port)
}

pub static DEFAULT_PORT: Rule = Rule {
    id: "rds-instance-default-port",
    title: "RDS instance listens on its engine's default port",
    severity: Severity::Low,
    description: "The database listens on its engine's well-known port (5432, 3306, 1433, \
                  1521...), the first port automated scanners and worms probe for that \
                  engine. A custom port does not replace network controls but keeps the \
                  instance out of the cheapest, broadest scans.",
    remediation: "The port is chosen when the instance is created or restored: restore a \
                  snapshot into an instance with another `--port` (or, for most engines, \
                  `aws rds modify-db-instance --db-instance-identifier <id> --db-port-number \
                  <port> --apply-immediately`, which restarts it), then update clients and \
                  security groups.",
    compliance: &["AWS FSBP RDS.23"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, true, |db| {
            let port = db.port?;
            (default_port(&db.engine) == Some(port)).then(|| json!({ "port": port }))
        })
    },
};

pub static ENGINE_VERSION_DEPRECATED: Rule = Rule {
    id: "rds-instance-engine-version-deprecated",
    title: "RDS instance runs an engine version RDS no longer offers",
    severity: Severity::Medium,
    description: "The instance's engine version is no longer among the versions RDS offers \
                  for its engine: it has reached end of standard support, gets no more \
                  security fixes, and RDS will upgrade it on its own schedule (or bill \
                  extended support) rather than the owner's.",
    remediation: "Upgrade to a supported version (`aws rds describe-db-engine-versions \
                  --engine <engine>` lists them; `aws rds modify-db-instance \
                  --db-instance-identifier <id> --engine-version <version> \
                  --allow-major-version-upgrade --apply-immediately`), testing on a restored \
                  snapshot first.",
    compliance: &[],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: engine_version_deprecated,
};

fn engine_version_deprecated(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(rds) = &region.rds else { continue };
        for db in &rds.instances {
            let Some(version) = &db.engine_version else {
                continue;
            };
            let Some(Some(offered)) = rds.engine_versions.get(&db.engine) else {
                sink.unknown(&region.region, &db.db_instance_identifier);
                continue;
            };
            if !offered.contains(version) {
                sink.fail(
                    &region.region,
                    &db.db_instance_identifier,
                    db.arn.clone(),
                    json!({ "engine": db.engine, "engineVersion": version }),
                );
            }
        }
    }
}

/// A certificate authority expiring within this many days fails.
const CA_WARNING_DAYS: i64 = 90;

pub static CERTIFICATE_EXPIRING: Rule = Rule {
    id: "rds-instance-certificate-expiring",
    title: "RDS instance's certificate authority expires within 90 days",
    severity: Severity::Medium,
    description: "The certificate authority that signs the instance's TLS certificate has \
                  expired or expires within 90 days. Clients that verify the server then \
                  refuse to connect, and the usual quick fix (turning verification off) \
                  leaves every connection open to interception.",
    remediation: "Rotate the instance to a current authority (`aws rds modify-db-instance \
                  --db-instance-identifier <id> --ca-certificate-identifier \
                  rds-ca-rsa2048-g1 --apply-immediately`) after adding the new CA bundle to \
                  the clients' trust stores.",
    compliance: &[],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: certificate_expiring,
};

fn certificate_expiring(inv: &Inventory, sink: &mut Sink) {
    let limit = inv.collected_at + Duration::days(CA_WARNING_DAYS);
    for region in &inv.regions {
        let Some(rds) = &region.rds else { continue };
        for db in &rds.instances {
            let Some(ca) = &db.ca_certificate else {
                continue;
            };
            let Some(valid_till) = rds
                .certificate_authorities
                .as_ref()
                .and_then(|cas| cas.get(ca))
            else {
                sink.unknown(&region.region, &db.db_instance_identifier);
                continue;
            };
            if *valid_till < limit {
                sink.fail(
                    &region.region,
                    &db.db_instance_identifier,
                    db.arn.clone(),
                    json!({
                        "caCertificateIdentifier": ca,
                        "validTill": valid_till,
                        "expired": *valid_till <= inv.collected_at,
                    }),
                );
            }
        }
    }
}

pub static NOT_IN_VPC: Rule = Rule {
    id: "rds-instance-not-in-vpc",
    title: "RDS instance is not in a VPC",
    severity: Severity::High,
    description: "The instance has no VPC subnet group (an EC2-Classic instance): it sits on \
                  a network shared with other AWS customers, without security groups, \
                  network ACLs, flow logs or private endpoints to isolate and watch it.",
    remediation: "Move it into a VPC: restore a snapshot into a DB subnet group of your VPC \
                  (`aws rds restore-db-instance-from-db-snapshot ... --db-subnet-group-name \
                  <group> --vpc-security-group-ids <sg>`), then switch clients over.",
    compliance: &["AWS FSBP RDS.18"],
    resource_type: "AWS::RDS::DBInstance",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_instance(inv, sink, true, |db| {
            db.vpc_id.is_none().then(|| json!({ "vpcId": null }))
        })
    },
};

pub static SNAPSHOT_UNENCRYPTED: Rule = Rule {
    id: "rds-snapshot-unencrypted",
    title: "RDS snapshot is not encrypted",
    severity: Severity::Medium,
    description: "The snapshot holds a full copy of the database unencrypted: shared, \
                  copied to another account or restored by mistake, its data is readable \
                  without any KMS key policy in the way, and the snapshot outlives the \
                  instance's own protections.",
    remediation: "Copy it with a KMS key (`aws rds copy-db-snapshot \
                  --source-db-snapshot-identifier <id> --target-db-snapshot-identifier \
                  <id>-encrypted --kms-key-id <key>`), delete the unencrypted one, and \
                  encrypt the instance itself so new snapshots are encrypted.",
    compliance: &["AWS FSBP RDS.4"],
    resource_type: "AWS::RDS::DBSnapshot",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: |inv, sink| {
        for region in &inv.regions {
            let Some(rds) = &region.rds else { continue };
            for s in rds.snapshots.iter().filter(|s| !s.encrypted) {
                sink.fail(
                    &region.region,
                    &s.db_snapshot_identifier,
                    s.arn.clone(),
                    json!({ "encrypted": false }),
                );
            }
        }
    },
};

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::Duration;

    use super::*;
    use crate::{
        fixtures::{failing, now, run, unknown, with_rds},
        model::{DbSnapshot, RdsInventory},
    };

    /// An instance passing every rule of this module.
    fn db(id: &str) -> DbInstance {
        DbInstance {
            db_instance_identifier: id.into(),
            arn: Some(format!("arn:aws:rds:eu-west-1:123456789012:db:{id}")),
            engine: "postgres".into(),
            engine_version: Some("16.3".into()),
            port: Some(6543),
            log_exports: vec!["postgresql".into()],
            monitoring_interval: 60,
            copy_tags_to_snapshot: true,
            vpc_id: Some("vpc-1".into()),
            ca_certificate: Some("rds-ca-rsa2048-g1".into()),
            parameter_group: Some("forced".into()),
            transport_parameters: Some(BTreeMap::from([("rds.force_ssl".into(), "1".into())])),
            ..Default::default()
        }
    }

    fn with(instances: Vec<DbInstance>) -> Inventory {
        with_rds(RdsInventory {
            instances,
            engine_versions: BTreeMap::from([
                ("postgres".into(), Some(vec!["15.7".into(), "16.3".into()])),
                ("mysql".into(), Some(vec!["8.0.39".into()])),
            ]),
            certificate_authorities: Some(BTreeMap::from([
                ("rds-ca-rsa2048-g1".into(), now() + Duration::days(365 * 30)),
                ("rds-ca-2019".into(), now() - Duration::days(200)),
                ("rds-ca-soon".into(), now() + Duration::days(30)),
            ])),
            ..Default::default()
        })
    }

    #[test]
    fn each_setting_rule_fails_on_its_bad_setting_and_passes_the_good_instance() {
        type Spoil = fn(&mut DbInstance);
        let cases: [(&'static Rule, Spoil); 10] = [
            (&TRANSPORT_NOT_ENCRYPTED, |d| {
                d.transport_parameters =
                    Some(BTreeMap::from([("rds.force_ssl".into(), "0".into())]))
            }),
            (&TRANSPORT_NOT_ENCRYPTED, |d| {
                // MySQL with no value for its parameter: off, the engine's default.
                d.engine = "mysql".into();
                d.transport_parameters = Some(BTreeMap::new())
            }),
            (&LOGS_NOT_EXPORTED, |d| d.log_exports.clear()),
            (&ENHANCED_MONITORING_OFF, |d| d.monitoring_interval = 0),
            (&COPY_TAGS_OFF, |d| d.copy_tags_to_snapshot = false),
            (&DEFAULT_PORT, |d| d.port = Some(5432)),
            (&ENGINE_VERSION_DEPRECATED, |d| {
                d.engine_version = Some("9.6.22".into())
            }),
            (&CERTIFICATE_EXPIRING, |d| {
                d.ca_certificate = Some("rds-ca-2019".into())
            }),
            (&CERTIFICATE_EXPIRING, |d| {
                d.ca_certificate = Some("rds-ca-soon".into())
            }),
            (&NOT_IN_VPC, |d| d.vpc_id = None),
        ];
        for (rule, spoil) in cases {
            let mut bad = db("bad");
            spoil(&mut bad);
            let inv = with(vec![db("good"), bad]);
            assert_eq!(failing(rule, &inv), ["bad"], "{}", rule.id);
            assert_eq!(run(rule, &inv).complete.len(), 1, "{}", rule.id);
        }
    }

    #[test]
    fn mysql_accepts_on_and_engines_without_a_transport_parameter_are_not_judged() {
        let mysql = DbInstance {
            engine: "mariadb".into(),
            transport_parameters: Some(BTreeMap::from([(
                "require_secure_transport".into(),
                "ON".into(),
            )])),
            ..db("mariadb")
        };
        let oracle = DbInstance {
            engine: "oracle-ee".into(),
            transport_parameters: None,
            ..db("oracle")
        };
        let aurora = DbInstance {
            engine: "aurora-postgresql".into(),
            cluster: Some("c".into()),
            transport_parameters: None,
            log_exports: vec![],
            copy_tags_to_snapshot: false,
            ..db("member")
        };
        let inv = with(vec![mysql, oracle, aurora]);
        let out = run(&TRANSPORT_NOT_ENCRYPTED, &inv);
        assert!(out.findings.is_empty() && out.unknown.is_empty());
        assert!(failing(&LOGS_NOT_EXPORTED, &inv).is_empty());
        assert!(failing(&COPY_TAGS_OFF, &inv).is_empty());
    }

    #[test]
    fn unreadable_parameters_versions_or_authorities_are_not_assessed() {
        let unread = DbInstance {
            transport_parameters: None,
            ..db("unread")
        };
        let out = run(&TRANSPORT_NOT_ENCRYPTED, &with(vec![unread]));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["unread"]);

        let mut inv = with(vec![db("a")]);
        let rds = inv.regions[0].rds.as_mut().unwrap();
        rds.engine_versions.insert("postgres".into(), None);
        rds.certificate_authorities = None;
        for rule in [&ENGINE_VERSION_DEPRECATED, &CERTIFICATE_EXPIRING] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(unknown(&out), ["a"], "{}", rule.id);
        }
    }

    #[test]
    fn unencrypted_snapshots_fail_and_encrypted_ones_pass() {
        let snapshot = |id: &str, encrypted| DbSnapshot {
            db_snapshot_identifier: id.into(),
            encrypted,
            public: Some(false),
            ..Default::default()
        };
        let inv = with_rds(RdsInventory {
            snapshots: vec![snapshot("plain", false), snapshot("sealed", true)],
            ..Default::default()
        });
        assert_eq!(failing(&SNAPSHOT_UNENCRYPTED, &inv), ["plain"]);
    }
}
