//! IAM: the inventory model of the account summary, users and policies, and their rules.
//! IAM is global: findings carry region [`GLOBAL`].

pub mod model;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::arn;
use crate::{
    GLOBAL, Rule, Scope, Severity, Sink,
    model::{AccessKey, IamInventory, IamRole, InlinePolicy, Inventory, PasswordPolicy},
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
        &PASSWORD_POLICY_NUMBERS,
        &PASSWORD_POLICY_SYMBOLS,
        &PASSWORD_POLICY_UPPERCASE,
        &PASSWORD_POLICY_LOWERCASE,
        &PASSWORD_POLICY_NO_EXPIRY,
        &AWS_MANAGED_POLICY_ADMIN,
        &USER_ADMINISTRATOR_ACCESS,
        &ROLE_ADMINISTRATOR_ACCESS,
        &INLINE_POLICY_CLOUDTRAIL_FULL,
        &INLINE_POLICY_KMS_FULL,
        &INLINE_POLICY_MARKETPLACE_SUBSCRIBE,
        &USER_VIRTUAL_MFA,
        &USER_INITIAL_ACCESS_KEY,
        &ROLE_CONFUSED_DEPUTY,
        &ROLE_CROSS_ACCOUNT_READ_ONLY,
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

/// Judges one password-policy requirement: fails when there is no policy (AWS's default
/// requires none of them) or when `required` says the policy does not ask for it.
fn password_requirement(
    inv: &Inventory,
    sink: &mut Sink,
    key: &str,
    required: fn(&PasswordPolicy) -> bool,
) {
    with_iam(inv, |iam| {
        let evidence = match &iam.password_policy {
            None => json!({ "configured": false }),
            Some(p) if !required(p) => json!({ key: false }),
            Some(_) => return,
        };
        sink.fail(GLOBAL, PASSWORD_POLICY, None, evidence);
    });
}

pub static PASSWORD_POLICY_NUMBERS: Rule = Rule {
    id: "iam-password-policy-no-numbers",
    title: "Password policy does not require a number",
    severity: Severity::Medium,
    description: "The account's password policy (or its absence) lets IAM users choose \
                  passwords without a digit, shrinking the space a guessing or cracking attack \
                  has to search and letting dictionary words through.",
    remediation: "Require numbers (`aws iam update-account-password-policy --require-numbers \
                  ...`, passing the other settings you keep, as the call replaces the whole \
                  policy).",
    compliance: &["AWS FSBP IAM.7"],
    resource_type: "AWS::IAM::AccountPasswordPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| password_requirement(inv, sink, "requireNumbers", |p| p.require_numbers),
};

pub static PASSWORD_POLICY_SYMBOLS: Rule = Rule {
    id: "iam-password-policy-no-symbols",
    title: "Password policy does not require a symbol",
    severity: Severity::Medium,
    description: "The account's password policy (or its absence) lets IAM users choose \
                  passwords without a non-alphanumeric character, shrinking the space a \
                  guessing or cracking attack has to search.",
    remediation: "Require symbols (`aws iam update-account-password-policy --require-symbols \
                  ...`, passing the other settings you keep, as the call replaces the whole \
                  policy).",
    compliance: &["AWS FSBP IAM.7"],
    resource_type: "AWS::IAM::AccountPasswordPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| password_requirement(inv, sink, "requireSymbols", |p| p.require_symbols),
};

pub static PASSWORD_POLICY_UPPERCASE: Rule = Rule {
    id: "iam-password-policy-no-uppercase",
    title: "Password policy does not require an uppercase letter",
    severity: Severity::Medium,
    description: "The account's password policy (or its absence) lets IAM users choose \
                  passwords without an uppercase letter, shrinking the space a guessing or \
                  cracking attack has to search.",
    remediation: "Require uppercase letters (`aws iam update-account-password-policy \
                  --require-uppercase-characters ...`, passing the other settings you keep, as \
                  the call replaces the whole policy).",
    compliance: &["AWS FSBP IAM.7"],
    resource_type: "AWS::IAM::AccountPasswordPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| password_requirement(inv, sink, "requireUppercase", |p| p.require_uppercase),
};

pub static PASSWORD_POLICY_LOWERCASE: Rule = Rule {
    id: "iam-password-policy-no-lowercase",
    title: "Password policy does not require a lowercase letter",
    severity: Severity::Medium,
    description: "The account's password policy (or its absence) lets IAM users choose \
                  passwords without a lowercase letter, shrinking the space a guessing or \
                  cracking attack has to search.",
    remediation: "Require lowercase letters (`aws iam update-account-password-policy \
                  --require-lowercase-characters ...`, passing the other settings you keep, as \
                  the call replaces the whole policy).",
    compliance: &["AWS FSBP IAM.7"],
    resource_type: "AWS::IAM::AccountPasswordPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| password_requirement(inv, sink, "requireLowercase", |p| p.require_lowercase),
};

/// Passwords must expire within this many days (PCI DSS 8.3.9, FSBP IAM.10).
const PASSWORD_MAX_AGE_DAYS: i32 = 90;

pub static PASSWORD_POLICY_NO_EXPIRY: Rule = Rule {
    id: "iam-password-policy-no-expiry",
    title: "Password policy lets passwords live longer than 90 days",
    severity: Severity::Low,
    description: "IAM users' passwords never expire, or expire after more than 90 days, so a \
                  password that leaked unnoticed stays valid indefinitely. PCI DSS (and AWS's \
                  IAM.10 control) require a change at least every 90 days for passwords used \
                  as the only factor; NIST SP 800-63B prefers MFA to forced rotation, so where \
                  every console user has MFA this finding may be accepted.",
    remediation: "Set a maximum password age of 90 days or less (`aws iam \
                  update-account-password-policy --max-password-age 90 ...`, passing the other \
                  settings you keep, as the call replaces the whole policy).",
    compliance: &["AWS FSBP IAM.10"],
    resource_type: "AWS::IAM::AccountPasswordPolicy",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            let evidence = match &iam.password_policy {
                None => json!({ "configured": false }),
                Some(p)
                    if p.max_age_days
                        .is_none_or(|d| d <= 0 || d > PASSWORD_MAX_AGE_DAYS) =>
                {
                    json!({ "maxPasswordAgeDays": p.max_age_days })
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
    check: |inv, sink| judge_inline(inv, sink, admin_statements),
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

// The attached AWS-managed policies could be read.
iam_part!(AWS_MANAGED_POLICIES, aws_managed_policies);

/// The ARN suffix of an AWS-managed policy (any partition).
fn is_aws_policy(arn: &str, name: &str) -> bool {
    arn.strip_suffix(name)
        .is_some_and(|head| head.starts_with("arn:") && head.ends_with(":iam::aws:policy/"))
}

const ADMINISTRATOR_ACCESS: &str = "AdministratorAccess";
const READ_ONLY_ACCESS: &str = "ReadOnlyAccess";

/// Service-linked roles (`/aws-service-role/`) belong to AWS: their policies and trust
/// cannot be changed, so rules on roles skip them.
fn service_linked(r: &IamRole) -> bool {
    r.path.starts_with("/aws-service-role/")
}

pub static AWS_MANAGED_POLICY_ADMIN: Rule = Rule {
    id: "iam-aws-managed-policy-admin-attached",
    title: "AWS-managed policy granting full administrator access is attached",
    severity: Severity::High,
    description: "An AWS-managed policy allowing every action on every resource (such as \
                  `AdministratorAccess`) is attached to users, groups or roles of the account. \
                  Each of them can do anything, including granting themselves more and \
                  erasing their tracks, so any compromise of one is a compromise of the \
                  account.",
    remediation: "List who holds it (`aws iam list-entities-for-policy --policy-arn <arn>`), \
                  give each the permissions it needs with scoped policies, then detach it \
                  (`aws iam detach-user-policy`/`detach-group-policy`/`detach-role-policy \
                  --policy-arn <arn>`); keep full admin to a few break-glass roles behind MFA.",
    compliance: &["CIS AWS Foundations v5.0.0 1.15"],
    resource_type: "AWS::IAM::ManagedPolicy",
    scope: Scope::Account,
    sources: &[SOURCE, AWS_MANAGED_POLICIES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for p in iam.aws_managed_policies.iter().flatten() {
                let statements = admin_statements(&p.document);
                if p.attachment_count > 0 && !statements.is_empty() {
                    let evidence = json!({
                        "attachmentCount": p.attachment_count,
                        "statements": statements,
                    });
                    sink.fail(GLOBAL, &p.name, Some(p.arn.clone()), evidence);
                }
            }
        });
    },
};

pub static USER_ADMINISTRATOR_ACCESS: Rule = Rule {
    id: "iam-user-administrator-access",
    title: "IAM user has AdministratorAccess attached",
    severity: Severity::High,
    description: "AWS's `AdministratorAccess` policy is attached directly to this user, whose \
                  long-lived password or access keys then open the whole account: whoever \
                  phishes the password or finds a key in a repository can do anything, \
                  including creating their own way back in.",
    remediation: "Give the user only the permissions its job needs, through a group; for \
                  administration use a role assumed with MFA (or IAM Identity Center); then \
                  `aws iam detach-user-policy --user-name <user> --policy-arn \
                  arn:aws:iam::aws:policy/AdministratorAccess`.",
    compliance: &["CIS AWS Foundations v5.0.0 1.15"],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for u in &iam.users {
                let admin: Vec<&String> = u
                    .attached_policy_arns
                    .iter()
                    .filter(|a| is_aws_policy(a, ADMINISTRATOR_ACCESS))
                    .collect();
                if !admin.is_empty() {
                    let evidence = json!({ "attachedPolicies": admin });
                    sink.fail(GLOBAL, &u.user_name, Some(u.arn.clone()), evidence);
                }
            }
        });
    },
};

