//! ElastiCache: the inventory model of cache clusters and replication groups, and their
//! rules (encryption at rest and in transit, Redis AUTH before 6.0, automatic backups,
//! minor-version upgrades, automatic failover, the default subnet group).

pub mod model;

use serde_json::{Value, json};

use crate::{
    Rule, Scope, Severity, Sink,
    model::{CacheCluster, Inventory, RegionInventory, ReplicationGroup},
};

/// ElastiCache's part of the inventory was read (its cache clusters).
pub const SOURCE: crate::Source = crate::Source::Regional("elasticache", read);

fn read(r: &RegionInventory) -> bool {
    r.elasticache.is_some()
}

/// ElastiCache's replication groups were read too.
pub const REPLICATION_GROUPS: crate::Source =
    crate::Source::Regional("elasticache", replication_groups_read);

fn replication_groups_read(r: &RegionInventory) -> bool {
    r.elasticache
        .as_ref()
        .is_some_and(|e| e.replication_groups.is_some())
}

/// ElastiCache in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "elasticache",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &GROUP_NOT_ENCRYPTED_AT_REST,
        &GROUP_NOT_ENCRYPTED_IN_TRANSIT,
        &GROUP_NO_AUTH,
        &GROUP_BACKUPS_DISABLED,
        &GROUP_AUTO_MINOR_UPGRADE_OFF,
        &GROUP_AUTOMATIC_FAILOVER_OFF,
        &GROUP_NOT_MULTI_AZ,
        &CLUSTER_BACKUPS_DISABLED,
        &CLUSTER_AUTO_MINOR_UPGRADE_OFF,
        &CLUSTER_DEFAULT_SUBNET_GROUP,
    ],
};

const CLUSTER: &str = "AWS::ElastiCache::CacheCluster";
const GROUP: &str = "AWS::ElastiCache::ReplicationGroup";

/// Lists the region's cache clusters and replication groups (their endpoints in the
/// configuration).
fn assets(r: &RegionInventory, out: &mut crate::services::Assets) {
    let Some(ec) = &r.elasticache else {
        return;
    };
    for c in &ec.cache_clusters {
        let cfg = crate::services::json(c);
        out.add(&r.region, CLUSTER, &c.cache_cluster_id, c.arn.clone(), cfg);
    }
    out.complete(&r.region, CLUSTER);
    if let Some(groups) = &ec.replication_groups {
        for g in groups {
            let cfg = crate::services::json(g);
            out.add(
                &r.region,
                GROUP,
                &g.replication_group_id,
                g.arn.clone(),
                cfg,
            );
        }
        out.complete(&r.region, GROUP);
    }
}

/// Every cache cluster of the account, with its region.
fn clusters(inv: &Inventory) -> impl Iterator<Item = (&str, &CacheCluster)> {
    inv.regions.iter().flat_map(|region| {
        region
            .elasticache
            .iter()
            .flat_map(|e| &e.cache_clusters)
            .map(move |c| (region.region.as_str(), c))
    })
}

/// The clusters outside any replication group (a member's settings are its group's).
fn standalone(inv: &Inventory) -> impl Iterator<Item = (&str, &CacheCluster)> {
    clusters(inv).filter(|(_, c)| c.replication_group_id.is_none())
}

/// Every replication group of the account, with its region and the region's clusters.
fn groups(inv: &Inventory) -> impl Iterator<Item = (&str, &ReplicationGroup, &[CacheCluster])> {
    inv.regions.iter().flat_map(|region| {
        region.elasticache.iter().flat_map(move |e| {
            e.replication_groups
                .iter()
                .flatten()
                .map(move |g| (region.region.as_str(), g, e.cache_clusters.as_slice()))
        })
    })
}

/// Redis OSS and Valkey keep data worth backing up; Memcached has no backups.
fn persists(engine: &str) -> bool {
    !engine.eq_ignore_ascii_case("memcached")
}

fn fail_group(sink: &mut Sink, region: &str, g: &ReplicationGroup, evidence: Value) {
    sink.fail(region, &g.replication_group_id, g.arn.clone(), evidence);
}

