//! Pins the job queue's guarantees: run once, lease expiry, retries with growing
//! backoff ending dead, unique keys, no double runs across workers, no job lost on
//! shutdown, wake-up by NOTIFY, and claims that take turns across tenants.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use serde::{Deserialize, Serialize};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use vigil_core::{
    ids::JobId,
    jobs::{self, Handler, JobContext, JobError, NewJob, Payload, Queue, Runner, RunnerOptions},
};

use crate::common::{app_pool, tenant_with_owner, wait_until};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum TestJob {
    Work { n: u32 },
    Fail,
    FailPermanently,
    Panic,
}

impl Payload for TestJob {
    fn kind(&self) -> &'static str {
        match self {
            TestJob::Work { .. } => "work",
            TestJob::Fail => "fail",
            TestJob::FailPermanently => "fail_permanently",
            TestJob::Panic => "panic",
        }
    }
}

/// Records every run; `slow` makes `Work` jobs take long and ignore cancellation.
#[derive(Clone, Default)]
struct Recorder {
    runs: Arc<Mutex<Vec<(JobId, i32, Instant)>>>,
    slow: Arc<AtomicBool>,
}

impl Recorder {
    fn runs_of(&self, id: JobId) -> Vec<(i32, Instant)> {
        let runs = self.runs.lock().unwrap();
        runs.iter()
            .filter(|r| r.0 == id)
            .map(|r| (r.1, r.2))
            .collect()
    }
    fn count(&self) -> usize {
        self.runs.lock().unwrap().len()
    }
}

impl Handler for Recorder {
    type Payload = TestJob;

    async fn handle(&self, ctx: JobContext, job: TestJob) -> Result<(), JobError> {
        self.runs
            .lock()
            .unwrap()
            .push((ctx.job_id, ctx.attempt, Instant::now()));
        match job {
            TestJob::Work { .. } => {
                if self.slow.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                Ok(())
            }
            TestJob::Fail => Err(anyhow::anyhow!("boom on attempt {}", ctx.attempt).into()),
            TestJob::FailPermanently => {
                Err(JobError::Permanent(anyhow::anyhow!("cannot ever work")))
            }
            TestJob::Panic => panic!("handler bug"),
        }
    }
}

fn fast_options(concurrency: usize) -> RunnerOptions {
    RunnerOptions {
        concurrency,
        poll_interval: Duration::from_millis(25),
        backoff_base: Duration::from_millis(100),
        backoff_cap: Duration::from_secs(10),
        shutdown_grace: Duration::from_secs(5),
        reap_interval: Duration::from_millis(50),
    }
}

fn queue(pool: &PgPool, name: &str, lease: Duration) -> Queue {
    Queue::new(pool.clone(), name, lease)
}

async fn enqueue(pool: &PgPool, job: NewJob<TestJob>) -> JobId {
    let mut conn = pool.acquire().await.unwrap();
    jobs::enqueue(&mut conn, job)
        .await
        .unwrap()
        .expect("enqueued")
}

async fn state_of(pool: &PgPool, id: JobId) -> String {
    jobs::get(pool, id).await.unwrap().unwrap().state
}

