//! SNS: the inventory model of topics, and their rules (not encrypted at rest with KMS,
//! access policy open to everyone).

pub mod model;

use serde_json::json;

use crate::{
    Rule, Scope, Severity, Sink,
    model::{Inventory, SnsTopic},
    services::kms::public_statements,
};

/// SNS's part of the inventory was read.
pub const SOURCE: crate::Source = crate::Source::Regional("sns", read);

fn read(r: &crate::model::RegionInventory) -> bool {
    r.sns_topics.is_some()
}

/// SNS in the registry: its assets and its rules, in a stable order.
pub static SERVICE: crate::services::Service = crate::services::Service {
    name: "sns",
    assets: crate::services::ListAssets::Regional(assets),
    rules: &[&NOT_ENCRYPTED, &POLICY_PUBLIC],
};

const RESOURCE_TYPE: &str = "AWS::SNS::Topic";

/// Lists the region's topics.
fn assets(r: &crate::model::RegionInventory, out: &mut crate::services::Assets) {
    let Some(topics) = &r.sns_topics else {
        return;
    };
    for t in topics {
        let cfg = crate::services::json(t);
        out.add(&r.region, RESOURCE_TYPE, &t.name, Some(t.arn.clone()), cfg);
    }
    out.complete(&r.region, RESOURCE_TYPE);
}

/// Every topic of the account, with its region.
fn topics(inv: &Inventory) -> impl Iterator<Item = (&str, &SnsTopic)> {
    inv.regions.iter().flat_map(|region| {
        region
            .sns_topics
            .iter()
            .flatten()
            .map(move |t| (region.region.as_str(), t))
    })
}

pub static NOT_ENCRYPTED: Rule = Rule {
    id: "sns-topic-not-encrypted",
    title: "SNS topic is not encrypted at rest with KMS",
    severity: Severity::Medium,
    description: "The topic has no KMS key: messages waiting for delivery are stored without \
                  encryption under a key the account controls, so access to them is not \
                  governed or audited through a key policy.",
    remediation: "Set a KMS key on the topic (`aws sns set-topic-attributes --topic-arn <arn> \
                  --attribute-name KmsMasterKeyId --attribute-value alias/aws/sns`, or a \
                  customer-managed key whose policy lets the publishing services use it).",
    compliance: &["AWS FSBP SNS.1"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: not_encrypted,
};

fn not_encrypted(inv: &Inventory, sink: &mut Sink) {
    for (region, t) in topics(inv) {
        match t.encrypted {
            None => sink.unknown(region, &t.name),
            Some(false) => sink.fail(
                region,
                &t.name,
                Some(t.arn.clone()),
                json!({ "kmsMasterKeyId": null }),
            ),
            Some(true) => {}
        }
    }
}

pub static POLICY_PUBLIC: Rule = Rule {
    id: "sns-topic-policy-public",
    title: "SNS topic policy allows everyone without conditions",
    severity: Severity::High,
    description: "The topic's access policy allows the principal `*` without a condition: \
                  any AWS account may publish to the topic (spoofed alerts, spam to its \
                  subscribers) or, depending on the actions allowed, subscribe and read \
                  every message.",
    remediation: "Replace the `*` principal with the accounts or services that need the topic, \
                  or add a condition such as `aws:SourceOwner`, `aws:SourceArn` or \
                  `aws:PrincipalOrgID` (`aws sns set-topic-attributes --topic-arn <arn> \
                  --attribute-name Policy --attribute-value file://policy.json`).",
    compliance: &["AWS FSBP SNS.4"],
    resource_type: RESOURCE_TYPE,
    scope: Scope::Regional,
    sources: &[SOURCE],
    check: policy_public,
};

fn policy_public(inv: &Inventory, sink: &mut Sink) {
    for (region, t) in topics(inv) {
        let Some(statements) = &t.policy_statements else {
            sink.unknown(region, &t.name);
            continue;
        };
        let public = public_statements(&json!({ "Statement": statements }));
        if !public.is_empty() {
            sink.fail(
                region,
                &t.name,
                Some(t.arn.clone()),
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

    /// A well-configured topic: KMS-encrypted, SNS's default policy (conditioned on the
    /// owner).
    fn topic(name: &str) -> SnsTopic {
        SnsTopic {
            name: name.into(),
            arn: format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}"),
            encrypted: Some(true),
            policy_statements: Some(vec![json!({
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": { "AWS": "*" },
                "Action": ["SNS:Publish", "SNS:Subscribe"],
                "Resource": format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}"),
                "Condition": { "StringEquals": { "AWS:SourceOwner": ACCOUNT } }
            })]),
        }
    }

    fn with_topics(topics: Option<Vec<SnsTopic>>) -> Inventory {
        Inventory {
            regions: vec![RegionInventory {
                region: REGION.into(),
                sns_topics: topics,
                ..Default::default()
            }],
            ..inventory()
        }
    }

    #[test]
    fn an_unencrypted_topic_fails_and_an_encrypted_one_passes() {
        let plain = SnsTopic {
            encrypted: Some(false),
            ..topic("plain")
        };
        let inv = with_topics(Some(vec![topic("sealed"), plain]));
        assert_eq!(failing(&NOT_ENCRYPTED, &inv), ["plain"]);
        assert_eq!(run(&NOT_ENCRYPTED, &inv).complete.len(), 1);
    }

    #[test]
    fn unread_attributes_are_not_assessed_never_failing() {
        let unread = SnsTopic {
            encrypted: None,
            policy_statements: None,
            ..topic("unread")
        };
        for rule in [&NOT_ENCRYPTED, &POLICY_PUBLIC] {
            let out = run(rule, &with_topics(Some(vec![unread.clone()])));
            assert!(out.findings.is_empty());
            assert_eq!(unknown(&out), ["unread"]);
            assert!(run(rule, &with_topics(None)).complete.is_empty());
        }
    }

    #[test]
    fn a_policy_open_to_everyone_fails_and_the_default_conditioned_one_passes() {
        let mut open = topic("open");
        open.policy_statements.as_mut().unwrap().push(json!({
            "Effect": "Allow", "Principal": "*", "Action": "SNS:Publish", "Resource": "*"
        }));
        let inv = with_topics(Some(vec![open, topic("default")]));
        assert_eq!(failing(&POLICY_PUBLIC, &inv), ["open"]);
        let out = run(&POLICY_PUBLIC, &inv);
        assert_eq!(
            out.findings[0].evidence["publicStatements"][0]["Action"],
            "SNS:Publish"
        );
    }
}
