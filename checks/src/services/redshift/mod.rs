//! Redshift: the inventory model of provisioned clusters, and their rules (public access,
//! encryption at rest and in transit, audit logging, automated snapshots, version
//! upgrades, enhanced VPC routing, default admin user and database names).

pub mod model;

use serde_json::{Value, json};

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, RedshiftCluster, RegionInventory},
};

/// Redshift's part of the inventory was read (its clusters).
pub const SOURCE: crate::Source = crate::Source::Regional("redshift", read);

fn read(r: &RegionInventory) -> bool {
    r.redshift_clusters.is_some()
}

/// Redshift in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "redshift",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &PUBLIC,
        &SSL_NOT_REQUIRED,
        &SNAPSHOTS_SHORT,
        &AUDIT_LOGGING_OFF,
        &VERSION_UPGRADE_OFF,
        &ENHANCED_VPC_ROUTING_OFF,
        &DEFAULT_ADMIN_USERNAME,
        &DEFAULT_DATABASE_NAME,
        &NOT_ENCRYPTED,
        &NOT_MULTI_AZ,
    ],
};

const CLUSTER: &str = "AWS::Redshift::Cluster";

/// The automated snapshot retention FSBP Redshift.3 asks for by default.
const MIN_RETENTION_DAYS: i32 = 7;

/// Lists the region's clusters, with their nodes' addresses.
fn assets(r: &RegionInventory, out: &mut crate::services::Assets) {
    let Some(clusters) = &r.redshift_clusters else {
        return;
    };
    for c in clusters {
        let cfg = crate::services::json(c);
        out.add(
            &r.region,
            CLUSTER,
            &c.cluster_identifier,
            c.arn.clone(),
            cfg,
        )
        .ips = c.node_addresses.clone();
    }
    out.complete(&r.region, CLUSTER);
}

/// Every cluster of the account, with its region.
fn clusters(inv: &Inventory) -> impl Iterator<Item = (&str, &RedshiftCluster)> {
    inv.regions.iter().flat_map(|region| {
        region
            .redshift_clusters
            .iter()
            .flatten()
            .map(move |c| (region.region.as_str(), c))
    })
}

/// Fails every cluster `evidence` has something against.
fn flag(inv: &Inventory, sink: &mut Sink, evidence: impl Fn(&RedshiftCluster) -> Option<Value>) {
    for (region, c) in clusters(inv) {
        if let Some(e) = evidence(c) {
            sink.fail(region, &c.cluster_identifier, c.arn.clone(), e);
        }
    }
}

pub static PUBLIC: Rule = Rule {
    id: "redshift-cluster-public",
    title: "Redshift cluster is publicly accessible",
    severity: Severity::Critical,
    description: "The cluster's endpoint resolves to a public address: only its security \
                  groups stand between the internet and the warehouse's login, and the \
                  endpoint is found by scanners within hours.",
    remediation: "Turn public access off (`aws redshift modify-cluster --cluster-identifier \
                  <id> --no-publicly-accessible`) and reach the cluster from inside the VPC \
                  (a VPN, a bastion, or a Redshift-managed VPC endpoint).",
    compliance: &["AWS FSBP Redshift.1"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: public,
};

fn public(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        c.publicly_accessible
            .then(|| json!({ "publiclyAccessible": true, "endpoint": c.endpoint }))
    });
}

