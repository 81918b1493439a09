//! EFS: the inventory model of file systems and access points, and their rules (not
//! encrypted at rest, no automatic backups, access points exposing the root directory or
//! not enforcing a user identity, One Zone or a single mount target, no restrictive file
//! system policy).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{EfsAccessPoint, EfsFileSystem, Inventory},
    services::kms::public_statements,
};

/// EFS's part of the inventory was read (its file systems).
pub const SOURCE: crate::Source = crate::Source::Regional("efs", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.efs.is_some()
}

/// EFS's access points were read too.
pub const ACCESS_POINTS: crate::Source = crate::Source::Regional("efs", access_points_read);

fn access_points_read(r: &crate::model::RegionInventory) -> bool {
    r.efs.as_ref().is_some_and(|e| e.access_points.is_some())
}

/// EFS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "efs",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &NOT_ENCRYPTED,
        &BACKUP_DISABLED,
        &ACCESS_POINT_ROOT,
        &ACCESS_POINT_NO_USER,
        &NOT_MULTI_AZ,
        &OPEN_TO_ANY_CLIENT,
    ],
};

const FILE_SYSTEM: &str = "AWS::EFS::FileSystem";
const ACCESS_POINT: &str = "AWS::EFS::AccessPoint";

/// Lists the region's file systems and access points.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(efs) = &r.efs else {
        return;
    };
    for fs in &efs.file_systems {
        let cfg = crate::services::json(fs);
        out.add(
            &r.region,
            FILE_SYSTEM,
            &fs.file_system_id,
            fs.arn.clone(),
            cfg,
        );
    }
    out.complete(&r.region, FILE_SYSTEM);
    if let Some(points) = &efs.access_points {
        for ap in points {
            let cfg = crate::services::json(ap);
            out.add(
                &r.region,
                ACCESS_POINT,
                &ap.access_point_id,
                ap.arn.clone(),
                cfg,
            );
        }
        out.complete(&r.region, ACCESS_POINT);
    }
}

/// Every file system of the account, with its region.
fn file_systems(inv: &Inventory) -> impl Iterator<Item = (&str, &EfsFileSystem)> {
    inv.regions.iter().flat_map(|region| {
        region
            .efs
            .iter()
            .flat_map(|e| &e.file_systems)
            .map(move |fs| (region.region.as_str(), fs))
    })
}

/// Every access point of the account, with its region.
fn access_points(inv: &Inventory) -> impl Iterator<Item = (&str, &EfsAccessPoint)> {
    inv.regions.iter().flat_map(|region| {
        region
            .efs
            .iter()
            .flat_map(|e| e.access_points.iter().flatten())
            .map(move |ap| (region.region.as_str(), ap))
    })
}

pub static NOT_ENCRYPTED: Rule = Rule {
    id: "efs-not-encrypted",
    title: "EFS file system is not encrypted at rest",
    severity: Severity::Medium,
    description: "The file system stores its data unencrypted: disks, snapshots and backups \
                  of it hold the files in the clear, and access to them is not governed by a \
                  KMS key policy.",
    remediation: "Encryption at rest can only be chosen at creation: create an encrypted file \
                  system (`aws efs create-file-system --encrypted [--kms-key-id <key>]`), copy \
                  the data across (AWS DataSync), move the clients, and delete the old one.",
    compliance: &["CIS AWS Foundations v5.0.0 2.3.1", "AWS FSBP EFS.1"],
    resource_type: FILE_SYSTEM,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_encrypted,
};

fn not_encrypted(inv: &Inventory, sink: &mut Sink) {
    for (region, fs) in file_systems(inv).filter(|(_, fs)| !fs.encrypted) {
        sink.fail(
            region,
            &fs.file_system_id,
            fs.arn.clone(),
            json!({ "encrypted": false, "name": fs.name }),
        );
    }
}

