//! The global services: IAM and S3.

use aws_config::SdkConfig;
use aws_sdk_iam::types::{PolicyScopeType, SummaryKeyType};
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use vigil_checks::{GLOBAL, model as m};

use super::collect::{Problem, Problems};

const PER_ITEM_CONCURRENCY: usize = 8;

fn problem_of<E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static>(
    service: &str,
    operation: &str,
    err: &aws_sdk_s3::error::SdkError<E>,
) -> Problem {
    super::collect::problem(GLOBAL, service, operation, err)
}

fn code_of<E: ProvideErrorMetadata>(err: &aws_sdk_s3::error::SdkError<E>) -> Option<&str> {
    err.as_service_error().and_then(|e| e.code())
}

fn utc(t: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos()).unwrap_or_default()
}

/// Decodes a policy document as IAM returns it (URL-encoded JSON).
pub fn policy_document(raw: &str) -> serde_json::Value {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    serde_json::from_str(&decoded)
        .or_else(|_| serde_json::from_str(raw))
        .unwrap_or(serde_json::Value::Null)
}

/// IAM: account summary, password policy, users with MFA, login profiles and keys, and
/// customer-managed policies.
pub async fn iam(config: &SdkConfig, problems: &Problems) -> Option<m::IamInventory> {
    let c = aws_sdk_iam::Client::new(config);
    let summary = match c.get_account_summary().send().await {
        Ok(s) => s,
        Err(e) => {
            problems.push(problem_of("iam", "GetAccountSummary", &e));
            return None;
        }
    };
    let map = summary.summary_map().cloned().unwrap_or_default();
    let password_policy = match c.get_account_password_policy().send().await {
        Ok(p) => p.password_policy().map(|p| m::PasswordPolicy {
            minimum_length: p.minimum_password_length().unwrap_or(8),
            reuse_prevention: p.password_reuse_prevention(),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase: p.require_uppercase_characters(),
            require_lowercase: p.require_lowercase_characters(),
            max_age_days: p.max_password_age(),
        }),
        Err(e) if code_of(&e) == Some("NoSuchEntity") => None,
        Err(e) => {
            problems.push(problem_of("iam", "GetAccountPasswordPolicy", &e));
            return None;
        }
    };
    let users = match c
        .list_users()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(u) => u,
        Err(e) => {
            problems.push(problem_of("iam", "ListUsers", &e));
            return None;
        }
    };
    let details: Vec<Option<m::IamUser>> = stream::iter(users)
        .map(|u| {
            let c = c.clone();
            async move { user(&c, u, problems).await }
        })
        .buffered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    // A user whose details could not be read makes IAM incomplete: checks must not
    // resolve findings on what they could not see.
    let users: Option<Vec<m::IamUser>> = details.into_iter().collect();
    let policies = match c
        .list_policies()
        .scope(PolicyScopeType::Local)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
    {
        Ok(p) => p,
        Err(e) => {
            problems.push(problem_of("iam", "ListPolicies", &e));
            return None;
        }
    };
    let mut out_policies = Vec::new();
    for p in policies {
        let (Some(arn), Some(version)) = (p.arn(), p.default_version_id()) else {
            continue;
        };
        match c
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
        {
            Ok(v) => out_policies.push(m::IamPolicy {
                arn: arn.to_owned(),
                name: p.policy_name().unwrap_or_default().to_owned(),
                document: v
                    .policy_version()
                    .and_then(|pv| pv.document())
                    .map(policy_document)
                    .unwrap_or_default(),
                attachment_count: p.attachment_count().unwrap_or(0),
            }),
            Err(e) => {
                problems.push(problem_of("iam", "GetPolicyVersion", &e));
                return None;
            }
        }
    }
    Some(m::IamInventory {
        root_access_keys_present: map
            .get(&SummaryKeyType::AccountAccessKeysPresent)
            .copied()
            .unwrap_or(0)
            > 0,
        root_mfa_enabled: map
            .get(&SummaryKeyType::AccountMfaEnabled)
            .copied()
            .unwrap_or(0)
            > 0,
        password_policy,
        users: users?,
        policies: out_policies,
    })
}

