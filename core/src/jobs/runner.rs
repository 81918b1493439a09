//! Runs claimed jobs: bounded concurrency, lease heartbeats, retries with backoff,
//! wake-up on `NOTIFY`, and a shutdown that lets running jobs finish or gives them back.

use std::{future::Future, panic::AssertUnwindSafe, sync::Arc, time::Duration};

use futures::FutureExt;
use sqlx::postgres::PgListener;
use tokio::{sync::Semaphore, task::JoinSet, time::Instant};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{ClaimedJob, NOTIFY_CHANNEL, Payload, Queue, Rescued, backoff};
use crate::ids::{JobId, TenantId};

/// What a job's run reports back.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt after a backoff (AWS throttling, a lost connection).
    #[error("{0:#}")]
    Retry(anyhow::Error),
    /// Will fail the same way again: the job is dead at once.
    #[error("{0:#}")]
    Permanent(anyhow::Error),
    /// The worker is stopping; the job goes back to the queue without losing an attempt.
    #[error("interrupted by shutdown")]
    Interrupted,
}

impl From<anyhow::Error> for JobError {
    fn from(e: anyhow::Error) -> Self {
        Self::Retry(e)
    }
}

/// What a handler knows about the run it is executing.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub job_id: JobId,
    pub tenant_id: Option<TenantId>,
    /// This run's attempt number, from 1.
    pub attempt: i32,
    /// The job's attempt budget: the run with `attempt == max_attempts` is the last.
    pub max_attempts: i32,
    /// Cancelled when the worker is stopping and the grace period is over.
    pub cancel: CancellationToken,
}

/// Executes jobs of one payload type.
pub trait Handler: Send + Sync + 'static {
    type Payload: Payload;
    fn handle(
        &self,
        ctx: JobContext,
        payload: Self::Payload,
    ) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// Tuning of a [`Runner`].
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// Jobs run at once by this runner.
    pub concurrency: usize,
    /// Longest wait between looks at the queue when no notification arrives.
    pub poll_interval: Duration,
    /// First retry delay; it doubles with each attempt.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// How long a stopping runner waits for running jobs before giving them back.
    pub shutdown_grace: Duration,
    /// How often expired leases are looked for.
    pub reap_interval: Duration,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            poll_interval: Duration::from_secs(2),
            backoff_base: Duration::from_secs(10),
            backoff_cap: Duration::from_secs(3600),
            shutdown_grace: Duration::from_secs(30),
            reap_interval: Duration::from_secs(5),
        }
    }
}

/// Claims and runs jobs with a [`Handler`].
pub struct Runner<H> {
    queue: Queue,
    handler: Arc<H>,
    opts: RunnerOptions,
}

impl<H: Handler> Runner<H> {
    pub fn new(queue: Queue, handler: H, opts: RunnerOptions) -> Self {
        Self {
            queue,
            handler: Arc::new(handler),
            opts,
        }
    }

    /// Claims the jobs due now (up to the concurrency) and runs them to the end.
    /// Returns how many ran; tests call this to drive the queue deterministically.
    pub async fn run_once(&self) -> Result<usize, sqlx::Error> {
        report_rescued(&self.queue.reap_expired().await?);
        let jobs = self.queue.claim(self.opts.concurrency).await?;
        let count = jobs.len();
        let never = CancellationToken::new();
        futures::future::join_all(jobs.into_iter().map(|job| {
            execute(
                self.queue.clone(),
                self.handler.clone(),
                self.opts.clone(),
                job,
                never.clone(),
            )
        }))
        .await;
        Ok(count)
    }

    /// Calls [`Runner::run_once`] until no job is due.
    pub async fn drain(&self) -> Result<usize, sqlx::Error> {
        let mut total = 0;
        loop {
            match self.run_once().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    /// Runs until `shutdown` is cancelled; then waits up to the grace period for running
    /// jobs and gives the others back to the queue.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(self.queue.pool()).await?;
        listener.listen(NOTIFY_CHANNEL).await?;
        let slots = Arc::new(Semaphore::new(self.opts.concurrency));
        let interrupt = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut next_reap = Instant::now();
        tracing::info!(
            worker = self.queue.worker_id(),
            concurrency = self.opts.concurrency,
            "job runner started"
        );

        while !shutdown.is_cancelled() {
            if Instant::now() >= next_reap {
                next_reap = Instant::now() + self.opts.reap_interval;
                match self.queue.reap_expired().await {
                    Ok(rescued) => report_rescued(&rescued),
                    Err(e) => tracing::error!(error = %e, "reaping expired leases failed"),
                }
            }
            let free = slots.available_permits();
            let claimed = match self.queue.claim(free).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::error!(error = %e, "claiming jobs failed");
                    Vec::new()
                }
            };
            let saturated = free > 0 && claimed.len() == free;
            for job in claimed {
                let Ok(permit) = slots.clone().acquire_owned().await else {
                    break;
                };
                let run = execute(
                    self.queue.clone(),
                    self.handler.clone(),
                    self.opts.clone(),
                    job,
                    interrupt.clone(),
                );
                tasks.spawn(async move {
                    run.await;
                    drop(permit);
                });
            }
            while tasks.try_join_next().is_some() {}
            if saturated && slots.available_permits() > 0 {
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => {}
                note = listener.recv() => {
                    if let Err(e) = note {
                        tracing::warn!(error = %e, "job notification listener failed; polling");
                        tokio::time::sleep(self.opts.poll_interval).await;
                    }
                }
                _ = tokio::time::sleep(self.opts.poll_interval) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }

        tracing::info!(running = tasks.len(), "job runner stopping");
        let finished = tokio::time::timeout(self.opts.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                running = tasks.len(),
                "grace period over; returning running jobs to the queue"
            );
            interrupt.cancel();
            while tasks.join_next().await.is_some() {}
        }
        tracing::info!("job runner stopped");
        Ok(())
    }
}

