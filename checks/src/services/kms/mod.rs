//! KMS: the inventory model of keys, and their rules. Only customer-managed keys are
//! judged: AWS-managed keys are rotated by AWS, their policies are AWS's, and the
//! customer cannot change either.

pub mod model;

use serde_json::{Value, json};

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, KmsKey},
};

/// KMS's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("kms", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.kms_keys.is_some()
}

/// KMS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "kms",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&ROTATION_DISABLED, &POLICY_PUBLIC, &PENDING_DELETION],
};

/// Lists the region's customer-managed keys.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(keys) = &r.kms_keys else {
        return;
    };
    for k in keys.iter().filter(|k| k.customer_managed) {
        let cfg = crate::services::json(k);
        out.add(&r.region, "AWS::KMS::Key", &k.key_id, k.arn.clone(), cfg);
    }
    out.complete(&r.region, "AWS::KMS::Key");
}

/// Every customer-managed key of the account, with its region.
fn customer_keys(inv: &Inventory) -> impl Iterator<Item = (&str, &KmsKey)> {
    inv.regions.iter().flat_map(|region| {
        region
            .kms_keys
            .iter()
            .flatten()
            .filter(|k| k.customer_managed)
            .map(move |k| (region.region.as_str(), k))
    })
}

pub static ROTATION_DISABLED: Rule = Rule {
    id: "kms-key-rotation-disabled",
    title: "KMS key rotation is disabled",
    severity: Severity::Medium,
    description: "Automatic rotation is off for this customer-managed symmetric key, so the same \
                  key material protects data for as long as the key lives: a leaked or \
                  cryptanalysed key exposes everything ever encrypted under it, and audits \
                  that require periodic rotation fail.",
    remediation: "Enable automatic rotation (`aws kms enable-key-rotation --key-id <key-id> \
                  [--rotation-period-in-days 365]`). Rotation keeps old key material for \
                  decryption, so nothing needs re-encrypting.",
    compliance: &["CIS AWS Foundations v5.0.0 3.6", "AWS FSBP KMS.4"],
    resource_type: "AWS::KMS::Key",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: rotation_disabled,
};

fn rotation_disabled(inv: &Inventory, sink: &mut Sink) {
    // A key pending deletion will not be used again: rotating it is moot.
    for (region, key) in
        customer_keys(inv).filter(|(_, k)| k.rotatable() && k.state != "PendingDeletion")
    {
        match key.rotation_enabled {
            Some(false) => sink.fail(
                region,
                &key.key_id,
                key.arn.clone(),
                json!({ "keyRotationEnabled": false, "keySpec": key.key_spec, "keyState": key.state }),
            ),
            None => sink.unknown(region, &key.key_id),
            Some(true) => {}
        }
    }
}

/// Whether a statement's principal is everyone (`"*"`, or `*` among the AWS principals).
fn everyone(principal: &Value) -> bool {
    match principal {
        Value::String(p) => p == "*",
        Value::Object(m) => m.get("AWS").is_some_and(|aws| match aws {
            Value::String(p) => p == "*",
            Value::Array(ps) => ps.iter().any(|p| p == "*"),
            _ => false,
        }),
        _ => false,
    }
}

/// The statements of a key policy that allow everyone with no condition to narrow it.
pub fn public_statements(policy: &Value) -> Vec<Value> {
    let statements = match &policy["Statement"] {
        Value::Array(s) => s.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => vec![],
    };
    statements
        .into_iter()
        .filter(|s| {
            s["Effect"] == "Allow"
                && everyone(&s["Principal"])
                && s.get("Condition")
                    .is_none_or(|c| c.as_object().is_none_or(|c| c.is_empty()))
        })
        .collect()
}

pub static POLICY_PUBLIC: Rule = Rule {
    id: "kms-key-policy-public",
    title: "KMS key policy allows everyone without conditions",
    severity: Severity::High,
    description: "The key policy allows the principal `*` without a condition. Key policies are \
                  the primary control on a key: anyone in any AWS account may use (or, \
                  depending on the actions allowed, administer) this key, and decrypt what \
                  it protects.",
    remediation: "Replace the `*` principal with the accounts or roles that need the key, or add \
                  a condition such as `aws:PrincipalOrgID` or `kms:CallerAccount` (`aws kms \
                  put-key-policy --key-id <key-id> --policy-name default --policy \
                  file://policy.json`).",
    compliance: &["AWS FSBP KMS.5"],
    resource_type: "AWS::KMS::Key",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: policy_public,
};

fn policy_public(inv: &Inventory, sink: &mut Sink) {
    for (region, key) in customer_keys(inv) {
        let Some(policy) = &key.policy else {
            sink.unknown(region, &key.key_id);
            continue;
        };
        let public = public_statements(policy);
        if !public.is_empty() {
            sink.fail(
                region,
                &key.key_id,
                key.arn.clone(),
                json!({ "publicStatements": public }),
            );
        }
    }
}

pub static PENDING_DELETION: Rule = Rule {
    id: "kms-key-pending-deletion",
    title: "KMS key is scheduled for deletion",
    severity: Severity::Low,
    description: "This customer-managed key is scheduled for deletion. Once deleted, data \
                  encrypted under it cannot be decrypted by anyone: if the deletion was a \
                  mistake, or an attacker's (a known ransom and sabotage step), the waiting \
                  period is the only time to stop it.",
    remediation: "If the key must live, cancel the deletion (`aws kms cancel-key-deletion \
                  --key-id <key-id>`, then `aws kms enable-key --key-id <key-id>`) and check \
                  CloudTrail for who called `ScheduleKeyDeletion`. If it is intended, nothing \
                  to do: the finding resolves when the key is gone.",
    compliance: &["AWS FSBP KMS.3"],
    resource_type: "AWS::KMS::Key",
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: pending_deletion,
};

