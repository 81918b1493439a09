//! Password hashing with argon2id at OWASP's parameters (19 MiB, 2 iterations, 1 lane),
//! run off the async threads since each hash takes tens of milliseconds by design.

use std::sync::OnceLock;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

/// Shortest accepted password, in characters.
pub const MIN_LEN: usize = 10;
/// Longest accepted password, in characters (bounds the hashing work an attacker can ask for).
pub const MAX_LEN: usize = 256;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password is refused.
pub fn check_policy(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(format!("password must be at least {MIN_LEN} characters"));
    }
    if len > MAX_LEN {
        return Err(format!("password must be at most {MAX_LEN} characters"));
    }
    Ok(())
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored hash. With no hash (an unknown email, or a user
/// who never set a password), a dummy hash of the same parameters is checked instead so
/// that the answer takes the same time either way.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(password.as_bytes(), stored.as_deref()))
        .await
        .unwrap_or(false)
}

/// Computes the dummy hash now, off the async threads, so that the first login with an
/// unknown email does not pay for it (which would both tell and stall a runtime thread).
pub async fn prepare() {
    let _ = tokio::task::spawn_blocking(dummy_hash).await;
}

/// [`verify`]'s work: one argon2 verification whether or not there is a stored hash.
fn verify_blocking(password: &[u8], stored: Option<&str>) -> bool {
    let matched = verify_phc(password, stored.unwrap_or_else(|| dummy_hash()));
    stored.is_some() && matched
}

fn verify_phc(password: &[u8], phc: &str) -> bool {
    #[cfg(test)]
    tests::VERIFICATIONS.with(|n| n.set(n.get() + 1));
    PasswordHash::new(phc)
        .map(|parsed| hasher().verify_password(password, &parsed).is_ok())
        .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"vigil-timing-equaliser", &salt)
            .expect("hashing a constant")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    thread_local! {
        /// Argon2 verifications run on this thread.
        pub(super) static VERIFICATIONS: Cell<u32> = const { Cell::new(0) };
    }

    #[test]
    fn an_unknown_email_costs_one_verification_against_a_hash_like_the_real_ones() {
        let before = VERIFICATIONS.with(Cell::get);
        assert!(!verify_blocking(b"vigil-timing-equaliser", None));
        assert_eq!(VERIFICATIONS.with(Cell::get), before + 1);
        // Same algorithm and cost parameters as stored hashes: same work.
        let params = |phc: &str| phc.rsplitn(3, '$').nth(2).unwrap().to_owned();
        let real = hasher()
            .hash_password(b"x", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert_eq!(params(dummy_hash()), params(&real));
        assert!(params(&real).starts_with("$argon2id$v=19$m=19456,t=2,p=1"));
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(h)).await);
    }

    #[tokio::test]
    async fn no_stored_hash_never_verifies() {
        assert!(!verify("vigil-timing-equaliser".into(), None).await);
    }

    #[test]
    fn policy_bounds_length_in_characters() {
        assert!(check_policy("short").is_err());
        assert!(check_policy("ten chars!").is_ok());
        assert!(check_policy(&"é".repeat(256)).is_ok());
        assert!(check_policy(&"a".repeat(257)).is_err());
    }
}