async fn execute<H: Handler>(
    queue: Queue,
    handler: Arc<H>,
    opts: RunnerOptions,
    job: ClaimedJob,
    interrupt: CancellationToken,
) {
    let span = tracing::info_span!(
        "job",
        job_id = %job.job_id,
        kind = %job.kind,
        tenant_id = job.tenant_id.map(|t| t.to_string()),
        attempt = job.attempts,
    );
    async move {
        let started = Instant::now();
        let id = job.job_id;
        let outcome = match serde_json::from_value::<H::Payload>(job.payload) {
            Err(e) => Err(JobError::Permanent(anyhow::anyhow!(
                "payload of kind `{}` cannot be read: {e}",
                job.kind
            ))),
            Ok(payload) => {
                let ctx = JobContext {
                    job_id: id,
                    tenant_id: job.tenant_id,
                    attempt: job.attempts,
                    max_attempts: job.max_attempts,
                    cancel: interrupt.clone(),
                };
                let run = AssertUnwindSafe(handler.handle(ctx, payload)).catch_unwind();
                let mut run = std::pin::pin!(run);
                // Not `interval()`: its immediate first tick still waits for the timer
                // wheel (about 1 ms), which would be paid by every job.
                let period = heartbeat_period(&queue);
                let mut beat = tokio::time::interval_at(Instant::now() + period, period);
                loop {
                    tokio::select! {
                        result = &mut run => break result.unwrap_or_else(|_| {
                            Err(JobError::Retry(anyhow::anyhow!("the job panicked")))
                        }),
                        _ = beat.tick() => {
                            if let Ok(false) = queue.heartbeat(id).await {
                                tracing::warn!("lease lost; another worker may run this job");
                            }
                        }
                        _ = interrupt.cancelled() => break Err(JobError::Interrupted),
                    }
                }
            }
        };
        let label = match &outcome {
            Ok(()) => "succeeded",
            Err(JobError::Interrupted) => "released",
            Err(JobError::Permanent(_)) => "dead",
            Err(JobError::Retry(_)) if job.attempts >= job.max_attempts => "dead",
            Err(JobError::Retry(_)) => "retry",
        };
        let stored = match &outcome {
            Ok(()) => queue.complete(id).await,
            Err(JobError::Interrupted) => queue.release(id).await,
            Err(e @ JobError::Permanent(_)) => {
                queue.fail(id, &e.to_string(), Duration::ZERO, true).await
            }
            Err(e @ JobError::Retry(_)) => {
                let delay = backoff(opts.backoff_base, job.attempts, opts.backoff_cap);
                queue.fail(id, &e.to_string(), delay, false).await
            }
        };
        match (&outcome, stored) {
            (_, Err(e)) => tracing::error!(error = %e, "recording the job's outcome failed"),
            (Ok(()), Ok(_)) => tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "job succeeded"),
            (Err(e), Ok(_)) => tracing::warn!(error = %e, outcome = label, "job did not succeed"),
        }
        metrics::counter!("vigil_jobs_finished_total", "kind" => job.kind.clone(), "outcome" => label)
            .increment(1);
        metrics::histogram!("vigil_job_duration_seconds", "kind" => job.kind)
            .record(started.elapsed().as_secs_f64());
    }
    .instrument(span)
    .await
}

/// Logs each rescued job and counts it (`vigil_jobs_rescued_total`, and
/// `vigil_jobs_finished_total{outcome="dead"}` for a poison job given up).
fn report_rescued(rescued: &[Rescued]) {
    for r in rescued {
        metrics::counter!("vigil_jobs_rescued_total", "kind" => r.kind.clone()).increment(1);
        if r.state == "dead" {
            metrics::counter!("vigil_jobs_finished_total", "kind" => r.kind.clone(), "outcome" => "dead")
                .increment(1);
            tracing::error!(
                job_id = %r.job_id, kind = %r.kind, rescues = r.rescues, lost_by = r.lost_by.as_deref(),
                "job given up: its worker was lost every time it ran it (poison job)"
            );
        } else {
            tracing::warn!(
                job_id = %r.job_id, kind = %r.kind, rescues = r.rescues, lost_by = r.lost_by.as_deref(),
                "job rescued: the worker running it stopped responding; it runs again"
            );
        }
    }
}

fn heartbeat_period(queue: &Queue) -> Duration {
    (queue.lease / 3).max(Duration::from_millis(50))
}
