//! IAM: the inventory model of the account summary, users and policies, and their rules.
//! IAM is global: findings carry region [`GLOBAL`].

pub mod model;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::arn;
use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{AccessKey, IamInventory, InlinePolicy, Inventory},
};

/// IAM's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Account("iam", read);

fn read(inv: &crate::model::Inventory) -> bool {
    inv.iam.is_some()
}

/// IAM in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "iam",
    assets: crate::services::ListAssets::Account(assets),
    rules: &[
        &ROOT_ACCESS_KEYS,
        &ROOT_NO_MFA,
        &USER_CONSOLE_NO_MFA,
        &ACCESS_KEY_OLD,
        &CREDENTIALS_UNUSED,
        &USER_MULTIPLE_ACTIVE_KEYS,
        &PASSWORD_POLICY_LENGTH,
        &PASSWORD_POLICY_REUSE,
        &POLICY_ADMIN_STAR,
        &ROOT_VIRTUAL_MFA,
        &NO_SUPPORT_ROLE,
        &USER_POLICIES_ATTACHED,
        &INLINE_POLICY_ADMIN_STAR,
        &SERVER_CERTIFICATE_EXPIRED,
        &ROLE_UNUSED,
    ],
};

/// Lists the users and customer-managed policies.
fn assets(inv: &Inventory, out: &mut crate::services::Assets) {
    use crate::services::json as configuration;
    let Some(iam) = &inv.iam else {
        return;
    };
    for u in &iam.users {
        out.add_global(
            "AWS::IAM::User",
            &u.user_name,
            Some(u.arn.clone()),
            configuration(u),
        );
    }
    for p in &iam.policies {
        out.add_global(
            "AWS::IAM::ManagedPolicy",
            &p.name,
            Some(p.arn.clone()),
            configuration(p),
        );
    }
    out.complete(GLOBAL, "AWS::IAM::User");
    out.complete(GLOBAL, "AWS::IAM::ManagedPolicy");
}

/// Access keys older than this must be rotated (CIS 1.14).
const KEY_MAX_AGE_DAYS: i64 = 90;
/// Credentials unused for this long must be disabled (CIS 1.12).
const UNUSED_DAYS: i64 = 45;
const ROOT: &str = "root";
const PASSWORD_POLICY: &str = "password-policy";

fn is_active(key: &AccessKey) -> bool {
    key.status.eq_ignore_ascii_case("active")
}

/// Whole days from `since` to the collection time (ages are compared in whole days).
fn days_since(inv: &Inventory, since: DateTime<Utc>) -> i64 {
    (inv.collected_at - since).num_days()
}

/// Runs `check` when IAM was read.
fn with_iam(inv: &Inventory, check: impl FnOnce(&IamInventory)) {
    if let Some(iam) = &inv.iam {
        check(iam);
    }
}

pub static ROOT_ACCESS_KEYS: Rule = Rule {
    id: "iam-root-access-keys",
    title: "Root user has access keys",
    severity: Severity::Critical,
    description: "The root user has access keys. Root keys have unrestricted power over the \
                  account that no IAM or SCP policy can limit, and a key leaked from a laptop, a \
                  repository or a CI system hands over the whole account.",
    remediation: "Sign in as root, check in CloudTrail that nothing still uses the keys, then \
                  deactivate and delete them (console: account menu > Security credentials > \
                  Access keys); use IAM roles for automation.",
    compliance: &["CIS AWS Foundations v5.0.0 1.3", "AWS FSBP IAM.4"],
    resource_type: "AWS::IAM::RootUser",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            if iam.root_access_keys_present {
                let evidence = json!({ "accountAccessKeysPresent": true });
                sink.fail(GLOBAL, ROOT, Some(arn::root(inv)), evidence);
            }
        });
    },
};

pub static ROOT_NO_MFA: Rule = Rule {
    id: "iam-root-no-mfa",
    title: "Root user has no MFA",
    severity: Severity::Critical,
    description: "The root user signs in with a password alone. Anyone who phishes, guesses or \
                  resets that password (through the account's email) owns the account outright, \
                  including its billing and the ability to close it.",
    remediation: "Sign in as root and assign an MFA device, preferably a FIDO2 security key \
                  (console: account menu > Security credentials > Multi-factor authentication > \
                  Assign MFA device); keep a second device in a safe.",
    compliance: &["CIS AWS Foundations v5.0.0 1.4", "AWS FSBP IAM.9"],
    resource_type: "AWS::IAM::RootUser",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            if !iam.root_mfa_enabled {
                let evidence = json!({ "accountMfaEnabled": false });
                sink.fail(GLOBAL, ROOT, Some(arn::root(inv)), evidence);
            }
        });
    },
};

pub static USER_CONSOLE_NO_MFA: Rule = Rule {
    id: "iam-user-console-no-mfa",
    title: "IAM user with a console password has no MFA",
    severity: Severity::High,
    description: "The user can sign in to the console with a password alone, so a phished, reused \
                  or guessed password is enough to act with all of the user's permissions.",
    remediation: "Have the user assign an MFA device (console: IAM > Users > <user> > Security \
                  credentials > Assign MFA device), or remove the password if the user does not \
                  need the console (`aws iam delete-login-profile --user-name <user>`); enforce \
                  MFA with an IAM policy condition on `aws:MultiFactorAuthPresent`.",
    compliance: &["CIS AWS Foundations v5.0.0 1.9", "AWS FSBP IAM.5"],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for user in iam
                .users
                .iter()
                .filter(|u| u.password_enabled && u.mfa_devices == 0)
            {
                let evidence = json!({
                    "passwordEnabled": true,
                    "mfaDevices": 0,
                    "passwordLastUsed": user.password_last_used,
                });
                sink.fail(GLOBAL, &user.user_name, Some(user.arn.clone()), evidence);
            }
        });
    },
};