fn fail_cluster(sink: &mut Sink, region: &str, c: &CacheCluster, evidence: Value) {
    sink.fail(region, &c.cache_cluster_id, c.arn.clone(), evidence);
}

pub static GROUP_NOT_ENCRYPTED_AT_REST: Rule = Rule {
    id: "elasticache-replication-group-not-encrypted-at-rest",
    title: "ElastiCache replication group is not encrypted at rest",
    severity: Severity::Medium,
    description: "The replication group's disks, swap and backups in S3 hold the cached \
                  data unencrypted, and access to them is not governed by a KMS key policy.",
    remediation: "Encryption at rest can only be chosen at creation: take a backup, create \
                  a replication group from it with `--at-rest-encryption-enabled` (and \
                  `--kms-key-id` for a customer-managed key), move the clients, and delete \
                  the old group.",
    compliance: &["AWS FSBP ElastiCache.4"],
    resource_type: GROUP,
    scope: Scope::Regional,
    sources: &[REPLICATION_GROUPS],
    check: group_not_encrypted_at_rest,
};

fn group_not_encrypted_at_rest(inv: &Inventory, sink: &mut Sink) {
    for (region, g, _) in groups(inv).filter(|(_, g, _)| !g.at_rest_encryption_enabled) {
        fail_group(sink, region, g, json!({ "atRestEncryptionEnabled": false }));
    }
}

pub static GROUP_NOT_ENCRYPTED_IN_TRANSIT: Rule = Rule {
    id: "elasticache-replication-group-not-encrypted-in-transit",
    title: "ElastiCache replication group is not encrypted in transit",
    severity: Severity::Medium,
    description: "Clients and replicas talk to the replication group in plain text: anyone \
                  able to capture traffic in the VPC reads the cached data and any AUTH \
                  token sent with it.",
    remediation: "Turn TLS on (`aws elasticache modify-replication-group \
                  --replication-group-id <id> --transit-encryption-enabled \
                  --transit-encryption-mode preferred`, then `required` once every client \
                  connects with TLS; older engine versions need a new group).",
    compliance: &["AWS FSBP ElastiCache.5"],
    resource_type: GROUP,
    scope: Scope::Regional,
    sources: &[REPLICATION_GROUPS],
    check: group_not_encrypted_in_transit,
};

fn group_not_encrypted_in_transit(inv: &Inventory, sink: &mut Sink) {
    for (region, g, _) in groups(inv).filter(|(_, g, _)| !g.transit_encryption_enabled) {
        fail_group(
            sink,
            region,
            g,
            json!({ "transitEncryptionEnabled": false }),
        );
    }
}

pub static GROUP_NO_AUTH: Rule = Rule {
    id: "elasticache-replication-group-no-auth",
    title: "ElastiCache replication group before Redis 6.0 has Redis AUTH off",
    severity: Severity::Medium,
    description: "The replication group runs a Redis version older than 6.0 (which has no \
                  access control lists) without an AUTH token: any host that reaches its \
                  port can read, change and flush every key.",
    remediation: "Set an AUTH token (`aws elasticache modify-replication-group \
                  --replication-group-id <id> --auth-token <token> --auth-token-update-strategy \
                  ROTATE --apply-immediately`; it needs encryption in transit), or upgrade to \
                  Redis 6+ and attach an RBAC user group.",
    compliance: &["AWS FSBP ElastiCache.6"],
    resource_type: GROUP,
    scope: Scope::Regional,
    sources: &[REPLICATION_GROUPS],
    check: group_no_auth,
};

/// The engine version's major number (`5.0.6` → 5).
fn major(version: &str) -> Option<u32> {
    version.split('.').next()?.parse().ok()
}

