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
        &BUCKET_PUBLIC_ACCESS_BLOCK_OFF,
        &BUCKET_ACL_PUBLIC_LIST,
        &BUCKET_POLICY_CROSS_ACCOUNT,
        &BUCKET_NOT_KMS_ENCRYPTED,
        &BUCKET_NO_LIFECYCLE_RULES,
        &BUCKET_NO_EVENT_NOTIFICATIONS,
        &BUCKET_NO_CROSS_REGION_REPLICATION,
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
    each_bucket_of(inv, sink, |b, _| judge(b))
}

/// [`each_bucket`] for judgements that also read the rest of S3 (the account-level block,
/// the other buckets).
fn each_bucket_of(
    inv: &Inventory,
    sink: &mut Sink,
    judge: impl Fn(&Bucket, &S3Inventory) -> Option<Option<Value>>,
) {
    let Some(s3) = &inv.s3 else { return };
    for bucket in &s3.buckets {
        match judge(bucket, s3) {
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

/// The accounts named by a policy statement's `Principal.AWS` (an account ID, or the
/// account of an ARN), as written, other than `own` (`*` is not an account: the public
/// checks judge it).
fn foreign_principals(principal: &Value, own: &str) -> Vec<String> {
    let aws = match principal {
        Value::Object(m) => m.get("AWS"),
        _ => None,
    };
    let listed: Vec<&str> = match aws {
        Some(Value::String(p)) => vec![p.as_str()],
        Some(Value::Array(ps)) => ps.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    listed
        .into_iter()
        .filter(|p| {
            let account = if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                Some(*p)
            } else {
                arn::account_of(p)
            };
            account.is_some_and(|a| a != own)
        })
        .map(str::to_owned)
        .collect()
}

/// The `Allow` statements of a resource policy that grant principals of accounts other
/// than `own`, each as its `Sid`, those principals, its actions and its condition.
pub(crate) fn cross_account_grants(statements: &[Value], own: &str) -> Vec<Value> {
    statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .filter_map(|s| {
            let principals = foreign_principals(&s["Principal"], own);
            (!principals.is_empty()).then(|| {
                json!({
                    "sid": s.get("Sid"),
                    "principals": principals,
                    "actions": s.get("Action"),
                    "condition": s.get("Condition"),
                })
            })
        })
        .collect()
}

pub static BUCKET_PUBLIC_ACCESS_BLOCK_OFF: Rule = Rule {
    id: "s3-bucket-public-access-block-off",
    title: "S3 bucket has Block Public Access off, and the account's is off too",
    severity: Severity::Medium,
    description: "Neither the bucket nor the account has all four Block Public Access settings \
                  on, so nothing stops an ACL or a bucket policy, added by mistake or by an \
                  intruder, from making the bucket's objects public.",
    remediation: "Turn on all four settings for the bucket (`aws s3api put-public-access-block \
                  --bucket <name> --public-access-block-configuration \
                  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`), \
                  or for the whole account (`aws s3control put-public-access-block`), after \
                  moving intentionally public content behind CloudFront.",
    compliance: &["AWS FSBP S3.8"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket_of(inv, sink, |b, s3| {
            let account = s3
                .account_block_readable
                .then_some(s3.account_public_access_block.as_ref());
            let own = b.public_access_block.as_ref().map(Option::as_ref);
            let on = or3(
                own.map(|b| b.is_some_and(PublicAccessBlock::is_fully_on)),
                account.map(|b| b.is_some_and(PublicAccessBlock::is_fully_on)),
            )?;
            Some((!on).then(|| {
                json!({
                    "bucketPublicAccessBlock": own.map_or(Value::Null, block_json),
                    "accountPublicAccessBlock": account.map_or(Value::Null, block_json),
                })
            }))
        })
    },
};

pub static BUCKET_ACL_PUBLIC_LIST: Rule = Rule {
    id: "s3-bucket-acl-public-list",
    title: "S3 bucket ACL lets anyone list its objects",
    severity: Severity::High,
    description: "The bucket's ACL grants `READ` (or `FULL_CONTROL`) to all users or to every \
                  authenticated AWS user, and no `IgnorePublicAcls` setting neutralises it: \
                  anyone can list every object key, a map of what the bucket holds and of any \
                  object that is itself readable.",
    remediation: "Make the ACL private (`aws s3api put-bucket-acl --bucket <name> --acl \
                  private`), then disable ACLs (`aws s3api put-bucket-ownership-controls \
                  --bucket <name> --ownership-controls \
                  'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'`) and turn on Block Public \
                  Access.",
    compliance: &["AWS FSBP S3.2"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket_of(inv, sink, |b, s3| {
            let listing: Vec<&String> = b
                .acl_public_grants
                .as_ref()?
                .iter()
                .filter(|g| g.ends_with(":READ") || g.ends_with(":FULL_CONTROL"))
                .collect();
            if listing.is_empty() {
                return Some(None);
            }
            let account = s3
                .account_block_readable
                .then_some(s3.account_public_access_block.as_ref());
            let own = b.public_access_block.as_ref().map(Option::as_ref);
            let ignored = or3(
                own.map(|b| b.is_some_and(|b| b.ignore_public_acls)),
                account.map(|b| b.is_some_and(|b| b.ignore_public_acls)),
            )?;
            Some((!ignored).then(|| json!({ "publicAclGrants": listing })))
        })
    },
};

pub static BUCKET_POLICY_CROSS_ACCOUNT: Rule = Rule {
    id: "s3-bucket-policy-cross-account",
    title: "S3 bucket policy grants access to other AWS accounts",
    severity: Severity::Medium,
    description: "The bucket policy allows principals of other AWS accounts. Whoever controls \
                  those accounts (a partner, a former vendor, an attacker who compromised them) \
                  reaches the bucket with the actions granted, outside this account's IAM and \
                  its reviews.",
    remediation: "Review each account named: remove the statements no longer needed (`aws s3api \
                  put-bucket-policy --bucket <name> --policy file://policy.json`), narrow the \
                  others to the actions and prefixes required, and never grant another \
                  account `s3:PutBucketPolicy`, `s3:PutBucketAcl` or `s3:DeleteBucket*`.",
    compliance: &["AWS FSBP S3.6"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let grants = cross_account_grants(b.policy_statements.as_ref()?, &inv.account_id);
            Some((!grants.is_empty()).then(|| json!({ "crossAccountStatements": grants })))
        })
    },
};

pub static BUCKET_NOT_KMS_ENCRYPTED: Rule = Rule {
    id: "s3-bucket-not-kms-encrypted",
    title: "S3 bucket default encryption does not use AWS KMS",
    severity: Severity::Low,
    description: "New objects are encrypted with S3-managed keys (SSE-S3) or not by default. \
                  With SSE-KMS, reading an object also needs `kms:Decrypt` on a key whose \
                  policy the account controls, every decryption is recorded in CloudTrail, and \
                  disabling the key cuts off all access at once.",
    remediation: "Set SSE-KMS as the default (`aws s3api put-bucket-encryption --bucket <name> \
                  --server-side-encryption-configuration \
                  '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"<key-arn>\"},\"BucketKeyEnabled\":true}]}'`) \
                  and re-copy existing objects to re-encrypt them.",
    compliance: &["AWS FSBP S3.17"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let algorithm = b.encryption.as_ref()?;
            let kms = matches!(algorithm.as_deref(), Some("aws:kms" | "aws:kms:dsse"));
            Some((!kms).then(|| json!({ "defaultEncryption": algorithm })))
        })
    },
};

