//! GraphQL enums and objects shared across domains.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use vigil_core::{
    roles::Role,
    store::tenants::{Plan, Tenant},
};

/// A member's (or API key's) role in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Role")]
pub enum RoleGql {
    /// Everything, including making other owners.
    Owner,
    /// Everything except making owners: accounts, users, keys, integrations.
    Admin,
    /// Reads everything; suppresses findings and acknowledges alerts.
    Analyst,
    /// Reads everything; changes nothing.
    Viewer,
}

impl From<Role> for RoleGql {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Analyst => Self::Analyst,
            Role::Viewer => Self::Viewer,
        }
    }
}

impl From<RoleGql> for Role {
    fn from(r: RoleGql) -> Self {
        match r {
            RoleGql::Owner => Self::Owner,
            RoleGql::Admin => Self::Admin,
            RoleGql::Analyst => Self::Analyst,
            RoleGql::Viewer => Self::Viewer,
        }
    }
}

/// Parses a stored role name (always valid: the column has a check constraint).
pub fn stored_role(s: &str) -> RoleGql {
    s.parse::<Role>().map_or(RoleGql::Viewer, RoleGql::from)
}

/// A tenant's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "Plan")]
pub enum PlanGql {
    /// The 15-day free trial.
    Trial,
    /// A paid plan.
    Active,
    /// The trial ended: data stays readable; scans, ingestion and new connections stop.
    Expired,
}

impl From<Plan> for PlanGql {
    fn from(p: Plan) -> Self {
        match p {
            Plan::Trial => Self::Trial,
            Plan::Active => Self::Active,
            Plan::Expired => Self::Expired,
        }
    }
}

/// A customer organisation.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(name = "Tenant")]
pub struct TenantGql {
    /// The organisation's ID.
    pub id: async_graphql::ID,
    /// The organisation's name.
    pub name: String,
    /// The plan in force now.
    pub plan: PlanGql,
    /// When the trial ends (or ended); null on a paid plan that never had one.
    pub trial_ends_at: Option<DateTime<Utc>>,
    /// Whole days left in the trial, rounded up; null outside a trial.
    pub trial_days_left: Option<i64>,
    /// When the organisation was created.
    pub created_at: DateTime<Utc>,
}

impl TenantGql {
    pub fn new(t: &Tenant, now: DateTime<Utc>) -> Self {
        Self {
            id: t.tenant_id.to_string().into(),
            name: t.name.clone(),
            plan: t.plan_at(now).into(),
            trial_ends_at: t.trial_ends_at,
            trial_days_left: t.trial_days_left(now),
            created_at: t.created_at,
        }
    }
}