fn pending_deletion(inv: &Inventory, sink: &mut Sink) {
    for (region, key) in customer_keys(inv).filter(|(_, k)| k.state == "PendingDeletion") {
        sink.fail(
            region,
            &key.key_id,
            key.arn.clone(),
            json!({ "keyState": key.state, "deletionDate": key.deletion_date }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::RegionInventory,
    };

    /// A well-configured customer-managed symmetric key.
    fn key(id: &str) -> KmsKey {
        KmsKey {
            key_id: id.into(),
            arn: Some(format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}")),
            customer_managed: true,
            key_spec: "SYMMETRIC_DEFAULT".into(),
            state: "Enabled".into(),
            rotation_enabled: Some(true),
            policy: Some(json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": { "AWS": format!("arn:aws:iam::{ACCOUNT}:root") },
                    "Action": "kms:*",
                    "Resource": "*"
                }]
            })),
            ..Default::default()
        }
    }

    fn with_keys(keys: Option<Vec<KmsKey>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                kms_keys: keys,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn an_unrotated_customer_symmetric_key_fails_and_a_rotated_one_passes() {
        let unrotated = KmsKey {
            rotation_enabled: Some(false),
            ..key("unrotated")
        };
        let inv = with_keys(Some(vec![key("rotated"), unrotated]));
        let out = run(&ROTATION_DISABLED, &inv);
        let seen: Vec<_> = out
            .findings
            .iter()
            .map(|f| f.resource_id.as_str())
            .collect();
        assert_eq!(seen, ["unrotated"]);
        assert_eq!(out.complete.len(), 1);
    }

    #[test]
    fn rotation_is_not_asked_of_aws_managed_asymmetric_or_doomed_keys() {
        let aws = KmsKey {
            customer_managed: false,
            rotation_enabled: None,
            ..key("aws")
        };
        let rsa = KmsKey {
            key_spec: "RSA_2048".into(),
            rotation_enabled: None,
            ..key("rsa")
        };
        let doomed = KmsKey {
            state: "PendingDeletion".into(),
            rotation_enabled: Some(false),
            ..key("doomed")
        };
        let out = run(&ROTATION_DISABLED, &with_keys(Some(vec![aws, rsa, doomed])));
        assert!(out.findings.is_empty() && out.unknown.is_empty());
    }

    #[test]
    fn unreadable_keys_or_rotation_are_not_assessed_never_failing() {
        let out = run(&ROTATION_DISABLED, &with_keys(None));
        assert!(out.findings.is_empty() && out.complete.is_empty());
        let unread = KmsKey {
            rotation_enabled: None,
            ..key("unread")
        };
        let out = run(&ROTATION_DISABLED, &with_keys(Some(vec![unread])));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["unread"]);
    }

    fn with_statement(id: &str, statement: Value) -> KmsKey {
        let mut k = key(id);
        if let Some(Value::Array(s)) = k.policy.as_mut().map(|p| &mut p["Statement"]) {
            s.push(statement);
        }
        k
    }

    #[test]
    fn a_policy_allowing_everyone_without_condition_fails() {
        let star = with_statement(
            "star",
            json!({ "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*" }),
        );
        let listed = with_statement(
            "listed",
            json!({ "Effect": "Allow", "Principal": { "AWS": ["arn:aws:iam::111122223333:root", "*"] }, "Action": "kms:*", "Resource": "*" }),
        );
        let inv = with_keys(Some(vec![star, listed, key("private")]));
        assert_eq!(failing(&POLICY_PUBLIC, &inv), ["star", "listed"]);
        let out = run(&POLICY_PUBLIC, &inv);
        assert_eq!(
            out.findings[0].evidence["publicStatements"][0]["Action"],
            "kms:Decrypt"
        );
    }

    #[test]
    fn a_conditioned_or_denying_or_aws_managed_everyone_statement_passes() {
        let conditioned = with_statement(
            "conditioned",
            json!({ "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "kms:Decrypt", "Resource": "*",
                    "Condition": { "StringEquals": { "kms:CallerAccount": ACCOUNT } } }),
        );
        let deny = with_statement(
            "deny",
            json!({ "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*" }),
        );
        let aws = KmsKey {
            customer_managed: false,
            ..with_statement(
                "aws",
                json!({ "Effect": "Allow", "Principal": "*", "Action": "kms:*" }),
            )
        };
        assert!(
            failing(
                &POLICY_PUBLIC,
                &with_keys(Some(vec![conditioned, deny, aws]))
            )
            .is_empty()
        );
    }

    #[test]
    fn an_unreadable_policy_is_not_assessed() {
        let unread = KmsKey {
            policy: None,
            ..key("unread")
        };
        let out = run(&POLICY_PUBLIC, &with_keys(Some(vec![unread])));
        assert!(out.findings.is_empty());
        assert_eq!(unknown(&out), ["unread"]);
        assert!(run(&POLICY_PUBLIC, &with_keys(None)).complete.is_empty());
    }

    #[test]
    fn a_key_pending_deletion_is_reported_and_others_are_not() {
        let doomed = KmsKey {
            state: "PendingDeletion".into(),
            deletion_date: Some(crate::fixtures::now()),
            ..key("doomed")
        };
        let disabled = KmsKey {
            state: "Disabled".into(),
            ..key("disabled")
        };
        let inv = with_keys(Some(vec![doomed, disabled, key("live")]));
        let out = run(&PENDING_DELETION, &inv);
        assert_eq!(failing(&PENDING_DELETION, &inv), ["doomed"]);
        assert_eq!(out.findings[0].evidence["keyState"], "PendingDeletion");
        assert!(run(&PENDING_DELETION, &with_keys(None)).complete.is_empty());
    }
}
