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
    /// Whether the root user's MFA device is a virtual one (`ListVirtualMFADevices` lists
    /// the root's). `None`: could not be read.
    #[serde(default)]
    pub root_mfa_virtual: Option<bool>,
    /// Roles attached to the AWS-managed `AWSSupportAccess` policy
    /// (`ListEntitiesForPolicy`). `None`: could not be read.
    #[serde(default)]
    pub support_roles: Option<Vec<String>>,
    /// Server certificates stored in IAM. `None`: could not be read.
    #[serde(default)]
    pub server_certificates: Option<Vec<ServerCertificate>>,
    /// Roles, with their inline policies and last use. `None`: could not be read.
    #[serde(default)]
    pub roles: Option<Vec<IamRole>>,
    /// AWS-managed policies attached to a user, group or role (default versions).
    /// `None`: could not be read.
    #[serde(default)]
    pub aws_managed_policies: Option<Vec<IamPolicy>>,
}

/// A TLS certificate uploaded to IAM (for load balancers and CloudFront before ACM).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServerCertificate {
    pub name: String,
    pub arn: String,
    pub expiration: Option<DateTime<Utc>>,
}

/// An inline policy embedded in a user or role.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamRole {
    pub role_name: String,
    pub arn: String,
    /// `/aws-service-role/...`: created and used by an AWS service, not the customer's.
    pub path: String,
    pub created: DateTime<Utc>,
    /// `RoleLastUsed.LastUsedDate` (`None`: never used within IAM's tracking period, or
    /// unknown: see `last_used_read`).
    pub last_used: Option<DateTime<Utc>>,
    /// `GetRole` answered, so `last_used` is known.
    pub last_used_read: bool,
    /// `None`: could not be read.
    pub inline_policies: Option<Vec<InlinePolicy>>,
    /// The trust policy (`AssumeRolePolicyDocument`), decoded. `Null`: none was returned.
    #[serde(default)]
    pub trust_policy: serde_json::Value,
    /// ARNs of the managed policies attached to the role. `None`: could not be read.
    #[serde(default)]
    pub attached_policy_arns: Option<Vec<String>>,
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
    /// How many of `mfa_devices` are virtual (an authenticator app: serial
    /// `arn:...:mfa/...`), not a FIDO security key or hardware TOTP token.
    #[serde(default)]
    pub virtual_mfa_devices: usize,
    pub access_keys: Vec<AccessKey>,
    /// Names of managed policies attached directly.
    pub attached_policies: Vec<String>,
    /// ARNs of the same policies (a customer policy may be named like an AWS one).
    #[serde(default)]
    pub attached_policy_arns: Vec<String>,
    /// Inline policies embedded in the user. `None`: could not be read.
    #[serde(default)]
    pub inline_policies: Option<Vec<InlinePolicy>>,
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