pub static ROLE_ADMINISTRATOR_ACCESS: Rule = Rule {
    id: "iam-role-administrator-access",
    title: "IAM role has AdministratorAccess attached",
    severity: Severity::High,
    description: "AWS's `AdministratorAccess` policy is attached to this role: every principal \
                  its trust policy admits, and every workload running with it, can do anything \
                  in the account. A compromised instance, function or trusted account becomes \
                  a compromised account.",
    remediation: "Replace it with policies scoped to what the role's users or workload do \
                  (IAM Access Analyzer can generate one from CloudTrail activity), then `aws \
                  iam detach-role-policy --role-name <role> --policy-arn \
                  arn:aws:iam::aws:policy/AdministratorAccess`; keep full admin to a few \
                  break-glass roles that require MFA.",
    compliance: &["CIS AWS Foundations v5.0.0 1.15"],
    resource_type: "AWS::IAM::Role",
    scope: Scope::Account,
    sources: &[SOURCE, ROLES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for r in iam.roles.iter().flatten().filter(|r| !service_linked(r)) {
                let Some(attached) = &r.attached_policy_arns else {
                    sink.unknown(GLOBAL, &r.role_name);
                    continue;
                };
                let admin: Vec<&String> = attached
                    .iter()
                    .filter(|a| is_aws_policy(a, ADMINISTRATOR_ACCESS))
                    .collect();
                if !admin.is_empty() {
                    let evidence = json!({ "attachedPolicies": admin });
                    sink.fail(GLOBAL, &r.role_name, Some(r.arn.clone()), evidence);
                }
            }
        });
    },
};