pub static SSL_NOT_REQUIRED: Rule = Rule {
    id: "redshift-cluster-ssl-not-required",
    title: "Redshift cluster does not require SSL connections",
    severity: Severity::Medium,
    description: "The cluster's parameter group leaves `require_ssl` off: clients may \
                  connect in plain text, sending credentials and query results readable by \
                  anyone on the path.",
    remediation: "Use a parameter group with `require_ssl` set to `true` (`aws redshift \
                  modify-cluster-parameter-group --parameter-group-name <group> --parameters \
                  ParameterName=require_ssl,ParameterValue=true`; default groups cannot be \
                  changed, so create one and attach it), then reboot the cluster.",
    compliance: &["AWS FSBP Redshift.2"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: ssl_not_required,
};

fn ssl_not_required(inv: &Inventory, sink: &mut Sink) {
    for (region, c) in clusters(inv) {
        match c.require_ssl {
            None => sink.unknown(region, &c.cluster_identifier),
            Some(false) => sink.fail(
                region,
                &c.cluster_identifier,
                c.arn.clone(),
                json!({ "parameterGroup": c.parameter_group, "require_ssl": false }),
            ),
            Some(true) => {}
        }
    }
}

pub static SNAPSHOTS_SHORT: Rule = Rule {
    id: "redshift-cluster-automated-snapshots-short",
    title: "Redshift cluster keeps automated snapshots for less than 7 days, or none",
    severity: Severity::Medium,
    description: "Automated snapshots are off or kept less than a week: data dropped or \
                  corrupted by mistake or by an attacker cannot be restored from a point \
                  before the damage was noticed.",
    remediation: "Keep automated snapshots at least 7 days (`aws redshift modify-cluster \
                  --cluster-identifier <id> --automated-snapshot-retention-period 7`).",
    compliance: &["AWS FSBP Redshift.3"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: snapshots_short,
};

fn snapshots_short(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        (c.automated_snapshot_retention_period < MIN_RETENTION_DAYS).then(
            || json!({ "automatedSnapshotRetentionPeriod": c.automated_snapshot_retention_period }),
        )
    });
}

pub static AUDIT_LOGGING_OFF: Rule = Rule {
    id: "redshift-cluster-audit-logging-off",
    title: "Redshift cluster has audit logging off",
    severity: Severity::Medium,
    description: "Connection, user and user-activity logs are not exported: who logged in \
                  to the warehouse and what they ran cannot be investigated.",
    remediation: "Turn audit logging on (`aws redshift enable-logging --cluster-identifier \
                  <id> --log-destination-type cloudwatch --log-exports connectionlog \
                  userlog useractivitylog`, or to an S3 bucket with `--bucket-name`).",
    compliance: &["AWS FSBP Redshift.4"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: audit_logging_off,
};

fn audit_logging_off(inv: &Inventory, sink: &mut Sink) {
    for (region, c) in clusters(inv) {
        match c.audit_logging {
            None => sink.unknown(region, &c.cluster_identifier),
            Some(false) => sink.fail(
                region,
                &c.cluster_identifier,
                c.arn.clone(),
                json!({ "loggingEnabled": false }),
            ),
            Some(true) => {}
        }
    }
}

pub static VERSION_UPGRADE_OFF: Rule = Rule {
    id: "redshift-cluster-version-upgrade-off",
    title: "Redshift cluster does not allow version upgrades",
    severity: Severity::Low,
    description: "`AllowVersionUpgrade` is off: engine versions, which carry security \
                  fixes, are not applied in the maintenance window.",
    remediation: "Allow upgrades (`aws redshift modify-cluster --cluster-identifier <id> \
                  --allow-version-upgrade`).",
    compliance: &["AWS FSBP Redshift.6"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: version_upgrade_off,
};

fn version_upgrade_off(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        (!c.allow_version_upgrade).then(|| json!({ "allowVersionUpgrade": false }))
    });
}

pub static ENHANCED_VPC_ROUTING_OFF: Rule = Rule {
    id: "redshift-cluster-enhanced-vpc-routing-off",
    title: "Redshift cluster does not use enhanced VPC routing",
    severity: Severity::Low,
    description: "`COPY` and `UNLOAD` traffic between the cluster and S3 bypasses the VPC: \
                  its security groups, endpoint policies, NACLs and flow logs neither \
                  restrict nor record where the data goes.",
    remediation: "Turn enhanced VPC routing on (`aws redshift modify-cluster \
                  --cluster-identifier <id> --enhanced-vpc-routing`) and give the VPC an S3 \
                  gateway endpoint or a NAT route.",
    compliance: &["AWS FSBP Redshift.7"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: enhanced_vpc_routing_off,
};

fn enhanced_vpc_routing_off(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        (!c.enhanced_vpc_routing).then(|| json!({ "enhancedVpcRouting": false }))
    });
}