async fn user(
    c: &aws_sdk_iam::Client,
    u: aws_sdk_iam::types::User,
    problems: &Problems,
) -> Option<m::IamUser> {
    let name = u.user_name().to_owned();
    let mfa = match c.list_mfa_devices().user_name(&name).send().await {
        Ok(m) => m.mfa_devices().len(),
        Err(e) => {
            problems.push(problem_of("iam", "ListMFADevices", &e));
            return None;
        }
    };
    let password_enabled = match c.get_login_profile().user_name(&name).send().await {
        Ok(_) => true,
        Err(e) if code_of(&e) == Some("NoSuchEntity") => false,
        Err(e) => {
            problems.push(problem_of("iam", "GetLoginProfile", &e));
            return None;
        }
    };
    let keys = match c.list_access_keys().user_name(&name).send().await {
        Ok(k) => k.access_key_metadata().to_vec(),
        Err(e) => {
            problems.push(problem_of("iam", "ListAccessKeys", &e));
            return None;
        }
    };
    let mut access_keys = Vec::new();
    for k in keys {
        let id = k.access_key_id().unwrap_or_default().to_owned();
        let last_used = match c.get_access_key_last_used().access_key_id(&id).send().await {
            Ok(l) => l
                .access_key_last_used()
                .and_then(|l| l.last_used_date())
                .map(utc),
            Err(e) => {
                problems.push(problem_of("iam", "GetAccessKeyLastUsed", &e));
                return None;
            }
        };
        access_keys.push(m::AccessKey {
            access_key_id: id,
            status: k
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            created: k.create_date().map(utc).unwrap_or_default(),
            last_used,
        });
    }
    let attached = match c
        .list_attached_user_policies()
        .user_name(&name)
        .send()
        .await
    {
        Ok(a) => a
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_name().map(str::to_owned))
            .collect(),
        Err(e) => {
            problems.push(problem_of("iam", "ListAttachedUserPolicies", &e));
            return None;
        }
    };
    Some(m::IamUser {
        arn: u.arn().to_owned(),
        created: utc(u.create_date()),
        password_last_used: u.password_last_used().map(utc),
        user_name: name,
        password_enabled,
        mfa_devices: mfa,
        access_keys,
        attached_policies: attached,
    })
}

fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
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

/// With an endpoint override (a local AWS emulator), S3 Control's `<account>.` host
/// prefix names a host that does not resolve; send those requests to the endpoint itself.
#[derive(Debug)]
struct AccountHostOnOverride;

impl aws_sdk_s3control::config::Intercept for AccountHostOnOverride {
    fn name(&self) -> &'static str {
        "AccountHostOnOverride"
    }

    fn modify_before_transmit(
        &self,
        ctx: &mut aws_sdk_s3control::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _rc: &aws_sdk_s3control::config::RuntimeComponents,
        _cfg: &mut aws_sdk_s3control::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3control::error::BoxError> {
        let request = ctx.request_mut();
        let uri = request.uri().to_owned();
        if let Some((scheme, rest)) = uri.split_once("://")
            && let Some((label, host)) = rest.split_once('.')
            && label.len() == 12
            && label.bytes().all(|b| b.is_ascii_digit())
        {
            request.set_uri(format!("{scheme}://{host}"))?;
        }
        Ok(())
    }
}

/// The account-level public access block (S3 Control). `Ok(None)`: none configured.
async fn account_public_access_block(
    config: &SdkConfig,
    account_id: &str,
) -> Result<Option<m::PublicAccessBlock>, Problem> {
    let mut builder = aws_sdk_s3control::config::Builder::from(config);
    if config.endpoint_url().is_some() {
        builder = builder.interceptor(AccountHostOnOverride);
    }
    let client = aws_sdk_s3control::Client::from_conf(builder.build());
    match client
        .get_public_access_block()
        .account_id(account_id)
        .send()
        .await
    {
        Ok(o) => Ok(o
            .public_access_block_configuration()
            .map(|p| m::PublicAccessBlock {
                block_public_acls: p.block_public_acls().unwrap_or(false),
                ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                block_public_policy: p.block_public_policy().unwrap_or(false),
                restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
            })),
        Err(e)
            if e.as_service_error()
                .and_then(|s| aws_sdk_s3control::error::ProvideErrorMetadata::code(s))
                == Some("NoSuchPublicAccessBlockConfiguration") =>
        {
            Ok(None)
        }
        Err(e) => Err(Problem {
            region: GLOBAL.to_owned(),
            service: "s3control".into(),
            operation: "GetPublicAccessBlock".into(),
            message: match e.as_service_error() {
                Some(s) => format!(
                    "{}: {}",
                    aws_sdk_s3control::error::ProvideErrorMetadata::code(s).unwrap_or("Error"),
                    aws_sdk_s3control::error::ProvideErrorMetadata::message(s).unwrap_or("")
                ),
                None => DisplayErrorContext(&e).to_string(),
            },
        }),
    }
}