pub static ACCESS_KEY_OLD: Rule = Rule {
    id: "iam-access-key-old",
    title: "Active access key is older than 90 days",
    severity: Severity::Medium,
    description: "The user has an active access key created more than 90 days ago. Long-lived keys \
                  accumulate in scripts, laptops and CI systems, and the longer a key lives the \
                  more likely it has leaked somewhere it is still valid.",
    remediation: "Create a new key, move its consumers to it, then deactivate and delete the old \
                  one (`aws iam update-access-key --user-name <user> --access-key-id <id> --status \
                  Inactive`, then `aws iam delete-access-key`); prefer roles and short-lived \
                  credentials.",
    compliance: &["CIS AWS Foundations v5.0.0 1.13", "AWS FSBP IAM.3"],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for user in &iam.users {
                let old: Vec<Value> = user
                    .access_keys
                    .iter()
                    .filter(|k| is_active(k))
                    .filter(|k| days_since(inv, k.created) > KEY_MAX_AGE_DAYS)
                    .map(|k| {
                        json!({
                            "accessKeyId": k.access_key_id,
                            "created": k.created,
                            "ageDays": days_since(inv, k.created),
                        })
                    })
                    .collect();
                if !old.is_empty() {
                    let evidence = json!({ "accessKeys": old });
                    sink.fail(GLOBAL, &user.user_name, Some(user.arn.clone()), evidence);
                }
            }
        });
    },
};

pub static CREDENTIALS_UNUSED: Rule = Rule {
    id: "iam-credentials-unused",
    title: "IAM credentials unused for 45 days or more",
    severity: Severity::Medium,
    description: "The user has a console password or an active access key that has not been used \
                  for 45 days or more (or was never used since being created that long ago). \
                  Forgotten credentials are rarely watched, which makes them ideal for an intruder \
                  to take over.",
    remediation: "Remove what is not needed: `aws iam delete-login-profile --user-name <user>` for \
                  the password, `aws iam update-access-key --user-name <user> --access-key-id <id> \
                  --status Inactive` for a key (delete it once nothing breaks).",
    compliance: &["CIS AWS Foundations v5.0.0 1.11", "AWS FSBP IAM.22"],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: credentials_unused,
};

/// The days a credential created at `created` and last used at `last_used` has been idle,
/// when that is [`UNUSED_DAYS`] or more.
fn idle_days(
    inv: &Inventory,
    created: DateTime<Utc>,
    last_used: Option<DateTime<Utc>>,
) -> Option<i64> {
    let since = last_used.unwrap_or(created);
    let days = days_since(inv, since);
    (days >= UNUSED_DAYS).then_some(days)
}

fn credentials_unused(inv: &Inventory, sink: &mut Sink) {
    with_iam(inv, |iam| {
        for user in &iam.users {
            let mut unused = Vec::new();
            if user.password_enabled {
                // The model has no password creation date: a never-used password counts from
                // the user's creation.
                if let Some(days) = idle_days(inv, user.created, user.password_last_used) {
                    unused.push(json!({
                        "credential": "password",
                        "lastUsed": user.password_last_used,
                        "daysUnused": days,
                    }));
                }
            }
            for key in user.access_keys.iter().filter(|k| is_active(k)) {
                if let Some(days) = idle_days(inv, key.created, key.last_used) {
                    unused.push(json!({
                        "credential": "accessKey",
                        "accessKeyId": key.access_key_id,
                        "lastUsed": key.last_used,
                        "daysUnused": days,
                    }));
                }
            }
            if !unused.is_empty() {
                let evidence = json!({ "unused": unused });
                sink.fail(GLOBAL, &user.user_name, Some(user.arn.clone()), evidence);
            }
        }
    });
}

pub static USER_MULTIPLE_ACTIVE_KEYS: Rule = Rule {
    id: "iam-user-multiple-active-keys",
    title: "IAM user has more than one active access key",
    severity: Severity::Low,
    description: "The user has two active access keys. Outside a short rotation window a second \
                  key is usually a forgotten one, which doubles what can leak and makes it harder \
                  to tell which key a consumer uses.",
    remediation: "Find the key still in use (`aws iam get-access-key-last-used --access-key-id \
                  <id>`), then deactivate and delete the other (`aws iam update-access-key \
                  --user-name <user> --access-key-id <id> --status Inactive`).",
    compliance: &["CIS AWS Foundations v5.0.0 1.12"],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for user in &iam.users {
                let active: Vec<&str> = user
                    .access_keys
                    .iter()
                    .filter(|k| is_active(k))
                    .map(|k| k.access_key_id.as_str())
                    .collect();
                if active.len() > 1 {
                    let evidence = json!({ "activeAccessKeys": active });
                    sink.fail(GLOBAL, &user.user_name, Some(user.arn.clone()), evidence);
                }
            }
        });
    },
};

