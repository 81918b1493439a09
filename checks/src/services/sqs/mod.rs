//! SQS: the inventory model of queues, and their rules (not encrypted at rest, access
//! policy open to everyone).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, SqsQueue},
    services::kms::public_statements,
};

/// SQS's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("sqs", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.sqs_queues.is_some()
}

/// SQS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "sqs",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&NOT_ENCRYPTED, &POLICY_PUBLIC],
};

const RESOURCE_TYPE: &str = "AWS::SQS::Queue";

/// Lists the region's queues.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(queues) = &r.sqs_queues else {
        return;
    };
    for q in queues {
        let cfg = crate::services::json(q);
        out.add(&r.region, RESOURCE_TYPE, &q.name, q.arn.clone(), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Every queue of the account, with its region.
fn queues(inv: &Inventory) -> impl Iterator<Item = (&str, &SqsQueue)> {
    inv.regions.iter().flat_map(|region| {
        region
            .sqs_queues
            .iter()
            .flatten()
            .map(move |q| (region.region.as_str(), q))
    })
}

pub static NOT_ENCRYPTED: Rule = Rule {
    id: "sqs-queue-not-encrypted",
    title: "SQS queue is not encrypted at rest",
    severity: Severity::Medium,
    description: "The queue has neither SQS-managed encryption (SSE-SQS) nor a KMS key \
                  (SSE-KMS): its messages, which often carry orders, personal data or \
                  tokens, are stored unencrypted.",
    remediation: "Turn on server-side encryption (`aws sqs set-queue-attributes --queue-url \
                  <url> --attributes SqsManagedSseEnabled=true`, or `KmsMasterKeyId=<key>` \
                  to govern access through a key policy).",
    compliance: &["AWS FSBP SQS.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_encrypted,
};

fn not_encrypted(inv: &Inventory, sink: &mut Sink) {
    for (region, q) in queues(inv) {
        match q.encrypted {
            None => sink.unknown(region, &q.name),
            Some(false) => sink.fail(
                region,
                &q.name,
                q.arn.clone(),
                json!({ "kmsMasterKeyId": null, "sqsManagedSseEnabled": false }),
            ),
            Some(true) => {}
        }
    }
}

pub static POLICY_PUBLIC: Rule = Rule {
    id: "sqs-queue-policy-public",
    title: "SQS queue policy allows everyone without conditions",
    severity: Severity::High,
    description: "The queue's access policy allows the principal `*` without a condition: \
                  any AWS account may, depending on the actions allowed, send messages into \
                  the queue (poisoning whatever consumes it), read and delete its messages, \
                  or change it.",
    remediation: "Replace the `*` principal with the accounts or services that need the queue, \
                  or add a condition such as `aws:SourceArn` or `aws:PrincipalOrgID` (`aws sqs \
                  set-queue-attributes --queue-url <url> --attributes file://policy.json`). \
                  (Security Hub's SQS.3; its control is not in the FSBP catalogue Vigil \
                  carries.)",
    compliance: &[],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: policy_public,
};

fn policy_public(inv: &Inventory, sink: &mut Sink) {
    for (region, q) in queues(inv) {
        let Some(statements) = &q.policy_statements else {
            sink.unknown(region, &q.name);
            continue;
        };
        let public = public_statements(&json!({ "Statement": statements }));
        if !public.is_empty() {
            sink.fail(
                region,
                &q.name,
                q.arn.clone(),
                json!({ "publicStatements": public }),
            );
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

    /// A well-configured queue: SSE-SQS, no policy.
    fn queue(name: &str) -> SqsQueue {
        SqsQueue {
            name: name.into(),
            url: format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"),
            arn: Some(format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")),
            encrypted: Some(true),
            policy_statements: Some(vec![]),
        }
    }

    fn with_queues(queues: Option<Vec<SqsQueue>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                sqs_queues: queues,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn an_unencrypted_queue_fails_and_an_encrypted_one_passes() {
        let plain = SqsQueue {
            encrypted: Some(false),
            ..queue("plain")
        };
        let inv = with_queues(Some(vec![queue("sealed"), plain]));
        assert_eq!(failing(&NOT_ENCRYPTED, &inv), ["plain"]);
        assert_eq!(run(&NOT_ENCRYPTED, &inv).complete.len(), 1);
    }

    #[test]
    fn unread_attributes_are_not_assessed_never_failing() {
        let unread = SqsQueue {
            encrypted: None,
            policy_statements: None,
            ..queue("unread")
        };
        for rule in [&NOT_ENCRYPTED, &POLICY_PUBLIC] {
            let out = run(rule, &with_queues(Some(vec![unread.clone()])));
            assert!(out.findings.is_empty());
            assert_eq!(unknown(&out), ["unread"]);
            assert!(run(rule, &with_queues(None)).complete.is_empty());
        }
    }

    #[test]
    fn a_policy_open_to_everyone_fails_and_a_source_arn_conditioned_one_passes() {
        let mut open = queue("open");
        open.policy_statements = Some(vec![json!({
            "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "sqs:SendMessage", "Resource": "*"
        })]);
        let mut fed = queue("fed");
        fed.policy_statements = Some(vec![json!({
            "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
            "Condition": { "ArnEquals": { "aws:SourceArn": format!("arn:aws:sns:{REGION}:{ACCOUNT}:orders") } }
        })]);
        let inv = with_queues(Some(vec![open, fed, queue("private")]));
        assert_eq!(failing(&POLICY_PUBLIC, &inv), ["open"]);
    }
}