/// Runs `statements` over every inline policy of the users and roles: a policy with
/// statements is a finding (`user/<name>/<policy>` or `role/<name>/<policy>`), an owner
/// whose policies were unread is unknown.
fn judge_inline(inv: &Inventory, sink: &mut Sink, statements: fn(&Value) -> Vec<Value>) {
    with_iam(inv, |iam| {
        let mut judge = |kind: &str, owner: &str, arn: &str, p: Option<&Vec<InlinePolicy>>| {
            let Some(policies) = p else {
                sink.unknown(GLOBAL, &format!("{kind}/{owner}"));
                return;
            };
            for p in policies {
                let found = statements(&p.document);
                if !found.is_empty() {
                    let evidence = json!({ kind: owner, "statements": found });
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
}

pub static INLINE_POLICY_CLOUDTRAIL_FULL: Rule = Rule {
    id: "iam-inline-policy-cloudtrail-full-access",
    title: "Inline policy grants full access to CloudTrail",
    severity: Severity::Medium,
    description: "An inline policy of this user or role allows every CloudTrail action (`*` or \
                  `cloudtrail:*`) on every resource, including `StopLogging`, `DeleteTrail` \
                  and `PutEventSelectors`: whoever holds it can blind the account's audit log \
                  before acting.",
    remediation: "Scope the policy to the CloudTrail actions needed (reading: \
                  `cloudtrail:LookupEvents`, `cloudtrail:Get*`, `cloudtrail:Describe*`) and to \
                  the trails concerned, then replace it (`aws iam put-user-policy` / `aws iam \
                  put-role-policy`) or delete it (`aws iam delete-user-policy` / `aws iam \
                  delete-role-policy`).",
    compliance: &[],
    resource_type: "AWS::IAM::Policy",
    sources: &[SOURCE, ROLE_INLINE_POLICIES, USER_INLINE_POLICIES],
    scope: Scope::Account,
    check: |inv, sink| judge_inline(inv, sink, |d| full_service_statements(d, "cloudtrail")),
};

pub static INLINE_POLICY_KMS_FULL: Rule = Rule {
    id: "iam-inline-policy-kms-full-access",
    title: "Inline policy grants full access to KMS",
    severity: Severity::Medium,
    description: "An inline policy of this user or role allows every KMS action (`*` or \
                  `kms:*`) on every key: whoever holds it can decrypt any data the key \
                  policies let the account use, change key policies, and schedule keys for \
                  deletion, destroying every piece of data they protect.",
    remediation: "Scope the policy to the KMS actions needed (`kms:Decrypt`, \
                  `kms:GenerateDataKey`...) on the keys concerned, then replace it (`aws iam \
                  put-user-policy` / `aws iam put-role-policy`) or delete it (`aws iam \
                  delete-user-policy` / `aws iam delete-role-policy`).",
    compliance: &[],
    resource_type: "AWS::IAM::Policy",
    sources: &[SOURCE, ROLE_INLINE_POLICIES, USER_INLINE_POLICIES],
    scope: Scope::Account,
    check: |inv, sink| judge_inline(inv, sink, |d| full_service_statements(d, "kms")),
};

const MARKETPLACE_SUBSCRIBE: &str = "aws-marketplace:Subscribe";

pub static INLINE_POLICY_MARKETPLACE_SUBSCRIBE: Rule = Rule {
    id: "iam-inline-policy-marketplace-subscribe",
    title: "Inline policy allows subscribing to any AWS Marketplace product",
    severity: Severity::Medium,
    description: "An inline policy of this user or role allows `aws-marketplace:Subscribe` on \
                  every product: its holder can subscribe the account to any paid Marketplace \
                  software or data product, committing spend and bringing unvetted software \
                  into the account.",
    remediation: "Remove `aws-marketplace:Subscribe` (or the wildcard granting it), or limit it \
                  to approved products through a Private Marketplace, then replace the policy \
                  (`aws iam put-user-policy` / `aws iam put-role-policy`).",
    compliance: &[],
    resource_type: "AWS::IAM::Policy",
    sources: &[SOURCE, ROLE_INLINE_POLICIES, USER_INLINE_POLICIES],
    scope: Scope::Account,
    check: |inv, sink| {
        judge_inline(inv, sink, |d| {
            granting_statements(
                d,
                |s| covers(s, MARKETPLACE_SUBSCRIBE),
                |s| covers(s, MARKETPLACE_SUBSCRIBE),
            )
        })
    },
};

pub static USER_VIRTUAL_MFA: Rule = Rule {
    id: "iam-user-virtual-mfa",
    title: "IAM user's MFA is a virtual device, not a hardware one",
    severity: Severity::Low,
    description: "The user's MFA is (or includes) an authenticator app. Its secret lives on a \
                  phone or computer, where malware or a cloned backup can copy it, and its \
                  codes can be phished in real time; a FIDO2 security key is bound to the \
                  sign-in page and cannot be copied.",
    remediation: "Have the user register a FIDO2 security key or hardware TOTP token (console: \
                  IAM > Users > <user> > Security credentials > Assign MFA device), then \
                  remove the virtual device (`aws iam deactivate-mfa-device --user-name <user> \
                  --serial-number <arn>`).",
    compliance: &[],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for u in iam.users.iter().filter(|u| u.virtual_mfa_devices > 0) {
                let evidence = json!({
                    "mfaDevices": u.mfa_devices,
                    "virtualMfaDevices": u.virtual_mfa_devices,
                });
                sink.fail(GLOBAL, &u.user_name, Some(u.arn.clone()), evidence);
            }
        });
    },
};

pub static USER_INITIAL_ACCESS_KEY: Rule = Rule {
    id: "iam-user-initial-access-key",
    title: "Console user has an access key that was never used",
    severity: Severity::Medium,
    description: "This user signs in with a password and also holds an active access key that \
                  has never been used, typically one created with the user \"just in case\". \
                  It is a standing credential nobody needs, stored somewhere nobody watches, \
                  and it works without MFA.",
    remediation: "Delete the unused key (`aws iam delete-access-key --user-name <user> \
                  --access-key-id <id>`); create keys only when a workload needs one, and \
                  prefer roles.",
    compliance: &["CIS AWS Foundations v5.0.0 1.10"],
    resource_type: "AWS::IAM::User",
    scope: Scope::Account,
    sources: &[SOURCE],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for u in iam.users.iter().filter(|u| u.password_enabled) {
                let never: Vec<&str> = u
                    .access_keys
                    .iter()
                    .filter(|k| is_active(k) && k.last_used.is_none())
                    .map(|k| k.access_key_id.as_str())
                    .collect();
                if !never.is_empty() {
                    let evidence = json!({ "passwordEnabled": true, "neverUsedAccessKeys": never });
                    sink.fail(GLOBAL, &u.user_name, Some(u.arn.clone()), evidence);
                }
            }
        });
    },
};

