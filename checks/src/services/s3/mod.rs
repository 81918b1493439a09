//! S3: the inventory model of buckets and the account-level public access block, and their rules.

pub mod model;

use serde_json::{Value, json};

use crate::arn;
use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{Bucket, Inventory, PublicAccessBlock, S3Inventory},
};

/// S3's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Account("s3", read);

fn read(inv: &crate::model::Inventory) -> bool {
    inv.s3.is_some()
}

/// S3 in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "s3",
    assets: crate::services::ListAssets::Account(assets),
    rules: &[
        &ACCOUNT_PUBLIC_ACCESS_BLOCK_OFF,
        &BUCKET_PUBLIC,
        &BUCKET_NO_TLS_ONLY,
        &BUCKET_NO_DEFAULT_ENCRYPTION,
        &BUCKET_VERSIONING_OFF,
        &BUCKET_MFA_DELETE_OFF,
        &BUCKET_ACCESS_LOGGING_OFF,
        &BUCKET_ACLS_ENABLED,
    ],
};

/// Lists the buckets.
fn assets(inv: &Inventory, out: &mut crate::services::Assets) {
    let Some(s3) = &inv.s3 else {
        return;
    };
    for b in &s3.buckets {
        let arn = Some(format!("arn:aws:s3:::{}", b.name));
        out.add_global("AWS::S3::Bucket", &b.name, arn, crate::services::json(b));
    }
    out.complete(GLOBAL, "AWS::S3::Bucket");
}

/// Kleene "or" over values that may be unknown (`None`).
fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Kleene "and" over values that may be unknown (`None`).
fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// A public access block's settings, for evidence (`null`: none configured).
fn block_json(block: Option<&PublicAccessBlock>) -> Value {
    block.map_or(Value::Null, |b| {
        json!({
            "blockPublicAcls": b.block_public_acls,
            "ignorePublicAcls": b.ignore_public_acls,
            "blockPublicPolicy": b.block_public_policy,
            "restrictPublicBuckets": b.restrict_public_buckets,
        })
    })
}

/// Whether a bucket is public once the public access blocks apply: a public ACL counts
/// unless `IgnorePublicAcls` is on for the bucket or the account, a public policy unless
/// `RestrictPublicBuckets` is (a fully-on block has both). `None`: what decides it could not
/// be read. With `Some(true)` comes the evidence.
pub(crate) fn bucket_public(bucket: &Bucket, s3: &S3Inventory) -> (Option<bool>, Value) {
    let account = s3
        .account_block_readable
        .then_some(s3.account_public_access_block.as_ref());
    let own = bucket.public_access_block.as_ref().map(Option::as_ref);
    let setting = |on: fn(&PublicAccessBlock) -> bool| {
        or3(
            own.map(|b| b.is_some_and(on)),
            account.map(|b| b.is_some_and(on)),
        )
    };
    let ignore_acls = setting(|b| b.ignore_public_acls).map(|on| !on);
    let restrict_policy = setting(|b| b.restrict_public_buckets).map(|on| !on);
    let by_acl = and3(bucket.acl_public, ignore_acls);
    let by_policy = and3(bucket.policy_public, restrict_policy);
    let evidence = json!({
        "publicByAcl": by_acl == Some(true),
        "publicByPolicy": by_policy == Some(true),
        "aclPublic": bucket.acl_public,
        "policyPublic": bucket.policy_public,
        "bucketPublicAccessBlock": own.map_or(Value::Null, block_json),
        "accountPublicAccessBlock": account.map_or(Value::Null, block_json),
    });
    (or3(by_acl, by_policy), evidence)
}

pub static ACCOUNT_PUBLIC_ACCESS_BLOCK_OFF: Rule = Rule {
    id: "s3-account-public-access-block-off",
    title: "S3 Block Public Access is not fully on for the account",
    severity: Severity::Medium,
    description: "With all four account-level Block Public Access settings on, no bucket of the \
                  account can be made public by an ACL or a policy, whatever its own settings. \
                  Without it, one mistaken bucket policy or ACL exposes data to the internet.",
    remediation: "Turn on all four settings (`aws s3control put-public-access-block --account-id \
                  <account> --public-access-block-configuration \
                  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`, \
                  or S3 console > Block Public Access settings for this account) after moving \
                  intentionally public content behind CloudFront.",
    compliance: &["CIS AWS Foundations v5.0.0 2.1.4", "AWS FSBP S3.1"],
    resource_type: "AWS::S3::AccountPublicAccessBlock",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: account_public_access_block_off,
};

