//! Scan concurrency: collecting a seeded account of 8 regions from the AWS emulator with
//! the scanner's region concurrency, beside the same collection one region at a time, in
//! the same run. Run with `cargo bench -p vigil-tests --bench scan` (needs the emulator's
//! virtualenv: `make venv`).

use std::time::Instant;

use vigil_core::aws::session::{RoleSession, RoleTarget};
use vigil_tests::emulator::{BOOTSTRAP_ROLE, Emulator, python, random_account_id};
use vigil_worker::scan::{self, Problems};

const REGIONS: [&str; 8] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

#[tokio::main]
async fn main() {
    let emu = Emulator::start().expect("emulator");
    let account = random_account_id();
    let seeded = std::process::Command::new(python())
        .args([
            "-m",
            "vigil_emulator.seed",
            "--endpoint",
            &emu.endpoint,
            "--account",
            &account,
        ])
        .args(["--regions", &REGIONS.join(",")])
        .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/aws"))
        .output()
        .expect("seeder");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let base = emu.management_config("us-east-1").await;
    let session = std::sync::Arc::new(RoleSession::new(
        base,
        RoleTarget {
            role_arn: format!("arn:aws:iam::{account}:role/{BOOTSTRAP_ROLE}"),
            external_id: "not-checked-for-the-bootstrap-role-0000000".into(),
            session_name: "vigil-bench".into(),
        },
        std::time::Duration::from_secs(300),
    ));
    let regions: Vec<String> = REGIONS.iter().map(|r| (*r).to_owned()).collect();
    let mut rows = Vec::new();
    let cases = [
        ("one region at a time (baseline)", 1, 0),
        ("scanner concurrency", scan::REGION_CONCURRENCY, 0),
        // AWS answers over a network: 30 ms per call, injected by the emulator.
        ("one region at a time, 30 ms/call", 1, 30),
        (
            "scanner concurrency, 30 ms/call",
            scan::REGION_CONCURRENCY,
            30,
        ),
    ];
    for (label, concurrency, latency_ms) in cases {
        emu.control(reqwest::Method::DELETE, "/_vigil/faults", None)
            .await;
        if latency_ms > 0 {
            emu.add_fault(
                serde_json::json!({ "accountId": account, "kind": "slow", "delayMs": latency_ms }),
            )
            .await;
        }
        let problems = Problems::default();
        let started = Instant::now();
        let inv = scan::account(
            |r| session.sdk_config(r),
            &account,
            regions.clone(),
            &Default::default(),
            concurrency,
            &problems,
            &(),
        )
        .await;
        let secs = started.elapsed().as_secs_f64();
        let resources = vigil_checks::assets::assets(&inv).0.len();
        assert!(
            problems.take().is_empty(),
            "the bench account must read cleanly"
        );
        rows.push((label, concurrency, secs, resources));
    }
    println!(
        "scan collection: seeded account, {} regions, emulator on loopback",
        REGIONS.len()
    );
    println!(
        "{:<34} {:>11} {:>9} {:>10}",
        "case", "concurrency", "seconds", "resources"
    );
    for (label, c, secs, n) in &rows {
        println!("{label:<34} {c:>11} {secs:>9.2} {n:>10}");
    }
    println!("speed-up without latency: {:.2}x", rows[0].2 / rows[1].2);
    println!("speed-up with 30 ms/call: {:.2}x", rows[2].2 / rows[3].2);
}