pub static BUCKET_NO_LIFECYCLE_RULES: Rule = Rule {
    id: "s3-bucket-no-lifecycle-rules",
    title: "S3 bucket has no enabled lifecycle rule",
    severity: Severity::Low,
    description: "Nothing expires or archives the bucket's objects (or, when versioned, its old \
                  versions): data outlives its purpose and its retention policy, so a leak or a \
                  compromise exposes years of it, and noncurrent versions pile up unseen.",
    remediation: "Add lifecycle rules matching the data's retention (`aws s3api \
                  put-bucket-lifecycle-configuration --bucket <name> --lifecycle-configuration \
                  file://lifecycle.json`), e.g. expiring noncurrent versions after 90 days and \
                  aborting incomplete multipart uploads.",
    compliance: &["AWS FSBP S3.13"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let enabled = b.lifecycle_enabled?;
            Some((!enabled).then(|| json!({ "lifecycleRulesEnabled": false })))
        })
    },
};

pub static BUCKET_NO_EVENT_NOTIFICATIONS: Rule = Rule {
    id: "s3-bucket-no-event-notifications",
    title: "S3 bucket sends no event notifications",
    severity: Severity::Low,
    description: "The bucket notifies no SNS topic, SQS queue, Lambda function or EventBridge of \
                  its object events, so a mass deletion, an overwrite or an unexpected upload \
                  raises nothing until someone looks.",
    remediation: "Send the bucket's events to EventBridge (`aws s3api \
                  put-bucket-notification-configuration --bucket <name> \
                  --notification-configuration '{\"EventBridgeConfiguration\":{}}'`) or to a \
                  topic or queue, and alert on deletions and unexpected writes.",
    compliance: &["AWS FSBP S3.11"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        each_bucket(inv, sink, |b| {
            let on = b.event_notifications?;
            Some((!on).then(|| json!({ "eventNotifications": false })))
        })
    },
};