fn account_public_access_block_off(inv: &Inventory, sink: &mut Sink) {
    let Some(s3) = &inv.s3 else { return };
    if !s3.account_block_readable {
        sink.unknown(GLOBAL, &inv.account_id);
        return;
    }
    let block = s3.account_public_access_block.as_ref();
    if !block.is_some_and(PublicAccessBlock::is_fully_on) {
        sink.fail(
            GLOBAL,
            &inv.account_id,
            None,
            json!({ "configured": block.is_some(), "settings": block_json(block) }),
        );
    }
}

pub static BUCKET_PUBLIC: Rule = Rule {
    id: "s3-bucket-public",
    title: "S3 bucket is public",
    severity: Severity::High,
    description: "The bucket's ACL or policy grants access to everyone (or to any AWS account), \
                  and no public access block neutralises it. Public buckets are continuously \
                  enumerated and are one of the most common causes of cloud data leaks.",
    remediation: "Remove the public grants (`aws s3api put-bucket-acl --bucket <name> --acl \
                  private`, and the `\"Principal\": \"*\"` statements of the policy), then turn on \
                  Block Public Access (`aws s3api put-public-access-block --bucket <name> \
                  --public-access-block-configuration ...`); serve public content through \
                  CloudFront with origin access control instead.",
    compliance: &["AWS FSBP S3.2", "AWS FSBP S3.3"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: bucket_public_check,
};

fn bucket_public_check(inv: &Inventory, sink: &mut Sink) {
    let Some(s3) = &inv.s3 else { return };
    for bucket in &s3.buckets {
        match bucket_public(bucket, s3) {
            (Some(true), mut evidence) => {
                evidence["bucketRegion"] = json!(bucket.region);
                sink.fail(
                    GLOBAL,
                    &bucket.name,
                    Some(arn::bucket(inv, &bucket.name)),
                    evidence,
                );
            }
            (None, _) => sink.unknown(GLOBAL, &bucket.name),
            (Some(false), _) => {}
        }
    }
}

pub static BUCKET_NO_TLS_ONLY: Rule = Rule {
    id: "s3-bucket-no-tls-only",
    title: "S3 bucket accepts requests without TLS",
    severity: Severity::Medium,
    description: "The bucket policy does not deny requests made over plain HTTP, so a client \
                  misconfigured to use `http://` sends data and signed requests in clear text that \
                  anyone on the network path can read or tamper with.",
    remediation: "Add a statement denying `s3:*` on the bucket and its objects when \
                  `aws:SecureTransport` is `false` (`aws s3api put-bucket-policy --bucket <name> \
                  --policy file://policy.json`, merging with the existing policy).",
    compliance: &["CIS AWS Foundations v5.0.0 2.1.1", "AWS FSBP S3.5"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: bucket_no_tls_only,
};

fn bucket_no_tls_only(inv: &Inventory, sink: &mut Sink) {
    let Some(s3) = &inv.s3 else { return };
    for bucket in &s3.buckets {
        match bucket.tls_only {
            Some(false) => sink.fail(
                GLOBAL,
                &bucket.name,
                Some(arn::bucket(inv, &bucket.name)),
                json!({ "tlsOnly": false, "bucketRegion": bucket.region }),
            ),
            None => sink.unknown(GLOBAL, &bucket.name),
            Some(true) => {}
        }
    }
}

pub static BUCKET_NO_DEFAULT_ENCRYPTION: Rule = Rule {
    id: "s3-bucket-no-default-encryption",
    title: "S3 bucket has no default encryption configured",
    severity: Severity::Low,
    description: "The bucket has no default encryption configuration. Since January 2023 S3 \
                  encrypts every new object with SSE-S3 even without one, so this is hygiene: \
                  objects written before then may be unencrypted, and choosing SSE-KMS adds key \
                  policies and CloudTrail records of every decryption.",
    remediation: "Set default encryption (`aws s3api put-bucket-encryption --bucket <name> \
                  --server-side-encryption-configuration \
                  '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\"},\"BucketKeyEnabled\":true}]}'`) \
                  and re-copy objects older than 2023 to encrypt them.",
    compliance: &[],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: bucket_no_default_encryption,
};

fn bucket_no_default_encryption(inv: &Inventory, sink: &mut Sink) {
    let Some(s3) = &inv.s3 else { return };
    for bucket in &s3.buckets {
        match &bucket.encryption {
            Some(None) => sink.fail(
                GLOBAL,
                &bucket.name,
                Some(arn::bucket(inv, &bucket.name)),
                json!({ "defaultEncryption": null, "bucketRegion": bucket.region }),
            ),
            None => sink.unknown(GLOBAL, &bucket.name),
            Some(Some(_)) => {}
        }
    }
}

/// Reports every bucket whose setting `judge` reads as failing (`Some(evidence)`), and as
/// unknown those whose setting could not be read (`None`); `Some(None)` passes.
fn each_bucket(inv: &Inventory, sink: &mut Sink, judge: impl Fn(&Bucket) -> Option<Option<Value>>) {
    let Some(s3) = &inv.s3 else { return };
    for bucket in &s3.buckets {
        match judge(bucket) {
            Some(Some(mut evidence)) => {
                evidence["bucketRegion"] = json!(bucket.region);
                sink.fail(
                    GLOBAL,
                    &bucket.name,
                    Some(arn::bucket(inv, &bucket.name)),
                    evidence,
                );
            }
            None => sink.unknown(GLOBAL, &bucket.name),
            Some(None) => {}
        }
    }
}

pub static BUCKET_VERSIONING_OFF: Rule = Rule {
    id: "s3-bucket-versioning-off",
    title: "S3 bucket does not keep object versions",
    severity: Severity::Low,
    description: "Versioning is off (or suspended), so an overwrite or a delete destroys the \
                  object for good: a faulty job, a mistaken `aws s3 sync --delete` or ransomware \
                  encrypting objects in place leaves nothing to restore.",
    remediation: "Enable versioning (`aws s3api put-bucket-versioning --bucket <name> \
                  --versioning-configuration Status=Enabled`) and add a lifecycle rule expiring \
                  noncurrent versions to bound the cost.",
    compliance: &["AWS FSBP S3.14"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let v = b.versioning.as_ref()?;
            Some((!v.enabled).then(|| json!({ "versioning": "off" })))
        })
    },
};

