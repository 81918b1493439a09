//! Rate limits on sign-up, login and invite acceptance, with `governor`'s keyed GCRA
//! limiters: per client IP (every attempt), and per email *and* client IP. There is no
//! limit per email alone: it would let anyone lock a chosen user out by failing to log in
//! as them; keyed by the pair, such failures exhaust only the attacker's own address.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::error::ApiError;

/// The window over which attempts on one account from one address are counted.
pub const ACCOUNT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Limits for the unauthenticated auth endpoints.
#[derive(Clone)]
pub struct AuthLimits {
    by_ip: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_email_and_ip: Arc<DefaultKeyedRateLimiter<(String, IpAddr)>>,
}

impl AuthLimits {
    /// `per_minute` attempts per client IP (with that many in a burst), and `per_minute`
    /// attempts per email from one client IP per [`ACCOUNT_WINDOW`].
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).expect("non-zero");
        let per_account = Quota::with_period(ACCOUNT_WINDOW / n.get())
            .expect("a non-zero period")
            .allow_burst(n);
        Self {
            by_ip: Arc::new(RateLimiter::keyed(Quota::per_minute(n))),
            by_email_and_ip: Arc::new(RateLimiter::keyed(per_account)),
        }
    }

    /// Counts an attempt from `ip` about `email`; too many answer 429 with `Retry-After`.
    pub fn check(&self, ip: IpAddr, email: Option<&str>) -> Result<(), ApiError> {
        let clock = DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| {
            let secs = not_until.wait_time_from(clock.now()).as_secs_f64().ceil() as u64;
            ApiError::RateLimited {
                retry_after_secs: secs.max(1),
            }
        };
        self.by_ip.check_key(&ip).map_err(wait)?;
        if let Some(email) = email {
            self.by_email_and_ip
                .check_key(&(email.to_owned(), ip))
                .map_err(wait)?;
        }
        Ok(())
    }

    /// Forgets keys that are back to a full quota (bounds memory).
    pub fn forget_idle(&self) {
        self.by_ip.retain_recent();
        self.by_email_and_ip.retain_recent();
    }
}

/// Runs `forget_idle` (of the rate limiters) every `every` until the token is cancelled.
pub async fn sweep(
    forget_idle: impl Fn() + Send + 'static,
    every: Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => forget_idle(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn failures_from_one_address_do_not_limit_the_same_email_from_another() {
        let limits = AuthLimits::new(3);
        for _ in 0..3 {
            limits
                .check(ip("198.51.100.1"), Some("victim@example.com"))
                .unwrap();
        }
        assert!(
            limits
                .check(ip("198.51.100.1"), Some("victim@example.com"))
                .is_err()
        );
        assert!(
            limits
                .check(ip("203.0.113.7"), Some("victim@example.com"))
                .is_ok()
        );
    }

    #[test]
    fn one_address_is_limited_across_emails() {
        let limits = AuthLimits::new(3);
        for i in 0..3 {
            limits
                .check(ip("198.51.100.1"), Some(&format!("u{i}@example.com")))
                .unwrap();
        }
        assert!(
            limits
                .check(ip("198.51.100.1"), Some("u9@example.com"))
                .is_err()
        );
    }
}