pub static PASSWORD_POLICY_LENGTH: Rule = Rule {
    id: "iam-password-policy-length",
    title: "Password policy allows passwords shorter than 14 characters",
    severity: Severity::Medium,
    description: "The account's password policy (or its absence, which leaves AWS's default of 8 \
                  characters) lets IAM users choose passwords shorter than 14 characters, which \
                  are far easier to guess and crack.",
    remediation: "Set a minimum length of 14 or more (`aws iam update-account-password-policy \
                  --minimum-password-length 14 ...`, passing the other settings you keep, as the \
                  call replaces the whole policy).",
    compliance: &["CIS AWS Foundations v5.0.0 1.7"],
    resource_type: "AWS::IAM::AccountPasswordPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            let evidence = match &iam.password_policy {
                None => json!({ "configured": false }),
                Some(p) if p.minimum_length < 14 => json!({ "minimumLength": p.minimum_length }),
                Some(_) => return,
            };
            sink.fail(GLOBAL, PASSWORD_POLICY, None, evidence);
        });
    },
};

pub static PASSWORD_POLICY_REUSE: Rule = Rule {
    id: "iam-password-policy-reuse",
    title: "Password policy does not prevent password reuse",
    severity: Severity::Low,
    description: "IAM users can go back to one of their last 24 passwords, so a password that has \
                  already leaked, or that was changed because it leaked, can come back into use.",
    remediation: "Remember 24 previous passwords (`aws iam update-account-password-policy \
                  --password-reuse-prevention 24 ...`, passing the other settings you keep, as the \
                  call replaces the whole policy).",
    compliance: &["CIS AWS Foundations v5.0.0 1.8"],
    resource_type: "AWS::IAM::AccountPasswordPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            let evidence = match &iam.password_policy {
                None => json!({ "configured": false }),
                Some(p) if p.reuse_prevention.is_none_or(|n| n < 24) => {
                    json!({ "reusePrevention": p.reuse_prevention })
                }
                Some(_) => return,
            };
            sink.fail(GLOBAL, PASSWORD_POLICY, None, evidence);
        });
    },
};

pub static POLICY_ADMIN_STAR: Rule = Rule {
    id: "iam-policy-admin-star",
    title: "Attached customer-managed policy grants full administrator access",
    severity: Severity::High,
    description: "This attached customer-managed policy allows every action on every resource \
                  (`\"Action\": \"*\"` on `\"Resource\": \"*\"`). Whoever holds it can do \
                  anything, including granting themselves more, which defeats least privilege and \
                  turns any compromise of its holders into a full account compromise.",
    remediation: "Replace it with policies scoped to the actions and resources actually needed \
                  (IAM Access Analyzer can generate one from CloudTrail activity), then detach it \
                  (`aws iam detach-user-policy`/`detach-role-policy`/`detach-group-policy \
                  --policy-arn <arn>`); keep full admin to a few roles behind MFA.",
    compliance: &["CIS AWS Foundations v5.0.0 1.15", "AWS FSBP IAM.1"],
    resource_type: "AWS::IAM::ManagedPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for policy in iam.policies.iter().filter(|p| p.attachment_count > 0) {
                let statements = admin_statements(&policy.document);
                if !statements.is_empty() {
                    let evidence = json!({
                        "attachmentCount": policy.attachment_count,
                        "statements": statements,
                    });
                    sink.fail(GLOBAL, &policy.name, Some(policy.arn.clone()), evidence);
                }
            }
        });
    },
};

/// A part of IAM read by its own call: rules on it are complete only where it was read,
/// so a denied call leaves them not assessed while the rest of IAM is judged.
macro_rules! iam_part {
    ($name:ident, $field:ident) => {
        pub const $name: crate::Source = crate::Source::Account("iam", |inv| {
            inv.iam.as_ref().is_some_and(|i| i.$field.is_some())
        });
    };
}
iam_part!(ROOT_MFA_DEVICES, root_mfa_virtual);
iam_part!(SUPPORT_ROLES, support_roles);
iam_part!(SERVER_CERTIFICATES, server_certificates);
iam_part!(ROLES, roles);
/// The roles, and every role's inline policies, could be read.
pub const ROLE_INLINE_POLICIES: crate::Source = crate::Source::Account("iam", |inv| {
    inv.iam
        .as_ref()
        .and_then(|i| i.roles.as_ref())
        .is_some_and(|roles| roles.iter().all(|r| r.inline_policies.is_some()))
});
/// Every user's inline policies could be read.
pub const USER_INLINE_POLICIES: crate::Source = crate::Source::Account("iam", |inv| {
    inv.iam
        .as_ref()
        .is_some_and(|i| i.users.iter().all(|u| u.inline_policies.is_some()))
});