#[sqlx::test(migrations = "../migrations")]
async fn an_enqueued_job_runs_exactly_once(_: PgPoolOptions, opts: PgConnectOptions) {
    let pool = app_pool(opts).await;
    let id = enqueue(&pool, NewJob::new(TestJob::Work { n: 1 })).await;
    let recorder = Recorder::default();
    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        recorder.clone(),
        fast_options(2),
    );

    assert_eq!(runner.drain().await.unwrap(), 1);
    assert_eq!(runner.drain().await.unwrap(), 0);
    assert_eq!(recorder.runs_of(id).len(), 1);
    let job = jobs::get(&pool, id).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.attempts), ("succeeded", 1));
    assert!(job.finished_at.is_some() && job.locked_by.is_none());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_job_enqueued_in_a_rolled_back_transaction_never_exists(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let mut tx = pool.begin().await.unwrap();
    jobs::enqueue(&mut tx, NewJob::new(TestJob::Work { n: 1 }))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        Recorder::default(),
        fast_options(1),
    );
    assert_eq!(runner.drain().await.unwrap(), 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_job_whose_worker_died_runs_again_after_its_lease_expires(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let id = enqueue(&pool, NewJob::new(TestJob::Work { n: 7 })).await;
    // Worker A claims the job and dies: it never completes, releases or heartbeats.
    let dead_worker = queue(&pool, "dead-worker", Duration::from_millis(300));
    assert_eq!(dead_worker.claim(10).await.unwrap().len(), 1);

    let recorder = Recorder::default();
    let survivor = Runner::new(
        queue(&pool, "survivor", Duration::from_secs(30)),
        recorder.clone(),
        fast_options(1),
    );
    // While the lease holds, nobody else may run it.
    assert_eq!(survivor.run_once().await.unwrap(), 0);
    wait_until(
        Duration::from_secs(10),
        "the expired job is picked up again",
        || async { survivor.run_once().await.unwrap() > 0 },
    )
    .await;

    let job = jobs::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(job.state, "succeeded");
    // Issue 15: a run lost with its worker is a rescue, not an attempt of the job's making.
    assert_eq!((job.attempts, job.rescues), (1, 1));
    assert_eq!(recorder.runs_of(id).len(), 1);
}

/// Claims the job as a worker that dies at once, then waits until the lease has lapsed
/// and a reaper has taken the job back.
async fn lose_with_its_worker(pool: &PgPool, reaper: &Queue, id: JobId, name: &str) {
    let dying = queue(pool, name, Duration::from_millis(100));
    wait_until(Duration::from_secs(10), "the job is claimable", || async {
        dying.claim(1).await.unwrap().iter().any(|j| j.job_id == id)
    })
    .await;
    wait_until(
        Duration::from_secs(10),
        "the lapsed lease is reaped",
        || async {
            reaper
                .reap_expired()
                .await
                .unwrap()
                .iter()
                .any(|r| r.job_id == id)
        },
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_job_lost_with_its_worker_again_and_again_is_rescued_without_spending_attempts(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    // One attempt only: were a lost worker an attempt, the first loss would bury it.
    let id = enqueue(&pool, NewJob::new(TestJob::Work { n: 3 }).max_attempts(1)).await;
    let reaper = queue(&pool, "reaper", Duration::from_secs(30));
    for n in 1..=3 {
        lose_with_its_worker(&pool, &reaper, id, &format!("killed-{n}")).await;
        let job = jobs::get(&pool, id).await.unwrap().unwrap();
        assert_eq!(
            (job.state.as_str(), job.attempts, job.rescues),
            ("queued", 0, n)
        );
    }
    let recorder = Recorder::default();
    let survivor = Runner::new(reaper.clone(), recorder.clone(), fast_options(1));
    wait_until(Duration::from_secs(10), "the rescued job runs", || async {
        survivor.run_once().await.unwrap() > 0
    })
    .await;
    let job = jobs::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(
        (job.state.as_str(), job.attempts, job.rescues),
        ("succeeded", 1, 3)
    );
    assert_eq!(recorder.runs_of(id).len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_job_that_takes_its_worker_down_every_time_ends_dead_after_its_rescue_budget(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let id = enqueue(&pool, NewJob::new(TestJob::Work { n: 4 }).max_rescues(2)).await;
    let reaper = queue(&pool, "reaper", Duration::from_secs(30));
    for n in 1..=3 {
        lose_with_its_worker(&pool, &reaper, id, &format!("oom-{n}")).await;
    }
    let job = jobs::get(&pool, id).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.rescues), ("dead", 3));
    assert!(job.finished_at.is_some());
    let error = job.last_error.unwrap_or_default();
    assert!(
        error.contains("lost with its worker 3 times") && error.contains("oom-3"),
        "{error}"
    );
    // Dead is final: nothing claims it again.
    assert!(reaper.claim(10).await.unwrap().is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failing_job_is_retried_with_growing_delays_and_ends_dead_with_its_error(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let id = enqueue(&pool, NewJob::new(TestJob::Fail).max_attempts(4)).await;
    let recorder = Recorder::default();
    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        recorder.clone(),
        fast_options(1),
    );
    let stop = CancellationToken::new();
    let running = tokio::spawn(runner.run(stop.clone()));

    wait_until(
        Duration::from_secs(20),
        "the failing job is dead",
        || async { state_of(&pool, id).await == "dead" },
    )
    .await;
    stop.cancel();
    running.await.unwrap().unwrap();

    let runs = recorder.runs_of(id);
    assert_eq!(
        runs.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    let gaps: Vec<Duration> = runs.windows(2).map(|w| w[1].1 - w[0].1).collect();
    // Backoff 100 ms doubling, ±20 % jitter: each gap exceeds the one before.
    assert!(gaps[0] >= Duration::from_millis(80), "{gaps:?}");
    assert!(
        gaps.windows(2).all(|g| g[1] > g[0]),
        "delays did not grow: {gaps:?}"
    );
    let job = jobs::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(job.attempts, 4);
    assert_eq!(job.last_error.as_deref(), Some("boom on attempt 4"));
    assert!(job.finished_at.is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_permanent_failure_or_unreadable_payload_is_dead_at_once(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let permanent = enqueue(&pool, NewJob::new(TestJob::FailPermanently)).await;
    let unreadable: JobId = sqlx::query_scalar(
        "insert into jobs (kind, payload) values ('work', '{\"type\":\"no_such_job\"}') returning job_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        Recorder::default(),
        fast_options(2),
    );
    runner.drain().await.unwrap();

    let p = jobs::get(&pool, permanent).await.unwrap().unwrap();
    assert_eq!((p.state.as_str(), p.attempts), ("dead", 1));
    let u = jobs::get(&pool, unreadable).await.unwrap().unwrap();
    assert_eq!(u.state, "dead");
    assert!(u.last_error.unwrap().contains("cannot be read"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_panicking_handler_fails_the_attempt_without_killing_the_worker(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let id = enqueue(&pool, NewJob::new(TestJob::Panic).max_attempts(1)).await;
    let after = enqueue(&pool, NewJob::new(TestJob::Work { n: 2 })).await;
    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        Recorder::default(),
        fast_options(1),
    );
    runner.drain().await.unwrap();
    let job = jobs::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(job.state, "dead");
    assert_eq!(job.last_error.as_deref(), Some("the job panicked"));
    assert_eq!(state_of(&pool, after).await, "succeeded");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_unique_key_admits_one_active_job_at_a_time(_: PgPoolOptions, opts: PgConnectOptions) {
    let pool = app_pool(opts).await;
    let mut conn = pool.acquire().await.unwrap();
    let key = "scan:account-1";
    let first = jobs::enqueue(&mut conn, NewJob::new(TestJob::Work { n: 1 }).unique(key))
        .await
        .unwrap();
    let second = jobs::enqueue(&mut conn, NewJob::new(TestJob::Work { n: 2 }).unique(key))
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(
        second, None,
        "a second active job with the same key was accepted"
    );

    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        Recorder::default(),
        fast_options(1),
    );
    runner.drain().await.unwrap();
    let third = jobs::enqueue(&mut conn, NewJob::new(TestJob::Work { n: 3 }).unique(key))
        .await
        .unwrap();
    assert!(
        third.is_some(),
        "the key is free once the first job finished"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_job_scheduled_for_later_waits_for_its_time(_: PgPoolOptions, opts: PgConnectOptions) {
    let pool = app_pool(opts).await;
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(400);
    let id = enqueue(&pool, NewJob::new(TestJob::Work { n: 1 }).run_at(at)).await;
    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        Recorder::default(),
        fast_options(1),
    );
    assert_eq!(runner.run_once().await.unwrap(), 0);
    wait_until(Duration::from_secs(5), "the scheduled job runs", || async {
        runner.run_once().await.unwrap() == 1
    })
    .await;
    assert!(chrono::Utc::now() >= at);
    assert_eq!(state_of(&pool, id).await, "succeeded");
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_workers_never_run_the_same_job(_: PgPoolOptions, opts: PgConnectOptions) {
    let pool = app_pool(opts).await;
    let mut ids = Vec::new();
    for n in 0..300 {
        ids.push(enqueue(&pool, NewJob::new(TestJob::Work { n })).await);
    }
    let recorder = Recorder::default();
    let stop = CancellationToken::new();
    let mut workers = Vec::new();
    for w in 0..3 {
        let runner = Runner::new(
            queue(&pool, &format!("w{w}"), Duration::from_secs(30)),
            recorder.clone(),
            fast_options(4),
        );
        workers.push(tokio::spawn(runner.run(stop.clone())));
    }
    wait_until(Duration::from_secs(60), "all jobs are done", || async {
        recorder.count() >= 300
    })
    .await;
    stop.cancel();
    for w in workers {
        w.await.unwrap().unwrap();
    }
    let mut per_job: HashMap<JobId, usize> = HashMap::new();
    for (id, _, _) in recorder.runs.lock().unwrap().iter() {
        *per_job.entry(*id).or_default() += 1;
    }
    assert_eq!(per_job.len(), 300);
    assert!(per_job.values().all(|&n| n == 1), "some job ran twice");
    let counts = jobs::count_by_state(&pool).await.unwrap();
    assert_eq!(counts, vec![("succeeded".to_owned(), 300)]);
}

#[sqlx::test(migrations = "../migrations")]
async fn shutdown_returns_unfinished_jobs_to_the_queue_and_loses_none(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(enqueue(&pool, NewJob::new(TestJob::Work { n })).await);
    }
    let recorder = Recorder::default();
    recorder.slow.store(true, Ordering::SeqCst);
    let options = RunnerOptions {
        shutdown_grace: Duration::from_millis(200),
        ..fast_options(3)
    };
    let runner = Runner::new(
        queue(&pool, "stopping", Duration::from_secs(30)),
        recorder.clone(),
        options,
    );
    let stop = CancellationToken::new();
    let running = tokio::spawn(runner.run(stop.clone()));
    wait_until(
        Duration::from_secs(10),
        "three jobs are running",
        || async { recorder.count() == 3 },
    )
    .await;
    stop.cancel();
    running.await.unwrap().unwrap();

    let counts = jobs::count_by_state(&pool).await.unwrap();
    assert_eq!(
        counts,
        vec![("queued".to_owned(), 6)],
        "every job must be back in the queue"
    );
    for id in &ids {
        let job = jobs::get(&pool, *id).await.unwrap().unwrap();
        assert_eq!(
            job.attempts, 0,
            "an interrupted run must not use up an attempt"
        );
    }

    recorder.slow.store(false, Ordering::SeqCst);
    let next = Runner::new(
        queue(&pool, "next", Duration::from_secs(30)),
        recorder.clone(),
        fast_options(3),
    );
    assert_eq!(next.drain().await.unwrap(), 6);
    for id in &ids {
        assert_eq!(state_of(&pool, *id).await, "succeeded");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn shutdown_lets_running_jobs_finish_within_the_grace_period(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let id = enqueue(&pool, NewJob::new(TestJob::Work { n: 1 })).await;
    let recorder = Recorder::default();
    let runner = Runner::new(
        queue(&pool, "w1", Duration::from_secs(30)),
        recorder.clone(),
        fast_options(1),
    );
    let stop = CancellationToken::new();
    let running = tokio::spawn(runner.run(stop.clone()));
    wait_until(Duration::from_secs(10), "the job ran", || async {
        recorder.count() == 1
    })
    .await;
    stop.cancel();
    running.await.unwrap().unwrap();
    assert_eq!(state_of(&pool, id).await, "succeeded");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_job_wakes_an_idle_worker_without_waiting_for_a_poll(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let recorder = Recorder::default();
    let options = RunnerOptions {
        poll_interval: Duration::from_secs(3600),
        reap_interval: Duration::from_secs(3600),
        ..fast_options(1)
    };
    let runner = Runner::new(
        queue(&pool, "idle", Duration::from_secs(30)),
        recorder.clone(),
        options,
    );
    let stop = CancellationToken::new();
    let running = tokio::spawn(runner.run(stop.clone()));
    // Let the runner reach its idle wait (it polls once at start and finds nothing).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = enqueue(&pool, NewJob::new(TestJob::Work { n: 1 })).await;
    // With an hour-long poll interval only the NOTIFY can wake it this soon.
    wait_until(
        Duration::from_secs(10),
        "the notified worker runs the job",
        || async { recorder.runs_of(id).len() == 1 },
    )
    .await;
    stop.cancel();
    running.await.unwrap().unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_tenant_flooding_the_queue_does_not_delay_another_tenants_job(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let (flood, _) = tenant_with_owner(&pool, "Flood").await;
    let (quiet, _) = tenant_with_owner(&pool, "Quiet").await;
    let mut flooded = Vec::new();
    for n in 0..500 {
        flooded.push(enqueue(&pool, NewJob::new(TestJob::Work { n }).tenant(flood)).await);
    }
    let housekeeping = enqueue(&pool, NewJob::new(TestJob::Work { n: 0 })).await;
    let quiet_job = enqueue(&pool, NewJob::new(TestJob::Work { n: 0 }).tenant(quiet)).await;

    let worker = queue(&pool, "w1", Duration::from_secs(30));
    let mut first: Vec<i64> = worker
        .claim(4)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.job_id.0)
        .collect();
    first.sort();
    let mut expected = vec![flooded[0].0, flooded[1].0, housekeeping.0, quiet_job.0];
    expected.sort();
    assert_eq!(
        first, expected,
        "one turn each, then the flooding tenant's next oldest"
    );

    // With the other lanes empty, the flooding tenant gets whole batches, oldest first.
    let mut next: Vec<i64> = worker
        .claim(3)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.job_id.0)
        .collect();
    next.sort();
    assert_eq!(next, flooded[2..5].iter().map(|j| j.0).collect::<Vec<_>>());
}

#[sqlx::test(migrations = "../migrations")]
async fn workers_claiming_together_from_one_tenant_each_get_a_full_batch(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    let (tenant, _) = tenant_with_owner(&pool, "Busy").await;
    for n in 0..40 {
        enqueue(&pool, NewJob::new(TestJob::Work { n }).tenant(tenant)).await;
    }
    let claims = (0..4).map(|w| {
        let worker = queue(&pool, &format!("w{w}"), Duration::from_secs(30));
        async move { worker.claim(4).await.unwrap() }
    });
    let batches = futures::future::join_all(claims).await;
    let mut ids: Vec<i64> = batches.iter().flatten().map(|j| j.job_id.0).collect();
    assert!(
        batches.iter().all(|b| b.len() == 4),
        "{:?}",
        batches.iter().map(Vec::len).collect::<Vec<_>>()
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 16, "no job was claimed twice");
}