pub static BACKUP_DISABLED: Rule = Rule {
    id: "efs-backup-disabled",
    title: "EFS file system has automatic backups off",
    severity: Severity::Medium,
    description: "The file system's backup policy is off, so AWS Backup takes no daily \
                  backup of it: deleted or encrypted-by-ransomware files cannot be restored \
                  unless another backup plan covers it.",
    remediation: "Turn automatic backups on (`aws efs put-backup-policy --file-system-id <id> \
                  --backup-policy Status=ENABLED`), or add the file system to an AWS Backup \
                  plan.",
    compliance: &["AWS FSBP EFS.2"],
    resource_type: FILE_SYSTEM,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: backup_disabled,
};

fn backup_disabled(inv: &Inventory, sink: &mut Sink) {
    for (region, fs) in file_systems(inv) {
        match fs.backup_enabled {
            None => sink.unknown(region, &fs.file_system_id),
            Some(false) => sink.fail(
                region,
                &fs.file_system_id,
                fs.arn.clone(),
                json!({ "backupPolicy": "DISABLED", "name": fs.name }),
            ),
            Some(true) => {}
        }
    }
}

pub static ACCESS_POINT_ROOT: Rule = Rule {
    id: "efs-access-point-root-directory",
    title: "EFS access point exposes the file system's root directory",
    severity: Severity::Medium,
    description: "The access point does not set a root directory (or sets `/`): every \
                  client using it sees the whole file system, including other applications' \
                  data, where an access point is meant to confine each one to its own \
                  directory.",
    remediation: "Access points cannot be changed: create one with a root directory for the \
                  application (`aws efs create-access-point --file-system-id <id> \
                  --root-directory Path=/app,CreationInfo={...}`), move the clients, and \
                  delete this one.",
    compliance: &["AWS FSBP EFS.3"],
    resource_type: ACCESS_POINT,
    scope: Scope::Regional,
    sources: &[ACCESS_POINTS],
    check: access_point_root,
};

fn access_point_root(inv: &Inventory, sink: &mut Sink) {
    for (region, ap) in access_points(inv) {
        let path = ap.root_directory.as_deref().unwrap_or("/");
        if path.trim_end_matches('/').is_empty() {
            sink.fail(
                region,
                &ap.access_point_id,
                ap.arn.clone(),
                json!({ "rootDirectory": path, "fileSystemId": ap.file_system_id }),
            );
        }
    }
}

pub static ACCESS_POINT_NO_USER: Rule = Rule {
    id: "efs-access-point-no-user-identity",
    title: "EFS access point does not enforce a user identity",
    severity: Severity::Medium,
    description: "The access point sets no POSIX user, so each NFS client acts as whatever \
                  user and group it claims: a client claiming root (uid 0) gets root's \
                  access to the files it can reach.",
    remediation: "Access points cannot be changed: create one with a POSIX user \
                  (`aws efs create-access-point --file-system-id <id> --posix-user \
                  Uid=1000,Gid=1000`), move the clients, and delete this one.",
    compliance: &["AWS FSBP EFS.4"],
    resource_type: ACCESS_POINT,
    scope: Scope::Regional,
    sources: &[ACCESS_POINTS],
    check: access_point_no_user,
};

fn access_point_no_user(inv: &Inventory, sink: &mut Sink) {
    for (region, ap) in access_points(inv).filter(|(_, ap)| !ap.posix_user) {
        sink.fail(
            region,
            &ap.access_point_id,
            ap.arn.clone(),
            json!({ "posixUser": null, "fileSystemId": ap.file_system_id }),
        );
    }
}

pub static NOT_MULTI_AZ: Rule = Rule {
    id: "efs-not-multi-az",
    title: "EFS file system is reachable in a single Availability Zone",
    severity: Severity::Low,
    description: "The file system is One Zone (its data stored in one Availability Zone) \
                  or has a single mount target: an outage of that zone makes the files \
                  unreachable for every client, and a One Zone file system can lose them.",
    remediation: "Give a Regional file system a mount target in each Availability Zone its \
                  clients run in (`aws efs create-mount-target --file-system-id <id> \
                  --subnet-id <subnet-in-another-az> --security-groups <sg>`); a One Zone \
                  one must be replaced by a Regional file system (copy the data with AWS \
                  DataSync).",
    compliance: &[],
    resource_type: FILE_SYSTEM,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_multi_az,
};