pub static ROOT_VIRTUAL_MFA: Rule = Rule {
    id: "iam-root-virtual-mfa",
    title: "Root user's MFA is a virtual device, not a hardware one",
    severity: Severity::Medium,
    description: "The root user's MFA is an authenticator app on a phone or computer: the \
                  device is exposed to everything that device runs and travels with its owner. \
                  CIS asks for a hardware key (FIDO2 or hardware TOTP) for the one identity \
                  no policy can restrict.",
    remediation: "Sign in as root, register a FIDO2 security key or hardware TOTP token (account \
                  menu > Security credentials > Assign MFA device), keep it in a safe, then \
                  remove the virtual device.",
    compliance: &["CIS AWS Foundations v5.0.0 1.5", "AWS FSBP IAM.6"],
    resource_type: "AWS::IAM::RootUser",
    scope: Scope::Account,
    sources: &[SOURCE, ROOT_MFA_DEVICES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            // Without MFA at all, iam-root-no-mfa reports it.
            if iam.root_mfa_enabled && iam.root_mfa_virtual == Some(true) {
                let evidence = json!({ "accountMfaEnabled": true, "virtualMfa": true });
                sink.fail(GLOBAL, ROOT, Some(arn::root(inv)), evidence);
            }
        });
    },
};

const SUPPORT_POLICY: &str = "AWSSupportAccess";

pub static NO_SUPPORT_ROLE: Rule = Rule {
    id: "iam-no-support-role",
    title: "No role may manage AWS Support cases",
    severity: Severity::Low,
    description: "No role is attached to the AWS-managed `AWSSupportAccess` policy, so during an \
                  incident (a compromise, an abuse report, a service limit) someone must use the \
                  root user or a broad administrator to open and follow AWS Support cases.",
    remediation: "Create a role for the incident responders and attach the policy (`aws iam \
                  create-role --role-name aws-support --assume-role-policy-document \
                  file://trust.json` then `aws iam attach-role-policy --role-name aws-support \
                  --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess`).",
    compliance: &["CIS AWS Foundations v5.0.0 1.16"],
    resource_type: "AWS::IAM::ManagedPolicy",
    scope: Scope::Account,
    sources: &[SOURCE, SUPPORT_ROLES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            if iam.support_roles.as_ref().is_some_and(Vec::is_empty) {
                let arn = format!(
                    "arn:{}:iam::aws:policy/{SUPPORT_POLICY}",
                    arn::account_partition(inv)
                );
                let evidence = json!({ "policy": SUPPORT_POLICY, "attachedRoles": [] });
                sink.fail(GLOBAL, SUPPORT_POLICY, Some(arn), evidence);
            }
        });
    },
};

pub static USER_POLICIES_ATTACHED: Rule = Rule {
    id: "iam-user-policies-attached",
    title: "IAM user has policies of its own",
    severity: Severity::Low,
    description: "Policies are attached to or embedded in this user instead of granted through a \
                  group. Per-user permissions drift apart, are forgotten when people change \
                  roles, and make it hard to see who may do what.",
    remediation: "Put the user in a group carrying the permissions, then detach its managed \
                  policies (`aws iam detach-user-policy --user-name <user> --policy-arn <arn>`) \
                  and delete its inline ones (`aws iam delete-user-policy --user-name <user> \
                  --policy-name <name>`).",
    compliance: &["CIS AWS Foundations v5.0.0 1.14", "AWS FSBP IAM.2"],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for u in &iam.users {
                let inline: Option<Vec<&str>> = u
                    .inline_policies
                    .as_ref()
                    .map(|p| p.iter().map(|p| p.name.as_str()).collect());
                match inline {
                    Some(inline) if inline.is_empty() && u.attached_policies.is_empty() => {}
                    // Attached policies alone fail it, whatever the inline ones are.
                    None if u.attached_policies.is_empty() => sink.unknown(GLOBAL, &u.user_name),
                    inline => {
                        let evidence = json!({
                            "attachedPolicies": u.attached_policies,
                            "inlinePolicies": inline,
                        });
                        sink.fail(GLOBAL, &u.user_name, Some(u.arn.clone()), evidence);
                    }
                }
            }
        });
    },
};

pub static INLINE_POLICY_ADMIN_STAR: Rule = Rule {
    id: "iam-inline-policy-admin-star",
    title: "Inline policy grants full administrator access",
    severity: Severity::High,
    description: "An inline policy of this user or role allows every action on every resource. \
                  Inline policies do not show among the account's managed policies, so a `*:*` \
                  grant hidden in one escapes policy reviews while making its holder an \
                  administrator.",
    remediation: "Replace it with a managed policy scoped to what is needed, then delete the \
                  inline one (`aws iam delete-user-policy --user-name <user> --policy-name \
                  <name>` or `aws iam delete-role-policy --role-name <role> --policy-name \
                  <name>`).",
    compliance: &["CIS AWS Foundations v5.0.0 1.15"],
    resource_type: "AWS::IAM::Policy",
    scope: Scope::Account,
    // Findings name a policy, unknown to an owner whose policies were unread: the rule is
    // complete only where every owner's were read.
    sources: &[SOURCE, ROLE_INLINE_POLICIES, USER_INLINE_POLICIES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            let mut judge = |kind: &str, owner: &str, arn: &str, p: Option<&Vec<InlinePolicy>>| {
                let Some(policies) = p else {
                    sink.unknown(GLOBAL, &format!("{kind}/{owner}"));
                    return;
                };
                for p in policies {
                    let statements = admin_statements(&p.document);
                    if !statements.is_empty() {
                        let evidence = json!({ kind: owner, "statements": statements });
                        let id = format!("{kind}/{owner}/{}", p.name);
                        sink.fail(GLOBAL, &id, Some(arn.to_owned()), evidence);
                    }
                }
            };
            for u in &iam.users {
                judge("user", &u.user_name, &u.arn, u.inline_policies.as_ref());
            }
            for r in iam.roles.iter().flatten() {
                judge("role", &r.role_name, &r.arn, r.inline_policies.as_ref());
            }
        });
    },
};

