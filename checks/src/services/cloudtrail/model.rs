//! The CloudTrail part of the inventory: the trails visible from a region.

use serde::{Deserialize, Serialize};

/// A CloudTrail trail as seen from one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: Option<String>,
    pub home_region: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    /// `GetTrailStatus.IsLogging`. `None`: could not be read.
    pub is_logging: Option<bool>,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    pub s3_bucket: Option<String>,
    pub s3_key_prefix: Option<String>,
    /// Whether the event selectors include management events (read and write).
    /// `None`: could not be read.
    pub logs_management_events: Option<bool>,
    /// Whether the event selectors log object-level write (`PutObject`, `DeleteObject`...)
    /// data events for every S3 bucket. `None`: not read (a shadow copy) or could not be.
    #[serde(default)]
    pub logs_s3_object_writes: Option<bool>,
    /// The same for object-level read events (`GetObject`...).
    #[serde(default)]
    pub logs_s3_object_reads: Option<bool>,
    /// `CloudWatchLogsLogGroupArn`: the log group the trail also delivers to.
    #[serde(default)]
    pub cloudwatch_logs_group_arn: Option<String>,
    /// The Lambda functions whose invocations (`Invoke` data events) the selectors log:
    /// function ARNs, ARN prefixes ending in `*`, or `*` for every function. `None`: not
    /// read (a shadow copy) or could not be.
    #[serde(default)]
    pub lambda_invocations_logged: Option<Vec<String>>,
    /// CloudTrail Insights selectors are configured (`GetInsightSelectors`). `None`: not
    /// read (a shadow copy) or could not be.
    #[serde(default)]
    pub insights: Option<bool>,
}

impl Trail {
    /// Whether the selectors log the invocations of the function `arn` (`None`: not read).
    pub fn logs_lambda_invocations_of(&self, arn: &str) -> Option<bool> {
        let patterns = self.lambda_invocations_logged.as_ref()?;
        Some(patterns.iter().any(|p| {
            p == "*"
                || p == arn
                || p.strip_suffix('*')
                    .is_some_and(|prefix| arn.starts_with(prefix))
        }))
    }
}
