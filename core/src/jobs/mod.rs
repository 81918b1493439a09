//! The job queue, kept in PostgreSQL.
//!
//! Jobs are enqueued in the caller's transaction (so a job exists exactly when the write
//! that caused it commits), claimed with `FOR UPDATE SKIP LOCKED` under a lease that a
//! heartbeat extends, retried with exponential backoff, and end `succeeded`, `dead` (with
//! the last error kept) or `cancelled`. A unique key keeps at most one queued or running
//! job per key. An insert trigger sends `NOTIFY vigil_jobs` so idle workers wake at once.
//! Why this is written here rather than taken from a crate: `docs/decisions.md`.

mod runner;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};
use sqlx::{FromRow, PgConnection, PgPool};

use crate::{
    db::TenantTx,
    ids::{JobId, TenantId},
};
pub use runner::{Handler, JobContext, JobError, Runner, RunnerOptions};

/// The channel the insert trigger notifies.
pub const NOTIFY_CHANNEL: &str = "vigil_jobs";

/// How many times a claim's size each tenant's lane offers, and at least how many jobs
/// (see [`Queue::claim`]).
const CLAIM_LOOKAHEAD: usize = 4;
const CLAIM_LOOKAHEAD_MIN: usize = 16;

/// How many times a job may be lost with its worker before it is given up (a poison job);
/// larger than the attempt budget because a lost worker is usually not the job's fault.
pub const DEFAULT_MAX_RESCUES: i32 = 10;

/// A typed job payload, stored as JSON with its `kind` beside it.
pub trait Payload: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// A short stable name (used for metrics, logs and filtering).
    fn kind(&self) -> &'static str;
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<P> {
    pub payload: P,
    pub tenant_id: Option<TenantId>,
    pub unique_key: Option<String>,
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    pub max_rescues: i32,
}

impl<P: Payload> NewJob<P> {
    /// A job that runs as soon as a worker is free, with the default attempt budget.
    pub fn new(payload: P) -> Self {
        Self {
            payload,
            tenant_id: None,
            unique_key: None,
            run_at: None,
            max_attempts: 5,
            max_rescues: DEFAULT_MAX_RESCUES,
        }
    }

    /// Attributes the job to a tenant (deleted with it).
    pub fn tenant(mut self, tenant: TenantId) -> Self {
        self.tenant_id = Some(tenant);
        self
    }

    /// At most one queued or running job may hold `key`.
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    /// Runs no earlier than `at`.
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// Gives up after `n` attempts.
    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Gives up after the job's worker was lost `n` times while running it (see
    /// [`Queue::reap_expired`]).
    pub fn max_rescues(mut self, n: i32) -> Self {
        self.max_rescues = n.max(0);
        self
    }
}

/// Enqueues a job on `conn` (pass a transaction to enqueue atomically with other writes).
/// Returns `None` when a queued or running job already holds the same unique key.
pub async fn enqueue<P: Payload>(
    conn: &mut PgConnection,
    job: NewJob<P>,
) -> Result<Option<JobId>, sqlx::Error> {
    let payload =
        serde_json::to_value(&job.payload).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_scalar(
        "insert into jobs (tenant_id, kind, payload, unique_key, run_at, max_attempts, max_rescues)
         values ($1, $2, $3, $4, coalesce($5, now()), $6, $7)
         on conflict (unique_key) where unique_key is not null and state in ('queued', 'running')
         do nothing
         returning job_id",
    )
    .bind(job.tenant_id)
    .bind(job.payload.kind())
    .bind(payload)
    .bind(job.unique_key)
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(job.max_rescues)
    .fetch_optional(conn)
    .await
}

