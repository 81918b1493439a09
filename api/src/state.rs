//! The handles every request shares.

use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use vigil_core::{aws::ServiceIdentity, clock::Clock, config::Config};

use crate::auth::{limits::AuthLimits, tokens::JwtKeys};

/// One `Clone` bundle of handles, passed to handlers through `State`.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub metrics: PrometheusHandle,
    pub jwt: JwtKeys,
    pub clock: Clock,
    pub auth_limits: AuthLimits,
    /// GraphQL requests per tenant.
    pub graphql_limits: crate::graphql::limits::TenantLimits,
    /// Vigil's own AWS identity, which assumes customers' roles.
    pub aws: ServiceIdentity,
    /// Role verifications (synchronous STS calls) per tenant.
    pub sts_limits: crate::graphql::limits::TenantLimits,
    /// Changes announced by PostgreSQL, for subscriptions.
    pub live: crate::live::Live,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config, clock: Clock, aws: ServiceIdentity) -> Self {
        Self {
            aws,
            pool,
            jwt: JwtKeys::new(&config.jwt_secret),
            auth_limits: AuthLimits::new(config.auth_rate_per_minute),
            graphql_limits: crate::graphql::limits::TenantLimits::new(
                config.graphql_rate_per_minute,
            ),
            sts_limits: crate::graphql::limits::TenantLimits::sts(config.sts_rate_per_minute),
            config: Arc::new(config),
            metrics: metrics_handle(),
            clock,
            live: crate::live::Live::default(),
        }
    }
}

/// The process-wide Prometheus recorder; installed once even when tests build many apps.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (a test harness); ours still renders.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
