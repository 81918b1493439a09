//! The IAM Access Analyzer part of the inventory: a region's analyzers.

use serde::{Deserialize, Serialize};

/// An analyzer of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Analyzer {
    pub name: String,
    pub arn: String,
    /// `ACCOUNT`, `ORGANIZATION`, or an unused-access type.
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`.
    pub status: String,
}