/// Services that assume roles only for resources of the role's own account (Prowler
/// exempts the same two): no confused deputy is possible through them.
const SAME_ACCOUNT_SERVICES: &[&str] = &["secretsmanager.amazonaws.com", "eks.amazonaws.com"];
/// The condition keys that tie a service's use of a role to the account's own resources.
const SOURCE_KEYS: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

/// Whether a statement's condition names the resource or account a service acts for (one
/// of [`SOURCE_KEYS`] under a string or ARN operator, with no bare `*` value).
fn restricts_source(statement: &Value) -> bool {
    let Some(Value::Object(condition)) = statement.get("Condition") else {
        return false;
    };
    condition.iter().any(|(operator, keys)| {
        let op = operator.to_ascii_lowercase();
        let op = op.rsplit(':').next().unwrap_or_default();
        let Value::Object(keys) = keys else {
            return false;
        };
        ["stringequals", "stringlike", "arnequals", "arnlike"].contains(&op)
            && keys.iter().any(|(key, values)| {
                let values = strings(Some(values));
                SOURCE_KEYS.contains(&key.to_ascii_lowercase().as_str())
                    && !values.is_empty()
                    && values.iter().all(|v| v.trim() != "*")
            })
    })
}

/// The AWS service principals of a statement that could be used by another customer's
/// resources.
fn cross_service_principals(statement: &Value) -> Vec<&str> {
    let Some(Value::Object(principal)) = statement.get("Principal") else {
        return Vec::new();
    };
    strings(principal.get("Service"))
        .into_iter()
        .filter(|s| {
            (*s == "*" || s.ends_with(".amazonaws.com") || s.ends_with(".amazon.com"))
                && !SAME_ACCOUNT_SERVICES.contains(s)
        })
        .collect()
}

pub static ROLE_CONFUSED_DEPUTY: Rule = Rule {
    id: "iam-role-service-confused-deputy",
    title: "Role trusts an AWS service without naming the source account or resource",
    severity: Severity::Medium,
    description: "The role's trust policy lets an AWS service assume it with no \
                  `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceOrgID` condition. A \
                  service acting for another customer's resource can then be steered into \
                  using this role (the cross-service confused deputy), reaching the account \
                  with the role's permissions.",
    remediation: "Add a condition to the trust statement naming the account (`\"Condition\": \
                  {\"StringEquals\": {\"aws:SourceAccount\": \"<account-id>\"}}`) or the \
                  resource (`\"ArnLike\": {\"aws:SourceArn\": \"arn:aws:<service>:<region>:\
                  <account-id>:...\"}`), then `aws iam update-assume-role-policy --role-name \
                  <role> --policy-document file://trust.json`; check first that the service \
                  sends the key.",
    compliance: &[],
    resource_type: "AWS::IAM::Role",
    scope: Scope::Account,
    sources: &[SOURCE, ROLES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for r in iam.roles.iter().flatten().filter(|r| !service_linked(r)) {
                if r.trust_policy.is_null() {
                    sink.unknown(GLOBAL, &r.role_name);
                    continue;
                }
                let mut services: Vec<String> = Vec::new();
                for s in statements_of(&r.trust_policy) {
                    if effect_is(&s, "Allow")
                        && covers(&s, "sts:AssumeRole")
                        && !restricts_source(&s)
                    {
                        services
                            .extend(cross_service_principals(&s).into_iter().map(str::to_owned));
                    }
                }
                if !services.is_empty() {
                    let evidence = json!({ "unrestrictedServices": services });
                    sink.fail(GLOBAL, &r.role_name, Some(r.arn.clone()), evidence);
                }
            }
        });
    },
};

/// The principals of an `Allow` statement of a trust policy that are outside `account`
/// (`*`, another account's ID or ARN).
fn external_principals<'a>(statement: &'a Value, account: &str) -> Vec<&'a str> {
    let aws = match statement.get("Principal") {
        Some(Value::String(s)) if s == "*" => vec!["*"],
        Some(Value::Object(p)) => strings(p.get("AWS")),
        _ => Vec::new(),
    };
    aws.into_iter()
        .filter(|p| {
            let owner = if p.starts_with("arn:") {
                arn::account_of(p).unwrap_or_default()
            } else {
                *p
            };
            owner != account
        })
        .collect()
}

