//! S3 (global): the account-level public access block (through S3 Control) and every
//! bucket with its public access, ACL grants, policy, encryption, versioning, logging,
//! ownership, lifecycle, event notification and replication settings. A bucket setting that
//! cannot be read leaves that setting unread, not the bucket.

use aws_config::SdkConfig;
use futures::{StreamExt, stream};
use vigil_checks::model::{self as m, Inventory};

use super::{Collect, Fill, Service, fill, iam::policy_document};
use crate::scan::read::{Reader, error_code};

mod control;

/// Per-bucket reads at once.
const PER_ITEM_CONCURRENCY: usize = 8;

/// S3 in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "s3",
    collect: Collect::Global(|r| Box::pin(collect(r))),
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<Inventory> {
    let s3 = read(r).await;
    fill(move |inv: &mut Inventory| inv.s3 = s3)
}

fn client(config: &SdkConfig) -> aws_sdk_s3::Client {
    // Path-style works everywhere (and with endpoint overrides such as a local emulator).
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    )
}

/// Whether a bucket policy denies requests made without TLS.
pub fn denies_insecure_transport(policy: &serde_json::Value) -> bool {
    let statements = match &policy["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        s @ serde_json::Value::Object(_) => vec![s.clone()],
        _ => vec![],
    };
    statements.iter().any(|s| {
        s["Effect"] == "Deny"
            && s["Condition"]["Bool"]["aws:SecureTransport"]
                .as_str()
                .or_else(|| {
                    s["Condition"]["Bool"]["aws:SecureTransport"]
                        .as_bool()
                        .map(|b| if b { "true" } else { "false" })
                })
                == Some("false")
    })
}

async fn read(r: Reader<'_>) -> Option<m::S3Inventory> {
    let c = client(r.config);
    let listed = r.ok("ListBuckets", c.list_buckets().send().await)?;
    let names: Vec<String> = listed
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_owned))
        .collect();
    let buckets = stream::iter(names)
        .map(|name| {
            let c = c.clone();
            async move { bucket(&c, r, name).await }
        })
        .buffered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    let (account_public_access_block, account_block_readable) =
        match control::account_public_access_block(r).await {
            Some(block) => (block, true),
            None => (None, false),
        };
    Some(m::S3Inventory {
        account_public_access_block,
        account_block_readable,
        buckets,
    })
}

fn block(p: &aws_sdk_s3::types::PublicAccessBlockConfiguration) -> m::PublicAccessBlock {
    m::PublicAccessBlock {
        block_public_acls: p.block_public_acls().unwrap_or(false),
        ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
        block_public_policy: p.block_public_policy().unwrap_or(false),
        restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
    }
}

/// A read whose "there is none" answer (`none_code`) is a value, not a problem.
fn setting<T, E>(
    r: Reader<'_>,
    operation: &str,
    result: Result<T, aws_sdk_s3::error::SdkError<E>>,
    none_code: &str,
    none: impl FnOnce() -> T,
) -> Option<T>
where
    E: std::error::Error + aws_sdk_s3::error::ProvideErrorMetadata + Send + Sync + 'static,
{
    match result {
        Err(e) if error_code(&e) == Some(none_code) => Some(none()),
        other => r.ok(operation, other),
    }
}

/// The bucket's region (`None`: unreadable).
async fn location(c: &aws_sdk_s3::Client, name: &str) -> Option<String> {
    c.get_bucket_location()
        .bucket(name)
        .send()
        .await
        .ok()
        .map(|l| {
            l.location_constraint()
                .map(|r| r.as_str().to_owned())
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "us-east-1".into())
        })
}

