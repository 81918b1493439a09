//! Dispatches each [`Task`] to the code that does it.

use std::{sync::Arc, time::Duration};

use sqlx::PgPool;
use tracing::Instrument;
use vigil_core::{
    aws::{
        session::{RoleSession, RoleTarget, Sessions},
        sts::{self, StsError},
    },
    clock::Clock,
    db,
    ids::{AwsAccountId, TenantId},
    jobs::{self, Handler, JobContext, JobError},
    store::{
        aws_accounts::{self, AwsAccount},
        cross_tenant,
    },
    tasks::Task,
};

pub use crate::settings::{RescanLimits, Settings};
use crate::{activity, organization, scan, webhooks::Sender};

/// Values a first-seen rule has not shown for this long are forgotten.
const BASELINE_KEEP_DAYS: i64 = 31;

/// Re-checks one re-check job runs at most, one per batch of changes that arrived while
/// the previous one ran.
const RECHECK_ROUNDS: usize = 5;

/// Finished webhook deliveries stay in the log this long.
const DELIVERY_LOG_DAYS: i64 = 30;
/// A scan is an orphan only after this long without a job (its row and job are written
/// together, so this is only a margin).
const ORPHANED_SCAN_GRACE: Duration = Duration::from_secs(60);

/// The worker's handler for every product task.
pub struct TaskHandler {
    pool: PgPool,
    sessions: Sessions,
    clock: Clock,
    settings: Settings,
    lookup_limiter: activity::LookupLimiter,
    rules: &'static [vigil_detect::Rule],
    webhooks: Sender,
}

/// Whether a connection can be worked on.
enum Connection {
    /// The role works.
    Usable(Box<AwsAccount>, Arc<RoleSession>),
    /// Deleted or never verified: nothing to do.
    Gone,
    /// AWS denies the role; the connection is now `ERROR` with this reason.
    Denied(String),
}

impl TaskHandler {
    pub fn new(pool: PgPool, sessions: Sessions, clock: Clock) -> Self {
        let settings = Settings::default();
        Self {
            pool,
            sessions,
            clock,
            webhooks: webhook_sender(&settings),
            settings,
            lookup_limiter: activity::lookup_limiter(),
            rules: vigil_detect::builtin::all(),
        }
    }

    /// Replaces the default [`Settings`].
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.webhooks = webhook_sender(&settings);
        self.settings = settings;
        self
    }

    /// Assumes the connection's role through its cached session and records whether it
    /// works: `ERROR` with the reason when AWS denies it, back to `CONNECTED` when it
    /// works again.
    async fn connection(&self, tenant: TenantId, id: AwsAccountId) -> Result<Connection, JobError> {
        let mut tx = db::begin_tenant(&self.pool, tenant).await.map_err(retry)?;
        let account = aws_accounts::get(&mut tx, id).await.map_err(retry)?;
        tx.commit().await.map_err(retry)?;
        let Some(account) = account else {
            tracing::info!(aws_account_id = %id, "the connection was deleted; nothing to do");
            return Ok(Connection::Gone);
        };
        let Some(role_arn) = account.role_arn.clone() else {
            return Ok(Connection::Gone);
        };
        let session = self.sessions.get(RoleTarget {
            role_arn: role_arn.clone(),
            external_id: account.external_id.clone(),
            session_name: format!("vigil-{tenant}"),
        });
        let checked = match session.credentials().await {
            Ok(_) => sts::caller_identity(&session.sdk_config("us-east-1"))
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        let mut tx = db::begin_tenant(&self.pool, tenant).await.map_err(retry)?;
        match checked {
            Ok(()) => {
                aws_accounts::mark_healthy(&mut tx, id, self.clock.now())
                    .await
                    .map_err(retry)?;
                tx.commit().await.map_err(retry)?;
                Ok(Connection::Usable(Box::new(account), session))
            }
            Err(StsError::Denied(said)) => {
                let reason = format!(
                    "Vigil can no longer assume {role_arn}: AWS denied the request (AWS said: {said}). \
                     The role may have been deleted, or its trust policy or external ID changed. Vigil \
                     tries again at every scheduled scan and recovers by itself once the role works."
                );
                aws_accounts::mark_error(&mut tx, id, None, &reason)
                    .await
                    .map_err(retry)?;
                tx.commit().await.map_err(retry)?;
                tracing::warn!(aws_account_id = %id, "role denied; connection marked ERROR");
                Ok(Connection::Denied(reason))
            }
            Err(e) => Err(JobError::Retry(anyhow::anyhow!("assuming {role_arn}: {e}"))),
        }
    }
}

impl TaskHandler {
    /// Reads the connection's push queue once (see [`activity::push::read`]): `None` when
    /// it has none, or the connection cannot be worked on. No STS check of the role per
    /// read (the loop reads every few seconds): its cached session is used, and a role that
    /// stops working shows at the next scheduled job.
    pub async fn read_push(
        &self,
        tenant: TenantId,
        id: AwsAccountId,
    ) -> Result<Option<activity::push::PushRead>, JobError> {
        let mut tx = db::begin_tenant(&self.pool, tenant).await.map_err(retry)?;
        let account = aws_accounts::get(&mut tx, id).await.map_err(retry)?;
        tx.commit().await.map_err(retry)?;
        let Some((account, role_arn)) =
            account.and_then(|a| a.role_arn.clone().map(|role| (a, role)))
        else {
            return Ok(None);
        };
        let session = self.sessions.get(RoleTarget {
            role_arn,
            external_id: account.external_id.clone(),
            session_name: format!("vigil-{tenant}"),
        });
        activity::push::read(
            &self.pool,
            &self.clock,
            &account,
            &session,
            &self.settings,
            self.rules,
        )
        .instrument(tracing::info_span!("push", aws_account_id = %id))
        .await
    }
}