pub static DEFAULT_ADMIN_USERNAME: Rule = Rule {
    id: "redshift-cluster-default-admin-username",
    title: "Redshift cluster uses the default admin username",
    severity: Severity::Low,
    description: "The admin user is `awsuser`, the console's default: an attacker guessing \
                  passwords needs no username.",
    remediation: "The admin username is set at creation: create a superuser with another \
                  name, move the jobs to it, and restore the cluster from a snapshot with \
                  `--master-username <name>` (or restrict `awsuser`'s logins).",
    compliance: &["AWS FSBP Redshift.8"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: default_admin_username,
};

fn default_admin_username(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        (c.master_username.as_deref() == Some("awsuser"))
            .then(|| json!({ "masterUsername": "awsuser" }))
    });
}

pub static DEFAULT_DATABASE_NAME: Rule = Rule {
    id: "redshift-cluster-default-database-name",
    title: "Redshift cluster uses the default database name",
    severity: Severity::Low,
    description: "The cluster's database is named `dev`, the default: one thing less an \
                  attacker connecting to it has to find out.",
    remediation: "Create a database with a name of your own (`CREATE DATABASE <name>`), \
                  move the data and clients to it, and drop `dev`; a new cluster takes \
                  `--db-name <name>`.",
    compliance: &["AWS FSBP Redshift.9"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: default_database_name,
};

fn default_database_name(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        (c.db_name.as_deref() == Some("dev")).then(|| json!({ "dbName": "dev" }))
    });
}

pub static NOT_ENCRYPTED: Rule = Rule {
    id: "redshift-cluster-not-encrypted",
    title: "Redshift cluster is not encrypted at rest",
    severity: Severity::Medium,
    description: "The cluster's blocks, and the snapshots taken of them, hold the data \
                  unencrypted, and access to them is not governed by a KMS key policy.",
    remediation: "Encrypt the cluster (`aws redshift modify-cluster --cluster-identifier \
                  <id> --encrypted [--kms-key-id <key>]`; Redshift migrates the data to an \
                  encrypted cluster in place).",
    compliance: &["AWS FSBP Redshift.10"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_encrypted,
};

fn not_encrypted(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        (!c.encrypted).then(|| json!({ "encrypted": false }))
    });
}

pub static NOT_MULTI_AZ: Rule = Rule {
    id: "redshift-cluster-not-multi-az",
    title: "Redshift cluster runs in a single Availability Zone",
    severity: Severity::Low,
    description: "The cluster has no compute in a second Availability Zone: an AZ outage \
                  takes the warehouse down until AWS recovers the zone or the cluster is \
                  restored elsewhere from a snapshot, and with it the reports and pipelines \
                  that depend on it.",
    remediation: "Turn Multi-AZ on (RA3 node types; `aws redshift modify-cluster \
                  --cluster-identifier <id> --multi-az`), or accept and document the \
                  single-AZ risk for non-critical clusters.",
    compliance: &[],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_multi_az,
};