fn not_multi_az(inv: &Inventory, sink: &mut Sink) {
    for (region, fs) in file_systems(inv) {
        // No mount target at all: mounted nowhere, so nothing to keep available.
        if fs.availability_zone.is_some() || fs.mount_targets == 1 {
            sink.fail(
                region,
                &fs.file_system_id,
                fs.arn.clone(),
                json!({
                    "availabilityZone": fs.availability_zone,
                    "mountTargets": fs.mount_targets,
                    "name": fs.name,
                }),
            );
        }
    }
}

pub static OPEN_TO_ANY_CLIENT: Rule = Rule {
    id: "efs-open-to-any-client",
    title: "EFS file system policy lets any client mount it",
    severity: Severity::Medium,
    description: "The file system has no file system policy, or one allowing everyone (`*`) \
                  without a condition: any NFS client that reaches a mount target, whatever \
                  its IAM identity, may mount it and read and write the files, so only \
                  security groups stand between the data and anything running in the VPC.",
    remediation: "Set a policy that grants `elasticfilesystem:ClientMount` (and \
                  `ClientWrite` where needed) to the roles that use it, and require TLS \
                  (`aws efs put-file-system-policy --file-system-id <id> --policy \
                  file://policy.json`); mount with `-o tls,iam`.",
    compliance: &[],
    resource_type: FILE_SYSTEM,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: open_to_any_client,
};

