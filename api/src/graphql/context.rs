//! What every resolver needs: the caller, permission checks, its tenant's transaction.
//! Errors are [`GqlError`]s.

use async_graphql::Context;
use vigil_core::{
    db::{self, TenantTx},
    ids::AwsAccountId,
    roles::Permission,
    store::tenants::{self, Plan},
};

use super::error::{GqlError, GqlResult};
use crate::{auth::Principal, state::AppState};

/// Why the request carries no principal although it presented a credential.
#[derive(Debug, Clone)]
pub struct AuthFailure(pub String);

/// The shared state.
pub fn state<'a>(ctx: &'a Context<'_>) -> GqlResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| GqlError::Misconfigured("state missing"))
}

/// The authenticated caller, or `UNAUTHENTICATED`.
pub fn principal<'a>(ctx: &'a Context<'_>) -> GqlResult<&'a Principal> {
    if let Some(p) = ctx.data_opt::<Principal>() {
        return Ok(p);
    }
    let reason = ctx.data_opt::<AuthFailure>().map_or(
        "authentication required: send Authorization: Bearer <token or API key>",
        |f| f.0.as_str(),
    );
    Err(GqlError::Unauthenticated(reason.to_owned()))
}

/// The caller, if their role allows `permission`; `FORBIDDEN` otherwise.
pub fn require<'a>(ctx: &'a Context<'_>, permission: Permission) -> GqlResult<&'a Principal> {
    let p = principal(ctx)?;
    if p.can(permission) {
        Ok(p)
    } else {
        Err(GqlError::Forbidden(format!(
            "your role ({}) does not allow this",
            p.role.as_str().to_uppercase()
        )))
    }
}

/// A transaction scoped to the caller's tenant.
pub async fn tenant_tx(ctx: &Context<'_>, principal: &Principal) -> GqlResult<TenantTx> {
    Ok(db::begin_tenant(&state(ctx)?.pool, principal.tenant_id).await?)
}

/// Refuses work that costs money or AWS calls when the tenant's trial has ended.
pub async fn require_active_plan(ctx: &Context<'_>, principal: &Principal) -> GqlResult<()> {
    let state = state(ctx)?;
    let mut tx = tenant_tx(ctx, principal).await?;
    let tenant = tenants::get(&mut tx)
        .await?
        .ok_or(GqlError::NotFound("tenant"))?;
    if tenant.plan_at(state.clock.now()) == Plan::Expired {
        return Err(GqlError::TrialExpired);
    }
    Ok(())
}

/// Parses an `ID` argument into a UUID-based identifier; malformed IDs read as absent.
pub fn parse_id<T: std::str::FromStr>(id: &async_graphql::ID, what: &'static str) -> GqlResult<T> {
    id.parse::<T>().map_err(|_| GqlError::NotFound(what))
}

/// The `awsAccountId` filter of a list; a malformed one is `BAD_USER_INPUT`.
pub fn account_filter(id: Option<&async_graphql::ID>) -> GqlResult<Option<AwsAccountId>> {
    id.map(|i| {
        i.parse::<AwsAccountId>()
            .map_err(|_| GqlError::bad_input("awsAccountId is not an ID from this API"))
    })
    .transpose()
}