pub static BUCKET_NO_CROSS_REGION_REPLICATION: Rule = Rule {
    id: "s3-bucket-no-cross-region-replication",
    title: "S3 bucket is not replicated to another region",
    severity: Severity::Low,
    description: "No enabled replication rule copies the bucket's objects to a bucket in \
                  another region, so a regional outage, or a deletion the versions do not \
                  cover (an intruder's, a faulty lifecycle rule's), leaves no second copy.",
    remediation: "Enable versioning on the bucket and on a bucket in another region, then add a \
                  replication rule (`aws s3api put-bucket-replication --bucket <name> \
                  --replication-configuration file://replication.json`), ideally to another \
                  account with Object Lock.",
    compliance: &["AWS FSBP S3.7"],
    resource_type: "AWS::S3::Bucket",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| each_bucket_of(inv, sink, cross_region_replication),
};

/// Passes a versioned bucket with an enabled replication rule to a bucket of another
/// region; unknown when a destination is not one of the account's buckets (its region
/// cannot be read) and none is known to be elsewhere.
fn cross_region_replication(b: &Bucket, s3: &S3Inventory) -> Option<Option<Value>> {
    let destinations = b.replication_destinations.as_ref()?;
    if destinations.is_empty() {
        return Some(Some(json!({ "replicationDestinations": [] })));
    }
    if !b.versioning.as_ref()?.enabled {
        return Some(Some(
            json!({ "replicationDestinations": destinations, "versioning": "off" }),
        ));
    }
    let mut unresolved = false;
    for name in destinations {
        let region = s3
            .buckets
            .iter()
            .find(|d| d.name == *name)
            .and_then(|d| d.region.as_deref());
        match (region, b.region.as_deref()) {
            (Some(there), Some(here)) if there != here => return Some(None),
            (Some(_), Some(_)) => {}
            _ => unresolved = true,
        }
    }
    (!unresolved)
        .then(|| Some(json!({ "replicationDestinations": destinations, "sameRegion": true })))
}

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
            acl_public_grants: Some(vec![]),
            policy_statements: Some(vec![]),
            lifecycle_enabled: Some(true),
            event_notifications: Some(true),
            replication_destinations: Some(vec![]),
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
    /// The IDs a rule reports as failing, and those it cannot judge.
    fn verdicts(rule: &'static Rule, inv: &Inventory) -> (Vec<String>, Vec<String>) {
        let out = run(rule, inv);
        let failing = out.findings.iter().map(|f| f.resource_id.clone()).collect();
        (
            failing,
            unknown(&out).into_iter().map(str::to_owned).collect(),
        )
    }

    #[test]
    fn a_bucket_without_a_full_block_of_its_own_or_of_the_account_fails() {
        let own = Bucket {
            public_access_block: Some(Some(full_block())),
            ..bucket("own")
        };
        let partial = Bucket {
            public_access_block: Some(Some(PublicAccessBlock {
                block_public_policy: false,
                ..full_block()
            })),
            ..bucket("partial")
        };
        let unread = Bucket {
            public_access_block: None,
            ..bucket("unread")
        };
        let inv = with_s3(s3(vec![own, partial, bucket("none"), unread.clone()]));
        let (failing, blind) = verdicts(&BUCKET_PUBLIC_ACCESS_BLOCK_OFF, &inv);
        assert_eq!(failing, ["partial", "none"]);
        assert_eq!(blind, ["unread"]);
        let out = run(&BUCKET_PUBLIC_ACCESS_BLOCK_OFF, &inv);
        assert_eq!(
            out.findings[0].evidence["bucketPublicAccessBlock"]["blockPublicPolicy"],
            false
        );
        // The account's full block covers every bucket, an unreadable one's included.
        let account_on = with_s3(S3Inventory {
            account_public_access_block: Some(full_block()),
            ..s3(vec![bucket("none"), unread.clone()])
        });
        assert_eq!(
            verdicts(&BUCKET_PUBLIC_ACCESS_BLOCK_OFF, &account_on),
            (vec![], vec![])
        );
        // The account's block unreadable: only a bucket's own full block decides.
        let account_unread = with_s3(S3Inventory {
            account_block_readable: false,
            ..s3(vec![bucket("none")])
        });
        assert_eq!(
            verdicts(&BUCKET_PUBLIC_ACCESS_BLOCK_OFF, &account_unread),
            (vec![], vec!["none".to_owned()])
        );
    }

    #[test]
    fn an_acl_letting_anyone_list_fails_unless_public_acls_are_ignored() {
        let listed = |name: &str, grant: &str| Bucket {
            acl_public_grants: Some(vec![grant.into()]),
            ..bucket(name)
        };
        let ignored = Bucket {
            public_access_block: Some(Some(PublicAccessBlock {
                ignore_public_acls: true,
                ..Default::default()
            })),
            ..listed("ignored", "AllUsers:READ")
        };
        let unread = Bucket {
            acl_public_grants: None,
            ..bucket("unread")
        };
        let inv = with_s3(s3(vec![
            listed("all-users", "AllUsers:READ"),
            listed("authenticated", "AuthenticatedUsers:FULL_CONTROL"),
            listed("acp-only", "AllUsers:READ_ACP"),
            ignored,
            unread,
            bucket("private"),
        ]));
        let (bad, blind) = verdicts(&BUCKET_ACL_PUBLIC_LIST, &inv);
        assert_eq!(bad, ["all-users", "authenticated"]);
        assert_eq!(blind, ["unread"]);
        let out = run(&BUCKET_ACL_PUBLIC_LIST, &inv);
        assert_eq!(
            out.findings[0].evidence["publicAclGrants"],
            json!(["AllUsers:READ"])
        );
        let account_ignores = with_s3(S3Inventory {
            account_public_access_block: Some(full_block()),
            ..s3(vec![listed("all-users", "AllUsers:READ")])
        });
        assert!(failing(&BUCKET_ACL_PUBLIC_LIST, &account_ignores).is_empty());
    }

    #[test]
    fn a_policy_granting_another_account_fails_and_own_public_or_service_grants_do_not() {
        let with_policy = |name: &str, statement: Value| Bucket {
            policy_statements: Some(vec![statement]),
            ..bucket(name)
        };
        let allow = |principal: Value| {
            json!({ "Sid": "s", "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*" })
        };
        let unread = Bucket {
            policy_statements: None,
            ..bucket("unread")
        };
        let inv = with_s3(s3(vec![
            with_policy(
                "partner-arn",
                allow(json!({ "AWS": "arn:aws:iam::444455556666:root" })),
            ),
            with_policy(
                "partner-id",
                allow(
                    json!({ "AWS": [format!("arn:aws:iam::{ACCOUNT}:role/app"), "444455556666"] }),
                ),
            ),
            with_policy(
                "own",
                allow(json!({ "AWS": format!("arn:aws:iam::{ACCOUNT}:root") })),
            ),
            with_policy("public", allow(json!("*"))),
            with_policy(
                "service",
                allow(json!({ "Service": "logging.s3.amazonaws.com" })),
            ),
            with_policy(
                "denied",
                json!({ "Effect": "Deny", "Principal": { "AWS": "arn:aws:iam::444455556666:root" },
                    "Action": "s3:*" }),
            ),
            unread,
            bucket("no-policy"),
        ]));
        let (failing, blind) = verdicts(&BUCKET_POLICY_CROSS_ACCOUNT, &inv);
        assert_eq!(failing, ["partner-arn", "partner-id"]);
        assert_eq!(blind, ["unread"]);
        let out = run(&BUCKET_POLICY_CROSS_ACCOUNT, &inv);
        assert_eq!(
            out.findings[1].evidence["crossAccountStatements"][0]["principals"],
            json!(["444455556666"])
        );
        assert_eq!(
            out.findings[1].evidence["crossAccountStatements"][0]["actions"],
            "s3:GetObject"
        );
    }

    #[test]
    fn bucket_settings_rules_fail_their_bad_bucket_and_skip_unread_ones() {
        type Set = fn(&mut Bucket);
        let cases: [(&'static Rule, Set, Set, Set); 3] = [
            (
                &BUCKET_NOT_KMS_ENCRYPTED,
                |b| b.encryption = Some(Some("aws:kms".into())),
                |b| b.encryption = Some(Some("AES256".into())),
                |b| b.encryption = None,
            ),
            (
                &BUCKET_NO_LIFECYCLE_RULES,
                |b| b.lifecycle_enabled = Some(true),
                |b| b.lifecycle_enabled = Some(false),
                |b| b.lifecycle_enabled = None,
            ),
            (
                &BUCKET_NO_EVENT_NOTIFICATIONS,
                |b| b.event_notifications = Some(true),
                |b| b.event_notifications = Some(false),
                |b| b.event_notifications = None,
            ),
        ];
        for (rule, fix, spoil, unread) in cases {
            let (mut good, mut bad, mut blind) = (bucket("good"), bucket("bad"), bucket("blind"));
            fix(&mut good);
            spoil(&mut bad);
            unread(&mut blind);
            let (failing, skipped) = verdicts(rule, &with_s3(s3(vec![good, bad, blind])));
            assert_eq!(failing, ["bad"], "{}", rule.id);
            assert_eq!(skipped, ["blind"], "{}", rule.id);
        }
        // No default encryption at all is not KMS either; DSSE-KMS is.
        let mut none = bucket("none");
        none.encryption = Some(None);
        let mut dsse = bucket("dsse");
        dsse.encryption = Some(Some("aws:kms:dsse".into()));
        assert_eq!(
            failing(&BUCKET_NOT_KMS_ENCRYPTED, &with_s3(s3(vec![none, dsse]))),
            ["none"]
        );
    }

    #[test]
    fn replication_passes_only_to_a_bucket_of_another_region() {
        let replicated = |name: &str, to: &str| Bucket {
            replication_destinations: Some(vec![to.into()]),
            ..bucket(name)
        };
        let replica = Bucket {
            region: Some("us-east-1".into()),
            ..bucket("replica")
        };
        let unversioned = Bucket {
            versioning: Some(Versioning::default()),
            ..replicated("unversioned", "replica")
        };
        let unread = Bucket {
            replication_destinations: None,
            ..bucket("unread")
        };
        let inv = with_s3(s3(vec![
            replicated("elsewhere", "replica"),
            replicated("same-region", "sibling"),
            replicated("foreign", "another-accounts-bucket"),
            bucket("sibling"),
            replica,
            unversioned,
            unread,
        ]));
        let (failing, blind) = verdicts(&BUCKET_NO_CROSS_REGION_REPLICATION, &inv);
        // sibling and replica replicate nowhere themselves.
        assert_eq!(
            failing,
            ["same-region", "sibling", "replica", "unversioned"]
        );
        assert_eq!(blind, ["foreign", "unread"]);
        let out = run(&BUCKET_NO_CROSS_REGION_REPLICATION, &inv);
        assert_eq!(out.findings[0].evidence["sameRegion"], true);
        assert_eq!(out.findings[3].evidence["versioning"], "off");
    }
}
