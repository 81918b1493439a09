//! DynamoDB: the inventory model of tables, and their rules (point-in-time recovery off,
//! deletion protection off, encrypted with an AWS owned key).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{DynamoTable, Inventory},
};

/// DynamoDB's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("dynamodb", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.dynamodb_tables.is_some()
}

/// DynamoDB in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "dynamodb",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[
        &PITR_DISABLED,
        &DELETION_PROTECTION_DISABLED,
        &NOT_KMS_ENCRYPTED,
    ],
};

const RESOURCE_TYPE: &str = "AWS::DynamoDB::Table";

/// Lists the region's tables.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(tables) = &r.dynamodb_tables else {
        return;
    };
    for t in tables {
        let cfg = crate::services::json(t);
        out.add(&r.region, RESOURCE_TYPE, &t.name, t.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Every table of the account, with its region.
fn tables(inv: &Inventory) -> impl Iterator<Item = (&str, &DynamoTable)> {
    inv.regions.iter().flat_map(|region| {
        region
            .dynamodb_tables
            .iter()
            .flatten()
            .map(move |t| (region.region.as_str(), t))
    })
}

pub static PITR_DISABLED: Rule = Rule {
    id: "dynamodb-pitr-disabled",
    title: "DynamoDB table has point-in-time recovery off",
    severity: Severity::Medium,
    description: "Point-in-time recovery is off: a bad deployment, a bulk delete or an \
                  attacker's overwrite of the table's items cannot be rolled back to the \
                  second before it; only on-demand backups, if any, remain.",
    remediation: "Turn it on (`aws dynamodb update-continuous-backups --table-name <name> \
                  --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true`).",
    compliance: &["AWS FSBP DynamoDB.2"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: pitr_disabled,
};

fn pitr_disabled(inv: &Inventory, sink: &mut Sink) {
    for (region, t) in tables(inv) {
        match t.point_in_time_recovery {
            None => sink.unknown(region, &t.name),
            Some(false) => sink.fail(
                region,
                &t.name,
                t.arn.clone(),
                json!({ "pointInTimeRecoveryStatus": "DISABLED" }),
            ),
            Some(true) => {}
        }
    }
}

pub static DELETION_PROTECTION_DISABLED: Rule = Rule {
    id: "dynamodb-deletion-protection-disabled",
    title: "DynamoDB table has deletion protection off",
    severity: Severity::Medium,
    description: "Deletion protection is off: one `DeleteTable` call, by mistake or by an \
                  attacker with the permission, removes the table and its point-in-time \
                  recovery history.",
    remediation: "Turn it on (`aws dynamodb update-table --table-name <name> \
                  --deletion-protection-enabled`).",
    compliance: &["AWS FSBP DynamoDB.6"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: deletion_protection_disabled,
};

fn deletion_protection_disabled(inv: &Inventory, sink: &mut Sink) {
    for (region, t) in tables(inv) {
        match t.deletion_protection {
            None => sink.unknown(region, &t.name),
            Some(false) => sink.fail(
                region,
                &t.name,
                t.arn.clone(),
                json!({ "deletionProtectionEnabled": false }),
            ),
            Some(true) => {}
        }
    }
}

pub static NOT_KMS_ENCRYPTED: Rule = Rule {
    id: "dynamodb-table-not-kms-encrypted",
    title: "DynamoDB table is encrypted with an AWS owned key",
    severity: Severity::Low,
    description: "The table is encrypted at rest with a key AWS owns and manages for all \
                  customers: no key policy of the account decides who may decrypt its data, \
                  CloudTrail records no use of the key, and the data cannot be made \
                  unreadable by disabling or revoking a key.",
    remediation: "Switch it to a KMS key, ideally a customer managed one (`aws dynamodb \
                  update-table --table-name <name> --sse-specification \
                  Enabled=true,SSEType=KMS,KMSMasterKeyId=<key-arn>`); the switch is \
                  online.",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_kms_encrypted,
};

fn not_kms_encrypted(inv: &Inventory, sink: &mut Sink) {
    for (region, t) in tables(inv) {
        match t.kms_encryption {
            None => sink.unknown(region, &t.name),
            Some(false) => sink.fail(
                region,
                &t.name,
                t.arn.clone(),
                json!({ "sseType": "AWS_OWNED_KEY" }),
            ),
            Some(true) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{ACCOUNT, REGION, failing, inventory, run, unknown},
        model::RegionInventory,
    };

    /// A well-configured table.
    fn table(name: &str) -> DynamoTable {
        DynamoTable {
            name: name.into(),
            arn: Some(format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}")),
            deletion_protection: Some(true),
            point_in_time_recovery: Some(true),
            kms_encryption: Some(true),
        }
    }

    fn with_tables(tables: Option<Vec<DynamoTable>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                dynamodb_tables: tables,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn pitr_off_fails_on_passes_and_unread_is_not_assessed() {
        let off = DynamoTable {
            point_in_time_recovery: Some(false),
            ..table("off")
        };
        let unread = DynamoTable {
            point_in_time_recovery: None,
            ..table("unread")
        };
        let inv = with_tables(Some(vec![table("on"), off, unread]));
        assert_eq!(failing(&PITR_DISABLED, &inv), ["off"]);
        assert_eq!(unknown(&run(&PITR_DISABLED, &inv)), ["unread"]);
        assert!(run(&PITR_DISABLED, &with_tables(None)).complete.is_empty());
    }

    #[test]
    fn deletion_protection_off_fails_on_passes_and_unread_is_not_assessed() {
        let off = DynamoTable {
            deletion_protection: Some(false),
            ..table("off")
        };
        let unread = DynamoTable {
            deletion_protection: None,
            ..table("unread")
        };
        let inv = with_tables(Some(vec![table("on"), off, unread]));
        assert_eq!(failing(&DELETION_PROTECTION_DISABLED, &inv), ["off"]);
        assert_eq!(
            unknown(&run(&DELETION_PROTECTION_DISABLED, &inv)),
            ["unread"]
        );
    }

    #[test]
    fn an_aws_owned_key_fails_a_kms_key_passes_and_unread_is_not_assessed() {
        let owned = DynamoTable {
            kms_encryption: Some(false),
            ..table("owned")
        };
        let unread = DynamoTable {
            kms_encryption: None,
            ..table("unread")
        };
        let inv = with_tables(Some(vec![table("kms"), owned, unread]));
        assert_eq!(failing(&NOT_KMS_ENCRYPTED, &inv), ["owned"]);
        assert_eq!(unknown(&run(&NOT_KMS_ENCRYPTED, &inv)), ["unread"]);
    }
}
