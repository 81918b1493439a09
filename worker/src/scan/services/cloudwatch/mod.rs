//! CloudWatch: a region's CloudWatch Logs metric filters, its metric alarms, and the
//! confirmed subscriptions of the SNS topics those alarms notify (what the CIS monitoring
//! controls 4.1 to 4.15 read), and its log groups with their KMS keys.

use std::collections::{BTreeMap, BTreeSet};

use vigil_checks::model::{self as m, RegionInventory};

use super::{Collect, Fill, Service, fill};
use crate::scan::read::Reader;

/// CloudWatch in the scanner's registry ([`super::ALL`]).
pub const SERVICE: Service = Service {
    name: "cloudwatch",
    collect: Collect::Regional(|r| Box::pin(collect(r))),
    // Filters change through CloudWatch Logs, alarms through CloudWatch. A subscription
    // added or removed (an SNS call) waits for the next full read (at most a day, see
    // docs/decisions.md on incremental rescans), as SNS's own checks do not skip.
    changed_by: &["logs.amazonaws.com", "monitoring.amazonaws.com"],
};

async fn collect(r: Reader<'_>) -> Fill<RegionInventory> {
    let cloudwatch = read(r).await;
    fill(move |region: &mut RegionInventory| region.cloudwatch = Some(cloudwatch))
}

async fn read(r: Reader<'_>) -> m::CloudWatchInventory {
    let (metric_filters, metric_alarms, log_groups) =
        futures::join!(metric_filters(r), metric_alarms(r), log_groups(r));
    let topics: BTreeSet<&str> = metric_alarms
        .iter()
        .flatten()
        .flat_map(|a| &a.alarm_actions)
        .map(String::as_str)
        .filter(|arn| arn.split(':').nth(2) == Some("sns"))
        .collect();
    let sns = aws_sdk_sns::Client::new(r.config);
    let mut topic_subscribers = BTreeMap::new();
    for topic in topics {
        // Recorded under CloudWatch: the checks reading it are CloudWatch's.
        let subscriptions: Option<Vec<_>> = r.ok(
            "ListSubscriptionsByTopic",
            sns.list_subscriptions_by_topic()
                .topic_arn(topic)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await,
        );
        // A subscription waiting for its endpoint to confirm reaches no one yet.
        let confirmed = subscriptions.map(|s| {
            s.iter()
                .filter(|s| s.subscription_arn().is_some_and(|a| a.starts_with("arn:")))
                .count() as u32
        });
        topic_subscribers.insert(topic.to_owned(), confirmed);
    }
    m::CloudWatchInventory {
        metric_filters,
        metric_alarms,
        topic_subscribers,
        log_groups,
    }
}

async fn log_groups(r: Reader<'_>) -> Option<Vec<m::LogGroup>> {
    let c = aws_sdk_cloudwatchlogs::Client::new(r.config);
    let groups: Vec<_> = r.ok(
        "DescribeLogGroups",
        c.describe_log_groups()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    Some(
        groups
            .iter()
            .map(|g| m::LogGroup {
                name: g.log_group_name().unwrap_or_default().to_owned(),
                arn: g.arn().map(|a| a.trim_end_matches(":*").to_owned()),
                kms_key_id: g.kms_key_id().filter(|k| !k.is_empty()).map(str::to_owned),
                retention_days: g.retention_in_days(),
            })
            .collect(),
    )
}

async fn metric_filters(r: Reader<'_>) -> Option<Vec<m::MetricFilter>> {
    let c = aws_sdk_cloudwatchlogs::Client::new(r.config);
    let filters: Vec<_> = r.ok(
        "DescribeMetricFilters",
        c.describe_metric_filters()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await,
    )?;
    Some(
        filters
            .iter()
            .map(|f| m::MetricFilter {
                name: f.filter_name().unwrap_or_default().to_owned(),
                log_group: f.log_group_name().unwrap_or_default().to_owned(),
                pattern: f.filter_pattern().unwrap_or_default().to_owned(),
                metrics: f
                    .metric_transformations()
                    .iter()
                    .map(|t| m::Metric {
                        namespace: t.metric_namespace().to_owned(),
                        name: t.metric_name().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    )
}

async fn metric_alarms(r: Reader<'_>) -> Option<Vec<m::MetricAlarm>> {
    let c = aws_sdk_cloudwatch::Client::new(r.config);
    let pages: Vec<_> = r.ok(
        "DescribeAlarms",
        c.describe_alarms()
            .into_paginator()
            .send()
            .try_collect()
            .await,
    )?;
    Some(
        pages
            .iter()
            .flat_map(|p| p.metric_alarms())
            .map(|a| m::MetricAlarm {
                name: a.alarm_name().unwrap_or_default().to_owned(),
                arn: a.alarm_arn().map(str::to_owned),
                metric: a
                    .namespace()
                    .zip(a.metric_name())
                    .map(|(namespace, name)| m::Metric {
                        namespace: namespace.to_owned(),
                        name: name.to_owned(),
                    }),
                alarm_actions: a.alarm_actions().to_vec(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn logs_and_alarm_write_calls_map_to_cloudwatch() {
        use crate::scan::recheck::service_of;
        for source in ["logs.amazonaws.com", "monitoring.amazonaws.com"] {
            assert_eq!(service_of(source), Some("cloudwatch"));
            assert!(super::super::skippable_sources().contains(&source));
        }
    }
}
