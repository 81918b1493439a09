//! The SQS part of the inventory: the queues of a region.

use serde::{Deserialize, Serialize};

/// An SQS queue of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SqsQueue {
    /// The queue's name (the last part of its URL).
    pub name: String,
    pub url: String,
    /// `QueueArn`, once the attributes are read.
    pub arn: Option<String>,
    /// Whether messages are encrypted at rest: a `KmsMasterKeyId` (SSE-KMS) or
    /// `SqsManagedSseEnabled` (SSE-SQS). `None`: the attributes could not be read.
    pub encrypted: Option<bool>,
    /// The statements of the queue's access policy (empty: none). `None`: could not be read.
    pub policy_statements: Option<Vec<serde_json::Value>>,
}