pub static BUCKET_MFA_DELETE_OFF: Rule = Rule {
    id: "s3-bucket-mfa-delete-off",
    title: "Versioned S3 bucket does not require MFA to delete versions",
    severity: Severity::Low,
    description: "The bucket keeps versions but anyone with `s3:DeleteObjectVersion` (or \
                  permission to suspend versioning) can erase them without MFA, so stolen \
                  credentials are enough to destroy the history versioning was meant to keep.",
    remediation: "As the root user with its MFA device, enable MFA delete (`aws s3api \
                  put-bucket-versioning --bucket <name> --versioning-configuration \
                  Status=Enabled,MFADelete=Enabled --mfa '<serial> <code>'`), or use Object \
                  Lock where retention must be enforced.",
    compliance: &["CIS AWS Foundations v5.0.0 2.1.2", "AWS FSBP S3.20"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let v = b.versioning.as_ref()?;
            // Without versioning there are no versions to protect: s3-bucket-versioning-off.
            Some((v.enabled && !v.mfa_delete).then(|| json!({ "mfaDelete": "Disabled" })))
        })
    },
};

pub static BUCKET_ACCESS_LOGGING_OFF: Rule = Rule {
    id: "s3-bucket-access-logging-off",
    title: "S3 bucket has server access logging off",
    severity: Severity::Low,
    description: "Requests to the bucket are not logged, so after a leak there is no record of \
                  who read which objects, from where (CloudTrail records object access only \
                  when data events are on, and is charged per event).",
    remediation: "Send access logs to a dedicated logging bucket (`aws s3api put-bucket-logging \
                  --bucket <name> --bucket-logging-status \
                  '{\"LoggingEnabled\":{\"TargetBucket\":\"<log-bucket>\",\"TargetPrefix\":\"<name>/\"}}'`).",
    compliance: &["AWS FSBP S3.9"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let target = b.logging_target.as_ref()?;
            Some(target.is_none().then(|| json!({ "loggingEnabled": false })))
        })
    },
};

