//! S3 (global): the account-level public access block (through S3 Control) and every
//! bucket with its public access, policy, encryption, versioning, logging and ownership
//! settings. A bucket setting that
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
    let acl_public = r
        .ok(
            "GetBucketAcl",
            c.get_bucket_acl().bucket(&name).send().await,
        )
        .map(|acl| {
            acl.grants().iter().any(|g| {
                g.grantee().and_then(|g| g.uri()).is_some_and(|u| {
                    u.ends_with("/global/AllUsers") || u.ends_with("/global/AuthenticatedUsers")
                })
            })
        });
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
    let tls_only = setting(
        r,
        "GetBucketPolicy",
        c.get_bucket_policy().bucket(&name).send().await.map(|p| {
            p.policy()
                .map(policy_document)
                .is_some_and(|d| denies_insecure_transport(&d))
        }),
        "NoSuchBucketPolicy",
        || false,
    );
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
        tags: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::denies_insecure_transport;

    #[test]
    fn a_tls_only_policy_is_recognised() {
        let deny = json!({ "Statement": [{ "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] });
        let allow = json!({ "Statement": { "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject" } });
        assert!(denies_insecure_transport(&deny));
        assert!(!denies_insecure_transport(&allow));
    }
}
