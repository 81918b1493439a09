//! Periodic work: enqueues recurring jobs. Every worker runs this loop; the jobs'
//! unique keys make the copies harmless (one queued job per key at a time), and each
//! connection's `next_*_at` moves forward in the same transaction as its enqueue.

use std::time::Duration;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use vigil_core::{
    clock::Clock,
    db,
    jobs::{self, NewJob},
    organizations,
    store::{
        aws_accounts::{self, Due},
        aws_organizations, cross_tenant, rechecks,
    },
    tasks::Task,
};

/// Finished jobs are kept this long for inspection.
pub const KEEP_FINISHED_DAYS: u32 = 7;

/// How often the scheduler looks for due work.
pub const TICK: Duration = Duration::from_secs(30);

/// What the scheduler needs.
#[derive(Clone)]
pub struct Schedule {
    pub pool: PgPool,
    pub clock: Clock,
    pub scan_interval: Duration,
    pub ingest_interval: Duration,
    /// How often each AWS Organization is synced.
    pub organization_sync_interval: Duration,
}

/// Enqueues the recurring jobs now, then every [`TICK`], until `shutdown`.
pub async fn run(schedule: Schedule, shutdown: CancellationToken) {
    loop {
        if let Err(e) = tick(&schedule).await {
            tracing::warn!(error = %e, "scheduling recurring jobs failed");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}

/// One pass of the scheduler: housekeeping, then every connection whose scan or
/// ingestion is due and every organisation whose sync is due, where the tenant's plan
/// allows work. Returns the jobs enqueued.
pub async fn tick(s: &Schedule) -> Result<usize, sqlx::Error> {
    let mut conn = s.pool.acquire().await?;
    let housekeeping = Task::Housekeeping {
        keep_finished_days: KEEP_FINISHED_DAYS,
    };
    let key = housekeeping.unique_key().unwrap_or_default();
    jobs::enqueue(&mut conn, NewJob::new(housekeeping).unique(key)).await?;

    let now = s.clock.now();
    let mut enqueued = 0;
    for (kind, every) in [
        (Due::Scan, s.scan_interval),
        (Due::Ingest, s.ingest_interval),
    ] {
        for (tenant_id, aws_account_id) in cross_tenant::due_accounts(&mut conn, now, kind).await? {
            let task = match kind {
                Due::Scan => Task::ScanAccount {
                    tenant_id,
                    aws_account_id,
                    scan_id: None,
                },
                Due::Ingest => Task::IngestActivity {
                    tenant_id,
                    aws_account_id,
                },
            };
            let key = task.unique_key().unwrap_or_default();
            let mut tx = db::begin_tenant(&s.pool, tenant_id).await?;
            if jobs::enqueue(&mut tx, NewJob::new(task).tenant(tenant_id).unique(key))
                .await?
                .is_some()
            {
                enqueued += 1;
            }
            let next = now + chrono::Duration::from_std(every).unwrap_or_default();
            aws_accounts::set_next_due(&mut tx, aws_account_id, kind, next).await?;
            tx.commit().await?;
        }
    }
    for (tenant_id, aws_organization_id) in organizations::due(&mut conn, now).await? {
        let task = Task::SyncOrganization {
            tenant_id,
            aws_organization_id,
        };
        let key = task.unique_key().unwrap_or_default();
        let mut tx = db::begin_tenant(&s.pool, tenant_id).await?;
        if jobs::enqueue(&mut tx, NewJob::new(task).tenant(tenant_id).unique(key))
            .await?
            .is_some()
        {
            enqueued += 1;
        }
        let next =
            now + chrono::Duration::from_std(s.organization_sync_interval).unwrap_or_default();
        aws_organizations::set_next_sync(&mut tx, aws_organization_id, next).await?;
        tx.commit().await?;
    }
    // Re-checks asked for while the account's previous one was finishing.
    for (tenant_id, aws_account_id) in rechecks::stale(&mut conn, TICK).await? {
        let task = Task::RecheckAccount {
            tenant_id,
            aws_account_id,
        };
        let key = task.unique_key().unwrap_or_default();
        let mut tx = db::begin_tenant(&s.pool, tenant_id).await?;
        if jobs::enqueue(&mut tx, NewJob::new(task).tenant(tenant_id).unique(key))
            .await?
            .is_some()
        {
            enqueued += 1;
        }
        tx.commit().await?;
    }
    Ok(enqueued)
}
