//! Role sessions: one per connection, assuming the customer's role once and reusing the
//! temporary credentials for every call until shortly before they expire. Written here
//! rather than with `aws_config::sts::AssumeRoleProvider` so that a failure keeps its
//! STS classification (denied vs. transient), which decides whether the account is
//! marked `ERROR`, and so that tests can count the assumptions.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime},
};

use aws_config::SdkConfig;
use aws_config::identity::IdentityCache;
use aws_credential_types::{
    Credentials,
    provider::{self, ProvideCredentials, SharedCredentialsProvider, error::CredentialsError},
};

use super::sts::{self, AssumeRequest, StsError};

/// How long assumed credentials live (the template caps the role at 3600 s).
pub const SESSION_SECS: i32 = 3600;

/// Who to be in a customer's account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleTarget {
    pub role_arn: String,
    pub external_id: String,
    /// Names the tenant in the customer's CloudTrail (`vigil-<tenant>`).
    pub session_name: String,
}

/// A cached session in one customer account.
pub struct RoleSession {
    base: SdkConfig,
    target: RoleTarget,
    refresh_before: Duration,
    cached: tokio::sync::Mutex<Option<Credentials>>,
    assumed: AtomicU64,
}

impl std::fmt::Debug for RoleSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleSession")
            .field("role_arn", &self.target.role_arn)
            .finish_non_exhaustive()
    }
}

impl RoleSession {
    /// A session that refreshes its credentials `refresh_before` their expiry.
    pub fn new(base: SdkConfig, target: RoleTarget, refresh_before: Duration) -> Self {
        Self {
            base,
            target,
            refresh_before,
            cached: Default::default(),
            assumed: AtomicU64::new(0),
        }
    }

    /// Valid credentials, assuming the role only when none are cached or they are near
    /// expiry. Concurrent callers wait for one assumption.
    pub async fn credentials(&self) -> Result<Credentials, StsError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && c.expiry()
                .is_none_or(|exp| exp > SystemTime::now() + self.refresh_before)
        {
            return Ok(c.clone());
        }
        let fresh = sts::assume_role(
            &self.base,
            AssumeRequest {
                role_arn: &self.target.role_arn,
                external_id: Some(&self.target.external_id),
                session_name: &self.target.session_name,
                duration_secs: SESSION_SECS,
            },
        )
        .await;
        self.assumed.fetch_add(1, Ordering::Relaxed);
        match fresh {
            Ok(c) => {
                *cached = Some(c.clone());
                Ok(c)
            }
            Err(e) => {
                *cached = None;
                Err(e)
            }
        }
    }

    /// The role and session name this session assumes.
    pub fn target(&self) -> &RoleTarget {
        &self.target
    }

    /// How many times this session has called `AssumeRole`.
    pub fn assumptions(&self) -> u64 {
        self.assumed.load(Ordering::Relaxed)
    }

    /// An SDK configuration for the customer's account in `region`, signing with this
    /// session (no second cache in front of ours).
    pub fn sdk_config(self: &Arc<Self>, region: &str) -> SdkConfig {
        self.base
            .to_builder()
            .region(aws_types::region::Region::new(region.to_owned()))
            .credentials_provider(SharedCredentialsProvider::new(SessionProvider(
                self.clone(),
            )))
            .identity_cache(IdentityCache::no_cache())
            // Standard mode retries throttling (Throttling, RequestLimitExceeded...) and
            // 5xx with jittered exponential backoff; scans make many calls, so allow more.
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(6))
            .build()
    }
}

#[derive(Debug)]
struct SessionProvider(Arc<RoleSession>);

impl ProvideCredentials for SessionProvider {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            self.0
                .credentials()
                .await
                .map_err(CredentialsError::provider_error)
        })
    }
}

/// The sessions of every connection this process works on.
#[derive(Debug, Clone)]
pub struct Sessions {
    base: SdkConfig,
    refresh_before: Duration,
    map: Arc<Mutex<HashMap<RoleTarget, Arc<RoleSession>>>>,
}

impl Sessions {
    /// Sessions assuming roles with `base` (Vigil's own identity); credentials are
    /// refreshed `refresh_before` their expiry (5 minutes in production).
    pub fn new(base: SdkConfig, refresh_before: Duration) -> Self {
        Self {
            base,
            refresh_before,
            map: Default::default(),
        }
    }

    /// Vigil's own configuration, which the roles are assumed with.
    pub fn base(&self) -> &SdkConfig {
        &self.base
    }

    /// The session for `target`, shared by every job on that connection.
    pub fn get(&self, target: RoleTarget) -> Arc<RoleSession> {
        let mut map = self.map.lock().expect("sessions lock");
        map.entry(target.clone())
            .or_insert_with(|| {
                Arc::new(RoleSession::new(
                    self.base.clone(),
                    target,
                    self.refresh_before,
                ))
            })
            .clone()
    }
}