pub static ROLE_CROSS_ACCOUNT_READ_ONLY: Rule = Rule {
    id: "iam-role-cross-account-read-only",
    title: "Role gives another account ReadOnlyAccess",
    severity: Severity::High,
    description: "The role has AWS's `ReadOnlyAccess` policy and its trust policy admits \
                  principals of another account (or anyone). `ReadOnlyAccess` is not a \
                  metadata view: it reads S3 objects, DynamoDB items, queue messages, \
                  parameters and logs, so the other account (a vendor, or whoever compromises \
                  it) can copy the account's data.",
    remediation: "Give the outside party only what it needs: `SecurityAudit` or \
                  `job-function/ViewOnlyAccess` for an auditor or posture tool, or a scoped \
                  policy (`aws iam attach-role-policy ...`, then `aws iam detach-role-policy \
                  --role-name <role> --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess`); \
                  require an external ID in the trust policy.",
    compliance: &[],
    resource_type: "AWS::IAM::Role",
    scope: Scope::Account,
    sources: &[SOURCE, ROLES],
    check: |inv, sink| {
        with_iam(inv, |iam| {
            for r in iam.roles.iter().flatten().filter(|r| !service_linked(r)) {
                let Some(attached) = &r.attached_policy_arns else {
                    sink.unknown(GLOBAL, &r.role_name);
                    continue;
                };
                if !attached.iter().any(|a| is_aws_policy(a, READ_ONLY_ACCESS)) {
                    continue;
                }
                if r.trust_policy.is_null() {
                    sink.unknown(GLOBAL, &r.role_name);
                    continue;
                }
                let mut external: Vec<String> = Vec::new();
                for s in statements_of(&r.trust_policy) {
                    if effect_is(&s, "Allow") {
                        let found = external_principals(&s, &inv.account_id);
                        external.extend(found.into_iter().map(str::to_owned));
                    }
                }
                if !external.is_empty() {
                    let evidence = json!({
                        "policy": READ_ONLY_ACCESS,
                        "externalPrincipals": external,
                    });
                    sink.fail(GLOBAL, &r.role_name, Some(r.arn.clone()), evidence);
                }
            }
        });
    },
};

