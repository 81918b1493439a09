//! IAM (global): the account summary, the password policy, users with their MFA devices,
//! login profiles, access keys, attached and inline policies, and customer-managed
//! policies; then, each on its own, the root's virtual MFA device, the roles allowed AWS
//! Support, server certificates and roles. A failed core read leaves IAM unread, a failed
//! read of one of the others only its part: checks must not resolve findings on what they
//! could not see.

use aws_sdk_iam::types::{AssignmentStatusType, EntityType, PolicyScopeType, SummaryKeyType};
use futures::{StreamExt, stream};
use vigil_checks::model::{self as m, Inventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::{Reader, error_code, utc};

/// Per-user reads at once.
const PER_ITEM_CONCURRENCY: usize = 8;

/// IAM in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "iam",
    collect: Collect::Global(|r| Box::pin(collect(r))),
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<Inventory> {
    let iam = read(r).await;
    fill(move |inv: &mut Inventory| inv.iam = iam)
}

/// Decodes a policy document as IAM returns it (URL-encoded JSON).
pub fn policy_document(raw: &str) -> serde_json::Value {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    serde_json::from_str(&decoded)
        .or_else(|_| serde_json::from_str(raw))
        .unwrap_or(serde_json::Value::Null)
}

/// `Some(None)`: the account has no password policy.
async fn password_policy(
    c: &aws_sdk_iam::Client,
    r: Reader<'_>,
) -> Option<Option<m::PasswordPolicy>> {
    match c.get_account_password_policy().send().await {
        Ok(p) => Some(p.password_policy().map(|p| m::PasswordPolicy {
            minimum_length: p.minimum_password_length().unwrap_or(8),
            reuse_prevention: p.password_reuse_prevention(),
            require_symbols: p.require_symbols(),
            require_numbers: p.require_numbers(),
            require_uppercase: p.require_uppercase_characters(),
            require_lowercase: p.require_lowercase_characters(),
            max_age_days: p.max_password_age(),
        })),
        Err(e) if error_code(&e) == Some("NoSuchEntity") => Some(None),
        Err(e) => {
            r.record("GetAccountPasswordPolicy", &e);
            None
        }
    }
}

/// Managed policies of `scope` (customer-managed, or the AWS-managed ones attached
/// somewhere) with their default versions' documents.
async fn policies(
    c: &aws_sdk_iam::Client,
    r: Reader<'_>,
    scope: PolicyScopeType,
) -> Option<Vec<m::IamPolicy>> {
    // AWS manages over a thousand policies: only those attached somewhere matter.
    let only_attached = scope == PolicyScopeType::Aws;
    let listed: Vec<_> = r.ok(
        "ListPolicies",
        c.list_policies()
            .scope(scope)
            .only_attached(only_attached)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::new();
    for p in listed {
        let (Some(arn), Some(version)) = (p.arn(), p.default_version_id()) else {
            continue;
        };
        let v = r.ok(
            "GetPolicyVersion",
            c.get_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send()
                .await,
        )?;
        out.push(m::IamPolicy {
            arn: arn.to_owned(),
            name: p.policy_name().unwrap_or_default().to_owned(),
            document: v
                .policy_version()
                .and_then(|pv| pv.document())
                .map(policy_document)
                .unwrap_or_default(),
            attachment_count: p.attachment_count().unwrap_or(0),
        });
    }
    Some(out)
}

async fn read(r: Reader<'_>) -> Option<m::IamInventory> {
    let c = aws_sdk_iam::Client::new(r.config);
    let summary = r.ok("GetAccountSummary", c.get_account_summary().send().await)?;
    let map = summary.summary_map().cloned().unwrap_or_default();
    let password_policy = password_policy(&c, r).await?;
    let listed: Vec<_> = r.ok(
        "ListUsers",
        c.list_users()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let details: Vec<Option<m::IamUser>> = stream::iter(listed)
        .map(|u| {
            let c = c.clone();
            async move { user(&c, r, u).await }
        })
        .buffered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    let users: Option<Vec<m::IamUser>> = details.into_iter().collect();
    let customer_policies = policies(&c, r, PolicyScopeType::Local).await?;
    // Each of these reads stands alone: denied, it leaves only its own checks unassessed.
    let (root_mfa_virtual, support_roles, server_certificates, roles, aws_managed_policies) = tokio::join!(
        root_mfa_virtual(&c, r),
        support_roles(&c, r),
        server_certificates(&c, r),
        roles(&c, r),
        policies(&c, r, PolicyScopeType::Aws),
    );
    Some(m::IamInventory {
        aws_managed_policies,
        root_mfa_virtual,
        support_roles,
        server_certificates,
        roles,
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
        policies: customer_policies,
    })
}

/// A user's access keys with when each was last used.
async fn access_keys(
    c: &aws_sdk_iam::Client,
    r: Reader<'_>,
    name: &str,
) -> Option<Vec<m::AccessKey>> {
    let listed = r.ok(
        "ListAccessKeys",
        c.list_access_keys().user_name(name).send().await,
    )?;
    let mut out = Vec::new();
    for k in listed.access_key_metadata() {
        let id = k.access_key_id().unwrap_or_default().to_owned();
        let last_used = r
            .ok(
                "GetAccessKeyLastUsed",
                c.get_access_key_last_used().access_key_id(&id).send().await,
            )?
            .access_key_last_used()
            .and_then(|l| l.last_used_date())
            .and_then(utc);
        out.push(m::AccessKey {
            access_key_id: id,
            status: k
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            created: k.create_date().and_then(utc).unwrap_or_default(),
            last_used,
        });
    }
    Some(out)
}

async fn user(
    c: &aws_sdk_iam::Client,
    r: Reader<'_>,
    u: aws_sdk_iam::types::User,
) -> Option<m::IamUser> {
    let name = u.user_name().to_owned();
    let devices = r.ok(
        "ListMFADevices",
        c.list_mfa_devices().user_name(&name).send().await,
    )?;
    let mfa = devices.mfa_devices().len();
    let virtual_mfa = devices
        .mfa_devices()
        .iter()
        .filter(|d| is_virtual_mfa(d.serial_number()))
        .count();
    let password_enabled = match c.get_login_profile().user_name(&name).send().await {
        Ok(_) => true,
        Err(e) if error_code(&e) == Some("NoSuchEntity") => false,
        Err(e) => {
            r.record("GetLoginProfile", &e);
            return None;
        }
    };
    let access_keys = access_keys(c, r, &name).await?;
    let inline_policies = user_inline_policies(c, r, &name).await;
    let attached_list = r.ok(
        "ListAttachedUserPolicies",
        c.list_attached_user_policies()
            .user_name(&name)
            .send()
            .await,
    )?;
    let attached = attached_list
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name().map(str::to_owned))
        .collect();
    let attached_policy_arns = attached_list
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_owned))
        .collect();
    Some(m::IamUser {
        arn: u.arn().to_owned(),
        created: utc(u.create_date()).unwrap_or_default(),
        password_last_used: u.password_last_used().and_then(utc),
        user_name: name,
        password_enabled,
        mfa_devices: mfa,
        virtual_mfa_devices: virtual_mfa,
        access_keys,
        attached_policies: attached,
        attached_policy_arns,
        inline_policies,
    })
}

