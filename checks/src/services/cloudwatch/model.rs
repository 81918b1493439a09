//! The CloudWatch part of the inventory: a region's CloudWatch Logs log groups and metric
//! filters, its metric alarms, and who the SNS topics those alarms notify reach.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the CIS monitoring controls read in one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CloudWatchInventory {
    /// The metric filters of every log group of the region. `None`: could not be read.
    pub metric_filters: Option<Vec<MetricFilter>>,
    /// The region's metric alarms. `None`: could not be read.
    pub metric_alarms: Option<Vec<MetricAlarm>>,
    /// The confirmed subscriptions of each SNS topic of this region an alarm notifies, by
    /// topic ARN. `None` (or a topic missing): could not be read.
    pub topic_subscribers: BTreeMap<String, Option<u32>>,
    /// The region's CloudWatch Logs log groups. `None`: could not be read.
    #[serde(default)]
    pub log_groups: Option<Vec<LogGroup>>,
}

/// A CloudWatch Logs log group.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LogGroup {
    pub name: String,
    pub arn: Option<String>,
    /// `kmsKeyId`: the KMS key its data is encrypted with (`None`: the service's own key).
    pub kms_key_id: Option<String>,
    /// `retentionInDays` (`None`: kept forever).
    pub retention_days: Option<i32>,
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MetricFilter {
    pub name: String,
    /// The name of the log group it filters.
    pub log_group: String,
    /// Its filter pattern, as written.
    pub pattern: String,
    /// The metrics it publishes.
    pub metrics: Vec<Metric>,
}

/// A CloudWatch metric, by namespace and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    pub namespace: String,
    pub name: String,
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: Option<String>,
    /// The metric it watches (`None`: a metric-math alarm).
    pub metric: Option<Metric>,
    /// The ARNs it notifies when it goes into ALARM.
    pub alarm_actions: Vec<String>,
}
