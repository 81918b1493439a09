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

/// How long after a new write event its targeted re-check runs: changes in that time
/// become one re-check (constant: `docs/decisions.md`, "Re-check on change").
pub const RECHECK_AFTER: Duration = Duration::from_secs(5);
/// How long one read of a push queue waits for messages (SQS long polling, at most 20 s).
pub const PUSH_WAIT: Duration = Duration::from_secs(5);

/// Bounds on one CloudTrail log file (constants, not environment variables: CloudTrail's
/// files are far below them; `docs/decisions.md` says why these values). A file past one of
/// the first two is kept out whole and reported (`TRAIL_FILE_TOO_LARGE`); a record past the
/// third is kept out alone (`TRAIL_RECORDS_MALFORMED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailFileLimits {
    /// Bytes of the gzip object downloaded; held while the file is read (the digest check
    /// hashes it, and the records are read in a second pass over it).
    pub max_gzip_bytes: u64,
    /// Bytes of JSON decompressed from one file; streamed, never held whole.
    pub max_json_bytes: u64,
    /// Bytes of one record's JSON (CloudTrail replaces request parameters and response
    /// elements above about 100 KB with a note, so its records stay well below).
    pub max_record_bytes: u64,
}

impl TrailFileLimits {
    /// 64 MiB of gzip, 256 MiB of JSON, 1 MiB per record.
    pub const DEFAULT: Self = Self {
        max_gzip_bytes: 64 << 20,
        max_json_bytes: 256 << 20,
        max_record_bytes: 1 << 20,
    };
}

impl Default for TrailFileLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How far an incremental rescan trusts a region's last full read (constants, not
/// environment variables: `docs/decisions.md` says why these values; tests lower them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RescanLimits {
    /// A full read older than this is done again even when no write call touched the
    /// region: the backstop for changes CloudTrail does not record.
    pub full_read_every: Duration,
    /// Write calls dated up to this much before a full read still count as after it: AWS's
    /// clock and ours differ, and a read just after a write may not show it yet.
    pub read_margin: Duration,
}

impl RescanLimits {
    /// A full read at least daily; a minute of margin.
    pub const DEFAULT: Self = Self {
        full_read_every: Duration::from_secs(86_400),
        read_margin: Duration::from_secs(60),
    };
}

impl Default for RescanLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

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
    /// Bounds on one CloudTrail log file (tests lower them; no environment variable).
    pub trail_files: TrailFileLimits,
    /// What incremental rescans may skip (tests lower them; no environment variable).
    pub rescan: RescanLimits,
    /// When organisation syncs run, and what the members they connect are scheduled with
    /// (`VIGIL_ORGANIZATION_SYNC_INTERVAL`, `VIGIL_SCAN_INTERVAL`, `VIGIL_INGEST_INTERVAL`).
    pub organization_sync: crate::organization::Intervals,
    /// Re-check what new write events changed this long after them; `None`: never. The
    /// worker process uses [`RECHECK_AFTER`]; tests that build a worker by hand opt in, so
    /// their scans stay the ones they start.
    pub recheck_after: Option<Duration>,
    /// How long one read of a push queue waits for messages.
    pub push_wait: Duration,
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
            trail_files: TrailFileLimits::DEFAULT,
            rescan: RescanLimits::DEFAULT,
            organization_sync: crate::organization::Intervals {
                scan: config.scan_interval,
                ingest: config.ingest_interval,
                organization_sync: config.organization_sync_interval,
            },
            recheck_after: Some(RECHECK_AFTER),
            push_wait: PUSH_WAIT,
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
            trail_files: TrailFileLimits::DEFAULT,
            rescan: RescanLimits::DEFAULT,
            organization_sync: crate::organization::Intervals::DEFAULT,
            recheck_after: None,
            push_wait: PUSH_WAIT,
        }
    }
}