pub static SERVER_CERTIFICATE_EXPIRED: Rule = Rule {
    id: "iam-server-certificate-expired",
    title: "Expired server certificate stored in IAM",
    severity: Severity::Medium,
    description: "An expired TLS certificate is still stored in IAM, where it can be deployed to \
                  a load balancer or CloudFront by mistake, breaking the service and teaching \
                  users to click through certificate warnings.",
    remediation: "Check that nothing uses it, then delete it (`aws iam delete-server-certificate \
                  --server-certificate-name <name>`); issue certificates from ACM, which renews \
                  them.",
    compliance: &["CIS AWS Foundations v5.0.0 1.18", "AWS FSBP IAM.26"],
    resource_type: "AWS::IAM::ServerCertificate",
    scope: Scope::Account,
    sources: &[SOURCE, SERVER_CERTIFICATES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for c in iam.server_certificates.iter().flatten() {
                match c.expiration {
                    Some(at) if at < inv.collected_at => {
                        let evidence = json!({ "expiration": at });
                        sink.fail(GLOBAL, &c.name, Some(c.arn.clone()), evidence);
                    }
                    None => sink.unknown(GLOBAL, &c.name),
                    Some(_) => {}
                }
            }
        });
    },
};

/// A role unused for this long is a standing credential nobody needs.
const ROLE_UNUSED_DAYS: i64 = 90;

pub static ROLE_UNUSED: Rule = Rule {
    id: "iam-role-unused",
    title: "IAM role unused for 90 days",
    severity: Severity::Low,
    description: "Nobody has assumed this role for at least 90 days (or ever, and it is older \
                  than that). Unused roles keep their permissions and trust policies, and are \
                  the kind of forgotten door an attacker uses to persist or to move in from a \
                  trusted account.",
    remediation: "Confirm with its owner that nothing needs it, then remove it (detach its \
                  policies, remove it from instance profiles, `aws iam delete-role --role-name \
                  <role>`).",
    compliance: &[],
    resource_type: "AWS::IAM::Role",
    scope: Scope::Account,
    sources: &[SOURCE, ROLES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for r in iam.roles.iter().flatten() {
                if r.path.starts_with("/aws-service-role/")
                    || days_since(inv, r.created) < ROLE_UNUSED_DAYS
                {
                    continue;
                }
                if !r.last_used_read {
                    sink.unknown(GLOBAL, &r.role_name);
                    continue;
                }
                let idle = r.last_used.map(|at| days_since(inv, at));
                if idle.is_none_or(|d| d >= ROLE_UNUSED_DAYS) {
                    let evidence = json!({
                        "created": r.created,
                        "lastUsed": r.last_used,
                        "daysUnused": idle,
                    });
                    sink.fail(GLOBAL, &r.role_name, Some(r.arn.clone()), evidence);
                }
            }
        });
    },
};

/// Whether a policy element (a string or a list of strings) includes `value`.
fn element_has(element: Option<&Value>, value: &str) -> bool {
    match element {
        Some(Value::String(s)) => s == value,
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(value)),
        _ => false,
    }
}