/// A job a worker holds the lease on.
#[derive(Debug, Clone, FromRow)]
pub struct ClaimedJob {
    pub job_id: JobId,
    pub tenant_id: Option<TenantId>,
    pub kind: String,
    pub payload: serde_json::Value,
    /// This run's attempt number, from 1.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// The state of a job, as stored.
#[derive(Debug, Clone, FromRow)]
pub struct JobRecord {
    pub job_id: JobId,
    pub tenant_id: Option<TenantId>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub state: String,
    pub unique_key: Option<String>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub rescues: i32,
    pub max_rescues: i32,
    pub run_at: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Reads one job.
pub async fn get(pool: &PgPool, id: JobId) -> Result<Option<JobRecord>, sqlx::Error> {
    sqlx::query_as(
        "select job_id, tenant_id, kind, payload, state, unique_key, attempts, max_attempts,
                rescues, max_rescues, run_at, locked_by, last_error, created_at, finished_at
         from jobs where job_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Counts jobs by state (for metrics and tests).
pub async fn count_by_state(pool: &PgPool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("select state, count(*) from jobs group by state order by state")
        .fetch_all(pool)
        .await
}

/// Cancels the queued jobs of a tenant whose unique key starts with `key_prefix`
/// (running ones finish their current attempt). Returns how many were cancelled.
pub async fn cancel_queued(
    conn: &mut PgConnection,
    tenant: TenantId,
    key_prefix: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "update jobs set state = 'cancelled', finished_at = now()
         where tenant_id = $1 and state = 'queued' and starts_with(unique_key, $2)",
    )
    .bind(tenant)
    .bind(key_prefix)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A connection's job that ended dead and has not succeeded since.
#[derive(Debug, Clone, FromRow)]
pub struct Failure {
    pub kind: String,
    pub last_error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub rescues: i32,
}

/// The newest failure among a connection's jobs (`keys`: the unique keys of its kinds of
/// job): of each key, the last finished job, when it is dead. One index probe per key
/// (`jobs_finished_by_key`), however many finished jobs the queue keeps. The jobs table is
/// not tenant-scoped (workers claim every tenant's jobs), so the tenant filter is explicit.
pub async fn last_failure(
    tx: &mut TenantTx,
    keys: &[String],
) -> Result<Option<Failure>, sqlx::Error> {
    sqlx::query_as(
        "select f.kind, f.last_error, f.finished_at, f.attempts, f.rescues
         from unnest($2::text[]) as k(key)
         cross join lateral (
             select kind, state, last_error, finished_at, attempts, rescues from jobs
             where unique_key = k.key and finished_at is not null and tenant_id = $1
             order by finished_at desc limit 1
         ) f
         where f.state = 'dead' order by f.finished_at desc limit 1",
    )
    .bind(tx.tenant())
    .bind(keys)
    .fetch_optional(&mut **tx)
    .await
}

/// The queue as one worker process sees it: claims carry this worker's identity.
#[derive(Debug, Clone)]
pub struct Queue {
    pool: PgPool,
    worker_id: String,
    lease: Duration,
}

impl Queue {
    /// A queue handle for the worker named `worker_id` holding leases of `lease`.
    pub fn new(pool: PgPool, worker_id: impl Into<String>, lease: Duration) -> Self {
        Self {
            pool,
            worker_id: worker_id.into(),
            lease,
        }
    }

    /// The pool this queue uses.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The identity written into `locked_by`.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Claims up to `limit` jobs that are due, round-robin across tenants: each tenant's
    /// oldest due job first (oldest of those first), then each one's second, and so on,
    /// so a tenant with thousands of queued jobs delays another's next job by at most one
    /// job per tenant. Jobs of no tenant (housekeeping) form a lane of their own. Rows
    /// other workers are claiming at the same moment are skipped.
    pub async fn claim(&self, limit: usize) -> Result<Vec<ClaimedJob>, sqlx::Error> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // The tenants with queued jobs are found by skipping through `jobs_ready_by_tenant`
        // (one index probe per tenant, however many jobs each has), and each tenant's due
        // jobs are a range of the same index, so the cost grows with tenants times `limit`,
        // never with the length of the queue (the ordering columns keep the planner on that
        // index, and the array keeps it from hashing the whole queue to join the
        // candidates back to their rows). Each lane offers more jobs than one claim
        // takes, so that workers claiming at the same moment skip to the next ones instead
        // of coming back empty.
        sqlx::query_as(
            "with recursive lanes as (
                 (select tenant_id from jobs
                  where state = 'queued' and tenant_id is not null
                  order by tenant_id, run_at, job_id limit 1)
                 union all
                 select (select j.tenant_id from jobs j
                         where j.state = 'queued' and j.tenant_id > l.tenant_id
                         order by j.tenant_id, j.run_at, j.job_id limit 1)
                 from lanes l where l.tenant_id is not null
             ),
             candidates as (
                 select c.job_id, c.run_at, row_number() over (partition by l.tenant_id order by c.run_at, c.job_id) as turn
                 from lanes l
                 cross join lateral (
                     select j.job_id, j.run_at from jobs j
                     where j.state = 'queued' and j.tenant_id = l.tenant_id and j.run_at <= now()
                     order by j.run_at, j.job_id limit $4
                 ) c
                 where l.tenant_id is not null
                 union all
                 select h.job_id, h.run_at, row_number() over (order by h.run_at, h.job_id)
                 from (select job_id, run_at from jobs
                       where state = 'queued' and tenant_id is null and run_at <= now()
                       order by run_at, job_id limit $4) h
             ),
             next as (
                 select j.job_id
                 from unnest(array(select job_id from candidates order by turn, run_at, job_id))
                      with ordinality as c(job_id, turn)
                 join jobs j on j.job_id = c.job_id
                 where j.state = 'queued'
                 order by c.turn
                 limit $1
                 for update of j skip locked
             )
             update jobs j
             set state = 'running', attempts = j.attempts + 1, locked_by = $2,
                 locked_until = now() + make_interval(secs => $3)
             from next where j.job_id = next.job_id
             returning j.job_id, j.tenant_id, j.kind, j.payload, j.attempts, j.max_attempts",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(&self.worker_id)
        .bind(self.lease.as_secs_f64())
        .bind(
            i64::try_from(limit.saturating_mul(CLAIM_LOOKAHEAD).max(CLAIM_LOOKAHEAD_MIN))
                .unwrap_or(i64::MAX),
        )
        .fetch_all(&self.pool)
        .await
    }

    /// Extends the lease of a running job; false when this worker no longer holds it.
    pub async fn heartbeat(&self, id: JobId) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "update jobs set locked_until = now() + make_interval(secs => $3)
             where job_id = $1 and locked_by = $2 and state = 'running'",
        )
        .bind(id)
        .bind(&self.worker_id)
        .bind(self.lease.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a job this worker holds as done.
    pub async fn complete(&self, id: JobId) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "update jobs set state = 'succeeded', finished_at = now(), locked_by = null,
                 locked_until = null, last_error = null
             where job_id = $1 and locked_by = $2 and state = 'running'",
        )
        .bind(id)
        .bind(&self.worker_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt: the job runs again after `retry_in`, or is dead when
    /// its attempts are spent or `permanent` is set.
    pub async fn fail(
        &self,
        id: JobId,
        error: &str,
        retry_in: Duration,
        permanent: bool,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "update jobs set
                 state = case when $4 or attempts >= max_attempts then 'dead' else 'queued' end,
                 finished_at = case when $4 or attempts >= max_attempts then now() end,
                 run_at = now() + make_interval(secs => $5),
                 last_error = $3, locked_by = null, locked_until = null
             where job_id = $1 and locked_by = $2 and state = 'running'",
        )
        .bind(id)
        .bind(&self.worker_id)
        .bind(truncate(error, 4000))
        .bind(permanent)
        .bind(retry_in.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a job back without counting the attempt (used when shutting down).
    pub async fn release(&self, id: JobId) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "update jobs set state = 'queued', attempts = greatest(attempts - 1, 0),
                 run_at = now(), locked_by = null, locked_until = null
             where job_id = $1 and locked_by = $2 and state = 'running'",
        )
        .bind(id)
        .bind(&self.worker_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Rescues jobs whose lease ran out: their worker stopped responding (killed, evicted,
    /// out of memory) before the job could say how it went. A rescue is not an attempt of
    /// the job's own making: the attempt is given back and `rescues` counts it, against the
    /// job's own budget (`max_rescues`). A job rescued that many times (one that takes its
    /// worker down every time) is dead with an error that says so. The rescued job runs
    /// again after a short, growing pause (its number of rescues, in seconds, up to 30).
    pub async fn reap_expired(&self) -> Result<Vec<Rescued>, sqlx::Error> {
        sqlx::query_as(
            "with expired as (
                 select job_id, locked_by from jobs
                 where state = 'running' and locked_until < now()
                 for update skip locked
             )
             update jobs j set
                 rescues = j.rescues + 1,
                 attempts = greatest(j.attempts - 1, 0),
                 state = case when j.rescues + 1 > j.max_rescues then 'dead' else 'queued' end,
                 finished_at = case when j.rescues + 1 > j.max_rescues then now() end,
                 last_error = case when j.rescues + 1 > j.max_rescues
                     then format('lost with its worker %s times (last: %s stopped renewing the lease): '
                                 'a job that ends its worker every time is not run again', j.rescues + 1,
                                 coalesce(e.locked_by, 'a worker'))
                     else j.last_error end,
                 run_at = now() + make_interval(secs => least(j.rescues, 30)),
                 locked_by = null, locked_until = null
             from expired e where j.job_id = e.job_id
             returning j.job_id, j.kind, j.state, j.rescues, e.locked_by as lost_by",
        )
        .fetch_all(&self.pool)
        .await
    }
}

/// A job [`Queue::reap_expired`] took back from a worker that stopped responding.
#[derive(Debug, Clone, FromRow)]
pub struct Rescued {
    pub job_id: JobId,
    pub kind: String,
    /// `queued` (it runs again) or `dead` (its rescue budget is spent).
    pub state: String,
    /// How many times it has been rescued, this one included.
    pub rescues: i32,
    /// The worker that held it.
    pub lost_by: Option<String>,
}

/// Deletes finished jobs older than `age`, keeping dead ones for inspection.
pub async fn prune_finished(pool: &PgPool, age: Duration) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "delete from jobs where state in ('succeeded', 'cancelled')
         and finished_at < now() - make_interval(secs => $1)",
    )
    .bind(age.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Delay before retry `attempt` (1-based): `base * 2^(attempt-1)`, capped, with ±20 %
/// jitter so that jobs failing together do not retry together.
pub fn backoff(base: Duration, attempt: i32, cap: Duration) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let raw = base.saturating_mul(1u32 << exp).min(cap);
    let jitter: f64 = rand::random_range(0.8..1.2);
    raw.mul_f64(jitter)
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_each_attempt_within_jitter() {
        let base = Duration::from_secs(10);
        let cap = Duration::from_secs(3600);
        for attempt in 1..=6 {
            let expected = 10.0 * 2f64.powi(attempt - 1);
            let got = backoff(base, attempt, cap).as_secs_f64();
            assert!(
                got >= expected * 0.8 && got <= expected * 1.2,
                "attempt {attempt}: {got}"
            );
        }
    }

    #[test]
    fn backoff_is_capped() {
        let got = backoff(Duration::from_secs(10), 30, Duration::from_secs(3600));
        assert!(got <= Duration::from_secs(4320), "{got:?}");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé");
        assert_eq!(truncate("hi", 10), "hi");
    }
}