/// The values of a policy element that is a string or a list of strings.
fn strings(element: Option<&Value>) -> Vec<&str> {
    match element {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The statements of a policy document (`Statement` may be one object or a list; a
/// document still encoded as a string is parsed).
fn statements_of(document: &Value) -> Vec<Value> {
    if let Value::String(text) = document {
        return serde_json::from_str(text).map_or_else(|_| Vec::new(), |d| statements_of(&d));
    }
    match document.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

fn effect_is(statement: &Value, effect: &str) -> bool {
    statement
        .get("Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| e.trim().eq_ignore_ascii_case(effect))
}

/// IAM's wildcard match (`*` any run, `?` one character), case-insensitive as IAM
/// matches actions; a linear scan without backtracking blow-up.
fn wildcard_match(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.trim().to_lowercase().chars().collect();
    let v: Vec<char> = value.to_lowercase().chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < v.len() {
        if i < p.len() && (p[i] == '?' || p[i] == v[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// Whether a statement's `Action` (or, without one, its `NotAction`) takes in `action`.
fn covers(statement: &Value, action: &str) -> bool {
    match (statement.get("Action"), statement.get("NotAction")) {
        (Some(a), _) => strings(Some(a)).iter().any(|p| wildcard_match(p, action)),
        (None, Some(n)) => !strings(Some(n)).iter().any(|p| wildcard_match(p, action)),
        (None, None) => false,
    }
}

/// Whether an action pattern takes in every action of `service` (`*`, `kms:*`, `k*:*`).
fn whole_service(pattern: &str, service: &str) -> bool {
    let pattern = pattern.trim();
    match pattern.split_once(':') {
        None => pattern.chars().all(|c| c == '*') && !pattern.is_empty(),
        Some((svc, act)) => {
            wildcard_match(svc, service) && !act.is_empty() && act.chars().all(|c| c == '*')
        }
    }
}

/// Whether an action pattern names some action of `service`.
fn touches_service(pattern: &str, service: &str) -> bool {
    match pattern.trim().split_once(':') {
        None => pattern.trim().chars().all(|c| c == '*'),
        Some((svc, _)) => wildcard_match(svc, service),
    }
}

/// The `Allow` statements on every resource (`"Resource": "*"`) for which `grants` holds,
/// unless an unconditional `Deny` on every resource for which `denies` holds takes it back.
fn granting_statements(
    document: &Value,
    grants: impl Fn(&Value) -> bool,
    denies: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let all = statements_of(document);
    let on_all = |s: &Value| strings(s.get("Resource")).iter().any(|r| r.trim() == "*");
    let revoked = all
        .iter()
        .any(|s| effect_is(s, "Deny") && s.get("Condition").is_none() && on_all(s) && denies(s));
    if revoked {
        return Vec::new();
    }
    all.into_iter()
        .filter(|s| effect_is(s, "Allow") && on_all(s) && grants(s))
        .collect()
}

/// The statements granting every action of `service` on every resource (`*`,
/// `<service>:*`, or a `NotAction` leaving the service out of its exclusions).
fn full_service_statements(document: &Value, service: &str) -> Vec<Value> {
    granting_statements(
        document,
        |s| match (s.get("Action"), s.get("NotAction")) {
            (Some(a), _) => strings(Some(a)).iter().any(|p| whole_service(p, service)),
            (None, Some(n)) => !strings(Some(n)).iter().any(|p| touches_service(p, service)),
            (None, None) => false,
        },
        |s| match (s.get("Action"), s.get("NotAction")) {
            (Some(a), _) => strings(Some(a)).iter().any(|p| touches_service(p, service)),
            (None, Some(n)) => !strings(Some(n)).iter().any(|p| whole_service(p, service)),
            (None, None) => false,
        },
    )
}

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
            trust_policy: json!({ "Statement": [{ "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{ACCOUNT}:root") },
                "Action": "sts:AssumeRole" }] }),
            attached_policy_arns: Some(vec![]),
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

    fn policy_policy(password: PasswordPolicy) -> Inventory {
        with_iam(IamInventory {
            password_policy: Some(password),
            ..Default::default()
        })
    }

    #[test]
    fn each_missing_complexity_requirement_fails_its_own_rule() {
        let strong = PasswordPolicy {
            minimum_length: 14,
            reuse_prevention: Some(24),
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            max_age_days: Some(90),
        };
        let rules = [
            &PASSWORD_POLICY_NUMBERS,
            &PASSWORD_POLICY_SYMBOLS,
            &PASSWORD_POLICY_UPPERCASE,
            &PASSWORD_POLICY_LOWERCASE,
            &PASSWORD_POLICY_NO_EXPIRY,
        ];
        for rule in rules {
            let out = run(rule, &policy_policy(strong.clone()));
            assert!(out.findings.is_empty(), "{}", rule.id);
            assert_eq!(out.complete.len(), 1, "{}", rule.id);
            // No policy at all: AWS's default requires none of them.
            let none = with_iam(IamInventory::default());
            assert_eq!(failing(rule, &none), [PASSWORD_POLICY], "{}", rule.id);
            // IAM unread: not assessed.
            assert!(run(rule, &inventory()).complete.is_empty(), "{}", rule.id);
        }
        let weaken: [fn(&mut PasswordPolicy); 5] = [
            |p| p.require_numbers = false,
            |p| p.require_symbols = false,
            |p| p.require_uppercase = false,
            |p| p.require_lowercase = false,
            |p| p.max_age_days = Some(91),
        ];
        for (i, weaken) in weaken.iter().enumerate() {
            let mut weak = strong.clone();
            weaken(&mut weak);
            for (j, rule) in rules.into_iter().enumerate() {
                let expected: &[&str] = if i == j { &[PASSWORD_POLICY] } else { &[] };
                assert_eq!(
                    failing(rule, &policy_policy(weak.clone())),
                    expected,
                    "{}",
                    rule.id
                );
            }
        }
        let never = PasswordPolicy {
            max_age_days: None,
            ..strong
        };
        let out = run(&PASSWORD_POLICY_NO_EXPIRY, &policy_policy(never));
        assert_eq!(out.findings[0].evidence["maxPasswordAgeDays"], Value::Null);
    }

    const ADMIN_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
    const READ_ONLY_ARN: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

    #[test]
    fn an_attached_aws_managed_admin_policy_fails_and_scoped_or_unattached_ones_pass() {
        let aws = |name: &str, document: Value, attachment_count| IamPolicy {
            arn: format!("arn:aws:iam::aws:policy/{name}"),
            name: name.into(),
            document,
            attachment_count,
        };
        let read = json!({ "Statement": [{ "Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"], "Resource": "*" }] });
        let inv = |policies| {
            with_iam(IamInventory {
                aws_managed_policies: policies,
                ..Default::default()
            })
        };
        let out = run(
            &AWS_MANAGED_POLICY_ADMIN,
            &inv(Some(vec![
                aws(ADMINISTRATOR_ACCESS, admin_document(), 2),
                aws(READ_ONLY_ACCESS, read, 1),
                aws(
                    "PowerUserAccess",
                    json!({ "Statement": [{ "Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*" }] }),
                    1,
                ),
                aws("SystemAdministrator", admin_document(), 0),
            ])),
        );
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, [ADMINISTRATOR_ACCESS]);
        assert_eq!(out.findings[0].resource_arn.as_deref(), Some(ADMIN_ARN));
        assert_eq!(out.findings[0].evidence["attachmentCount"], 2);
        assert_eq!(out.complete.len(), 1);
        // The list unread: not assessed.
        let unread = run(&AWS_MANAGED_POLICY_ADMIN, &inv(None));
        assert!(unread.findings.is_empty() && unread.complete.is_empty());
    }

    #[test]
    fn administrator_access_on_a_user_or_role_fails_and_a_lookalike_or_other_policies_pass() {
        let admin = IamUser {
            attached_policy_arns: vec![ADMIN_ARN.into()],
            ..user("admin")
        };
        // A customer policy that only borrows the name.
        let lookalike = IamUser {
            attached_policy_arns: vec![format!(
                "arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess"
            )],
            ..user("lookalike")
        };
        let reader = IamUser {
            attached_policy_arns: vec![READ_ONLY_ARN.into()],
            ..user("reader")
        };
        let mut inv = users(vec![admin, lookalike, reader]);
        assert_eq!(failing(&USER_ADMINISTRATOR_ACCESS, &inv), ["admin"]);

        let mut breakglass = role("breakglass", 10, Some(1));
        breakglass.attached_policy_arns = Some(vec![ADMIN_ARN.into()]);
        let mut gov = role("gov", 10, Some(1));
        gov.attached_policy_arns = Some(vec![
            "arn:aws-us-gov:iam::aws:policy/AdministratorAccess".into(),
        ]);
        let mut linked = role("AWSServiceRoleForX", 10, Some(1));
        linked.path = "/aws-service-role/x.amazonaws.com/".into();
        linked.attached_policy_arns = Some(vec![ADMIN_ARN.into()]);
        let mut unread = role("unread", 10, Some(1));
        unread.attached_policy_arns = None;
        inv.iam.as_mut().unwrap().roles = Some(vec![
            breakglass,
            gov,
            linked,
            unread,
            role("app", 10, Some(1)),
        ]);
        let out = run(&ROLE_ADMINISTRATOR_ACCESS, &inv);
        assert_eq!(
            failing(&ROLE_ADMINISTRATOR_ACCESS, &inv),
            ["breakglass", "gov"]
        );
        assert_eq!(crate::fixtures::unknown(&out), ["unread"]);
        assert_eq!(out.complete.len(), 1);
        inv.iam.as_mut().unwrap().roles = None;
        assert!(run(&ROLE_ADMINISTRATOR_ACCESS, &inv).complete.is_empty());
    }

    #[test]
    fn inline_full_cloudtrail_or_kms_access_and_wildcard_marketplace_subscribe_fail() {
        let doc = |statements: Value| json!({ "Version": "2012-10-17", "Statement": statements });
        let policies = vec![
            inline("everything", admin_document()),
            inline(
                "trail-admin",
                doc(json!([{ "Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*" }])),
            ),
            inline(
                "kms-admin",
                doc(
                    json!({ "Effect": "Allow", "Action": ["s3:GetObject", "KMS:*"], "Resource": ["*"] }),
                ),
            ),
            inline(
                "not-iam",
                doc(json!([{ "Effect": "Allow", "NotAction": "iam:*", "Resource": "*" }])),
            ),
            inline(
                "market",
                doc(
                    json!([{ "Effect": "Allow", "Action": "aws-marketplace:Sub*", "Resource": "*" }]),
                ),
            ),
            // Scoped resources, partial actions, or a deny taking it back: passing.
            inline(
                "trail-read",
                doc(
                    json!([{ "Effect": "Allow", "Action": ["cloudtrail:Get*", "cloudtrail:LookupEvents"], "Resource": "*" }]),
                ),
            ),
            inline(
                "one-key",
                doc(
                    json!([{ "Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:eu-west-1:123456789012:key/k" }]),
                ),
            ),
            inline(
                "denied",
                doc(json!([
                    { "Effect": "Allow", "Action": "*", "Resource": "*" },
                    { "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "kms:ScheduleKeyDeletion", "aws-marketplace:*"], "Resource": "*" },
                ])),
            ),
            inline(
                "logs",
                doc(json!([{ "Effect": "Allow", "Action": "logs:*", "Resource": "*" }])),
            ),
        ];
        let inv = users(vec![IamUser {
            inline_policies: Some(policies),
            ..user("dev")
        }]);
        let ids = |rule| -> Vec<String> {
            failing(rule, &inv)
                .into_iter()
                .map(|id| id.trim_start_matches("user/dev/").to_owned())
                .collect()
        };
        assert_eq!(
            ids(&INLINE_POLICY_CLOUDTRAIL_FULL),
            ["everything", "trail-admin", "not-iam"]
        );
        assert_eq!(
            ids(&INLINE_POLICY_KMS_FULL),
            ["everything", "kms-admin", "not-iam"]
        );
        assert_eq!(
            ids(&INLINE_POLICY_MARKETPLACE_SUBSCRIBE),
            ["everything", "not-iam", "market"]
        );
        let exempt = users(vec![IamUser {
            inline_policies: Some(vec![inline(
                "not-kms",
                doc(
                    json!([{ "Effect": "Allow", "NotAction": ["kms:*", "aws-marketplace:*"], "Resource": "*" }]),
                ),
            )]),
            ..user("dev")
        }]);
        assert!(failing(&INLINE_POLICY_KMS_FULL, &exempt).is_empty());
        assert!(failing(&INLINE_POLICY_MARKETPLACE_SUBSCRIBE, &exempt).is_empty());
        assert_eq!(
            failing(&INLINE_POLICY_CLOUDTRAIL_FULL, &exempt),
            ["user/dev/not-kms"]
        );
        // A user's policies unread: that user unknown, the rule incomplete.
        let unread = users(vec![user("dev")]);
        let out = run(&INLINE_POLICY_KMS_FULL, &unread);
        assert_eq!(crate::fixtures::unknown(&out), ["user/dev"]);
        assert!(out.complete.is_empty());
    }

    #[test]
    fn wildcards_match_as_iam_matches_actions() {
        assert!(wildcard_match("*", "kms:Decrypt"));
        assert!(wildcard_match("kms:*", "KMS:Decrypt"));
        assert!(wildcard_match("k?s:De*t", "kms:Decrypt"));
        assert!(wildcard_match("sts:AssumeRole", "sts:assumerole"));
        assert!(!wildcard_match("sts:AssumeRole", "sts:AssumeRoleWithSAML"));
        assert!(!wildcard_match("kms:Get*", "kms:Decrypt"));
        assert!(wildcard_match("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!wildcard_match("*a*b*c*", "xxaxxcxxbxx"));
    }

    #[test]
    fn a_virtual_user_mfa_fails_and_hardware_only_or_no_mfa_passes() {
        let app = IamUser {
            mfa_devices: 1,
            virtual_mfa_devices: 1,
            ..user("app")
        };
        let both = IamUser {
            mfa_devices: 2,
            virtual_mfa_devices: 1,
            ..user("both")
        };
        let key = IamUser {
            mfa_devices: 1,
            ..user("key")
        };
        // No MFA at all is iam-user-console-no-mfa's finding (for console users).
        let none = user("none");
        let inv = users(vec![app, both, key, none]);
        assert_eq!(failing(&USER_VIRTUAL_MFA, &inv), ["app", "both"]);
        assert!(run(&USER_VIRTUAL_MFA, &inventory()).complete.is_empty());
    }

    #[test]
    fn a_console_user_with_a_never_used_active_key_fails() {
        let initial = IamUser {
            password_enabled: true,
            access_keys: vec![
                key("AKIANEVER", "Active", 3, None),
                key("AKIAUSED", "Active", 3, Some(1)),
            ],
            ..user("initial")
        };
        let used = IamUser {
            password_enabled: true,
            access_keys: vec![key("AKIAUSED2", "Active", 3, Some(1))],
            ..user("used")
        };
        let inactive = IamUser {
            password_enabled: true,
            access_keys: vec![key("AKIAOFF", "Inactive", 3, None)],
            ..user("inactive")
        };
        let api_only = IamUser {
            access_keys: vec![key("AKIACI", "Active", 3, None)],
            ..user("ci")
        };
        let inv = users(vec![initial, used, inactive, api_only]);
        let out = run(&USER_INITIAL_ACCESS_KEY, &inv);
        assert_eq!(failing(&USER_INITIAL_ACCESS_KEY, &inv), ["initial"]);
        assert_eq!(
            out.findings[0].evidence["neverUsedAccessKeys"],
            json!(["AKIANEVER"])
        );
    }

    fn trusting(name: &str, trust: Value) -> IamRole {
        IamRole {
            trust_policy: trust,
            ..role(name, 10, Some(1))
        }
    }

    #[test]
    fn a_service_trust_without_a_source_condition_fails() {
        let service = |principal: Value, condition: Option<Value>| {
            let mut s = json!({ "Effect": "Allow", "Principal": { "Service": principal }, "Action": "sts:AssumeRole" });
            if let Some(c) = condition {
                s["Condition"] = c;
            }
            json!({ "Version": "2012-10-17", "Statement": [s] })
        };
        let mut linked = trusting(
            "AWSServiceRoleForConfig",
            service(json!("config.amazonaws.com"), None),
        );
        linked.path = "/aws-service-role/config.amazonaws.com/".into();
        let inv = with_iam(IamInventory {
            roles: Some(vec![
                trusting("ec2-open", service(json!("ec2.amazonaws.com"), None)),
                trusting(
                    "many",
                    service(json!(["eks.amazonaws.com", "lambda.amazonaws.com"]), None),
                ),
                trusting(
                    "account",
                    service(
                        json!("lambda.amazonaws.com"),
                        Some(json!({ "StringEquals": { "AWS:SourceAccount": ACCOUNT } })),
                    ),
                ),
                trusting(
                    "arn",
                    service(
                        json!("sns.amazonaws.com"),
                        Some(
                            json!({ "ArnLike": { "aws:SourceArn": format!("arn:aws:sns:eu-west-1:{ACCOUNT}:t") } }),
                        ),
                    ),
                ),
                trusting(
                    "org",
                    service(
                        json!("config.amazonaws.com"),
                        Some(json!({ "StringEquals": { "aws:SourceOrgID": "o-a1b2c3d4e5" } })),
                    ),
                ),
                trusting(
                    "star",
                    service(
                        json!("ec2.amazonaws.com"),
                        Some(json!({ "StringLike": { "aws:SourceAccount": "*" } })),
                    ),
                ),
                trusting("eks-only", service(json!("eks.amazonaws.com"), None)),
                linked,
                role("people", 10, Some(1)),
                trusting("unread", Value::Null),
            ]),
            ..Default::default()
        });
        let out = run(&ROLE_CONFUSED_DEPUTY, &inv);
        assert_eq!(
            failing(&ROLE_CONFUSED_DEPUTY, &inv),
            ["ec2-open", "many", "star"]
        );
        assert_eq!(
            out.findings[1].evidence["unrestrictedServices"],
            json!(["lambda.amazonaws.com"])
        );
        assert_eq!(crate::fixtures::unknown(&out), ["unread"]);
        assert_eq!(out.complete.len(), 1);
        let none = with_iam(IamInventory::default());
        assert!(run(&ROLE_CONFUSED_DEPUTY, &none).complete.is_empty());
    }

    #[test]
    fn read_only_access_trusted_by_another_account_fails() {
        let trust = |principal: Value| {
            json!({ "Statement": { "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole",
                "Condition": { "StringEquals": { "sts:ExternalId": "x" } } } })
        };
        let read_only = |name: &str, t: Value| IamRole {
            attached_policy_arns: Some(vec![READ_ONLY_ARN.into()]),
            ..trusting(name, t)
        };
        let audit = IamRole {
            attached_policy_arns: Some(vec!["arn:aws:iam::aws:policy/SecurityAudit".into()]),
            ..trusting(
                "audit",
                trust(json!({ "AWS": "arn:aws:iam::999988887777:root" })),
            )
        };
        let mut unread = read_only("unread", trust(json!({ "AWS": "999988887777" })));
        unread.attached_policy_arns = None;
        let inv = with_iam(IamInventory {
            roles: Some(vec![
                read_only(
                    "vendor",
                    trust(json!({ "AWS": "arn:aws:iam::999988887777:root" })),
                ),
                read_only(
                    "bare-id",
                    trust(
                        json!({ "AWS": ["999988887777", format!("arn:aws:iam::{ACCOUNT}:root")] }),
                    ),
                ),
                read_only("anyone", trust(json!("*"))),
                read_only(
                    "internal",
                    trust(json!({ "AWS": format!("arn:aws:iam::{ACCOUNT}:role/ops") })),
                ),
                read_only("ec2", trust(json!({ "Service": "ec2.amazonaws.com" }))),
                audit,
                unread,
            ]),
            ..Default::default()
        });
        let out = run(&ROLE_CROSS_ACCOUNT_READ_ONLY, &inv);
        assert_eq!(
            failing(&ROLE_CROSS_ACCOUNT_READ_ONLY, &inv),
            ["vendor", "bare-id", "anyone"]
        );
        assert_eq!(
            out.findings[1].evidence["externalPrincipals"],
            json!(["999988887777"])
        );
        assert_eq!(crate::fixtures::unknown(&out), ["unread"]);
    }
}