/// The statements of a policy document allowing `*` on `*` (`Statement` may be one object
/// or a list; a document still encoded as a string is parsed).
fn admin_statements(document: &Value) -> Vec<Value> {
    if let Value::String(text) = document {
        return serde_json::from_str(text)
            .map_or_else(|_| Vec::new(), |doc| admin_statements(&doc));
    }
    let statements = match document.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    statements
        .into_iter()
        .filter(|s| {
            s.get("Effect").and_then(Value::as_str) == Some("Allow")
                && s.get("NotAction").is_none()
                && element_has(s.get("Action"), "*")
                && element_has(s.get("Resource"), "*")
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        evaluate_rules,
        fixtures::{ACCOUNT, days_ago, failing, inventory, run, with_iam},
        model::{IamPolicy, IamRole, IamUser, PasswordPolicy, ServerCertificate},
    };

    fn user(name: &str) -> IamUser {
        IamUser {
            user_name: name.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            created: days_ago(400),
            ..Default::default()
        }
    }

    fn key(id: &str, status: &str, created_days_ago: i64, used_days_ago: Option<i64>) -> AccessKey {
        AccessKey {
            access_key_id: id.into(),
            status: status.into(),
            created: days_ago(created_days_ago),
            last_used: used_days_ago.map(days_ago),
        }
    }

    fn users(users: Vec<IamUser>) -> Inventory {
        with_iam(IamInventory {
            root_mfa_enabled: true,
            users,
            ..Default::default()
        })
    }

    fn policy(name: &str, document: Value) -> IamPolicy {
        IamPolicy {
            arn: format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
            name: name.into(),
            document,
            attachment_count: 1,
        }
    }

    fn policies(policies: Vec<IamPolicy>) -> Inventory {
        with_iam(IamInventory {
            policies,
            ..Default::default()
        })
    }

    fn password_policy(minimum_length: i32, reuse_prevention: Option<i32>) -> Inventory {
        with_iam(IamInventory {
            password_policy: Some(PasswordPolicy {
                minimum_length,
                reuse_prevention,
                ..Default::default()
            }),
            ..Default::default()
        })
    }

    #[test]
    fn root_access_keys_fail_on_the_root_user_and_their_absence_passes() {
        let with_keys = with_iam(IamInventory {
            root_access_keys_present: true,
            ..Default::default()
        });
        let out = run(&ROOT_ACCESS_KEYS, &with_keys);
        let finding = &out.findings[0];
        assert_eq!(
            (finding.region.as_str(), finding.resource_id.as_str()),
            (GLOBAL, ROOT)
        );
        assert_eq!(
            finding.resource_arn.as_deref(),
            Some("arn:aws:iam::123456789012:root")
        );
        assert!(failing(&ROOT_ACCESS_KEYS, &with_iam(IamInventory::default())).is_empty());
    }

    #[test]
    fn a_root_user_without_mfa_fails_and_with_mfa_passes() {
        assert_eq!(
            failing(&ROOT_NO_MFA, &with_iam(IamInventory::default())),
            [ROOT]
        );
        assert!(failing(&ROOT_NO_MFA, &users(vec![])).is_empty());
    }

    #[test]
    fn unreadable_iam_reports_nothing_and_is_not_complete() {
        let out = evaluate_rules(&inventory(), &[&ROOT_NO_MFA, &PASSWORD_POLICY_LENGTH]);
        assert!(out.findings.is_empty() && out.complete.is_empty());
    }

    #[test]
    fn a_console_user_without_mfa_fails_and_users_with_mfa_or_no_password_pass() {
        let no_mfa = IamUser {
            password_enabled: true,
            ..user("alice")
        };
        let with_mfa = IamUser {
            password_enabled: true,
            mfa_devices: 1,
            ..user("bob")
        };
        let api_only = user("ci");
        assert_eq!(
            failing(
                &USER_CONSOLE_NO_MFA,
                &users(vec![no_mfa, with_mfa, api_only])
            ),
            ["alice"]
        );
    }

    #[test]
    fn an_active_key_of_91_days_fails_and_of_89_or_90_days_passes() {
        let old = IamUser {
            access_keys: vec![key("AKIAOLD", "Active", 91, Some(1))],
            ..user("old")
        };
        let young = IamUser {
            access_keys: vec![key("AKIAYOUNG", "Active", 89, Some(1))],
            ..user("young")
        };
        let exactly = IamUser {
            access_keys: vec![key("AKIA90", "Active", 90, Some(1))],
            ..user("exactly")
        };
        let mut almost = key("AKIA90H23", "Active", 90, Some(1));
        almost.created -= chrono::Duration::hours(23); // still 90 whole days
        let almost = IamUser {
            access_keys: vec![almost],
            ..user("almost")
        };
        let inactive = IamUser {
            access_keys: vec![key("AKIAOFF", "Inactive", 400, None)],
            ..user("inactive")
        };
        let inv = users(vec![old, young, exactly, almost, inactive]);
        let out = run(&ACCESS_KEY_OLD, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["old"]);
        let evidence = &out.findings[0].evidence["accessKeys"][0];
        assert_eq!(
            (
                evidence["accessKeyId"].as_str(),
                evidence["ageDays"].as_i64()
            ),
            (Some("AKIAOLD"), Some(91))
        );
    }

    #[test]
    fn a_password_unused_for_45_days_or_more_fails_and_a_recent_one_passes() {
        let stale = IamUser {
            password_enabled: true,
            password_last_used: Some(days_ago(46)),
            ..user("stale")
        };
        let recent = IamUser {
            password_enabled: true,
            password_last_used: Some(days_ago(44)),
            ..user("recent")
        };
        let never_old = IamUser {
            password_enabled: true,
            created: days_ago(50),
            ..user("never-old")
        };
        let never_new = IamUser {
            password_enabled: true,
            created: days_ago(10),
            ..user("never-new")
        };
        let inv = users(vec![stale, recent, never_old, never_new]);
        assert_eq!(failing(&CREDENTIALS_UNUSED, &inv), ["stale", "never-old"]);
    }

    #[test]
    fn an_active_key_unused_for_45_days_or_more_fails_and_inactive_or_recent_keys_pass() {
        let boundary = IamUser {
            access_keys: vec![key("AKIA45", "Active", 300, Some(45))],
            ..user("boundary")
        };
        let never_used = IamUser {
            access_keys: vec![key("AKIANEVER", "Active", 60, None)],
            ..user("never-used")
        };
        let recent = IamUser {
            access_keys: vec![
                key("AKIA44", "Active", 300, Some(44)),
                key("AKIANEW", "Active", 3, None),
            ],
            ..user("recent")
        };
        let inactive = IamUser {
            access_keys: vec![key("AKIAOFF", "Inactive", 300, None)],
            ..user("inactive")
        };
        let out = run(
            &CREDENTIALS_UNUSED,
            &users(vec![boundary, never_used, recent, inactive]),
        );
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["boundary", "never-used"]);
        let unused = &out.findings[1].evidence["unused"][0];
        assert_eq!(unused["accessKeyId"], "AKIANEVER");
        assert_eq!(unused["daysUnused"], 60);
    }

    #[test]
    fn two_active_keys_fail_and_one_active_with_one_inactive_passes() {
        let two = IamUser {
            access_keys: vec![
                key("AKIA1", "Active", 10, Some(1)),
                key("AKIA2", "Active", 5, Some(1)),
            ],
            ..user("two")
        };
        let rotating = IamUser {
            access_keys: vec![
                key("AKIA3", "Active", 10, Some(1)),
                key("AKIA4", "Inactive", 5, None),
            ],
            ..user("rotating")
        };
        let out = run(&USER_MULTIPLE_ACTIVE_KEYS, &users(vec![two, rotating]));
        assert_eq!(out.findings.len(), 1);
        assert_eq!(
            out.findings[0].evidence["activeAccessKeys"],
            json!(["AKIA1", "AKIA2"])
        );
    }

    #[test]
    fn a_missing_password_policy_fails_both_policy_rules() {
        let inv = with_iam(IamInventory::default());
        assert_eq!(failing(&PASSWORD_POLICY_LENGTH, &inv), [PASSWORD_POLICY]);
        assert_eq!(failing(&PASSWORD_POLICY_REUSE, &inv), [PASSWORD_POLICY]);
    }

    #[test]
    fn a_strong_password_policy_passes_both_policy_rules() {
        let inv = password_policy(14, Some(24));
        assert!(failing(&PASSWORD_POLICY_LENGTH, &inv).is_empty());
        assert!(failing(&PASSWORD_POLICY_REUSE, &inv).is_empty());
    }

    #[test]
    fn a_short_minimum_length_or_weak_reuse_prevention_fails() {
        assert_eq!(
            failing(&PASSWORD_POLICY_LENGTH, &password_policy(13, Some(24))),
            [PASSWORD_POLICY]
        );
        assert_eq!(
            failing(&PASSWORD_POLICY_REUSE, &password_policy(14, Some(5))),
            [PASSWORD_POLICY]
        );
        assert_eq!(
            failing(&PASSWORD_POLICY_REUSE, &password_policy(14, None)),
            [PASSWORD_POLICY]
        );
    }

    #[test]
    fn an_admin_statement_fails_whether_statement_is_an_object_or_an_array() {
        let object = policy(
            "object",
            json!({ "Version": "2012-10-17", "Statement": { "Effect": "Allow", "Action": "*", "Resource": "*" } }),
        );
        let array = policy(
            "array",
            json!({ "Statement": [
                { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" },
                { "Effect": "Allow", "Action": ["ec2:*", "*"], "Resource": ["*"] },
            ] }),
        );
        let encoded = policy(
            "encoded",
            Value::String(
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into(),
            ),
        );
        let out = run(&POLICY_ADMIN_STAR, &policies(vec![object, array, encoded]));
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["object", "array", "encoded"]);
        assert_eq!(
            out.findings[1].evidence["statements"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(out.findings[1].evidence["statements"][0]["Action"][1], "*");
    }

    #[test]
    fn not_action_deny_scoped_and_unattached_policies_pass_the_admin_rule() {
        let not_action = policy(
            "not-action",
            json!({ "Statement": { "Effect": "Allow", "NotAction": "iam:*", "Action": "*", "Resource": "*" } }),
        );
        let power_user = policy(
            "power-user",
            json!({ "Statement": [{ "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*" }] }),
        );
        let deny = policy(
            "deny",
            json!({ "Statement": [{ "Effect": "Deny", "Action": "*", "Resource": "*" }] }),
        );
        let scoped = policy(
            "scoped",
            json!({ "Statement": [{ "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::logs/*" }] }),
        );
        let service_admin = policy(
            "service-admin",
            json!({ "Statement": [{ "Effect": "Allow", "Action": "s3:*", "Resource": "*" }] }),
        );
        let unattached = IamPolicy {
            attachment_count: 0,
            ..policy(
                "unattached",
                json!({ "Statement": { "Effect": "Allow", "Action": "*", "Resource": "*" } }),
            )
        };
        let inv = policies(vec![
            not_action,
            power_user,
            deny,
            scoped,
            service_admin,
            unattached,
        ]);
        assert!(failing(&POLICY_ADMIN_STAR, &inv).is_empty());
    }

    #[test]
    fn a_virtual_root_mfa_fails_hardware_passes_and_unread_devices_are_not_assessed() {
        let iam = |virtual_mfa: Option<bool>| IamInventory {
            root_mfa_enabled: true,
            root_mfa_virtual: virtual_mfa,
            ..Default::default()
        };
        assert_eq!(
            failing(&ROOT_VIRTUAL_MFA, &with_iam(iam(Some(true)))),
            [ROOT]
        );
        assert!(failing(&ROOT_VIRTUAL_MFA, &with_iam(iam(Some(false)))).is_empty());
        let unread = run(&ROOT_VIRTUAL_MFA, &with_iam(iam(None)));
        assert!(unread.findings.is_empty() && unread.complete.is_empty());
        // No MFA at all is iam-root-no-mfa's finding, not this one's.
        let none = IamInventory {
            root_mfa_enabled: false,
            ..iam(Some(false))
        };
        assert!(failing(&ROOT_VIRTUAL_MFA, &with_iam(none)).is_empty());
    }

    #[test]
    fn no_role_with_support_access_fails_one_passes_and_an_unread_list_is_not_assessed() {
        let iam = |roles: Option<Vec<String>>| {
            with_iam(IamInventory {
                support_roles: roles,
                ..Default::default()
            })
        };
        assert_eq!(
            failing(&NO_SUPPORT_ROLE, &iam(Some(vec![]))),
            ["AWSSupportAccess"]
        );
        assert!(failing(&NO_SUPPORT_ROLE, &iam(Some(vec!["support".into()]))).is_empty());
        let unread = run(&NO_SUPPORT_ROLE, &iam(None));
        assert!(unread.findings.is_empty() && unread.complete.is_empty());
    }

    fn inline(name: &str, document: Value) -> InlinePolicy {
        InlinePolicy {
            name: name.into(),
            document,
        }
    }

    fn admin_document() -> Value {
        json!({ "Statement": { "Effect": "Allow", "Action": "*", "Resource": "*" } })
    }

    #[test]
    fn users_with_attached_or_inline_policies_fail_and_group_only_users_pass() {
        let attached = IamUser {
            attached_policies: vec!["ReadOnlyAccess".into()],
            inline_policies: Some(vec![]),
            ..user("attached")
        };
        let embedded = IamUser {
            inline_policies: Some(vec![inline("s3", json!({}))]),
            ..user("embedded")
        };
        let grouped = IamUser {
            inline_policies: Some(vec![]),
            ..user("grouped")
        };
        let unread = user("unread");
        let out = run(
            &USER_POLICIES_ATTACHED,
            &users(vec![attached, embedded, grouped, unread]),
        );
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["attached", "embedded"]);
        assert_eq!(out.findings[1].evidence["inlinePolicies"][0], "s3");
        assert_eq!(crate::fixtures::unknown(&out), ["unread"]);
    }

    fn role(name: &str, created_days_ago: i64, used_days_ago: Option<i64>) -> IamRole {
        IamRole {
            role_name: name.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            path: "/".into(),
            created: days_ago(created_days_ago),
            last_used: used_days_ago.map(days_ago),
            last_used_read: true,
            inline_policies: Some(vec![]),
        }
    }

    #[test]
    fn an_inline_admin_policy_on_a_user_or_role_fails_and_scoped_ones_pass() {
        let admin_user = IamUser {
            inline_policies: Some(vec![inline("everything", admin_document())]),
            ..user("ops")
        };
        let scoped = IamUser {
            inline_policies: Some(vec![inline(
                "logs",
                json!({ "Statement": [{ "Effect": "Allow", "Action": "logs:*", "Resource": "*" }] }),
            )]),
            ..user("dev")
        };
        let mut admin_role = role("breakglass", 10, Some(1));
        admin_role.inline_policies = Some(vec![inline("all", admin_document())]);
        let mut inv = users(vec![admin_user, scoped]);
        inv.iam.as_mut().unwrap().roles = Some(vec![admin_role, role("app", 10, Some(1))]);
        assert_eq!(
            failing(&INLINE_POLICY_ADMIN_STAR, &inv),
            ["user/ops/everything", "role/breakglass/all"]
        );
        assert_eq!(run(&INLINE_POLICY_ADMIN_STAR, &inv).complete.len(), 1);
        inv.iam.as_mut().unwrap().users[1].inline_policies = None;
        let out = run(&INLINE_POLICY_ADMIN_STAR, &inv);
        assert!(
            out.complete.is_empty(),
            "a user's policies unread: not complete"
        );
        assert_eq!(crate::fixtures::unknown(&out), ["user/dev"]);
        inv.iam.as_mut().unwrap().roles = None;
        let out = run(&INLINE_POLICY_ADMIN_STAR, &inv);
        assert!(out.complete.is_empty(), "roles unread: not complete");
    }

    #[test]
    fn an_expired_server_certificate_fails_and_a_valid_one_passes() {
        let cert = |name: &str, expiration| ServerCertificate {
            name: name.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:server-certificate/{name}"),
            expiration,
        };
        let inv = with_iam(IamInventory {
            server_certificates: Some(vec![
                cert("old", Some(days_ago(1))),
                cert("current", Some(days_ago(-30))),
                cert("undated", None),
            ]),
            ..Default::default()
        });
        let out = run(&SERVER_CERTIFICATE_EXPIRED, &inv);
        assert_eq!(failing(&SERVER_CERTIFICATE_EXPIRED, &inv), ["old"]);
        assert_eq!(crate::fixtures::unknown(&out), ["undated"]);
        assert_eq!(out.complete.len(), 1);
    }

    #[test]
    fn a_role_unused_for_90_days_or_never_used_fails_and_recent_new_or_service_roles_pass() {
        let mut service = role("AWSServiceRoleForSupport", 400, None);
        service.path = "/aws-service-role/support.amazonaws.com/".into();
        let mut unread = role("unread", 400, None);
        unread.last_used_read = false;
        let inv = with_iam(IamInventory {
            roles: Some(vec![
                role("idle", 400, Some(90)),
                role("never", 400, None),
                role("busy", 400, Some(89)),
                role("new", 30, None),
                service,
                unread,
            ]),
            ..Default::default()
        });
        let out = run(&ROLE_UNUSED, &inv);
        assert_eq!(failing(&ROLE_UNUSED, &inv), ["idle", "never"]);
        assert_eq!(crate::fixtures::unknown(&out), ["unread"]);
        let none = with_iam(IamInventory::default());
        assert!(run(&ROLE_UNUSED, &none).complete.is_empty());
    }
}