fn not_multi_az(inv: &Inventory, sink: &mut Sink) {
    flag(inv, sink, |c| {
        (!c.multi_az).then(|| json!({ "multiAZ": false }))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown};

    /// A well-configured cluster.
    fn cluster(id: &str) -> RedshiftCluster {
        RedshiftCluster {
            cluster_identifier: id.into(),
            arn: Some(format!("arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:{id}")),
            publicly_accessible: false,
            encrypted: true,
            automated_snapshot_retention_period: 7,
            allow_version_upgrade: true,
            enhanced_vpc_routing: true,
            master_username: Some("warehouse_admin".into()),
            db_name: Some("analytics".into()),
            vpc_id: Some("vpc-1".into()),
            endpoint: Some(format!("{id}.abc.{REGION}.redshift.amazonaws.com:5439")),
            node_addresses: vec![("10.0.1.5".into(), false)],
            parameter_group: Some("secure".into()),
            require_ssl: Some(true),
            audit_logging: Some(true),
            multi_az: true,
        }
    }

    fn with(clusters: Option<Vec<RedshiftCluster>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                redshift_clusters: clusters,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn each_misconfiguration_fails_its_rule_only() {
        let cases: [(&'static Rule, RedshiftCluster); 10] = [
            (
                &PUBLIC,
                RedshiftCluster {
                    publicly_accessible: true,
                    ..cluster("c")
                },
            ),
            (
                &SSL_NOT_REQUIRED,
                RedshiftCluster {
                    require_ssl: Some(false),
                    ..cluster("c")
                },
            ),
            (
                &SNAPSHOTS_SHORT,
                RedshiftCluster {
                    automated_snapshot_retention_period: 1,
                    ..cluster("c")
                },
            ),
            (
                &AUDIT_LOGGING_OFF,
                RedshiftCluster {
                    audit_logging: Some(false),
                    ..cluster("c")
                },
            ),
            (
                &VERSION_UPGRADE_OFF,
                RedshiftCluster {
                    allow_version_upgrade: false,
                    ..cluster("c")
                },
            ),
            (
                &ENHANCED_VPC_ROUTING_OFF,
                RedshiftCluster {
                    enhanced_vpc_routing: false,
                    ..cluster("c")
                },
            ),
            (
                &DEFAULT_ADMIN_USERNAME,
                RedshiftCluster {
                    master_username: Some("awsuser".into()),
                    ..cluster("c")
                },
            ),
            (
                &DEFAULT_DATABASE_NAME,
                RedshiftCluster {
                    db_name: Some("dev".into()),
                    ..cluster("c")
                },
            ),
            (
                &NOT_ENCRYPTED,
                RedshiftCluster {
                    encrypted: false,
                    ..cluster("c")
                },
            ),
            (
                &NOT_MULTI_AZ,
                RedshiftCluster {
                    multi_az: false,
                    ..cluster("c")
                },
            ),
        ];
        for (rule, bad) in cases {
            let inv = with(Some(vec![
                cluster("good"),
                RedshiftCluster {
                    cluster_identifier: "bad".into(),
                    ..bad
                },
            ]));
            for other in SERVICE.rules {
                let expected: &[&str] = if std::ptr::eq(*other, rule) {
                    &["bad"]
                } else {
                    &[]
                };
                assert_eq!(
                    failing(other, &inv),
                    expected,
                    "{} on {}'s case",
                    other.id,
                    rule.id
                );
            }
        }
    }

    #[test]
    fn snapshots_kept_a_week_pass_and_off_fails() {
        let off = RedshiftCluster {
            automated_snapshot_retention_period: 0,
            ..cluster("off")
        };
        let week = RedshiftCluster {
            automated_snapshot_retention_period: 7,
            ..cluster("week")
        };
        assert_eq!(
            failing(&SNAPSHOTS_SHORT, &with(Some(vec![off, week]))),
            ["off"]
        );
    }

    #[test]
    fn unreadable_parameters_or_logging_are_not_assessed() {
        let unread = RedshiftCluster {
            require_ssl: None,
            audit_logging: None,
            ..cluster("unread")
        };
        let inv = with(Some(vec![unread]));
        for rule in [&SSL_NOT_REQUIRED, &AUDIT_LOGGING_OFF] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(unknown(&out), ["unread"], "{}", rule.id);
        }
        for rule in SERVICE.rules {
            assert!(run(rule, &with(None)).complete.is_empty(), "{}", rule.id);
        }
    }
}