fn group_no_auth(inv: &Inventory, sink: &mut Sink) {
    for (region, g, clusters) in groups(inv) {
        if g.auth_token_enabled || !g.user_group_ids.is_empty() {
            continue;
        }
        // The group itself does not say its version; its member clusters do.
        let version = clusters
            .iter()
            .filter(|c| g.member_clusters.contains(&c.cache_cluster_id))
            .find_map(|c| c.engine_version.as_deref());
        match version.and_then(|v| major(v).map(|m| (v, m))) {
            None => sink.unknown(region, &g.replication_group_id),
            Some((v, m)) if m < 6 => fail_group(
                sink,
                region,
                g,
                json!({ "engineVersion": v, "authTokenEnabled": false, "userGroupIds": [] }),
            ),
            Some(_) => {}
        }
    }
}

pub static GROUP_BACKUPS_DISABLED: Rule = Rule {
    id: "elasticache-replication-group-backups-disabled",
    title: "ElastiCache replication group has automatic backups off",
    severity: Severity::Medium,
    description: "The replication group keeps no automatic snapshot: data lost to a bad \
                  write, a flush or a failed node cannot be restored.",
    remediation: "Keep daily snapshots (`aws elasticache modify-replication-group \
                  --replication-group-id <id> --snapshot-retention-limit 7 \
                  --snapshot-window 03:00-04:00`).",
    compliance: &["AWS FSBP ElastiCache.1"],
    resource_type: GROUP,
    scope: Scope::Regional,
    sources: &[REPLICATION_GROUPS],
    check: group_backups_disabled,
};

fn group_backups_disabled(inv: &Inventory, sink: &mut Sink) {
    for (region, g, _) in groups(inv).filter(|(_, g, _)| g.snapshot_retention_limit < 1) {
        let evidence = json!({ "snapshotRetentionLimit": g.snapshot_retention_limit });
        fail_group(sink, region, g, evidence);
    }
}

pub static GROUP_AUTO_MINOR_UPGRADE_OFF: Rule = Rule {
    id: "elasticache-replication-group-auto-minor-upgrade-off",
    title: "ElastiCache replication group does not apply minor version upgrades",
    severity: Severity::Low,
    description: "Minor engine versions, which carry security fixes, are not applied in \
                  the maintenance window: the group keeps running a version with known \
                  vulnerabilities until someone upgrades it by hand.",
    remediation: "Turn automatic minor version upgrades on (`aws elasticache \
                  modify-replication-group --replication-group-id <id> \
                  --auto-minor-version-upgrade`).",
    compliance: &["AWS FSBP ElastiCache.2"],
    resource_type: GROUP,
    scope: Scope::Regional,
    sources: &[REPLICATION_GROUPS],
    check: group_auto_minor_upgrade_off,
};

fn group_auto_minor_upgrade_off(inv: &Inventory, sink: &mut Sink) {
    for (region, g, _) in groups(inv) {
        match g.auto_minor_version_upgrade {
            None => sink.unknown(region, &g.replication_group_id),
            Some(false) => fail_group(sink, region, g, json!({ "autoMinorVersionUpgrade": false })),
            Some(true) => {}
        }
    }
}

pub static GROUP_AUTOMATIC_FAILOVER_OFF: Rule = Rule {
    id: "elasticache-replication-group-automatic-failover-off",
    title: "ElastiCache replication group has automatic failover off",
    severity: Severity::Low,
    description: "When the primary node fails, no replica is promoted: the cache stays \
                  unavailable for writes until the node is replaced.",
    remediation: "Add a replica if there is none, then turn automatic failover on (`aws \
                  elasticache modify-replication-group --replication-group-id <id> \
                  --automatic-failover-enabled --multi-az-enabled`).",
    compliance: &["AWS FSBP ElastiCache.3"],
    resource_type: GROUP,
    scope: Scope::Regional,
    sources: &[REPLICATION_GROUPS],
    check: group_automatic_failover_off,
};

fn group_automatic_failover_off(inv: &Inventory, sink: &mut Sink) {
    for (region, g, _) in groups(inv).filter(|(_, g, _)| !g.automatic_failover) {
        fail_group(sink, region, g, json!({ "automaticFailover": "disabled" }));
    }
}

