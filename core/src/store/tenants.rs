//! Tenants: customer organisations and their plan.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::ids::TenantId;

/// Length of the free trial.
pub const TRIAL_DAYS: i64 = 15;

pub use vigil_domain::Plan;

/// A tenant as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Tenant {
    pub tenant_id: TenantId,
    pub name: String,
    pub plan: Plan,
    pub trial_ends_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Tenant {
    /// The plan in force at `now`: a trial past its end is expired even before the
    /// periodic job has written it down.
    pub fn plan_at(&self, now: DateTime<Utc>) -> Plan {
        match self.plan {
            Plan::Active => Plan::Active,
            Plan::Trial if self.trial_ends_at.is_some_and(|end| end > now) => Plan::Trial,
            Plan::Trial | Plan::Expired => Plan::Expired,
        }
    }

    /// Whole days left in the trial at `now` (rounded up), or none outside a trial.
    pub fn trial_days_left(&self, now: DateTime<Utc>) -> Option<i64> {
        match (self.plan_at(now), self.trial_ends_at) {
            (Plan::Trial, Some(end)) => {
                let secs = (end - now).num_seconds().max(0);
                Some((secs + 86_399) / 86_400)
            }
            _ => None,
        }
    }
}

const COLUMNS: &str = "tenant_id, name, plan, trial_ends_at, created_at";

/// Creates a tenant on the trial plan; the transaction's tenant must be `tenant`.
pub async fn insert_trial(
    tx: &mut TenantTx,
    name: &str,
    trial_ends_at: DateTime<Utc>,
) -> Result<Tenant, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "insert into tenants (tenant_id, name, plan, trial_ends_at) values ($1, $2, 'trial', $3)
         returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(name)
    .bind(trial_ends_at)
    .fetch_one(&mut **tx)
    .await
}

/// Reads the tenant.
pub async fn get(tx: &mut TenantTx) -> Result<Option<Tenant>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} from tenants where tenant_id = $1"
    )))
    .bind(tenant)
    .fetch_optional(&mut **tx)
    .await
}

/// Serialises changes to the tenant's team until the transaction ends: a second role
/// change or removal waits here, then sees the first one's result, so two owners demoting
/// each other at once cannot both pass the last-owner check. (`no key update` does not
/// block the key-share locks of users being inserted.)
pub async fn lock_team(tx: &mut TenantTx) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query("select 1 from tenants where tenant_id = $1 for no key update")
        .bind(tenant)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(())
}

/// Moves the tenant to a paid plan.
pub async fn activate(tx: &mut TenantTx) -> Result<Option<Tenant>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "update tenants set plan = 'active' where tenant_id = $1 returning {COLUMNS}"
    )))
    .bind(tenant)
    .fetch_optional(&mut **tx)
    .await
}

/// Puts the tenant (back) on a trial that ends at `ends_at`.
pub async fn set_trial_end(
    tx: &mut TenantTx,
    ends_at: DateTime<Utc>,
) -> Result<Option<Tenant>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "update tenants set plan = 'trial', trial_ends_at = $2 where tenant_id = $1 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(ends_at)
    .fetch_optional(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn trial(ends_in: Duration) -> (Tenant, DateTime<Utc>) {
        let now = Utc::now();
        let t = Tenant {
            tenant_id: TenantId::new(),
            name: "Acme".into(),
            plan: Plan::Trial,
            trial_ends_at: Some(now + ends_in),
            created_at: now,
        };
        (t, now)
    }

    #[test]
    fn a_fresh_trial_has_fifteen_days_left() {
        let (t, now) = trial(Duration::days(TRIAL_DAYS));
        assert_eq!(t.plan_at(now), Plan::Trial);
        assert_eq!(t.trial_days_left(now), Some(15));
    }

    #[test]
    fn a_trial_past_its_end_is_expired() {
        let (t, now) = trial(Duration::seconds(-1));
        assert_eq!(t.plan_at(now), Plan::Expired);
        assert_eq!(t.trial_days_left(now), None);
    }

    #[test]
    fn an_active_plan_ignores_the_trial_end() {
        let (mut t, now) = trial(Duration::days(-30));
        t.plan = Plan::Active;
        assert_eq!(t.plan_at(now), Plan::Active);
    }
}