/// Whether an MFA device's serial number is a virtual device's: virtual (and SMS) devices
/// are ARNs `arn:<partition>:iam::<account>:mfa/<name>` (`sms-mfa/`), FIDO security keys
/// `...:u2f/...`, hardware TOTP tokens plain serials.
fn is_virtual_mfa(serial: &str) -> bool {
    serial
        .split(':')
        .nth(5)
        .is_some_and(|kind| kind.starts_with("mfa/") || kind.starts_with("sms-mfa/"))
}

/// Whether the root user's MFA device is virtual: the root's virtual device is listed
/// among the assigned ones (a hardware device is not).
async fn root_mfa_virtual(c: &aws_sdk_iam::Client, r: Reader<'_>) -> Option<bool> {
    let devices: Vec<_> = r.ok(
        "ListVirtualMFADevices",
        c.list_virtual_mfa_devices()
            .assignment_status(AssignmentStatusType::Assigned)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    Some(devices.iter().any(|d| {
        d.serial_number().ends_with(":mfa/root-account-mfa-device")
            || d.user().is_some_and(|u| u.arn().ends_with(":root"))
    }))
}

/// The partition of the scanned regions, for AWS-managed policies' ARNs.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The roles attached to `AWSSupportAccess` (the first page: one is enough to pass).
async fn support_roles(c: &aws_sdk_iam::Client, r: Reader<'_>) -> Option<Vec<String>> {
    let arn = format!(
        "arn:{}:iam::aws:policy/AWSSupportAccess",
        partition(r.region)
    );
    let out = r.ok(
        "ListEntitiesForPolicy",
        c.list_entities_for_policy()
            .policy_arn(arn)
            .entity_filter(EntityType::Role)
            .send()
            .await,
    )?;
    Some(
        out.policy_roles()
            .iter()
            .filter_map(|p| p.role_name().map(str::to_owned))
            .collect(),
    )
}

async fn server_certificates(
    c: &aws_sdk_iam::Client,
    r: Reader<'_>,
) -> Option<Vec<m::ServerCertificate>> {
    let listed: Vec<_> = r.ok(
        "ListServerCertificates",
        c.list_server_certificates()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    Some(
        listed
            .iter()
            .map(|s| m::ServerCertificate {
                name: s.server_certificate_name().to_owned(),
                arn: s.arn().to_owned(),
                expiration: s.expiration().and_then(utc),
            })
            .collect(),
    )
}

/// A user's inline policies with their documents (`None`: could not be read).
async fn user_inline_policies(
    c: &aws_sdk_iam::Client,
    r: Reader<'_>,
    name: &str,
) -> Option<Vec<m::InlinePolicy>> {
    let names = r.ok(
        "ListUserPolicies",
        c.list_user_policies().user_name(name).send().await,
    )?;
    let mut out = Vec::new();
    for policy in names.policy_names() {
        let got = r.ok(
            "GetUserPolicy",
            c.get_user_policy()
                .user_name(name)
                .policy_name(policy)
                .send()
                .await,
        )?;
        out.push(m::InlinePolicy {
            name: policy.clone(),
            document: policy_document(got.policy_document()),
        });
    }
    Some(out)
}

/// A role's inline policies with their documents (`None`: could not be read).
async fn role_inline_policies(
    c: &aws_sdk_iam::Client,
    r: Reader<'_>,
    name: &str,
) -> Option<Vec<m::InlinePolicy>> {
    let names = r.ok(
        "ListRolePolicies",
        c.list_role_policies().role_name(name).send().await,
    )?;
    let mut out = Vec::new();
    for policy in names.policy_names() {
        let got = r.ok(
            "GetRolePolicy",
            c.get_role_policy()
                .role_name(name)
                .policy_name(policy)
                .send()
                .await,
        )?;
        out.push(m::InlinePolicy {
            name: policy.clone(),
            document: policy_document(got.policy_document()),
        });
    }
    Some(out)
}

/// Roles, each with its last use (`GetRole`: `ListRoles` leaves it out) and inline
/// policies.
async fn roles(c: &aws_sdk_iam::Client, r: Reader<'_>) -> Option<Vec<m::IamRole>> {
    let listed: Vec<_> = r.ok(
        "ListRoles",
        c.list_roles()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let roles = stream::iter(listed)
        .map(|role| async move {
            let name = role.role_name().to_owned();
            let got = r.ok("GetRole", c.get_role().role_name(&name).send().await);
            let last_used = got
                .as_ref()
                .and_then(|g| g.role())
                .and_then(|role| role.role_last_used())
                .and_then(|l| l.last_used_date())
                .and_then(utc);
            let attached: Option<Vec<_>> = r.ok(
                "ListAttachedRolePolicies",
                c.list_attached_role_policies()
                    .role_name(&name)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await,
            );
            m::IamRole {
                trust_policy: role
                    .assume_role_policy_document()
                    .map(policy_document)
                    .unwrap_or_default(),
                attached_policy_arns: attached.map(|list| {
                    list.iter()
                        .filter_map(|p| p.policy_arn().map(str::to_owned))
                        .collect()
                }),
                arn: role.arn().to_owned(),
                path: role.path().to_owned(),
                created: utc(role.create_date()).unwrap_or_default(),
                last_used,
                last_used_read: got.is_some(),
                inline_policies: role_inline_policies(c, r, &name).await,
                role_name: name,
            }
        })
        .buffered(PER_ITEM_CONCURRENCY)
        .collect()
        .await;
    Some(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_decode_whether_url_encoded_or_not() {
        let raw = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(policy_document(raw)["Version"], "2012-10-17");
        assert_eq!(policy_document(encoded)["Version"], "2012-10-17");
    }

    #[test]
    fn virtual_and_sms_mfa_serials_are_virtual_and_security_keys_or_tokens_are_not() {
        assert!(is_virtual_mfa("arn:aws:iam::123456789012:mfa/alice"));
        assert!(is_virtual_mfa("arn:aws-cn:iam::123456789012:sms-mfa/alice"));
        assert!(!is_virtual_mfa(
            "arn:aws:iam::123456789012:u2f/user/alice/key-ABC"
        ));
        assert!(!is_virtual_mfa("GAHT12345678"));
    }
}
