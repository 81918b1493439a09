//! Sign-up, login, token refresh with rotation and reuse detection, logout, and invite
//! acceptance. The REST handlers are thin wrappers around these.

use std::net::IpAddr;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use vigil_core::{
    db::{self, TenantTx},
    ids::{TenantId, UserId},
    roles::Role,
    store::{
        audit::{self, Actor},
        credentials, cross_tenant, tenants, users,
    },
};

use super::{normalise_email, password, tokens};
use crate::{
    error::{ApiError, OnConstraint},
    state::AppState,
};

/// What sign-up, login, refresh and invite acceptance answer.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::client(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn invalid_credentials() -> ApiError {
    ApiError::client(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "email or password is incorrect",
    )
}

fn invalid_refresh() -> ApiError {
    ApiError::client(
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "the refresh token is invalid, expired or revoked",
    )
}

/// A duplicate email is the caller's 409 (the `users_email_key` unique constraint).
fn email_taken() -> ApiError {
    ApiError::client(
        StatusCode::CONFLICT,
        "email_taken",
        "an account with this email already exists",
    )
}

/// Issues an access token and a refresh token of `family` (a new family at login).
async fn issue(
    state: &AppState,
    tx: &mut TenantTx,
    tenant: TenantId,
    user: UserId,
    role: Role,
    family: Uuid,
) -> Result<TokenResponse, ApiError> {
    let now = state.clock.now();
    let (access_token, expires_in) = state.jwt.issue(user, tenant, role, now)?;
    let refresh_token = tokens::opaque_token();
    credentials::insert_refresh_token(
        tx,
        user,
        family,
        &tokens::digest(&refresh_token),
        now + tokens::REFRESH_TTL,
    )
    .await?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer",
        expires_in,
    })
}

fn anonymous_actor(label: &str, ip: IpAddr) -> Actor {
    Actor {
        label: Some(label.to_owned()),
        source_ip: Some(ip),
        ..Actor::default()
    }
}

