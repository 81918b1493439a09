//! Secrets Manager: the inventory model of secrets, and their rules (rotation off, not
//! read for 90 days).

pub mod model;

use chrono::Duration;
use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, Secret},
};

/// Secrets Manager's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("secretsmanager", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.secrets.is_some()
}

/// Secrets Manager in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "secretsmanager",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &ROTATION_DISABLED,
        &UNUSED,
        &NOT_ROTATED_RECENTLY,
        &POLICY_OTHER_ACCOUNTS,
    ],
};

const RESOURCE_TYPE: &str = "AWS::SecretsManager::Secret";

/// Lists the region's secrets.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(secrets) = &r.secrets else {
        return;
    };
    for s in secrets {
        let cfg = crate::services::json(s);
        out.add(&r.region, RESOURCE_TYPE, &s.name, s.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Every secret of the account, with its region.
fn secrets(inv: &Inventory) -> impl Iterator<Item = (&str, &Secret)> {
    inv.regions.iter().flat_map(|region| {
        region
            .secrets
            .iter()
            .flatten()
            .map(move |s| (region.region.as_str(), s))
    })
}

pub static ROTATION_DISABLED: Rule = Rule {
    id: "secretsmanager-rotation-disabled",
    title: "Secrets Manager secret is not rotated automatically",
    severity: Severity::Medium,
    description: "Automatic rotation is off for this secret: a password or key that leaked \
                  (through a log, a laptop, a former employee) stays valid until someone \
                  remembers to change it.",
    remediation: "Turn on rotation with a rotation function (`aws secretsmanager rotate-secret \
                  --secret-id <name> --rotation-lambda-arn <arn> --rotation-rules \
                  AutomaticallyAfterDays=30`); AWS provides rotation functions for RDS, \
                  Redshift and DocumentDB credentials.",
    compliance: &["AWS FSBP SecretsManager.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: rotation_disabled,
};

fn rotation_disabled(inv: &Inventory, sink: &mut Sink) {
    // A secret another service owns is rotated (or not) by that service's own setting.
    for (region, s) in secrets(inv).filter(|(_, s)| s.owning_service.is_none()) {
        if !s.rotation_enabled {
            sink.fail(
                region,
                &s.name,
                s.arn.clone(),
                json!({ "rotationEnabled": false }),
            );
        }
    }
}

/// How long a secret may go unread before it counts as unused (FSBP SecretsManager.3's
/// default).
pub const UNUSED_DAYS: i64 = 90;

pub static UNUSED: Rule = Rule {
    id: "secretsmanager-secret-unused",
    title: "Secrets Manager secret not used for 90 days",
    severity: Severity::Low,
    description: "Nothing has read this secret for 90 days (or ever, and it is older than \
                  that): a credential no one uses is one no one watches, yet it still \
                  opens whatever it was for, and still costs money.",
    remediation: "Check with its owner; if nothing needs it, disable what it grants (the \
                  database user, the API key) and delete the secret (`aws secretsmanager \
                  delete-secret --secret-id <name> --recovery-window-in-days 7`).",
    compliance: &["AWS FSBP SecretsManager.3"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: unused,
};

fn unused(inv: &Inventory, sink: &mut Sink) {
    let cutoff = inv.collected_at - Duration::days(UNUSED_DAYS);
    for (region, s) in secrets(inv) {
        // Never read: judged by its age; without a creation date it cannot be judged.
        let Some(last) = s.last_accessed.or(s.created) else {
            sink.unknown(region, &s.name);
            continue;
        };
        if last < cutoff {
            sink.fail(
                region,
                &s.name,
                s.arn.clone(),
                json!({ "lastAccessedDate": s.last_accessed, "createdDate": s.created }),
            );
        }
    }
}

/// How long a secret may go without rotation (FSBP SecretsManager.4's default).
pub const ROTATION_DAYS: i64 = 90;

pub static NOT_ROTATED_RECENTLY: Rule = Rule {
    id: "secretsmanager-secret-not-rotated-90-days",
    title: "Secrets Manager secret not rotated for 90 days",
    severity: Severity::Medium,
    description: "The secret has not been rotated for 90 days (or ever, and it is older than \
                  that), whatever its rotation setting says: a scheduled rotation that keeps \
                  failing looks enabled, yet the credential any past leak exposed is still \
                  the one in use.",
    remediation: "Rotate it now (`aws secretsmanager rotate-secret --secret-id <name>`), and if \
                  rotation is enabled find why it fails (the rotation function's logs, \
                  `aws secretsmanager describe-secret --secret-id <name>`); otherwise turn on \
                  rotation with a schedule under 90 days.",
    compliance: &["AWS FSBP SecretsManager.4"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_rotated_recently,
};

fn not_rotated_recently(inv: &Inventory, sink: &mut Sink) {
    let cutoff = inv.collected_at - Duration::days(ROTATION_DAYS);
    for (region, s) in secrets(inv) {
        // Never rotated: judged by its age; without a creation date it cannot be judged.
        let Some(last) = s.last_rotated.or(s.created) else {
            sink.unknown(region, &s.name);
            continue;
        };
        if last < cutoff {
            sink.fail(
                region,
                &s.name,
                s.arn.clone(),
                json!({
                    "lastRotatedDate": s.last_rotated,
                    "createdDate": s.created,
                    "rotationEnabled": s.rotation_enabled,
                }),
            );
        }
    }
}

pub static POLICY_OTHER_ACCOUNTS: Rule = Rule {
    id: "secretsmanager-policy-allows-other-accounts",
    title: "Secrets Manager secret policy grants other accounts or everyone",
    severity: Severity::High,
    description: "The secret's resource policy allows principals of other AWS accounts, or \
                  everyone without a condition: whoever controls those accounts may read the \
                  credential (`secretsmanager:GetSecretValue`) or change it, outside this \
                  account's IAM and its reviews.",
    remediation: "Remove the statements granting other accounts or `*` (`aws secretsmanager \
                  put-resource-policy --secret-id <name> --resource-policy file://policy.json \
                  --block-public-policy`, or `delete-resource-policy`), share through a role \
                  the other account assumes, and rotate the secret if it was exposed.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: policy_other_accounts,
};

fn policy_other_accounts(inv: &Inventory, sink: &mut Sink) {
    for (region, s) in secrets(inv) {
        let Some(statements) = &s.policy_statements else {
            sink.unknown(region, &s.name);
            continue;
        };
        let cross = crate::services::s3::cross_account_grants(statements, &inv.account_id);
        let public = crate::services::kms::public_statements(&json!({ "Statement": statements }));
        if !cross.is_empty() || !public.is_empty() {
            sink.fail(
                region,
                &s.name,
                s.arn.clone(),
                json!({ "crossAccountStatements": cross, "publicStatements": public }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, days_ago, failing, inventory, run, unknown},
        model::RegionInventory,
    };

    /// A well-kept secret: rotated, read yesterday.
    fn secret(name: &str) -> Secret {
        Secret {
            name: name.into(),
            arn: Some(format!(
                "arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbCdEf"
            )),
            rotation_enabled: true,
            last_accessed: Some(days_ago(1)),
            created: Some(days_ago(400)),
            owning_service: None,
            last_rotated: Some(days_ago(20)),
            policy_statements: Some(vec![]),
        }
    }

    fn with_secrets(secrets: Option<Vec<Secret>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                secrets,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn an_unrotated_secret_fails_unless_another_service_owns_it() {
        let unrotated = Secret {
            rotation_enabled: false,
            ..secret("unrotated")
        };
        let rds = Secret {
            rotation_enabled: false,
            owning_service: Some("rds".into()),
            ..secret("rds")
        };
        let inv = with_secrets(Some(vec![secret("rotated"), unrotated, rds]));
        assert_eq!(failing(&ROTATION_DISABLED, &inv), ["unrotated"]);
        assert_eq!(run(&ROTATION_DISABLED, &inv).complete.len(), 1);
        assert!(
            run(&ROTATION_DISABLED, &with_secrets(None))
                .complete
                .is_empty()
        );
    }

    #[test]
    fn a_secret_unread_for_90_days_or_never_read_and_old_fails() {
        let stale = Secret {
            last_accessed: Some(days_ago(91)),
            ..secret("stale")
        };
        let never = Secret {
            last_accessed: None,
            ..secret("never")
        };
        let young = Secret {
            last_accessed: None,
            created: Some(days_ago(10)),
            ..secret("young")
        };
        let recent = Secret {
            last_accessed: Some(days_ago(89)),
            ..secret("recent")
        };
        let inv = with_secrets(Some(vec![stale, never, young, recent]));
        assert_eq!(failing(&UNUSED, &inv), ["stale", "never"]);
    }

    #[test]
    fn a_region_evaluated_as_soon_as_read_measures_ages_from_the_scan() {
        let stale = Secret {
            last_accessed: Some(days_ago(200)),
            ..secret("stale")
        };
        let inv = with_secrets(Some(vec![stale]));
        let one = crate::evaluate_region(ACCOUNT, inv.collected_at, &inv.regions[0]);
        assert!(one.findings.iter().any(|f| f.rule_id == UNUSED.id));
    }

    #[test]
    fn a_secret_without_dates_is_not_assessed() {
        let dateless = Secret {
            last_accessed: None,
            created: None,
            ..secret("dateless")
        };
        let out = run(&UNUSED, &with_secrets(Some(vec![dateless])));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["dateless"]);
    }
    #[test]
    fn a_secret_not_rotated_for_90_days_fails_whatever_its_setting() {
        let stale = Secret {
            last_rotated: Some(days_ago(120)),
            ..secret("stale")
        };
        let never_old = Secret {
            last_rotated: None,
            rotation_enabled: false,
            ..secret("never-old")
        };
        let never_young = Secret {
            last_rotated: None,
            created: Some(days_ago(5)),
            ..secret("never-young")
        };
        let dateless = Secret {
            last_rotated: None,
            created: None,
            ..secret("dateless")
        };
        let inv = with_secrets(Some(vec![
            secret("rotated"),
            stale,
            never_old,
            never_young,
            dateless,
        ]));
        let out = run(&NOT_ROTATED_RECENTLY, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["stale", "never-old"]);
        assert_eq!(out.findings[0].evidence["rotationEnabled"], true);
        assert_eq!(unknown(&out), ["dateless"]);
    }

    #[test]
    fn a_policy_granting_other_accounts_or_everyone_fails() {
        let with_policy = |name: &str, statement: serde_json::Value| Secret {
            policy_statements: Some(vec![statement]),
            ..secret(name)
        };
        let allow = |principal: serde_json::Value| {
            json!({ "Effect": "Allow", "Principal": principal,
                "Action": "secretsmanager:GetSecretValue", "Resource": "*" })
        };
        let unread = Secret {
            policy_statements: None,
            ..secret("unread")
        };
        let inv = with_secrets(Some(vec![
            with_policy(
                "partner",
                allow(json!({ "AWS": "arn:aws:iam::444455556666:role/reader" })),
            ),
            with_policy("everyone", allow(json!({ "AWS": "*" }))),
            with_policy(
                "own-role",
                allow(json!({ "AWS": format!("arn:aws:iam::{ACCOUNT}:role/app") })),
            ),
            with_policy(
                "deny-others",
                json!({ "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*",
                    "Resource": "*",
                    "Condition": { "StringNotEquals": { "aws:PrincipalAccount": ACCOUNT } } }),
            ),
            unread,
            secret("no-policy"),
        ]));
        let out = run(&POLICY_OTHER_ACCOUNTS, &inv);
        let ids: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(ids, ["partner", "everyone"]);
        assert_eq!(
            out.findings[0].evidence["crossAccountStatements"][0]["principals"],
            json!(["arn:aws:iam::444455556666:role/reader"])
        );
        assert_eq!(unknown(&out), ["unread"]);
    }
}
