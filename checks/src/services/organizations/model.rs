//! The Organizations part of the inventory (global, read through `us-east-1`): the
//! organisation the account belongs to and, from its management account, the service
//! control policies and where they are attached.

use serde::{Deserialize, Serialize};

/// What Organizations says of the account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrganizationsInventory {
    /// The organisation the account belongs to. `None`: it is in none.
    pub organization: Option<Organization>,
}

/// An AWS Organization, as `DescribeOrganization` answers it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Organization {
    /// `o-` followed by 10 to 32 characters.
    pub id: String,
    pub arn: String,
    pub management_account_id: String,
    /// `ALL`, or `CONSOLIDATED_BILLING` (no SCPs or other policy types then).
    pub feature_set: String,
    /// The service control policies and their targets. `None`: not read (only the
    /// management account may list them, or the read failed).
    pub service_control_policies: Option<Vec<OrgPolicy>>,
    /// The tag policies and their targets. `None`: not read, as above.
    pub tag_policies: Option<Vec<OrgPolicy>>,
    /// The AI services opt-out policies with their targets and content. `None`: not read,
    /// as above.
    #[serde(default)]
    pub ai_opt_out_policies: Option<Vec<OrgPolicy>>,
}

/// One organisation policy and where it is attached.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OrgPolicy {
    /// `p-` followed by 8 to 128 characters (`p-FullAWSAccess` for the AWS-managed one).
    pub id: String,
    pub name: String,
    pub arn: String,
    /// Whether AWS manages it (`FullAWSAccess`): it allows everything, restricts nothing.
    pub aws_managed: bool,
    pub targets: Vec<PolicyTarget>,
    /// The policy's document (`DescribePolicy`), read only where a rule judges it.
    #[serde(default)]
    pub content: Option<serde_json::Value>,
}

/// Where a policy is attached.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PolicyTarget {
    pub id: String,
    pub name: String,
    /// `ROOT`, `ORGANIZATIONAL_UNIT` or `ACCOUNT`.
    pub kind: String,
}
