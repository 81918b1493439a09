//! The KMS part of the inventory: the keys of a region.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A KMS key of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KmsKey {
    pub key_id: String,
    pub arn: Option<String>,
    /// `KeyManager` is `CUSTOMER` (AWS-managed keys are AWS's to rotate and to govern).
    pub customer_managed: bool,
    /// `KeySpec`, e.g. `SYMMETRIC_DEFAULT`, `RSA_2048`, `HMAC_256`.
    pub key_spec: String,
    /// `KeyState`, e.g. `Enabled`, `Disabled`, `PendingDeletion`.
    pub state: String,
    /// When a key pending deletion is deleted.
    pub deletion_date: Option<DateTime<Utc>>,
    /// `GetKeyRotationStatus.KeyRotationEnabled`, read for customer-managed symmetric
    /// keys only. `None`: not read (other keys) or could not be read.
    pub rotation_enabled: Option<bool>,
    /// The `default` key policy document, read for customer-managed keys only.
    /// `None`: not read (AWS-managed keys) or could not be read.
    pub policy: Option<serde_json::Value>,
}

impl KmsKey {
    /// A customer-managed symmetric encryption key: the keys automatic rotation applies to.
    pub fn rotatable(&self) -> bool {
        self.customer_managed && self.key_spec == "SYMMETRIC_DEFAULT"
    }
}
