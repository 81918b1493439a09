//! The S3 part of the inventory: the account-level public access block and the buckets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Resource tags (the same type as `crate::model::Tags`, spelt out so that this model
/// does not depend on the inventory that gathers it).
type Tags = BTreeMap<String, String>;

/// S3, listed globally.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct S3Inventory {
    /// The account-level public access block. `None`: none configured (or not readable:
    /// see `account_block_readable`).
    pub account_public_access_block: Option<PublicAccessBlock>,
    /// False when the account-level block could not be read.
    pub account_block_readable: bool,
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four settings on.
    pub fn is_fully_on(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    pub region: Option<String>,
    /// Bucket-level block. `Some(None)`: read, none configured. `None`: not readable.
    pub public_access_block: Option<Option<PublicAccessBlock>>,
    /// The ACL grants AllUsers or AuthenticatedUsers. `None`: not readable.
    pub acl_public: Option<bool>,
    /// `GetBucketPolicyStatus.IsPublic` (false when there is no policy). `None`: not readable.
    pub policy_public: Option<bool>,
    /// The bucket policy denies requests without TLS (`aws:SecureTransport` false).
    /// `None`: not readable.
    pub tls_only: Option<bool>,
    /// Default encryption algorithm (`AES256`, `aws:kms`...). `Some(None)`: none
    /// configured (before 2023 buckets had none). `None`: not readable.
    pub encryption: Option<Option<String>>,
    /// `GetBucketVersioning`. `None`: not readable.
    #[serde(default)]
    pub versioning: Option<Versioning>,
    /// The bucket its server access logs go to. `Some(None)`: logging off. `None`: not
    /// readable.
    #[serde(default)]
    pub logging_target: Option<Option<String>>,
    /// `ObjectOwnership` of the ownership controls (`BucketOwnerEnforced` disables ACLs).
    /// `Some(None)`: no ownership controls (ACLs apply). `None`: not readable.
    #[serde(default)]
    pub object_ownership: Option<Option<String>>,
    /// `GetObjectLockConfiguration`: Object Lock is enabled (`false`: no configuration).
    /// `None`: not readable.
    #[serde(default)]
    pub object_lock: Option<bool>,
    /// What the ACL grants `AllUsers` and `AuthenticatedUsers`, as `<group>:<permission>`
    /// (`AllUsers:READ`). `None`: not readable.
    #[serde(default)]
    pub acl_public_grants: Option<Vec<String>>,
    /// The bucket policy's statements (empty: no policy). `None`: not readable.
    #[serde(default)]
    pub policy_statements: Option<Vec<serde_json::Value>>,
    /// Some lifecycle rule is `Enabled` (`false`: none, or all disabled). `None`: not
    /// readable.
    #[serde(default)]
    pub lifecycle_enabled: Option<bool>,
    /// Event notifications go somewhere (an SNS topic, an SQS queue, a Lambda function or
    /// EventBridge). `None`: not readable.
    #[serde(default)]
    pub event_notifications: Option<bool>,
    /// The destination buckets (names) of the replication rules that are `Enabled` (empty:
    /// no replication). `None`: not readable.
    #[serde(default)]
    pub replication_destinations: Option<Vec<String>>,
    pub tags: Tags,
}

/// A bucket's versioning state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versioning {
    /// `Status` is `Enabled` (not `Suspended`, not never set).
    pub enabled: bool,
    /// `MFADelete` is `Enabled`.
    pub mfa_delete: bool,
}
