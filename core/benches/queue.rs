//! Job queue throughput: jobs claimed and completed per second by the real runner with
//! 1 and with 4 workers, beside bare `UPDATE ... FOR UPDATE SKIP LOCKED` loops measured in
//! the same run on the same database. Run with `make bench` (needs a superuser
//! DATABASE_URL; creates and drops its own database).

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use vigil_core::{
    db,
    jobs::{Handler, JobContext, JobError, Payload, Queue, Runner, RunnerOptions},
};

#[path = "support/mod.rs"]
mod support;

const JOBS: i64 = 5_000;

#[derive(Serialize, Deserialize)]
struct Noop {
    n: i64,
}

impl Payload for Noop {
    fn kind(&self) -> &'static str {
        "noop"
    }
}

/// Does nothing but count, and says when the last job has run, so that the measurement
/// does not poll the database while the workers use it.
struct NoopHandler {
    ran: Arc<AtomicI64>,
    all_done: Arc<Notify>,
}

impl Handler for NoopHandler {
    type Payload = Noop;
    async fn handle(&self, _: JobContext, _: Noop) -> Result<(), JobError> {
        if self.ran.fetch_add(1, Ordering::SeqCst) + 1 == JOBS {
            self.all_done.notify_one();
        }
        Ok(())
    }
}

async fn fill(pool: &PgPool) {
    sqlx::query("delete from jobs").execute(pool).await.unwrap();
    sqlx::query(
        "insert into jobs (kind, payload) select 'noop', jsonb_build_object('n', g) from generate_series(1, $1) g",
    )
    .bind(JOBS)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("analyze jobs").execute(pool).await.unwrap();
}

async fn done(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from jobs where state = 'succeeded'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The floor: one statement per job that claims and finishes it.
async fn bare_loop(pool: PgPool) {
    loop {
        let row: Option<i64> = sqlx::query_scalar(
            "with next as (
                 select job_id from jobs where state = 'queued' and run_at <= now()
                 order by run_at, job_id limit 1 for update skip locked)
             update jobs j set state = 'succeeded', finished_at = now()
             from next where j.job_id = next.job_id returning j.job_id",
        )
        .fetch_optional(&pool)
        .await
        .unwrap();
        if row.is_none() {
            return;
        }
    }
}

async fn bench_bare(pool: &PgPool, loops: usize) -> f64 {
    fill(pool).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..loops)
        .map(|_| tokio::spawn(bare_loop(pool.clone())))
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(done(pool).await, JOBS);
    JOBS as f64 / started.elapsed().as_secs_f64()
}

/// The runner's two statements per job (claim, complete) issued back to back, without
/// the runner: separates the cost of the SQL from the cost of the runtime around it.
async fn bench_claim_complete(pool: &PgPool) -> f64 {
    fill(pool).await;
    let queue = Queue::new(pool.clone(), "bench-direct", Duration::from_secs(60));
    let started = Instant::now();
    loop {
        let jobs = queue.claim(1).await.unwrap();
        let Some(job) = jobs.first() else { break };
        assert!(queue.complete(job.job_id).await.unwrap());
    }
    assert_eq!(done(pool).await, JOBS);
    JOBS as f64 / started.elapsed().as_secs_f64()
}

async fn bench_runner(pool: &PgPool, workers: usize) -> f64 {
    fill(pool).await;
    let stop = CancellationToken::new();
    let ran = Arc::new(AtomicI64::new(0));
    let all_done = Arc::new(Notify::new());
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let runner = Runner::new(
                Queue::new(pool.clone(), format!("bench-{w}"), Duration::from_secs(60)),
                NoopHandler {
                    ran: ran.clone(),
                    all_done: all_done.clone(),
                },
                RunnerOptions {
                    concurrency: 1,
                    poll_interval: Duration::from_millis(5),
                    ..RunnerOptions::default()
                },
            );
            tokio::spawn(runner.run(stop.clone()))
        })
        .collect();
    all_done.notified().await;
    stop.cancel();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // Stopping lets the last jobs record their completion; the clock includes that.
    let rate = JOBS as f64 / started.elapsed().as_secs_f64();
    assert_eq!(done(pool).await, JOBS);
    rate
}

#[tokio::main]
async fn main() {
    let scratch = support::Scratch::create("queue").await;
    let pool = db::connect_app_pool(scratch.opts.clone(), 10)
        .await
        .unwrap();

    println!(
        "queue benchmark: {JOBS} no-op jobs per case, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let bare1 = bench_bare(&pool, 1).await;
    let bare4 = bench_bare(&pool, 4).await;
    let direct = bench_claim_complete(&pool).await;
    let run1 = bench_runner(&pool, 1).await;
    let run4 = bench_runner(&pool, 4).await;
    println!("{:<44} {:>10}", "case", "jobs/s");
    println!(
        "{:<44} {:>10.0}",
        "bare UPDATE..SKIP LOCKED loop, 1 connection", bare1
    );
    println!(
        "{:<44} {:>10.0}",
        "bare UPDATE..SKIP LOCKED loop, 4 connections", bare4
    );
    println!(
        "{:<44} {:>10.0}  ({:.2}x of bare, 1)",
        "claim + complete statements, 1 connection",
        direct,
        direct / bare1
    );
    println!(
        "{:<44} {:>10.0}  ({:.2}x of bare, 1)",
        "runner, 1 worker",
        run1,
        run1 / bare1
    );
    println!(
        "{:<44} {:>10.0}  ({:.2}x of bare, 4; {:.2}x of 1 worker)",
        "runner, 4 workers",
        run4,
        run4 / bare4,
        run4 / run1
    );

    pool.close().await;
    scratch.drop().await;
}
