//! The SNS part of the inventory: the topics of a region.

use serde::{Deserialize, Serialize};

/// An SNS topic of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SnsTopic {
    /// The topic's name (the last part of its ARN).
    pub name: String,
    pub arn: String,
    /// Whether `KmsMasterKeyId` is set. `None`: the topic's attributes could not be read.
    pub encrypted: Option<bool>,
    /// The statements of the topic's access policy. `None`: could not be read.
    pub policy_statements: Option<Vec<serde_json::Value>>,
}
