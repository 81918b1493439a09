//! The IAM part of the inventory: the account summary, password policy, users and
//! customer-managed policies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// IAM, which is global.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamInventory {
    /// `GetAccountSummary`: `AccountAccessKeysPresent`.
    pub root_access_keys_present: bool,
    /// `GetAccountSummary`: `AccountMFAEnabled`.
    pub root_mfa_enabled: bool,
    /// `None`: the account has no password policy (AWS's defaults apply).
    pub password_policy: Option<PasswordPolicy>,
    pub users: Vec<IamUser>,
    /// Customer-managed policies (default versions).
    pub policies: Vec<IamPolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_length: i32,
    /// How many previous passwords cannot be reused (`None`: not set).
    pub reuse_prevention: Option<i32>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub max_age_days: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamUser {
    pub user_name: String,
    pub arn: String,
    pub created: DateTime<Utc>,
    /// Has a console password (login profile).
    pub password_enabled: bool,
    pub password_last_used: Option<DateTime<Utc>>,
    pub mfa_devices: usize,
    pub access_keys: Vec<AccessKey>,
    /// Names of managed policies attached directly.
    pub attached_policies: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamPolicy {
    pub arn: String,
    pub name: String,
    /// The default version's document.
    pub document: serde_json::Value,
    pub attachment_count: i32,
}
