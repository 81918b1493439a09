//! Roles inside a tenant and what each may do. Every permission check in the product goes
//! through [`Role::allows`], so the rules live in this one table.

vigil_domain::text_enum! {
    /// A member's (or API key's) role in a tenant, strongest first.
    Role ("role") {
        Owner = "owner",
        Admin = "admin",
        Analyst = "analyst",
        Viewer = "viewer",
    }
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

impl Permission {
    /// Every permission, in the order the API lists them.
    pub const ALL: [Permission; 8] = [
        Permission::Read,
        Permission::TriageFindings,
        Permission::TriageAlerts,
        Permission::ManageAccounts,
        Permission::ManageUsers,
        Permission::ManageApiKeys,
        Permission::ReadAuditLog,
        Permission::ManageIntegrations,
    ];
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

    /// Whether someone with this role may grant `other` (never more than they hold, and
    /// only owners make owners).
    pub fn may_grant(self, other: Role) -> bool {
        self.allows(Permission::ManageUsers) && (self == Role::Owner || other != Role::Owner)
    }

    /// What this role may do, in [`Permission::ALL`]'s order.
    pub fn permissions(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |&p| self.allows(p))
    }

    /// The roles this role may give, strongest first.
    pub fn grantable(self) -> impl Iterator<Item = Role> {
        Role::VALUES
            .iter()
            .copied()
            .filter(move |&r| self.may_grant(r))
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
    fn the_lists_follow_the_table() {
        assert_eq!(Viewer.permissions().collect::<Vec<_>>(), [Read]);
        assert_eq!(Owner.permissions().count(), Permission::ALL.len());
        assert_eq!(
            Admin.grantable().collect::<Vec<_>>(),
            [Admin, Analyst, Viewer]
        );
        assert_eq!(Owner.grantable().next(), Some(Owner));
        assert_eq!(Analyst.grantable().count(), 0);
    }

    #[test]
    fn names_round_trip() {
        for r in [Owner, Admin, Analyst, Viewer] {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
    }
}
