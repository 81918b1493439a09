//! Access tokens (JWT, HS256 pinned, with `kid`, `iss`, `aud`, `exp` checked), and the
//! opaque secrets we hand out: refresh tokens, invite tokens and API keys. Opaque secrets
//! carry 190+ bits of randomness, so they are stored as SHA-256 digests: a slow hash
//! adds nothing against guessing and would slow every API call.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::{Rng, distr::Alphanumeric};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigil_core::{
    ids::{TenantId, UserId},
    roles::Role,
};

/// Who issues our tokens.
pub const ISSUER: &str = "vigil";
/// Who our access tokens are for.
pub const AUDIENCE: &str = "vigil-api";
/// Lifetime of an access token.
pub const ACCESS_TTL: Duration = Duration::minutes(15);
/// Lifetime of a refresh token.
pub const REFRESH_TTL: Duration = Duration::days(30);
/// Every API key starts with this, so that logs and secret scanners recognise it.
pub const API_KEY_PREFIX: &str = "vgl_";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    pub tid: TenantId,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signing and verification keys derived from `VIGIL_JWT_SECRET`.
#[derive(Clone)]
pub struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    pub fn new(secret: &SecretString) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        // The key ID names the key without revealing it, so rotating the secret makes old
        // tokens fail with a clear reason.
        let kid = hex::encode(&Sha256::digest([b"vigil-kid:".as_slice(), bytes].concat())[..8]);
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Self {
            kid,
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
        }
    }

    /// The key ID written into every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Issues an access token for a user; returns it with its lifetime in seconds.
    pub fn issue(
        &self,
        user: UserId,
        tenant: TenantId,
        role: Role,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, i64)> {
        let claims = Claims {
            sub: user,
            tid: tenant,
            role,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: (now + ACCESS_TTL).timestamp(),
        };
        let header = Header {
            kid: Some(self.kid.clone()),
            ..Header::new(Algorithm::HS256)
        };
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)?;
        Ok((token, ACCESS_TTL.num_seconds()))
    }

    /// Verifies an access token: HS256 only, our `kid`, signature, `exp`, `iss`, `aud`.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| "malformed token".to_owned())?;
        if header.alg != Algorithm::HS256 {
            return Err("unexpected token algorithm".into());
        }
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err("token signed with an unknown key".into());
        }
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => "token expired".to_owned(),
                _ => "invalid token".to_owned(),
            })
    }
}

/// A new random opaque token (refresh or invite): 256 bits, base64url.
pub fn opaque_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new API key: `vgl_` and 40 alphanumeric characters (~238 bits).
pub fn api_key() -> String {
    let body: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    format!("{API_KEY_PREFIX}{body}")
}

/// The part of an API key shown in lists.
pub fn api_key_display_prefix(key: &str) -> String {
    key.chars().take(API_KEY_PREFIX.len() + 8).collect()
}

/// The stored digest of an opaque secret.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&SecretString::from("test-secret-test-secret-test-secret!!"))
    }

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let k = keys();
        let (user, tenant) = (UserId::new(), TenantId::new());
        let (token, ttl) = k.issue(user, tenant, Role::Analyst, Utc::now()).unwrap();
        assert_eq!(ttl, 900);
        let claims = k.verify(&token).unwrap();
        assert_eq!(
            (claims.sub, claims.tid, claims.role),
            (user, tenant, Role::Analyst)
        );
    }

    #[test]
    fn a_token_from_another_secret_is_refused() {
        let other = JwtKeys::new(&SecretString::from("another-secret-another-secret-another"));
        let (token, _) = other
            .issue(UserId::new(), TenantId::new(), Role::Owner, Utc::now())
            .unwrap();
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let k = keys();
        let (token, _) = k
            .issue(
                UserId::new(),
                TenantId::new(),
                Role::Owner,
                Utc::now() - Duration::hours(1),
            )
            .unwrap();
        assert_eq!(k.verify(&token).unwrap_err(), "token expired");
    }

    #[test]
    fn api_keys_are_prefixed_and_distinct() {
        let (a, b) = (api_key(), api_key());
        assert!(a.starts_with("vgl_") && a.len() == 44);
        assert_ne!(a, b);
        assert_eq!(api_key_display_prefix(&a).len(), 12);
        assert_eq!(digest(&a).len(), 32);
    }
}
