//! What every resolver needs: the caller, permission checks, and errors that carry
//! `extensions.code` without leaking internals.

use async_graphql::{Context, Error, ErrorExtensions};
use vigil_core::{
    db::{self, TenantTx},
    roles::Permission,
    store::tenants::{self, Plan},
};

use crate::{auth::Principal, state::AppState};

/// Why the request carries no principal although it presented a credential.
#[derive(Debug, Clone)]
pub struct AuthFailure(pub String);

/// Result type of resolvers.
pub type GqlResult<T> = async_graphql::Result<T>;

/// An error with a machine-readable `extensions.code`.
pub fn gql_error(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(message.into()).extend_with(|_, e| e.set("code", code))
}

/// The answer for anything absent, including another tenant's objects.
pub fn not_found(what: &str) -> Error {
    gql_error("NOT_FOUND", format!("{what} not found"))
}

/// Input the caller must fix.
pub fn bad_input(message: impl Into<String>) -> Error {
    gql_error("BAD_USER_INPUT", message)
}

/// Logs an internal failure with its cause chain and answers a generic error.
pub fn internal(e: impl Into<anyhow::Error>) -> Error {
    let e = e.into();
    tracing::error!(
        error = format!("{e:#}"),
        "internal error in a GraphQL resolver"
    );
    gql_error("INTERNAL", "internal error; it has been logged")
}

/// Maps any error into [`internal`]; use instead of `?` on database and other
/// internal calls, whose messages must never reach the client.
pub trait OrInternal<T> {
    fn or_internal(self) -> GqlResult<T>;
}

impl<T, E: Into<anyhow::Error>> OrInternal<T> for Result<T, E> {
    fn or_internal(self) -> GqlResult<T> {
        self.map_err(internal)
    }
}

/// The shared state.
pub fn state<'a>(ctx: &'a Context<'_>) -> GqlResult<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| gql_error("INTERNAL", "state missing"))
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
    Err(gql_error("UNAUTHENTICATED", reason))
}

/// The caller, if their role allows `permission`; `FORBIDDEN` otherwise.
pub fn require<'a>(ctx: &'a Context<'_>, permission: Permission) -> GqlResult<&'a Principal> {
    let p = principal(ctx)?;
    if p.can(permission) {
        Ok(p)
    } else {
        Err(gql_error(
            "FORBIDDEN",
            format!(
                "your role ({}) does not allow this",
                p.role.as_str().to_uppercase()
            ),
        ))
    }
}

/// A transaction scoped to the caller's tenant.
pub async fn tenant_tx(ctx: &Context<'_>, principal: &Principal) -> GqlResult<TenantTx> {
    db::begin_tenant(&state(ctx)?.pool, principal.tenant_id)
        .await
        .or_internal()
}

/// Refuses work that costs money or AWS calls when the tenant's trial has ended.
pub async fn require_active_plan(ctx: &Context<'_>, principal: &Principal) -> GqlResult<()> {
    let state = state(ctx)?;
    let mut tx = tenant_tx(ctx, principal).await?;
    let tenant = tenants::get(&mut tx, principal.tenant_id)
        .await
        .or_internal()?
        .ok_or_else(|| not_found("tenant"))?;
    if tenant.plan_at(state.clock.now()) == Plan::Expired {
        return Err(gql_error(
            "TRIAL_EXPIRED",
            "your trial has ended: existing data stays readable, but new scans and connections need an active plan",
        ));
    }
    Ok(())
}

/// Parses an `ID` argument into a UUID-based identifier; malformed IDs read as absent.
pub fn parse_id<T: std::str::FromStr>(id: &async_graphql::ID, what: &str) -> GqlResult<T> {
    id.parse::<T>().map_err(|_| not_found(what))
}
