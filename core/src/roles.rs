//! Roles inside a tenant and what each may do. Every permission check in the product goes
//! through [`Role::allows`], so the rules live in this one table.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// A member's (or API key's) role in a tenant, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Analyst,
    Viewer,
}

/// Something a caller may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the tenant's data.
    Read,
    /// Suppress and unsuppress findings.
    TriageFindings,
    /// Acknowledge and close alerts.
    TriageAlerts,
    /// Connect, verify, rename, delete AWS accounts; start scans.
    ManageAccounts,
    /// Invite and remove users, change roles.
    ManageUsers,
    /// Create and revoke API keys.
    ManageApiKeys,
    /// Read the audit log.
    ReadAuditLog,
    /// Add, change and dry-run detection rules; manage webhooks.
    ManageIntegrations,
}

impl Role {
    /// Whether this role may do `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner | Role::Admin => true,
            Role::Analyst => matches!(permission, Read | TriageFindings | TriageAlerts),
            Role::Viewer => matches!(permission, Read),
        }
    }

    /// The stored (lowercase) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    /// Whether someone with this role may grant `other` (never more than they hold, and
    /// only owners make owners).
    pub fn may_grant(self, other: Role) -> bool {
        self.allows(Permission::ManageUsers) && (self == Role::Owner || other != Role::Owner)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "analyst" => Ok(Role::Analyst),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!("unknown role `{other}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Permission::*, Role::*, *};

    #[test]
    fn viewers_only_read() {
        assert!(Viewer.allows(Read));
        for p in [
            TriageFindings,
            TriageAlerts,
            ManageAccounts,
            ManageUsers,
            ManageApiKeys,
            ReadAuditLog,
            ManageIntegrations,
        ] {
            assert!(!Viewer.allows(p), "{p:?}");
        }
    }

    #[test]
    fn analysts_triage_but_manage_nothing() {
        assert!(Analyst.allows(TriageFindings) && Analyst.allows(TriageAlerts));
        for p in [
            ManageAccounts,
            ManageUsers,
            ManageApiKeys,
            ReadAuditLog,
            ManageIntegrations,
        ] {
            assert!(!Analyst.allows(p), "{p:?}");
        }
    }

    #[test]
    fn only_owners_make_owners() {
        assert!(Owner.may_grant(Owner));
        assert!(!Admin.may_grant(Owner));
        assert!(Admin.may_grant(Admin) && Admin.may_grant(Viewer));
        assert!(!Analyst.may_grant(Viewer));
    }

    #[test]
    fn names_round_trip() {
        for r in [Owner, Admin, Analyst, Viewer] {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
    }
}