fn open_to_any_client(inv: &Inventory, sink: &mut Sink) {
    for (region, fs) in file_systems(inv) {
        let Some(statements) = &fs.policy_statements else {
            sink.unknown(region, &fs.file_system_id);
            continue;
        };
        let evidence = if statements.is_empty() {
            json!({ "fileSystemPolicy": null, "name": fs.name })
        } else {
            let public = public_statements(&json!({ "Statement": statements }));
            if public.is_empty() {
                continue;
            }
            json!({ "publicStatements": public, "name": fs.name })
        };
        sink.fail(region, &fs.file_system_id, fs.arn.clone(), evidence);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::{EfsInventory, RegionInventory},
    };

    /// A well-configured file system.
    fn fs(id: &str) -> EfsFileSystem {
        EfsFileSystem {
            file_system_id: id.into(),
            arn: Some(format!(
                "arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{id}"
            )),
            name: Some(id.into()),
            encrypted: true,
            backup_enabled: Some(true),
            availability_zone: None,
            mount_targets: 2,
            policy_statements: Some(vec![json!({
                "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{ACCOUNT}:role/app") },
                "Action": "elasticfilesystem:ClientMount",
            })]),
        }
    }

    /// A well-configured access point.
    fn ap(id: &str) -> EfsAccessPoint {
        EfsAccessPoint {
            access_point_id: id.into(),
            arn: Some(format!(
                "arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/{id}"
            )),
            file_system_id: "fs-1".into(),
            root_directory: Some("/app".into()),
            posix_user: true,
        }
    }

    fn with_efs(efs: Option<EfsInventory>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                efs,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    fn with(file_systems: Vec<EfsFileSystem>, points: Option<Vec<EfsAccessPoint>>) -> Inventory {
        with_efs(Some(EfsInventory {
            file_systems,
            access_points: points,
        }))
    }

    #[test]
    fn an_unencrypted_file_system_fails_and_an_encrypted_one_passes() {
        let plain = EfsFileSystem {
            encrypted: false,
            ..fs("fs-plain")
        };
        let inv = with(vec![fs("fs-sealed"), plain], Some(vec![]));
        assert_eq!(failing(&NOT_ENCRYPTED, &inv), ["fs-plain"]);
        assert_eq!(run(&NOT_ENCRYPTED, &inv).complete.len(), 1);
        assert!(run(&NOT_ENCRYPTED, &with_efs(None)).complete.is_empty());
    }

    #[test]
    fn backups_off_fail_on_pass_and_unread_is_not_assessed() {
        let off = EfsFileSystem {
            backup_enabled: Some(false),
            ..fs("fs-off")
        };
        let unread = EfsFileSystem {
            backup_enabled: None,
            ..fs("fs-unread")
        };
        let inv = with(vec![fs("fs-on"), off, unread], Some(vec![]));
        assert_eq!(failing(&BACKUP_DISABLED, &inv), ["fs-off"]);
        assert_eq!(unknown(&run(&BACKUP_DISABLED, &inv)), ["fs-unread"]);
    }

    #[test]
    fn access_points_at_the_root_or_without_a_user_fail() {
        let root = EfsAccessPoint {
            root_directory: Some("/".into()),
            ..ap("fsap-root")
        };
        let unset = EfsAccessPoint {
            root_directory: None,
            ..ap("fsap-unset")
        };
        let anyone = EfsAccessPoint {
            posix_user: false,
            ..ap("fsap-anyone")
        };
        let inv = with(vec![], Some(vec![ap("fsap-good"), root, unset, anyone]));
        assert_eq!(
            failing(&ACCESS_POINT_ROOT, &inv),
            ["fsap-root", "fsap-unset"]
        );
        assert_eq!(failing(&ACCESS_POINT_NO_USER, &inv), ["fsap-anyone"]);
    }

    #[test]
    fn unread_access_points_leave_their_rules_incomplete_but_not_the_file_systems() {
        let inv = with(vec![fs("fs-1")], None);
        for rule in [&ACCESS_POINT_ROOT, &ACCESS_POINT_NO_USER] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty() && out.complete.is_empty());
        }
        assert_eq!(run(&NOT_ENCRYPTED, &inv).complete.len(), 1);
    }

    #[test]
    fn one_zone_or_a_single_mount_target_fails_and_none_or_several_pass() {
        let one_zone = EfsFileSystem {
            availability_zone: Some("eu-west-1a".into()),
            ..fs("fs-one-zone")
        };
        let single = EfsFileSystem {
            mount_targets: 1,
            ..fs("fs-single")
        };
        let unmounted = EfsFileSystem {
            mount_targets: 0,
            ..fs("fs-unmounted")
        };
        let inv = with(
            vec![fs("fs-good"), one_zone, single, unmounted],
            Some(vec![]),
        );
        assert_eq!(failing(&NOT_MULTI_AZ, &inv), ["fs-one-zone", "fs-single"]);
    }

    #[test]
    fn no_policy_or_an_unconditioned_public_one_fails_and_unread_is_not_assessed() {
        let none = EfsFileSystem {
            policy_statements: Some(vec![]),
            ..fs("fs-none")
        };
        let public = EfsFileSystem {
            policy_statements: Some(vec![json!({
                "Effect": "Allow",
                "Principal": { "AWS": "*" },
                "Action": "elasticfilesystem:ClientMount",
            })]),
            ..fs("fs-public")
        };
        let conditioned = EfsFileSystem {
            policy_statements: Some(vec![json!({
                "Effect": "Allow",
                "Principal": { "AWS": "*" },
                "Action": "elasticfilesystem:ClientMount",
                "Condition": { "StringEquals": { "aws:PrincipalAccount": ACCOUNT } },
            })]),
            ..fs("fs-conditioned")
        };
        let unread = EfsFileSystem {
            policy_statements: None,
            ..fs("fs-unread")
        };
        let inv = with(
            vec![fs("fs-good"), none, public, conditioned, unread],
            Some(vec![]),
        );
        let out = run(&OPEN_TO_ANY_CLIENT, &inv);
        assert_eq!(failing(&OPEN_TO_ANY_CLIENT, &inv), ["fs-none", "fs-public"]);
        assert_eq!(unknown(&out), ["fs-unread"]);
    }
}