pub static GROUP_NOT_MULTI_AZ: Rule = Rule {
    id: "elasticache-replication-group-not-multi-az",
    title: "ElastiCache replication group has Multi-AZ off",
    severity: Severity::Low,
    description: "Multi-AZ is off: the group's nodes may all sit in one Availability Zone, \
                  and a failed primary or an AZ outage is not answered by promoting a \
                  replica in another zone, so the cache is down for writes (or entirely) \
                  until the zone recovers.",
    remediation: "Spread replicas over Availability Zones and turn Multi-AZ on (`aws \
                  elasticache modify-replication-group --replication-group-id <id> \
                  --automatic-failover-enabled --multi-az-enabled --apply-immediately`).",
    compliance: &[],
    resource_type: GROUP,
    scope: Scope::Regional,
    sources: &[REPLICATION_GROUPS],
    check: group_not_multi_az,
};

fn group_not_multi_az(inv: &Inventory, sink: &mut Sink) {
    for (region, g, _) in groups(inv).filter(|(_, g, _)| !g.multi_az) {
        fail_group(sink, region, g, json!({ "multiAZ": "disabled" }));
    }
}

pub static CLUSTER_BACKUPS_DISABLED: Rule = Rule {
    id: "elasticache-cluster-backups-disabled",
    title: "ElastiCache cluster has automatic backups off",
    severity: Severity::Medium,
    description: "The Redis OSS or Valkey cluster, outside any replication group, keeps no \
                  automatic snapshot: data lost to a bad write, a flush or a failed node \
                  cannot be restored.",
    remediation: "Keep daily snapshots (`aws elasticache modify-cache-cluster \
                  --cache-cluster-id <id> --snapshot-retention-limit 7 --snapshot-window \
                  03:00-04:00`).",
    compliance: &["AWS FSBP ElastiCache.1"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: cluster_backups_disabled,
};

fn cluster_backups_disabled(inv: &Inventory, sink: &mut Sink) {
    for (region, c) in
        standalone(inv).filter(|(_, c)| persists(&c.engine) && c.snapshot_retention_limit < 1)
    {
        let evidence =
            json!({ "engine": c.engine, "snapshotRetentionLimit": c.snapshot_retention_limit });
        fail_cluster(sink, region, c, evidence);
    }
}

pub static CLUSTER_AUTO_MINOR_UPGRADE_OFF: Rule = Rule {
    id: "elasticache-cluster-auto-minor-upgrade-off",
    title: "ElastiCache cluster does not apply minor version upgrades",
    severity: Severity::Low,
    description: "Minor engine versions, which carry security fixes, are not applied in \
                  the maintenance window: the cluster keeps running a version with known \
                  vulnerabilities until someone upgrades it by hand.",
    remediation: "Turn automatic minor version upgrades on (`aws elasticache \
                  modify-cache-cluster --cache-cluster-id <id> --auto-minor-version-upgrade`).",
    compliance: &["AWS FSBP ElastiCache.2"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: cluster_auto_minor_upgrade_off,
};

fn cluster_auto_minor_upgrade_off(inv: &Inventory, sink: &mut Sink) {
    for (region, c) in standalone(inv) {
        match c.auto_minor_version_upgrade {
            None => sink.unknown(region, &c.cache_cluster_id),
            Some(false) => fail_cluster(
                sink,
                region,
                c,
                json!({ "engine": c.engine, "autoMinorVersionUpgrade": false }),
            ),
            Some(true) => {}
        }
    }
}

pub static CLUSTER_DEFAULT_SUBNET_GROUP: Rule = Rule {
    id: "elasticache-cluster-default-subnet-group",
    title: "ElastiCache cluster uses the default subnet group",
    severity: Severity::Medium,
    description: "The cluster runs in the `default` subnet group, which ElastiCache builds \
                  from the default VPC's subnets: those are public subnets (a route to an \
                  internet gateway, public IPs on launch), shared with everything else \
                  launched without a choice of network.",
    remediation: "Create a subnet group of private subnets (`aws elasticache \
                  create-cache-subnet-group --cache-subnet-group-name <name> --subnet-ids \
                  ...`) and move the cache to it: a cluster's subnet group cannot be changed, \
                  so create a new cluster or replication group there from a backup.",
    compliance: &["AWS FSBP ElastiCache.7"],
    resource_type: CLUSTER,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: cluster_default_subnet_group,
};

fn cluster_default_subnet_group(inv: &Inventory, sink: &mut Sink) {
    for (region, c) in
        clusters(inv).filter(|(_, c)| c.cache_subnet_group.as_deref() == Some("default"))
    {
        let evidence = json!({
            "cacheSubnetGroupName": "default",
            "replicationGroupId": c.replication_group_id,
        });
        fail_cluster(sink, region, c, evidence);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::ElastiCacheInventory,
    };

    /// A well-configured standalone Redis cluster.
    fn cluster(id: &str) -> CacheCluster {
        CacheCluster {
            cache_cluster_id: id.into(),
            arn: Some(format!(
                "arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:{id}"
            )),
            engine: "redis".into(),
            engine_version: Some("7.1".into()),
            replication_group_id: None,
            auto_minor_version_upgrade: Some(true),
            snapshot_retention_limit: 7,
            cache_subnet_group: Some("private-cache".into()),
            endpoints: vec![format!("{id}.abc.cache.amazonaws.com:6379")],
        }
    }

    /// A well-configured replication group.
    fn group(id: &str) -> ReplicationGroup {
        ReplicationGroup {
            replication_group_id: id.into(),
            arn: Some(format!(
                "arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:{id}"
            )),
            engine: Some("redis".into()),
            at_rest_encryption_enabled: true,
            transit_encryption_enabled: true,
            auth_token_enabled: true,
            user_group_ids: vec![],
            auto_minor_version_upgrade: Some(true),
            snapshot_retention_limit: 7,
            automatic_failover: true,
            multi_az: true,
            member_clusters: vec![format!("{id}-001")],
            endpoints: vec![],
        }
    }

    /// The member cluster of a group, at `version`.
    fn member(group: &str, version: &str) -> CacheCluster {
        CacheCluster {
            replication_group_id: Some(group.into()),
            engine_version: Some(version.into()),
            ..cluster(&format!("{group}-001"))
        }
    }

    fn with(clusters: Vec<CacheCluster>, groups: Option<Vec<ReplicationGroup>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                elasticache: Some(ElastiCacheInventory {
                    cache_clusters: clusters,
                    replication_groups: groups,
                }),
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn groups_without_encryption_at_rest_or_in_transit_fail() {
        let plain_disk = ReplicationGroup {
            at_rest_encryption_enabled: false,
            ..group("plain-disk")
        };
        let plain_wire = ReplicationGroup {
            transit_encryption_enabled: false,
            ..group("plain-wire")
        };
        let inv = with(vec![], Some(vec![group("good"), plain_disk, plain_wire]));
        assert_eq!(failing(&GROUP_NOT_ENCRYPTED_AT_REST, &inv), ["plain-disk"]);
        assert_eq!(
            failing(&GROUP_NOT_ENCRYPTED_IN_TRANSIT, &inv),
            ["plain-wire"]
        );
    }

    #[test]
    fn redis_before_6_without_auth_fails_and_a_group_of_unknown_version_is_not_assessed() {
        let open = |id: &str| ReplicationGroup {
            auth_token_enabled: false,
            ..group(id)
        };
        let rbac = ReplicationGroup {
            user_group_ids: vec!["app-users".into()],
            ..open("rbac")
        };
        let inv = with(
            vec![
                member("old-open", "5.0.6"),
                member("new-open", "7.1"),
                member("old-token", "4.0.10"),
                member("rbac", "6.2"),
            ],
            Some(vec![
                open("old-open"),
                open("new-open"),
                group("old-token"),
                rbac,
                open("no-members"),
            ]),
        );
        let out = run(&GROUP_NO_AUTH, &inv);
        assert_eq!(failing(&GROUP_NO_AUTH, &inv), ["old-open"]);
        assert_eq!(unknown(&out), ["no-members"]);
        assert_eq!(out.findings[0].evidence["engineVersion"], "5.0.6");
    }

    #[test]
    fn group_backups_upgrades_and_failover_off_fail() {
        let no_backup = ReplicationGroup {
            snapshot_retention_limit: 0,
            ..group("no-backup")
        };
        let pinned = ReplicationGroup {
            auto_minor_version_upgrade: Some(false),
            ..group("pinned")
        };
        let unsaid = ReplicationGroup {
            auto_minor_version_upgrade: None,
            ..group("unsaid")
        };
        let single = ReplicationGroup {
            automatic_failover: false,
            ..group("single")
        };
        let one_zone = ReplicationGroup {
            multi_az: false,
            ..group("one-zone")
        };
        let inv = with(
            vec![],
            Some(vec![
                group("good"),
                no_backup,
                pinned,
                unsaid,
                single,
                one_zone,
            ]),
        );
        assert_eq!(failing(&GROUP_NOT_MULTI_AZ, &inv), ["one-zone"]);
        assert_eq!(failing(&GROUP_BACKUPS_DISABLED, &inv), ["no-backup"]);
        assert_eq!(failing(&GROUP_AUTO_MINOR_UPGRADE_OFF, &inv), ["pinned"]);
        assert_eq!(
            unknown(&run(&GROUP_AUTO_MINOR_UPGRADE_OFF, &inv)),
            ["unsaid"]
        );
        assert_eq!(failing(&GROUP_AUTOMATIC_FAILOVER_OFF, &inv), ["single"]);
    }

    #[test]
    fn standalone_cluster_rules_skip_group_members_and_memcached_backups() {
        let no_backup = CacheCluster {
            snapshot_retention_limit: 0,
            ..cluster("no-backup")
        };
        let memcached = CacheCluster {
            engine: "memcached".into(),
            snapshot_retention_limit: 0,
            ..cluster("memcached")
        };
        let pinned = CacheCluster {
            auto_minor_version_upgrade: Some(false),
            ..cluster("pinned")
        };
        // A member's backups and upgrades are its group's: judged on the group.
        let member = CacheCluster {
            snapshot_retention_limit: 0,
            auto_minor_version_upgrade: Some(false),
            ..member("grp", "7.1")
        };
        let inv = with(
            vec![cluster("good"), no_backup, memcached, pinned, member],
            Some(vec![]),
        );
        assert_eq!(failing(&CLUSTER_BACKUPS_DISABLED, &inv), ["no-backup"]);
        assert_eq!(failing(&CLUSTER_AUTO_MINOR_UPGRADE_OFF, &inv), ["pinned"]);
    }

    #[test]
    fn clusters_in_the_default_subnet_group_fail_members_included() {
        let default = CacheCluster {
            cache_subnet_group: Some("default".into()),
            ..cluster("in-default")
        };
        let member = CacheCluster {
            cache_subnet_group: Some("default".into()),
            ..member("grp", "7.1")
        };
        let inv = with(vec![cluster("good"), default, member], Some(vec![]));
        assert_eq!(
            failing(&CLUSTER_DEFAULT_SUBNET_GROUP, &inv),
            ["in-default", "grp-001"]
        );
    }

    #[test]
    fn unread_replication_groups_leave_their_rules_incomplete_but_not_the_clusters() {
        let inv = with(vec![cluster("c")], None);
        for rule in [
            &GROUP_NOT_ENCRYPTED_AT_REST,
            &GROUP_NOT_ENCRYPTED_IN_TRANSIT,
            &GROUP_NO_AUTH,
            &GROUP_BACKUPS_DISABLED,
            &GROUP_AUTO_MINOR_UPGRADE_OFF,
            &GROUP_AUTOMATIC_FAILOVER_OFF,
        ] {
            let out = run(rule, &inv);
            assert!(
                out.findings.is_empty() && out.complete.is_empty(),
                "{}",
                rule.id
            );
        }
        assert_eq!(run(&CLUSTER_DEFAULT_SUBNET_GROUP, &inv).complete.len(), 1);
        let unread = Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                ..Default::default()
            }],
            ..inventory()
        };
        assert!(run(&CLUSTER_BACKUPS_DISABLED, &unread).complete.is_empty());
    }
}