pub static BUCKET_ACLS_ENABLED: Rule = Rule {
    id: "s3-bucket-acls-enabled",
    title: "S3 bucket still honours ACLs",
    severity: Severity::Low,
    description: "Object ownership is not `BucketOwnerEnforced`, so access control lists still \
                  grant access alongside policies: objects uploaded by other accounts may stay \
                  theirs, and an ACL granted on one object is invisible to anyone reviewing \
                  the bucket policy.",
    remediation: "Move any access ACLs grant into the bucket policy, then disable ACLs (`aws \
                  s3api put-bucket-ownership-controls --bucket <name> --ownership-controls \
                  'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'`).",
    compliance: &["AWS FSBP S3.12"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let ownership = b.object_ownership.as_ref()?;
            Some(
                (ownership.as_deref() != Some("BucketOwnerEnforced"))
                    .then(|| json!({ "objectOwnership": ownership })),
            )
        })
    },
};

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fixtures::{ACCOUNT, failing, run, unknown, with_s3};
    use crate::model::Versioning;

    pub fn full_block() -> PublicAccessBlock {
        PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }
    }

    /// A bucket with everything read: private, TLS-only, encrypted, no block of its own.
    pub fn bucket(name: &str) -> Bucket {
        Bucket {
            name: name.into(),
            region: Some("eu-west-1".into()),
            public_access_block: Some(None),
            acl_public: Some(false),
            policy_public: Some(false),
            tls_only: Some(true),
            encryption: Some(Some("AES256".into())),
            versioning: Some(Versioning {
                enabled: true,
                mfa_delete: true,
            }),
            logging_target: Some(Some("logs".into())),
            object_ownership: Some(Some("BucketOwnerEnforced".into())),
            object_lock: Some(true),
            ..Default::default()
        }
    }

    /// An account whose account-level block was read and is absent.
    pub fn s3(buckets: Vec<Bucket>) -> S3Inventory {
        S3Inventory {
            account_public_access_block: None,
            account_block_readable: true,
            buckets,
        }
    }

    #[test]
    fn an_account_block_fully_on_passes_and_a_partial_or_missing_one_fails() {
        assert!(
            failing(
                &ACCOUNT_PUBLIC_ACCESS_BLOCK_OFF,
                &with_s3(S3Inventory {
                    account_public_access_block: Some(full_block()),
                    ..s3(vec![])
                })
            )
            .is_empty()
        );
        let partial = PublicAccessBlock {
            restrict_public_buckets: false,
            ..full_block()
        };
        let partial = with_s3(S3Inventory {
            account_public_access_block: Some(partial),
            ..s3(vec![])
        });
        let out = run(&ACCOUNT_PUBLIC_ACCESS_BLOCK_OFF, &partial);
        assert_eq!(out.findings[0].resource_id, ACCOUNT);
        assert_eq!(out.findings[0].region, GLOBAL);
        assert_eq!(
            out.findings[0].evidence["settings"]["restrictPublicBuckets"],
            false
        );
        assert_eq!(
            failing(&ACCOUNT_PUBLIC_ACCESS_BLOCK_OFF, &with_s3(s3(vec![]))),
            [ACCOUNT]
        );
    }

    #[test]
    fn an_unreadable_account_block_is_unknown_not_failing() {
        let inv = with_s3(S3Inventory {
            account_block_readable: false,
            ..s3(vec![])
        });
        let out = run(&ACCOUNT_PUBLIC_ACCESS_BLOCK_OFF, &inv);
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), [ACCOUNT]);
    }

    #[test]
    fn buckets_public_by_acl_or_policy_fail_and_a_private_one_passes() {
        let by_acl = Bucket {
            acl_public: Some(true),
            ..bucket("by-acl")
        };
        let by_policy = Bucket {
            policy_public: Some(true),
            ..bucket("by-policy")
        };
        let inv = with_s3(s3(vec![by_acl, by_policy, bucket("private")]));
        let out = run(&BUCKET_PUBLIC, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["by-acl", "by-policy"]);
        assert_eq!(out.findings[0].evidence["publicByAcl"], true);
        assert_eq!(out.findings[1].evidence["publicByPolicy"], true);
        assert_eq!(
            out.findings[0].resource_arn.as_deref(),
            Some("arn:aws:s3:::by-acl")
        );
    }

    #[test]
    fn a_public_bucket_is_neutralised_by_a_full_bucket_or_account_block() {
        let public = |name: &str| Bucket {
            acl_public: Some(true),
            policy_public: Some(true),
            ..bucket(name)
        };
        let own_block = Bucket {
            public_access_block: Some(Some(full_block())),
            ..public("own-block")
        };
        assert!(failing(&BUCKET_PUBLIC, &with_s3(s3(vec![own_block]))).is_empty());
        let account_block = with_s3(S3Inventory {
            account_public_access_block: Some(full_block()),
            ..s3(vec![public("account-block")])
        });
        assert!(failing(&BUCKET_PUBLIC, &account_block).is_empty());
    }

    #[test]
    fn ignoring_public_acls_does_not_neutralise_a_public_policy() {
        let acls_ignored = PublicAccessBlock {
            ignore_public_acls: true,
            block_public_acls: true,
            ..Default::default()
        };
        let acl_only = Bucket {
            acl_public: Some(true),
            public_access_block: Some(Some(acls_ignored.clone())),
            ..bucket("acl-only")
        };
        let policy_too = Bucket {
            policy_public: Some(true),
            ..acl_only.clone()
        };
        let policy_too = Bucket {
            name: "policy-too".into(),
            ..policy_too
        };
        assert_eq!(
            failing(&BUCKET_PUBLIC, &with_s3(s3(vec![acl_only, policy_too]))),
            ["policy-too"]
        );
    }

    #[test]
    fn a_public_bucket_with_unreadable_blocks_is_unknown_but_a_full_block_still_decides() {
        let unreadable_own = Bucket {
            acl_public: Some(true),
            public_access_block: None,
            ..bucket("unreadable-own")
        };
        let out = run(&BUCKET_PUBLIC, &with_s3(s3(vec![unreadable_own.clone()])));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["unreadable-own"]);

        let account_on = with_s3(S3Inventory {
            account_public_access_block: Some(full_block()),
            ..s3(vec![unreadable_own])
        });
        let out = run(&BUCKET_PUBLIC, &account_on);
        assert!(out.findings.is_empty() && out.unknown.is_empty());

        // A private bucket needs no block to be judged.
        let unread_private = Bucket {
            public_access_block: None,
            ..bucket("unread-private")
        };
        let out = run(
            &BUCKET_PUBLIC,
            &with_s3(S3Inventory {
                account_block_readable: false,
                ..s3(vec![unread_private])
            }),
        );
        assert!(out.findings.is_empty() && out.unknown.is_empty());

        let unread_acl = Bucket {
            acl_public: None,
            ..bucket("unread-acl")
        };
        assert_eq!(
            unknown(&run(&BUCKET_PUBLIC, &with_s3(s3(vec![unread_acl])))),
            ["unread-acl"]
        );
    }

    #[test]
    fn a_bucket_without_a_tls_only_policy_fails_and_unreadable_policy_is_unknown() {
        let plain = Bucket {
            tls_only: Some(false),
            ..bucket("plain")
        };
        let unread = Bucket {
            tls_only: None,
            ..bucket("unread")
        };
        let out = run(
            &BUCKET_NO_TLS_ONLY,
            &with_s3(s3(vec![plain, unread, bucket("tls")])),
        );
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["plain"]);
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn a_bucket_without_default_encryption_fails_and_unreadable_encryption_is_unknown() {
        let none = Bucket {
            encryption: Some(None),
            ..bucket("none")
        };
        let unread = Bucket {
            encryption: None,
            ..bucket("unread")
        };
        let out = run(
            &BUCKET_NO_DEFAULT_ENCRYPTION,
            &with_s3(s3(vec![none, unread, bucket("sse")])),
        );
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["none"]);
        assert_eq!(unknown(&out), ["unread"]);
    }

    #[test]
    fn each_bucket_setting_rule_fails_its_bad_bucket_passes_the_good_one_and_skips_unread() {
        type Set = fn(&mut Bucket);
        let cases: [(&'static Rule, Set, Set); 4] = [
            (
                &BUCKET_VERSIONING_OFF,
                |b| b.versioning = Some(Versioning::default()),
                |b| b.versioning = None,
            ),
            (
                &BUCKET_MFA_DELETE_OFF,
                |b| {
                    b.versioning = Some(Versioning {
                        enabled: true,
                        mfa_delete: false,
                    })
                },
                |b| b.versioning = None,
            ),
            (
                &BUCKET_ACCESS_LOGGING_OFF,
                |b| b.logging_target = Some(None),
                |b| b.logging_target = None,
            ),
            (
                &BUCKET_ACLS_ENABLED,
                |b| b.object_ownership = Some(Some("ObjectWriter".into())),
                |b| b.object_ownership = None,
            ),
        ];
        for (rule, spoil, unread) in cases {
            let mut bad = bucket("bad");
            spoil(&mut bad);
            let mut blind = bucket("blind");
            unread(&mut blind);
            let out = run(rule, &with_s3(s3(vec![bucket("good"), bad, blind])));
            let ids: Vec<_> = out
                .findings
                .iter()
                .map(|f| f.resource_id.as_str())
                .collect();
            assert_eq!(ids, ["bad"], "{}", rule.id);
            assert_eq!(unknown(&out), ["blind"], "{}", rule.id);
        }
        // No ownership controls at all: ACLs apply.
        let mut none = bucket("none");
        none.object_ownership = Some(None);
        assert_eq!(
            failing(&BUCKET_ACLS_ENABLED, &with_s3(s3(vec![none]))),
            ["none"]
        );
        // MFA delete is not asked of an unversioned bucket.
        let mut unversioned = bucket("unversioned");
        unversioned.versioning = Some(Versioning::default());
        assert!(failing(&BUCKET_MFA_DELETE_OFF, &with_s3(s3(vec![unversioned]))).is_empty());
    }
}