/// Creates a tenant on the 15-day trial and its owner, in one transaction.
pub async fn signup(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    pass: &str,
    organization: &str,
) -> Result<TokenResponse, ApiError> {
    let email = normalise_email(email).map_err(|m| unprocessable("invalid_email", m))?;
    password::check_policy(pass).map_err(|m| unprocessable("weak_password", m))?;
    let organization = organization.trim();
    if organization.is_empty() || organization.chars().count() > 200 {
        return Err(unprocessable(
            "invalid_organization",
            "organization must be 1 to 200 characters",
        ));
    }
    state.auth_limits.check(ip, Some(&email))?;
    let hash = password::hash(pass.to_owned()).await?;

    let tenant = TenantId::new();
    let mut tx = db::begin_tenant(&state.pool, tenant).await?;
    let trial_end = state.clock.now() + chrono::Duration::days(tenants::TRIAL_DAYS);
    tenants::insert_trial(&mut tx, organization, trial_end).await?;
    let user = users::insert(
        &mut tx,
        users::NewUser {
            email: &email,
            password_hash: Some(&hash),
            role: Role::Owner,
        },
    )
    .await
    .on_constraint("users_email_key", email_taken)?;
    let actor = Actor {
        user_id: Some(user.user_id),
        ..anonymous_actor(&email, ip)
    };
    audit::record(
        &mut tx,
        &actor,
        "tenant.signup",
        Some(organization),
        json!({ "plan": "trial" }),
    )
    .await?;
    let response = issue(
        state,
        &mut tx,
        tenant,
        user.user_id,
        Role::Owner,
        Uuid::now_v7(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(tenant_id = %tenant, user_id = %user.user_id, "tenant signed up");
    Ok(response)
}

/// Logs a user in. An unknown email and a wrong password answer alike, in about the
/// same time (a dummy hash is verified for unknown emails).
pub async fn login(
    state: &AppState,
    ip: IpAddr,
    email: &str,
    pass: &str,
) -> Result<TokenResponse, ApiError> {
    let email = normalise_email(email).map_err(|_| invalid_credentials())?;
    state.auth_limits.check(ip, Some(&email))?;
    let mut conn = state.pool.acquire().await?;
    let record = cross_tenant::login_record(&mut conn, &email).await?;
    drop(conn);
    let stored_hash = record.as_ref().and_then(|r| r.password_hash.clone());
    let ok = password::verify(pass.to_owned(), stored_hash).await;
    let Some(record) = record else {
        tracing::info!("login failed: unknown email");
        return Err(invalid_credentials());
    };
    let mut tx = db::begin_tenant(&state.pool, record.tenant_id).await?;
    let actor = Actor {
        user_id: Some(record.user_id),
        ..anonymous_actor(&email, ip)
    };
    if !ok {
        audit::record(
            &mut tx,
            &actor,
            "user.login_failed",
            Some(&email),
            json!({}),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(tenant_id = %record.tenant_id, user_id = %record.user_id, "login failed: wrong password");
        return Err(invalid_credentials());
    }
    let role = record.role;
    audit::record(&mut tx, &actor, "user.login", Some(&email), json!({})).await?;
    let response = issue(
        state,
        &mut tx,
        record.tenant_id,
        record.user_id,
        role,
        Uuid::now_v7(),
    )
    .await?;
    tx.commit().await?;
    Ok(response)
}

/// Exchanges a refresh token for new tokens. The presented token stops working; if it
/// had already been used, someone holds a copy, so its whole family is revoked.
pub async fn refresh(
    state: &AppState,
    ip: IpAddr,
    refresh_token: &str,
) -> Result<TokenResponse, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let found = cross_tenant::find_refresh_token(&mut conn, &tokens::digest(refresh_token)).await?;
    drop(conn);
    let Some(token) = found else {
        return Err(invalid_refresh());
    };
    let now = state.clock.now();
    let mut tx = db::begin_tenant(&state.pool, token.tenant_id).await?;
    let fresh = token.used_at.is_none() && token.revoked_at.is_none();
    if !fresh || !credentials::mark_refresh_token_used(&mut tx, token.token_id, now).await? {
        if token.revoked_at.is_none() || token.used_at.is_some() {
            credentials::revoke_refresh_family(&mut tx, token.family_id, now).await?;
            let actor = Actor {
                user_id: Some(token.user_id),
                source_ip: Some(ip),
                ..Actor::default()
            };
            audit::record(
                &mut tx,
                &actor,
                "auth.refresh_token_reused",
                None,
                json!({ "family": token.family_id }),
            )
            .await?;
            tracing::warn!(tenant_id = %token.tenant_id, user_id = %token.user_id, "refresh token reuse: family revoked");
        }
        tx.commit().await?;
        return Err(invalid_refresh());
    }
    if token.expires_at <= now {
        tx.rollback().await?;
        return Err(invalid_refresh());
    }
    let Some(user) = users::get(&mut tx, token.user_id).await? else {
        return Err(invalid_refresh());
    };
    let role = user.role;
    let response = issue(
        state,
        &mut tx,
        token.tenant_id,
        token.user_id,
        role,
        token.family_id,
    )
    .await?;
    tx.commit().await?;
    Ok(response)
}

/// Revokes the refresh token's family (this session). Unknown tokens are accepted
/// silently: logging out twice is not an error.
pub async fn logout(state: &AppState, refresh_token: &str) -> Result<(), ApiError> {
    let mut conn = state.pool.acquire().await?;
    let found = cross_tenant::find_refresh_token(&mut conn, &tokens::digest(refresh_token)).await?;
    drop(conn);
    if let Some(token) = found {
        let mut tx = db::begin_tenant(&state.pool, token.tenant_id).await?;
        credentials::revoke_refresh_family(&mut tx, token.family_id, state.clock.now()).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Accepts an invitation: creates the invited user with the given password.
pub async fn accept_invite(
    state: &AppState,
    ip: IpAddr,
    invite_token: &str,
    pass: &str,
) -> Result<TokenResponse, ApiError> {
    password::check_policy(pass).map_err(|m| unprocessable("weak_password", m))?;
    state.auth_limits.check(ip, None)?;
    let invalid = || {
        ApiError::client(
            StatusCode::BAD_REQUEST,
            "invalid_invite",
            "the invitation is invalid, expired or already used",
        )
    };
    let mut conn = state.pool.acquire().await?;
    let invite = cross_tenant::find_invite(&mut conn, &tokens::digest(invite_token))
        .await?
        .ok_or_else(invalid)?;
    drop(conn);
    let now = state.clock.now();
    if invite.accepted_at.is_some() || invite.expires_at <= now {
        return Err(invalid());
    }
    let hash = password::hash(pass.to_owned()).await?;
    let mut tx = db::begin_tenant(&state.pool, invite.tenant_id).await?;
    if !credentials::accept_invite(&mut tx, invite.invite_id, now).await? {
        return Err(invalid());
    }
    let user = users::insert(
        &mut tx,
        users::NewUser {
            email: &invite.email,
            password_hash: Some(&hash),
            role: invite.role,
        },
    )
    .await
    .on_constraint("users_email_key", email_taken)?;
    let role = invite.role;
    let actor = Actor {
        user_id: Some(user.user_id),
        ..anonymous_actor(&invite.email, ip)
    };
    audit::record(
        &mut tx,
        &actor,
        "invite.accepted",
        Some(&invite.email),
        json!({ "role": invite.role }),
    )
    .await?;
    let response = issue(
        state,
        &mut tx,
        invite.tenant_id,
        user.user_id,
        role,
        Uuid::now_v7(),
    )
    .await?;
    tx.commit().await?;
    Ok(response)
}