/// The default encryption algorithm (`Some(None)`: none configured).
async fn encryption(c: &aws_sdk_s3::Client, r: Reader<'_>, name: &str) -> Option<Option<String>> {
    // Before 2023 a bucket could have no default encryption; AWS now answers with SSE-S3,
    // but emulators and old buckets answer "not found".
    setting(
        r,
        "GetBucketEncryption",
        c.get_bucket_encryption()
            .bucket(name)
            .send()
            .await
            .map(|e| {
                e.server_side_encryption_configuration()
                    .and_then(|c| c.rules().first())
                    .and_then(|r| r.apply_server_side_encryption_by_default())
                    .map(|d| d.sse_algorithm().as_str().to_owned())
            }),
        "ServerSideEncryptionConfigurationNotFoundError",
        || None,
    )
}

async fn bucket(c: &aws_sdk_s3::Client, r: Reader<'_>, name: String) -> m::Bucket {
    let region = location(c, &name).await;
    let public_access_block = setting(
        r,
        "GetPublicAccessBlock",
        c.get_public_access_block()
            .bucket(&name)
            .send()
            .await
            .map(|o| o.public_access_block_configuration().map(block)),
        "NoSuchPublicAccessBlockConfiguration",
        || None,
    );
    let acl_public_grants = r
        .ok(
            "GetBucketAcl",
            c.get_bucket_acl().bucket(&name).send().await,
        )
        .map(|acl| public_grants(acl.grants()));
    let acl_public = acl_public_grants.as_ref().map(|g| !g.is_empty());
    let policy_public = setting(
        r,
        "GetBucketPolicyStatus",
        c.get_bucket_policy_status()
            .bucket(&name)
            .send()
            .await
            .map(|s| {
                s.policy_status()
                    .and_then(|p| p.is_public())
                    .unwrap_or(false)
            }),
        "NoSuchBucketPolicy",
        || false,
    );
    let policy = setting(
        r,
        "GetBucketPolicy",
        c.get_bucket_policy()
            .bucket(&name)
            .send()
            .await
            .map(|p| p.policy().map(policy_document)),
        "NoSuchBucketPolicy",
        || None,
    );
    let tls_only = policy
        .as_ref()
        .map(|d| d.as_ref().is_some_and(denies_insecure_transport));
    let policy_statements = policy.map(|d| match d {
        Some(serde_json::Value::Object(mut doc)) => match doc.remove("Statement") {
            Some(serde_json::Value::Array(s)) => s,
            Some(s @ serde_json::Value::Object(_)) => vec![s],
            _ => vec![],
        },
        _ => vec![],
    });
    let encryption = encryption(c, r, &name).await;
    let versioning = r
        .ok(
            "GetBucketVersioning",
            c.get_bucket_versioning().bucket(&name).send().await,
        )
        .map(|v| m::Versioning {
            enabled: v.status().is_some_and(|s| s.as_str() == "Enabled"),
            mfa_delete: v.mfa_delete().is_some_and(|s| s.as_str() == "Enabled"),
        });
    let logging_target = r
        .ok(
            "GetBucketLogging",
            c.get_bucket_logging().bucket(&name).send().await,
        )
        .map(|l| l.logging_enabled().map(|e| e.target_bucket().to_owned()));
    let object_ownership = setting(
        r,
        "GetBucketOwnershipControls",
        c.get_bucket_ownership_controls()
            .bucket(&name)
            .send()
            .await
            .map(|o| {
                o.ownership_controls()
                    .and_then(|c| c.rules().first())
                    .map(|r| r.object_ownership().as_str().to_owned())
            }),
        "OwnershipControlsNotFoundError",
        || None,
    );
    let object_lock = setting(
        r,
        "GetObjectLockConfiguration",
        c.get_object_lock_configuration()
            .bucket(&name)
            .send()
            .await
            .map(|o| {
                o.object_lock_configuration()
                    .and_then(|l| l.object_lock_enabled())
                    .is_some_and(|e| e.as_str() == "Enabled")
            }),
        "ObjectLockConfigurationNotFoundError",
        || false,
    );
    let lifecycle_enabled = setting(
        r,
        "GetBucketLifecycleConfiguration",
        c.get_bucket_lifecycle_configuration()
            .bucket(&name)
            .send()
            .await
            .map(|l| {
                l.rules()
                    .iter()
                    .any(|rule| rule.status().as_str() == "Enabled")
            }),
        "NoSuchLifecycleConfiguration",
        || false,
    );
    let event_notifications = r
        .ok(
            "GetBucketNotificationConfiguration",
            c.get_bucket_notification_configuration()
                .bucket(&name)
                .send()
                .await,
        )
        .map(|n| {
            !n.topic_configurations().is_empty()
                || !n.queue_configurations().is_empty()
                || !n.lambda_function_configurations().is_empty()
                || n.event_bridge_configuration().is_some()
        });
    let replication_destinations = setting(
        r,
        "GetBucketReplication",
        c.get_bucket_replication()
            .bucket(&name)
            .send()
            .await
            .map(|o| {
                o.replication_configuration()
                    .map(|c| {
                        c.rules()
                            .iter()
                            .filter(|rule| rule.status().as_str() == "Enabled")
                            .filter_map(|rule| rule.destination())
                            .map(|d| {
                                let bucket = d.bucket();
                                bucket.rsplit(":::").next().unwrap_or(bucket).to_owned()
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            }),
        "ReplicationConfigurationNotFoundError",
        Vec::new,
    );
    m::Bucket {
        name,
        region,
        public_access_block,
        acl_public,
        policy_public,
        tls_only,
        encryption,
        versioning,
        logging_target,
        object_ownership,
        object_lock,
        acl_public_grants,
        policy_statements,
        lifecycle_enabled,
        event_notifications,
        replication_destinations,
        tags: Default::default(),
    }
}

/// What an ACL grants all users or every authenticated AWS user, as
/// `<group>:<permission>` (`AllUsers:READ`).
fn public_grants(grants: &[aws_sdk_s3::types::Grant]) -> Vec<String> {
    let mut out: Vec<String> = grants
        .iter()
        .filter_map(|g| {
            let uri = g.grantee()?.uri()?;
            let group = ["AllUsers", "AuthenticatedUsers"]
                .into_iter()
                .find(|group| uri.ends_with(&format!("/global/{group}")))?;
            let permission = g.permission().map_or("", |p| p.as_str());
            Some(format!("{group}:{permission}"))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{denies_insecure_transport, public_grants};

    #[test]
    fn a_tls_only_policy_is_recognised() {
        let deny = json!({ "Statement": [{ "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] });
        let allow = json!({ "Statement": { "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject" } });
        assert!(denies_insecure_transport(&deny));
        assert!(!denies_insecure_transport(&allow));
    }
    /// A bucket ACL as `GetBucketAcl` answers it (the owner, then `public-read`'s grant).
    #[test]
    fn public_acl_grants_are_named_by_group_and_permission() {
        use aws_sdk_s3::types::{Grant, Grantee, Permission, Type};
        let grant = |grantee: Grantee, permission: Permission| {
            Grant::builder()
                .grantee(grantee)
                .permission(permission)
                .build()
        };
        let group = |uri: &str| {
            Grantee::builder()
                .r#type(Type::Group)
                .uri(uri)
                .build()
                .unwrap()
        };
        let owner = Grantee::builder()
            .r#type(Type::CanonicalUser)
            .id("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a")
            .build()
            .unwrap();
        let grants = [
            grant(owner, Permission::FullControl),
            grant(
                group("http://acs.amazonaws.com/groups/global/AllUsers"),
                Permission::Read,
            ),
            grant(
                group("http://acs.amazonaws.com/groups/global/AuthenticatedUsers"),
                Permission::ReadAcp,
            ),
            grant(
                group("http://acs.amazonaws.com/groups/s3/LogDelivery"),
                Permission::Write,
            ),
        ];
        assert_eq!(
            public_grants(&grants),
            ["AllUsers:READ", "AuthenticatedUsers:READ_ACP"]
        );
        assert!(public_grants(&grants[..1]).is_empty());
    }
}
