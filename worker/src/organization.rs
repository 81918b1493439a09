//! The `SyncOrganization` job: one AWS Organization's scheduled sync (core's
//! [`vigil_core::organizations::sync`], which the API also runs when the customer verifies
//! or syncs by hand). AWS's refusals are recorded on the organisation, not retried here:
//! the next scheduled sync tries again.

use std::time::Duration;

use sqlx::PgPool;
use vigil_core::{
    clock::Clock,
    ids::{AwsOrganizationId, TenantId},
    jobs::JobError,
    organizations::{self, SyncEnv, SyncError},
};

/// The intervals a sync schedules with.
#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    pub scan: Duration,
    pub ingest: Duration,
    pub organization_sync: Duration,
}

impl Intervals {
    /// The configuration's defaults: scans every 6 h, ingestion every 5 min, syncs hourly.
    pub const DEFAULT: Self = Self {
        scan: Duration::from_secs(6 * 3600),
        ingest: Duration::from_secs(300),
        organization_sync: Duration::from_secs(3600),
    };
}

/// Runs one organisation's sync.
pub async fn run(
    pool: &PgPool,
    aws: &aws_config::SdkConfig,
    clock: &Clock,
    intervals: Intervals,
    tenant: TenantId,
    id: AwsOrganizationId,
) -> Result<(), JobError> {
    let env = SyncEnv {
        pool,
        aws,
        clock,
        scan_interval: intervals.scan,
        ingest_interval: intervals.ingest,
        sync_interval: intervals.organization_sync,
    };
    match organizations::sync(env, tenant, id).await {
        Ok((org, report)) => {
            if let Some(error) = org.last_sync_error {
                // Recorded on the organisation for the customer; no secret in it.
                tracing::warn!(aws_organization_id = %id, %error, "organisation sync failed");
            } else {
                tracing::info!(
                    aws_organization_id = %id,
                    added = report.added,
                    left = report.left,
                    failed = report.failed,
                    "organisation synced"
                );
            }
            Ok(())
        }
        Err(SyncError::NotFound | SyncError::NoRole) => {
            tracing::info!(aws_organization_id = %id, "the organisation was deleted or never verified; nothing to do");
            Ok(())
        }
        Err(SyncError::Db(e)) => Err(JobError::Retry(e.into())),
    }
}
