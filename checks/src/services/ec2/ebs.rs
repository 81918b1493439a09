//! EBS rules: volumes, default encryption, snapshots.

use serde_json::json;

use crate::arn;
use crate::{Rule, Scope, Severity, Sink, model::Inventory};

pub static EBS_VOLUME_UNENCRYPTED: Rule = Rule {
    id: "ec2-ebs-volume-unencrypted",
    title: "EBS volume is not encrypted",
    severity: Severity::Medium,
    description: "The volume's data, and every snapshot taken of it, is stored unencrypted: anyone \
                  who obtains a snapshot (through a mistaken share or a compromised principal with \
                  `ec2:CreateVolume`) reads it without needing a KMS key grant.",
    remediation: "Volumes cannot be encrypted in place: snapshot it, copy the snapshot with \
                  encryption (`aws ec2 copy-snapshot --source-snapshot-id <snap-id> --encrypted \
                  --kms-key-id <key>`), create a volume from the copy and swap it in; turn on EBS \
                  encryption by default so new volumes are encrypted.",
    compliance: &["AWS FSBP EC2.3"],
    resource_type: "AWS::EC2::Volume",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: ebs_volume_unencrypted,
};

fn ebs_volume_unencrypted(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for volume in &ec2.volumes {
            if volume.encrypted || matches!(volume.state.as_str(), "deleting" | "deleted") {
                continue;
            }
            let arn = arn::ec2(inv, &region.region, "volume", &volume.volume_id);
            sink.fail(
                &region.region,
                &volume.volume_id,
                Some(arn),
                json!({
                    "encrypted": false,
                    "sizeGib": volume.size_gib,
                    "state": volume.state,
                    "attachedInstanceId": volume.attached_instance_id,
                }),
            );
        }
    }
}

pub static EBS_DEFAULT_ENCRYPTION_OFF: Rule = Rule {
    id: "ec2-ebs-default-encryption-off",
    title: "EBS encryption by default is off in the region",
    severity: Severity::Medium,
    description: "New EBS volumes and snapshot copies in this region are created unencrypted \
                  unless every launch asks for encryption. Turning the regional default on makes \
                  encryption impossible to forget, for people and for tools alike.",
    remediation: "Turn it on in each region (`aws ec2 enable-ebs-encryption-by-default --region \
                  <region>`, or EC2 console > Settings > Data protection and security), optionally \
                  with a customer-managed key (`aws ec2 modify-ebs-default-kms-key-id`).",
    compliance: &["CIS AWS Foundations v5.0.0 5.1.1", "AWS FSBP EC2.7"],
    resource_type: "AWS::EC2::Region",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: ebs_default_encryption_off,
};

fn ebs_default_encryption_off(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        match ec2.ebs_encryption_by_default {
            Some(false) => sink.fail(
                &region.region,
                &region.region,
                None,
                json!({ "ebsEncryptionByDefault": false }),
            ),
            None => sink.unknown(&region.region, &region.region),
            Some(true) => {}
        }
    }
}

pub static SNAPSHOT_PUBLIC: Rule = Rule {
    id: "ec2-snapshot-public",
    title: "EBS snapshot is public",
    severity: Severity::Critical,
    description: "Every AWS account can create a volume from this snapshot and read all of its \
                  data. Public snapshots are actively searched for, and regularly expose \
                  databases, keys and credentials.",
    remediation: "Remove the public permission (`aws ec2 modify-snapshot-attribute --snapshot-id \
                  <snap-id> --attribute createVolumePermission --operation-type remove \
                  --group-names all`) and enable block public access for snapshots (`aws ec2 \
                  enable-snapshot-block-public-access --state block-all-sharing`).",
    compliance: &["AWS FSBP EC2.1"],
    resource_type: "AWS::EC2::Snapshot",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: snapshot_public,
};

fn snapshot_public(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for snapshot in &ec2.snapshots {
            match snapshot.public {
                Some(true) => {
                    let arn = arn::ec2_unowned(&region.region, "snapshot", &snapshot.snapshot_id);
                    sink.fail(
                        &region.region,
                        &snapshot.snapshot_id,
                        Some(arn),
                        json!({
                            "public": true,
                            "volumeId": snapshot.volume_id,
                            "encrypted": snapshot.encrypted,
                        }),
                    );
                }
                None => sink.unknown(&region.region, &snapshot.snapshot_id),
                Some(false) => {}
            }
        }
    }
}

pub static SNAPSHOT_UNENCRYPTED: Rule = Rule {
    id: "ec2-snapshot-unencrypted",
    title: "EBS snapshot is not encrypted",
    severity: Severity::Medium,
    description: "The snapshot's data is stored unencrypted: whoever it is shared with, by \
                  mistake or by a compromised principal with `ec2:ModifySnapshotAttribute`, \
                  reads it without any KMS key grant, and no key policy can revoke that \
                  access afterwards.",
    remediation: "Copy it with encryption (`aws ec2 copy-snapshot --source-region <region> \
                  --source-snapshot-id <snap-id> --encrypted --kms-key-id <key>`), delete the \
                  unencrypted original, and turn on EBS encryption by default so new volumes \
                  and their snapshots are encrypted.",
    compliance: &[],
    resource_type: "AWS::EC2::Snapshot",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: snapshot_unencrypted,
};

fn snapshot_unencrypted(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        for snapshot in ec2.snapshots.iter().filter(|s| !s.encrypted) {
            let arn = arn::ec2_unowned(&region.region, "snapshot", &snapshot.snapshot_id);
            sink.fail(
                &region.region,
                &snapshot.snapshot_id,
                Some(arn),
                json!({ "encrypted": false, "volumeId": snapshot.volume_id }),
            );
        }
    }
}