fn webhook_sender(settings: &Settings) -> Sender {
    // Building a reqwest client fails only when TLS cannot initialise at all.
    Sender::new(settings.webhook_allow_internal, &settings.public_url)
        .expect("the webhook HTTP client builds")
}

fn retry(e: impl Into<anyhow::Error>) -> JobError {
    JobError::Retry(e.into())
}

impl Handler for TaskHandler {
    type Payload = Task;

    async fn handle(&self, ctx: JobContext, task: Task) -> Result<(), JobError> {
        match task {
            Task::Housekeeping { keep_finished_days } => {
                let age = Duration::from_secs(u64::from(keep_finished_days) * 86_400);
                let deleted = jobs::prune_finished(&self.pool, age)
                    .await
                    .map_err(|e| JobError::Retry(e.into()))?;
                let mut conn = self.pool.acquire().await.map_err(retry)?;
                let dropped = cross_tenant::drop_expired_events(
                    &mut conn,
                    self.clock.now().date_naive(),
                    self.settings.event_retention_days,
                )
                .await
                .map_err(retry)?;
                // Counting windows are minutes long; first-seen looks back 30 days.
                let now = self.clock.now();
                let forgotten = cross_tenant::prune_correlations(
                    &mut conn,
                    now - chrono::Duration::days(1),
                    now - chrono::Duration::days(BASELINE_KEEP_DAYS),
                )
                .await
                .map_err(retry)?;
                let deliveries = cross_tenant::prune_deliveries(
                    &mut conn,
                    now - chrono::Duration::days(DELIVERY_LOG_DAYS),
                )
                .await
                .map_err(retry)?;
                let orphaned_scans =
                    cross_tenant::close_orphaned_scans(&mut conn, ORPHANED_SCAN_GRACE)
                        .await
                        .map_err(retry)?;
                tracing::info!(
                    deleted,
                    forgotten_correlation_state = forgotten,
                    forgotten_webhook_deliveries = deliveries,
                    dropped_event_partitions = dropped,
                    orphaned_scans,
                    "pruned finished jobs and expired events"
                );
                Ok(())
            }
            Task::ScanAccount {
                tenant_id,
                aws_account_id,
                scan_id,
            } => match self.connection(tenant_id, aws_account_id).await? {
                Connection::Usable(account, session) => {
                    scan::run(
                        &self.pool,
                        &self.clock,
                        &account,
                        session,
                        scan_id,
                        self.settings.rescan,
                    )
                    .await
                }
                Connection::Denied(reason) => {
                    scan::fail_unusable(
                        &self.pool,
                        &self.clock,
                        tenant_id,
                        aws_account_id,
                        scan_id,
                        &reason,
                    )
                    .await
                }
                Connection::Gone => Ok(()),
            },
            Task::IngestActivity {
                tenant_id,
                aws_account_id,
            } => match self.connection(tenant_id, aws_account_id).await? {
                Connection::Usable(account, session) => {
                    let done = activity::run(
                        &self.pool,
                        &self.clock,
                        &account,
                        session,
                        activity::Reach {
                            limiter: &self.lookup_limiter,
                            sessions: &self.sessions,
                        },
                        &self.settings,
                        self.rules,
                    )
                    .instrument(tracing::info_span!("ingest", aws_account_id = %aws_account_id))
                    .await?;
                    tracing::info!(read = done.read, stored = done.stored, "activity ingested");
                    Ok(())
                }
                Connection::Denied(_) | Connection::Gone => Ok(()),
            },
            Task::SyncOrganization {
                tenant_id,
                aws_organization_id,
            } => {
                organization::run(
                    &self.pool,
                    self.sessions.base(),
                    &self.clock,
                    self.settings.organization_sync,
                    tenant_id,
                    aws_organization_id,
                )
                .instrument(tracing::info_span!("organization_sync", aws_organization_id = %aws_organization_id))
                .await
            }
            Task::RecheckAccount {
                tenant_id,
                aws_account_id,
            } => match self.connection(tenant_id, aws_account_id).await? {
                Connection::Usable(account, session) => {
                    // What new events ask for while it runs is re-checked after it, a
                    // minimum interval apart (the job's unique key holds the others off).
                    let pause = self.settings.recheck_after.unwrap_or_default();
                    for round in 0..RECHECK_ROUNDS {
                        if round > 0 {
                            tokio::time::sleep(pause).await;
                        }
                        let done =
                            scan::recheck::run(&self.pool, &self.clock, &account, session.clone())
                                .instrument(tracing::info_span!("recheck", aws_account_id = %aws_account_id))
                                .await?;
                        if done.pairs == 0 {
                            break;
                        }
                    }
                    Ok(())
                }
                Connection::Denied(_) | Connection::Gone => Ok(()),
            },
            Task::DeliverWebhook {
                tenant_id,
                delivery_id,
            } => {
                self.webhooks
                    .deliver(&self.pool, &self.clock, &ctx, tenant_id, delivery_id)
                    .await
            }
        }
    }
}