/// S3: the account-level public access block and the buckets with their public access,
/// policy and encryption settings.
pub async fn s3(
    config: &SdkConfig,
    account_id: &str,
    problems: &Problems,
) -> Option<m::S3Inventory> {
    let c = s3_client(config);
    let listed = match c.list_buckets().send().await {
        Ok(l) => l,
        Err(e) => {
            problems.push(problem_of("s3", "ListBuckets", &e));
            return None;
        }
    };
    let names: Vec<String> = listed
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_owned))
        .collect();
    let buckets = stream::iter(names)
        .map(|name| {
            let c = c.clone();
            async move { bucket(&c, name, problems).await }
        })
        .buffered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    let (account_public_access_block, account_block_readable) =
        match account_public_access_block(config, account_id).await {
            Ok(block) => (block, true),
            Err(p) => {
                problems.push(p);
                (None, false)
            }
        };
    Some(m::S3Inventory {
        account_public_access_block,
        account_block_readable,
        buckets,
    })
}

async fn bucket(c: &aws_sdk_s3::Client, name: String, problems: &Problems) -> m::Bucket {
    let region = c
        .get_bucket_location()
        .bucket(&name)
        .send()
        .await
        .ok()
        .map(|l| {
            l.location_constraint()
                .map(|r| r.as_str().to_owned())
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "us-east-1".into())
        });
    let public_access_block = match c.get_public_access_block().bucket(&name).send().await {
        Ok(o) => Some(
            o.public_access_block_configuration()
                .map(|p| m::PublicAccessBlock {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                }),
        ),
        Err(e) if code_of(&e) == Some("NoSuchPublicAccessBlockConfiguration") => Some(None),
        Err(e) => {
            problems.push(problem_of("s3", "GetPublicAccessBlock", &e));
            None
        }
    };
    let acl_public = match c.get_bucket_acl().bucket(&name).send().await {
        Ok(acl) => Some(acl.grants().iter().any(|g| {
            g.grantee().and_then(|g| g.uri()).is_some_and(|u| {
                u.ends_with("/global/AllUsers") || u.ends_with("/global/AuthenticatedUsers")
            })
        })),
        Err(e) => {
            problems.push(problem_of("s3", "GetBucketAcl", &e));
            None
        }
    };
    let policy_public = match c.get_bucket_policy_status().bucket(&name).send().await {
        Ok(s) => Some(
            s.policy_status()
                .and_then(|p| p.is_public())
                .unwrap_or(false),
        ),
        Err(e) if code_of(&e) == Some("NoSuchBucketPolicy") => Some(false),
        Err(e) => {
            problems.push(problem_of("s3", "GetBucketPolicyStatus", &e));
            None
        }
    };
    let tls_only = match c.get_bucket_policy().bucket(&name).send().await {
        Ok(p) => Some(
            p.policy()
                .map(policy_document)
                .is_some_and(|d| denies_insecure_transport(&d)),
        ),
        Err(e) if code_of(&e) == Some("NoSuchBucketPolicy") => Some(false),
        Err(e) => {
            problems.push(problem_of("s3", "GetBucketPolicy", &e));
            None
        }
    };
    let encryption = match c.get_bucket_encryption().bucket(&name).send().await {
        Ok(e) => Some(
            e.server_side_encryption_configuration()
                .and_then(|c| c.rules().first())
                .and_then(|r| r.apply_server_side_encryption_by_default())
                .map(|d| d.sse_algorithm().as_str().to_owned()),
        ),
        // Before 2023 a bucket could have no default encryption; AWS now answers with
        // SSE-S3, but emulators and old buckets answer this.
        Err(e) if code_of(&e) == Some("ServerSideEncryptionConfigurationNotFoundError") => {
            Some(None)
        }
        Err(e) => {
            problems.push(problem_of("s3", "GetBucketEncryption", &e));
            None
        }
    };
    m::Bucket {
        name,
        region,
        public_access_block,
        acl_public,
        policy_public,
        tls_only,
        encryption,
        tags: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn policy_documents_decode_whether_url_encoded_or_not() {
        let raw = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(policy_document(raw)["Version"], "2012-10-17");
        assert_eq!(policy_document(encoded)["Version"], "2012-10-17");
    }

    #[test]
    fn a_tls_only_policy_is_recognised() {
        let deny = json!({ "Statement": [{ "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": { "Bool": { "aws:SecureTransport": "false" } } }] });
        let allow = json!({ "Statement": { "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject" } });
        assert!(denies_insecure_transport(&deny));
        assert!(!denies_insecure_transport(&allow));
    }
}
