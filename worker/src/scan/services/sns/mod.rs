//! SNS: a region's topics, with their encryption key and access policy.

use std::collections::HashMap;

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill, policy_statements};
use crate::scan::read::Reader;

/// SNS in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "sns",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let topics = read(r).await;
    fill(move |region: &mut RegionInventory| region.sns_topics = topics)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::SnsTopic>> {
    let c = aws_sdk_sns::Client::new(r.config);
    let listed: Vec<_> = r.ok(
        "ListTopics",
        c.list_topics()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(listed.len());
    for t in listed {
        let Some(arn) = t.topic_arn() else { continue };
        let attributes: Option<HashMap<String, String>> = r
            .ok(
                "GetTopicAttributes",
                c.get_topic_attributes().topic_arn(arn).send().await,
            )
            .map(|a| a.attributes().cloned().unwrap_or_default());
        let encrypted = attributes
            .as_ref()
            .map(|a| a.get("KmsMasterKeyId").is_some_and(|k| !k.is_empty()));
        let policy = attributes.as_ref().and_then(|a| match a.get("Policy") {
            Some(p) => policy_statements(p),
            None => Some(vec![]),
        });
        out.push(m::SnsTopic {
            name: arn.rsplit(':').next().unwrap_or(arn).to_owned(),
            arn: arn.to_owned(),
            encrypted,
            policy_statements: policy,
        });
    }
    Some(out)
}
