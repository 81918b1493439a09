//! SQS: a region's queues, with their encryption and access policy.

use aws_sdk_sqs::types::QueueAttributeName;
use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill, policy_statements};
use crate::scan::read::Reader;

/// SQS in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "sqs",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    changed_by: &[],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let queues = read(r).await;
    fill(move |region: &mut RegionInventory| region.sqs_queues = queues)
}

async fn read(r: Reader<'_>) -> Option<Vec<m::SqsQueue>> {
    let c = aws_sdk_sqs::Client::new(r.config);
    let urls: Vec<String> = r.ok(
        "ListQueues",
        c.list_queues()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let attributes = r
            .ok(
                "GetQueueAttributes",
                c.get_queue_attributes()
                    .queue_url(&url)
                    .attribute_names(QueueAttributeName::All)
                    .send()
                    .await,
            )
            .map(|a| a.attributes().cloned().unwrap_or_default());
        let get =
            |name: QueueAttributeName| attributes.as_ref().and_then(|a| a.get(&name).cloned());
        let encrypted = attributes.as_ref().map(|_| {
            get(QueueAttributeName::KmsMasterKeyId).is_some_and(|k| !k.is_empty())
                || get(QueueAttributeName::SqsManagedSseEnabled).as_deref() == Some("true")
        });
        let policy = attributes
            .as_ref()
            .and_then(|_| match get(QueueAttributeName::Policy) {
                Some(p) => policy_statements(&p),
                None => Some(vec![]),
            });
        out.push(m::SqsQueue {
            name: url.rsplit('/').next().unwrap_or(&url).to_owned(),
            arn: get(QueueAttributeName::QueueArn),
            encrypted,
            policy_statements: policy,
            url,
        });
    }
    Some(out)
}
