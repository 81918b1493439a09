//! Rate limits on sign-up and login, by client IP and by email, with `governor`'s
//! keyed GCRA limiters.

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::error::ApiError;

/// Limits for the unauthenticated auth endpoints.
#[derive(Clone)]
pub struct AuthLimits {
    by_ip: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    by_email: Arc<DefaultKeyedRateLimiter<String>>,
}

impl AuthLimits {
    /// `per_minute` attempts per client IP and per email, with that many in a burst.
    pub fn new(per_minute: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute.max(1)).expect("non-zero"));
        Self {
            by_ip: Arc::new(RateLimiter::keyed(quota)),
            by_email: Arc::new(RateLimiter::keyed(quota)),
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
            self.by_email.check_key(&email.to_owned()).map_err(wait)?;
        }
        Ok(())
    }

    /// Forgets keys that are back to a full quota (bounds memory).
    pub fn forget_idle(&self) {
        self.by_ip.retain_recent();
        self.by_email.retain_recent();
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
