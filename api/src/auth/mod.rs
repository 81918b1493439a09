//! Authentication: who is calling. Passwords, tokens, API keys, rate limits, and the
//! [`Principal`] every authenticated request carries.

pub mod limits;
pub mod password;
pub mod service;
pub mod tokens;

use std::net::IpAddr;

use vigil_core::{
    db,
    ids::{ApiKeyId, TenantId, UserId},
    roles::{Permission, Role},
    store::{audit::Actor, credentials, cross_tenant, users},
};

use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: TenantId,
    pub role: Role,
    pub user_id: Option<UserId>,
    pub api_key_id: Option<ApiKeyId>,
    /// Email of the user, or name of the API key.
    pub label: String,
    pub source_ip: Option<IpAddr>,
}

impl Principal {
    /// Whether the caller's role allows `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    /// The audit log's view of this caller.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            api_key_id: self.api_key_id,
            label: Some(self.label.clone()),
            source_ip: self.source_ip,
        }
    }
}

/// Why a credential was refused. Deliberately vague towards the client.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// Reads `Authorization: Bearer <access token | API key>`.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Authenticates a bearer credential. For users the role is read afresh, so a removed
/// user or a changed role takes effect at once rather than when the token expires.
pub async fn authenticate(
    state: &AppState,
    credential: &str,
    ip: Option<IpAddr>,
) -> Result<Principal, AuthError> {
    if credential.starts_with(tokens::API_KEY_PREFIX) {
        let mut conn = state.pool.acquire().await?;
        let key = cross_tenant::find_api_key(&mut conn, &tokens::digest(credential))
            .await?
            .filter(|k| k.revoked_at.is_none())
            .ok_or_else(|| AuthError::Unauthenticated("invalid or revoked API key".into()))?;
        let role = key.role;
        let mut tx = db::begin_tenant(&state.pool, key.tenant_id).await?;
        credentials::touch_api_key(&mut tx, key.api_key_id, state.clock.now()).await?;
        tx.commit().await?;
        return Ok(Principal {
            tenant_id: key.tenant_id,
            role,
            user_id: None,
            api_key_id: Some(key.api_key_id),
            label: format!("API key {}", key.name),
            source_ip: ip,
        });
    }
    let claims = state
        .jwt
        .verify(credential)
        .map_err(AuthError::Unauthenticated)?;
    let mut tx = db::begin_tenant(&state.pool, claims.tid).await?;
    let user = users::get(&mut tx, claims.sub)
        .await?
        .ok_or_else(|| AuthError::Unauthenticated("the user no longer exists".into()))?;
    tx.commit().await?;
    Ok(Principal {
        tenant_id: user.tenant_id,
        role: user.role,
        user_id: Some(user.user_id),
        api_key_id: None,
        label: user.email,
        source_ip: ip,
    })
}

/// Normalises and validates an email address (trimmed, lowercase).
pub fn normalise_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    if email.len() > 254 || !email_address::EmailAddress::is_valid(&email) || !email.contains('.') {
        return Err("email is not a valid address".into());
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_validated() {
        assert_eq!(
            normalise_email("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "alice@localhost",
            "a b@example.com",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bearer_reads_either_case_of_the_scheme() {
        let mut h = axum::http::HeaderMap::new();
        h.insert("authorization", "bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