pub static EBS_VOLUME_NO_SNAPSHOT: Rule = Rule {
    id: "ec2-ebs-volume-no-snapshot",
    title: "EBS volume has no snapshot",
    severity: Severity::Low,
    description: "No snapshot of the volume exists in the account, so its data cannot be \
                  restored after an accidental deletion, a corrupting bug or ransomware that \
                  encrypts or wipes it.",
    remediation: "Protect it with an AWS Backup plan or a Data Lifecycle Manager policy \
                  (`aws dlm create-lifecycle-policy`), or take a snapshot now (`aws ec2 \
                  create-snapshot --volume-id <vol-id>`); volumes holding nothing worth \
                  restoring (rebuilt from an image) can be accepted as a risk.",
    compliance: &[],
    resource_type: "AWS::EC2::Volume",
    scope: Scope::Regional,
    sources: &[super::SOURCE],
    check: volume_no_snapshot,
};

fn volume_no_snapshot(inv: &Inventory, sink: &mut Sink) {
    for region in &inv.regions {
        let Some(ec2) = &region.ec2 else { continue };
        let snapshotted: std::collections::BTreeSet<&str> = ec2
            .snapshots
            .iter()
            .filter_map(|s| s.volume_id.as_deref())
            .collect();
        for volume in &ec2.volumes {
            if snapshotted.contains(volume.volume_id.as_str())
                || matches!(volume.state.as_str(), "deleting" | "deleted" | "error")
            {
                continue;
            }
            let arn = arn::ec2(inv, &region.region, "volume", &volume.volume_id);
            sink.fail(
                &region.region,
                &volume.volume_id,
                Some(arn),
                json!({
                    "snapshots": 0,
                    "sizeGib": volume.size_gib,
                    "state": volume.state,
                    "attachedInstanceId": volume.attached_instance_id,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{REGION, failing, run, unknown, with_ec2},
        model::{Ec2Inventory, Snapshot, Volume},
    };

    fn volume(id: &str, encrypted: bool, state: &str) -> Volume {
        Volume {
            volume_id: id.into(),
            encrypted,
            size_gib: 8,
            state: state.into(),
            ..Default::default()
        }
    }

    fn snapshot(id: &str, public: Option<bool>) -> Snapshot {
        Snapshot {
            snapshot_id: id.into(),
            public,
            ..Default::default()
        }
    }

    #[test]
    fn an_unencrypted_volume_fails_and_an_encrypted_one_passes() {
        let inv = with_ec2(Ec2Inventory {
            volumes: vec![
                volume("vol-plain", false, "in-use"),
                volume("vol-encrypted", true, "in-use"),
                volume("vol-going", false, "deleting"),
            ],
            ..Default::default()
        });
        assert_eq!(failing(&EBS_VOLUME_UNENCRYPTED, &inv), ["vol-plain"]);
    }

    #[test]
    fn encryption_by_default_off_fails_on_the_region_and_on_passes() {
        let off = with_ec2(Ec2Inventory {
            ebs_encryption_by_default: Some(false),
            ..Default::default()
        });
        let out = run(&EBS_DEFAULT_ENCRYPTION_OFF, &off);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(
            (
                out.findings[0].region.as_str(),
                out.findings[0].resource_id.as_str()
            ),
            (REGION, REGION)
        );
        let on = with_ec2(Ec2Inventory {
            ebs_encryption_by_default: Some(true),
            ..Default::default()
        });
        assert!(failing(&EBS_DEFAULT_ENCRYPTION_OFF, &on).is_empty());
    }

    #[test]
    fn unreadable_encryption_by_default_is_unknown_not_failing() {
        let inv = with_ec2(Ec2Inventory::default());
        let out = run(&EBS_DEFAULT_ENCRYPTION_OFF, &inv);
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), [REGION]);
    }

    #[test]
    fn a_public_snapshot_fails_a_private_one_passes_and_an_unreadable_one_is_unknown() {
        let inv = with_ec2(Ec2Inventory {
            snapshots: vec![
                snapshot("snap-public", Some(true)),
                snapshot("snap-private", Some(false)),
                snapshot("snap-unread", None),
            ],
            ..Default::default()
        });
        let out = run(&SNAPSHOT_PUBLIC, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["snap-public"]);
        assert_eq!(unknown(&out), ["snap-unread"]);
    }

    #[test]
    fn unencrypted_snapshots_and_volumes_without_one_fail() {
        let mut plain = snapshot("snap-plain", Some(false));
        plain.volume_id = Some("vol-backed".into());
        let mut sealed = snapshot("snap-sealed", Some(false));
        sealed.encrypted = true;
        sealed.volume_id = Some("vol-backed-too".into());
        let mut inv = with_ec2(Ec2Inventory {
            volumes: vec![
                volume("vol-backed", false, "in-use"),
                volume("vol-backed-too", true, "in-use"),
                volume("vol-bare", true, "available"),
                volume("vol-going", true, "deleting"),
            ],
            snapshots: vec![plain, sealed],
            ..Default::default()
        });
        assert_eq!(failing(&SNAPSHOT_UNENCRYPTED, &inv), ["snap-plain"]);
        let out = run(&EBS_VOLUME_NO_SNAPSHOT, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["vol-bare"]);
        assert_eq!(out.findings[0].evidence["snapshots"], 0);
        // Unread, nothing is judged.
        inv.regions[0].ec2 = None;
        for rule in [&SNAPSHOT_UNENCRYPTED, &EBS_VOLUME_NO_SNAPSHOT] {
            let out = run(rule, &inv);
            assert!(out.findings.is_empty() && out.complete.is_empty());
        }
    }
}
