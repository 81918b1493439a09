//! The DynamoDB part of the inventory: the tables of a region.

use serde::{Deserialize, Serialize};

/// A DynamoDB table of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DynamoTable {
    pub name: String,
    pub arn: Option<String>,
    /// `DeletionProtectionEnabled`. `None`: the table could not be described.
    pub deletion_protection: Option<bool>,
    /// Whether point-in-time recovery is `ENABLED`. `None`: could not be read.
    pub point_in_time_recovery: Option<bool>,
    /// Encrypted with a KMS key (`SSEDescription.SSEType` `KMS`: the account's AWS managed
    /// key or a customer managed one) rather than an AWS owned key. `None`: the table could
    /// not be described.
    #[serde(default)]
    pub kms_encryption: Option<bool>,
}
