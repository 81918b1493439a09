//! The worker's tunables, in one place: built once from core's [`Config`] (where each has
//! its environment variable), with the same defaults for tests that build a worker by hand.

use std::time::Duration;

use vigil_core::config::Config;

/// How far back a connection's first ingestion reads (`VIGIL_INGEST_BACKFILL`).
const DEFAULT_BACKFILL: Duration = Duration::from_secs(7 * 86_400);
/// How long first-seen rules learn after the first ingestion (`VIGIL_BASELINE_LEARNING`).
const DEFAULT_BASELINE_LEARNING: Duration = Duration::from_secs(7 * 86_400);
/// Events are kept this many days (`VIGIL_EVENT_RETENTION`).
const DEFAULT_EVENT_RETENTION_DAYS: i64 = 90;

/// Tunables of the work itself.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How far back a connection's first ingestion reads.
    pub backfill: Duration,
    /// Events older than this are dropped (whole daily partitions).
    pub event_retention_days: i64,
    /// How long first-seen rules learn after a connection's first ingestion.
    pub baseline_learning: Duration,
    /// Webhooks may call internal addresses and plain http (`VIGIL_WEBHOOK_ALLOW_INTERNAL`).
    pub webhook_allow_internal: bool,
    /// Where customers reach Vigil, for links in webhook payloads.
    pub public_url: String,
}

impl Settings {
    /// The settings the configuration asks for.
    pub fn from_config(config: &Config) -> Self {
        Self {
            backfill: config.ingest_backfill,
            event_retention_days: i64::try_from(config.event_retention.as_secs() / 86_400)
                .unwrap_or(DEFAULT_EVENT_RETENTION_DAYS),
            baseline_learning: config.baseline_learning,
            webhook_allow_internal: config.webhook_allow_internal,
            public_url: config.public_url.clone(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            backfill: DEFAULT_BACKFILL,
            event_retention_days: DEFAULT_EVENT_RETENTION_DAYS,
            baseline_learning: DEFAULT_BASELINE_LEARNING,
            webhook_allow_internal: false,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}
