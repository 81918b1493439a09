//! Pins what a PostgreSQL restart under load does: the API answers 503 on `/readyz` while
//! the database is down and recovers by itself, and a worker process in the middle of an
//! ingestion reconnects and finishes it with nothing lost or stored twice. The test runs
//! its own PostgreSQL cluster (initdb in a temporary folder, a free port), so restarting it
//! disturbs no other test.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::Arc,
    time::Duration,
};

use serde_json::json;
use sqlx::{PgPool, postgres::PgConnectOptions};
use vigil_tests::{
    TestApp,
    emulator::{Emulator, random_account_id},
    wait_until,
};

use crate::{
    activity::{connected_on, logging_trail},
    crash_safety::{busy_trail, events_stored_twice, read_of, worker_process},
};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL cluster of the test's own, stopped (and its folder removed) when dropped.
struct Cluster {
    dir: PathBuf,
    port: u16,
}

/// Runs a PostgreSQL program as the `postgres` user (they refuse to run as root).
fn as_postgres(program: &str, args: &[&str]) {
    let out = Command::new("runuser")
        .args(["-u", "postgres", "--", &format!("{PG_BIN}/{program}")])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("runuser runs");
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cluster {
    fn create() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("vigil-pg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(chown.success());
        let data = dir.join("data");
        as_postgres(
            "initdb",
            &[
                "-D",
                path(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        let cluster = Self { dir, port };
        cluster.start();
        cluster
    }

    fn pg_ctl(&self, action: &str) {
        let data = self.dir.join("data");
        let log = self.dir.join("log");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            path(&self.dir)
        );
        as_postgres(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-m",
                "fast",
                "-w",
                action,
            ],
        );
    }

    fn start(&self) {
        self.pg_ctl("start");
    }

    fn stop(&self) {
        self.pg_ctl("stop");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{PG_BIN}/pg_ctl")])
            .args(["-D", path(&data), "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

async fn readyz(app: &TestApp) -> u16 {
    match app.http.get(app.url("/readyz")).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

#[tokio::test]
async fn a_postgresql_restart_under_load_is_survived_by_the_api_and_a_working_worker() {
    let cluster = Arc::new(tokio::task::spawn_blocking(Cluster::create).await.unwrap());
    let admin_opts: PgConnectOptions = cluster.url().parse().unwrap();
    vigil_core::db::migrate(admin_opts.clone()).await.unwrap();
    let admin = PgPool::connect_with(admin_opts.clone()).await.unwrap();
    let app_pool = vigil_core::db::connect_app_pool(admin_opts, 8)
        .await
        .unwrap();

    let emu = Emulator::shared();
    let account = random_account_id();
    let (bucket, s3, _) = logging_trail(&account).await;
    let c = connected_on(app_pool, &account, &[]).await;
    let (app, token) = (&c.app, c.token.clone());
    let files = busy_trail(&account, &s3, &bucket).await;
    let slow = emu
        .add_fault(json!({ "accountId": account, "service": "s3", "operation": "GetObject", "kind": "slow", "delayMs": 700 }))
        .await;
    assert_eq!(readyz(app).await, 200);

    let mut worker = worker_process(&cluster.url(), "restarted-db");
    let stored = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from ingested_files")
            .fetch_one(&admin)
            .await
            .unwrap_or(-1)
    };
    wait_until(
        Duration::from_secs(90),
        "the worker is mid-ingestion",
        || async { stored().await >= 1 },
    )
    .await;
    // Load while it restarts: the web app's polling, as a stream of reads.
    let recovered = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (http, url, token) = (app.http.clone(), app.url("/graphql"), token.clone());
        let recovered = recovered.clone();
        tokio::spawn(async move {
            let (mut sent, mut answered) = (0u32, 0u32);
            // Bounded: at most 4,000 requests, until the database is back.
            while sent < 4000 && !recovered.load(std::sync::atomic::Ordering::Relaxed) {
                sent += 1;
                let r = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({ "query": "{ tenant { name } awsAccounts { status } }" }))
                    .send()
                    .await;
                // The process never goes away: every request gets an answer (an error
                // while the database is down).
                if r.is_ok() {
                    answered += 1;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            (sent, answered)
        })
    };
    tokio::task::spawn_blocking({
        let cluster = cluster.clone();
        move || cluster.stop()
    })
    .await
    .unwrap();
    wait_until(Duration::from_secs(30), "readiness says 503", || async {
        readyz(app).await == 503
    })
    .await;
    // A read while it is down names the outage and when to retry, not an internal error.
    let down = app
        .graphql(Some(&token), "{ tenant { name } }", json!({}))
        .await;
    assert_eq!(
        down["errors"][0]["extensions"]["code"], "UNAVAILABLE",
        "{down}"
    );
    assert!(
        down["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .is_some(),
        "{down}"
    );
    tokio::task::spawn_blocking({
        let cluster = cluster.clone();
        move || cluster.start()
    })
    .await
    .unwrap();
    wait_until(Duration::from_secs(60), "readiness recovers", || async {
        readyz(app).await == 200
    })
    .await;
    let data = app
        .graphql_ok(&token, "{ tenant { name } }", json!({}))
        .await;
    assert_eq!(data["tenant"]["name"], "Activity");
    recovered.store(true, std::sync::atomic::Ordering::Relaxed);
    let (sent, answered) = load.await.unwrap();
    assert_eq!(answered, sent, "every request was answered");

    emu.control(
        reqwest::Method::DELETE,
        &format!("/_vigil/faults/{slow}"),
        None,
    )
    .await;
    wait_until(Duration::from_secs(180), "the worker finishes the ingestion", || async {
        let open: i64 = sqlx::query_scalar(
            "select count(*) from jobs where kind = 'ingest_activity' and state in ('queued', 'running')",
        )
        .fetch_one(&admin)
        .await
        .unwrap_or(1);
        open == 0 && read_of(&admin, &files).await == files.len() as i64
    })
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    let dead: i64 = sqlx::query_scalar("select count(*) from jobs where state = 'dead'")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(dead, 0);
    assert_eq!(events_stored_twice(&admin).await, 0);
    let vpcs: i64 =
        sqlx::query_scalar("select count(*) from events where event_name = 'CreateVpc'")
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(vpcs, 6, "five regions and the attack's VPC, once each");
    drop(cluster);
}
