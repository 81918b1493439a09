//! Pins the worker process's loop: it schedules its recurring jobs, runs them, and
//! stops cleanly when asked.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio_util::sync::CancellationToken;
use vigil_tests::{app_pool, offline_aws, test_config, wait_until};

#[sqlx::test(migrations = "../migrations")]
async fn the_worker_schedules_and_runs_housekeeping_then_stops_on_request(
    _: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = app_pool(opts).await;
    // An old finished job that housekeeping must delete, and a dead one it must keep.
    sqlx::query(
        "insert into jobs (kind, payload, state, finished_at) values
           ('housekeeping', '{}', 'succeeded', now() - interval '30 days'),
           ('housekeeping', '{}', 'dead', now() - interval '30 days')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let stop = CancellationToken::new();
    let worker = tokio::spawn(vigil_worker::run_with(
        test_config(&[("VIGIL_SHUTDOWN_GRACE", "2s")]),
        pool.clone(),
        vigil_core::clock::Clock::system(),
        offline_aws(),
        stop.clone(),
    ));
    wait_until(Duration::from_secs(20), "housekeeping has run", || async {
        let states: Vec<String> = sqlx::query_scalar("select state from jobs order by job_id")
            .fetch_all(&pool)
            .await
            .unwrap();
        states == ["dead", "succeeded"]
    })
    .await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), worker)
        .await
        .expect("the worker stops promptly")
        .unwrap()
        .unwrap();
}
