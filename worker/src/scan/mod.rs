//! The scan job: inventory every enabled region through the customer's role, run the
//! checks, record assets (with history and IP spans) and the findings' lifecycle, and
//! keep the scan's progress and outcome visible.
//!
//! This module is the orchestration (regions, concurrency, progress); each AWS service's
//! SDK calls live in its folder under `services/`, registered in [`services::ALL`]. Every
//! call is paginated and throttling is retried by the SDK's standard retry mode (jittered
//! exponential backoff).

mod read;
pub mod recheck;
mod services;

use std::{
    collections::BTreeSet,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use aws_config::SdkConfig;
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::Utc;
use futures::{StreamExt, future::join_all, stream};
use sqlx::PgPool;
use tracing::Instrument;
use vigil_checks::{
    GLOBAL, Severity,
    model::{Inventory, RegionInventory},
};
use vigil_core::{
    aws::{self, session::RoleSession},
    clock::Clock,
    db,
    ids::{AwsAccountId, ScanId, TenantId},
    jobs::JobError,
    store::{assets, aws_accounts::AwsAccount, findings, region_reads, scans},
};
use vigil_domain::ScanStatus;

use crate::settings::RescanLimits;
use read::Reader;
pub use read::{Problem, Problems};
use services::Collect;

/// Regions scanned at once per account: all of them in practice (AWS has 38). EC2 and RDS
/// request quotas are per account *and region*, so regions do not compete for them.
pub const REGION_CONCURRENCY: usize = 32;

/// Told of each region as soon as it is read (the scan records its findings then).
pub trait OnRegion: Sync {
    /// `done` regions of the scan are read, `region` the latest.
    fn region_done(&self, done: usize, region: &RegionInventory)
    -> impl Future<Output = ()> + Send;
}

/// Nothing to do per region (benchmarks of collection alone).
impl OnRegion for () {
    async fn region_done(&self, _: usize, _: &RegionInventory) {}
}

fn retry(e: impl Into<anyhow::Error>) -> JobError {
    JobError::Retry(e.into())
}

/// The regions enabled for the account (opt-in regions only when opted in).
pub async fn enabled_regions(config: &SdkConfig) -> Result<Vec<String>, String> {
    let out = aws_sdk_ec2::Client::new(config)
        .describe_regions()
        .send()
        .await
        .map_err(|e| format!("DescribeRegions failed: {}", DisplayErrorContext(&e)))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| {
            matches!(
                r.opt_in_status(),
                None | Some("opt-in-not-required" | "opted-in")
            )
        })
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    Ok(regions)
}

/// Collects one region: every regional service at once, but for an `unchanged` region
/// only the services read at every scan (its other parts stay unread: their findings and
/// assets keep their last state).
pub async fn region(
    config: SdkConfig,
    region: String,
    account_id: &str,
    unchanged: bool,
    problems: &Problems,
) -> RegionInventory {
    let collected =
        join_all(services::ALL.iter().filter_map(|s| match s.collect {
            Collect::Regional(_) if unchanged && !s.changed_by.is_empty() => None,
            Collect::Regional(collect) => Some(
                collect(Reader::new(&config, &region, account_id, s.name, problems)).instrument(
                    tracing::debug_span!("collect", service = s.name, region = %region),
                ),
            ),
            Collect::Global(_) => None,
        }))
        .await;
    let mut inv = RegionInventory {
        region: region.clone(),
        ..Default::default()
    };
    for fill in collected {
        fill(&mut inv);
    }
    inv
}

/// Collects the whole account: `concurrency` regions at a time (the `unchanged` ones only
/// in part, see [`region`]), then the global services.
pub async fn account(
    session_config: impl Fn(&str) -> SdkConfig,
    account_id: &str,
    regions: Vec<String>,
    unchanged: &BTreeSet<String>,
    concurrency: usize,
    problems: &Problems,
    on_region: &impl OnRegion,
) -> Inventory {
    let collected_at = Utc::now();
    let done = AtomicUsize::new(0);
    let mut per_region: Vec<RegionInventory> = stream::iter(regions)
        .map(|r| {
            let config = session_config(&r);
            let done = &done;
            async move {
                let skip = unchanged.contains(&r);
                let inv = region(config, r, account_id, skip, problems).await;
                on_region
                    .region_done(done.fetch_add(1, Ordering::SeqCst) + 1, &inv)
                    .await;
                inv
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    per_region.sort_by(|a, b| a.region.cmp(&b.region));
    let global = session_config("us-east-1");
    let collected = join_all(services::ALL.iter().filter_map(|s| {
        match s.collect {
            Collect::Global(collect) => Some(
                collect(Reader::new(&global, GLOBAL, account_id, s.name, problems))
                    .instrument(tracing::debug_span!("collect", service = s.name)),
            ),
            Collect::Regional(_) => None,
        }
    }))
    .await;
    let mut inv = Inventory {
        account_id: account_id.to_owned(),
        collected_at,
        regions: per_region,
        ..Default::default()
    };
    for fill in collected {
        fill(&mut inv);
    }
    inv
}

/// Creates the scan row when the job carried none (a scheduled, incremental scan), and
/// marks the scan started.
async fn start(
    pool: &PgPool,
    clock: &Clock,
    account: &AwsAccount,
    scan_id: Option<ScanId>,
) -> Result<scans::Scan, JobError> {
    let (tenant, id) = (account.tenant_id, account.aws_account_id);
    let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
    // A job carries no scan when the scheduler queued it; on a rerun (its worker was lost)
    // the scan it started is still open and is taken up again rather than left running.
    let scan = match scan_id {
        Some(s) => s,
        None => match scans::active(&mut tx, id).await.map_err(retry)? {
            Some(open) => open.scan_id,
            None => {
                scans::insert(&mut tx, id, "scheduled", true)
                    .await
                    .map_err(retry)?
                    .scan_id
            }
        },
    };
    let started = scans::start(&mut tx, scan, clock.now())
        .await
        .map_err(retry)?
        .ok_or_else(|| JobError::Permanent(anyhow::anyhow!("scan {scan} no longer exists")))?;
    tx.commit().await.map_err(retry)?;
    Ok(started)
}

/// The regions an incremental scan may read only in part: unchanged since their last full
/// read (see [`region_reads::unchanged`]) within the `limits`.
async fn unchanged_regions(
    pool: &PgPool,
    clock: &Clock,
    connection: &AwsAccount,
    regions: &[String],
    limits: RescanLimits,
) -> Result<BTreeSet<String>, JobError> {
    let age = |d| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    let mut tx = db::begin_tenant(pool, connection.tenant_id)
        .await
        .map_err(retry)?;
    let unchanged = region_reads::unchanged(
        &mut tx,
        connection.aws_account_id,
        regions,
        &services::skippable_sources(),
        clock
            .now()
            .checked_sub_signed(age(limits.full_read_every))
            .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC),
        age(limits.read_margin),
    )
    .await
    .map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    Ok(unchanged.into_iter().collect())
}

async fn progress(
    pool: &PgPool,
    tenant: TenantId,
    scan: ScanId,
    total: i32,
    done: i32,
) -> Result<(), sqlx::Error> {
    let mut tx = db::begin_tenant(pool, tenant).await?;
    scans::progress(&mut tx, scan, total, done).await?;
    tx.commit().await
}

/// Runs one scan of a connection whose role works.
pub async fn run(
    pool: &PgPool,
    clock: &Clock,
    account: &AwsAccount,
    session: Arc<RoleSession>,
    scan_id: Option<ScanId>,
    limits: RescanLimits,
) -> Result<(), JobError> {
    let scan = start(pool, clock, account, scan_id).await?;
    let span = tracing::info_span!("scan", tenant_id = %account.tenant_id,
        aws_account_id = %account.aws_account_id, scan_id = %scan.scan_id);
    collect_and_record(pool, clock, account, session, scan, limits)
        .instrument(span)
        .await
}

async fn collect_and_record(
    pool: &PgPool,
    clock: &Clock,
    connection: &AwsAccount,
    session: Arc<RoleSession>,
    scan: scans::Scan,
    limits: RescanLimits,
) -> Result<(), JobError> {
    let tenant = connection.tenant_id;
    let (incremental, scan) = (scan.incremental, scan.scan_id);
    // Read before any call of this scan: an event after this instant re-reads its region.
    let read_at = clock.now();
    let (regions, not_enabled) = match enabled_regions(&session.sdk_config("us-east-1")).await {
        Ok(r) => aws::regions::within(r, connection.regions.as_deref()),
        Err(message) => return fail(pool, clock, tenant, scan, &message).await,
    };
    let unchanged = if incremental {
        unchanged_regions(pool, clock, connection, &regions, limits).await?
    } else {
        BTreeSet::new()
    };
    let total = i32::try_from(regions.len()).unwrap_or(i32::MAX);
    progress(pool, tenant, scan, total, 0)
        .await
        .map_err(retry)?;
    let problems = Problems::default();
    for region in not_enabled {
        problems.not_enabled(region);
    }
    let recorder = ScanRecorder {
        pool,
        clock,
        connection,
        scan,
        total,
        read_at,
        unchanged: &unchanged,
        write: tokio::sync::Mutex::new(Recorded::default()),
    };
    let inventory = account(
        |region| session.sdk_config(region),
        connection.account_id.as_deref().unwrap_or_default(),
        regions,
        &unchanged,
        REGION_CONCURRENCY,
        &problems,
        &recorder,
    )
    .await;
    recorder.finish(&inventory, problems.take()).await
}

/// What the scan recorded region by region before the end.
#[derive(Debug, Default)]
struct Recorded {
    /// Regions whose region-local findings are recorded.
    regions: BTreeSet<String>,
    opened: i64,
    resolved: i64,
}

/// Writes a scan's results: each region's findings of the
/// [`vigil_checks::region_local_rules`] (and the scan's progress) as the region is read, so
/// a large account shows findings long before its last region; then, in
/// [`ScanRecorder::finish`], the assets, the rest of the findings and the outcome. A region
/// whose early write failed is simply written at the end with everything else.
struct ScanRecorder<'a> {
    pool: &'a PgPool,
    clock: &'a Clock,
    connection: &'a AwsAccount,
    scan: ScanId,
    total: i32,
    /// When the scan began reading: what its full reads of regions are recorded as.
    read_at: chrono::DateTime<Utc>,
    /// The regions read only in part, as unchanged since their last full read.
    unchanged: &'a BTreeSet<String>,
    /// One region's write at a time: concurrent writes would contend for the same
    /// rollup rows of the connection.
    write: tokio::sync::Mutex<Recorded>,
}

impl ScanRecorder<'_> {
    /// The regions this scan read in full: every service, without a problem.
    fn read_in_full(&self, inventory: &Inventory, problems: &[Problem]) -> Vec<String> {
        inventory
            .regions
            .iter()
            .map(|r| &r.region)
            .filter(|r| !self.unchanged.contains(*r) && !problems.iter().any(|p| &p.region == *r))
            .cloned()
            .collect()
    }

    /// Writes one region's region-local findings and the scan's progress.
    async fn write(&self, done: i32, region: &RegionInventory) -> Result<(i64, i64), sqlx::Error> {
        let account_id = self.connection.account_id.as_deref().unwrap_or_default();
        // Ages (a deprecated runtime, an unread secret) are measured from the scan's start,
        // as the whole account's evaluation measures them from its collection.
        let evaluation = vigil_checks::evaluate_region(account_id, self.read_at, region);
        let (tenant, id) = (self.connection.tenant_id, self.connection.aws_account_id);
        let mut tx = db::begin_tenant(self.pool, tenant).await?;
        let counts = findings::apply_scan(
            &mut tx,
            id,
            self.clock.now(),
            &seen(&evaluation),
            &evaluation.complete,
            &evaluation.unknown,
        )
        .await?;
        scans::progress(&mut tx, self.scan, self.total, done).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Runs the checks and records assets, the findings not recorded yet and the scan's
    /// outcome in one transaction.
    async fn finish(self, inventory: &Inventory, problems: Vec<Problem>) -> Result<(), JobError> {
        let (pool, scan, total) = (self.pool, self.scan, self.total);
        let (tenant, id) = (self.connection.tenant_id, self.connection.aws_account_id);
        let now = self.clock.now();
        let read_in_full = self.read_in_full(inventory, &problems);
        let unchanged = self.unchanged.len();
        let recorded = self.write.into_inner();
        let evaluation = remaining(vigil_checks::evaluate(inventory), &recorded.regions);
        let (observed, complete_types) = observed(inventory);
        let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
        let resources = assets::apply_scan(&mut tx, id, scan, now, &observed, &complete_types)
            .await
            .map_err(retry)?;
        region_reads::record(&mut tx, id, &read_in_full, self.read_at)
            .await
            .map_err(retry)?;
        findings::end_expired_suppressions(&mut tx, id, now)
            .await
            .map_err(retry)?;
        let (opened, resolved) = findings::apply_scan(
            &mut tx,
            id,
            now,
            &seen(&evaluation),
            &evaluation.complete,
            &evaluation.unknown,
        )
        .await
        .map_err(retry)?;
        let (opened, resolved) = (opened + recorded.opened, resolved + recorded.resolved);
        let status = if problems.is_empty() {
            ScanStatus::Succeeded
        } else {
            ScanStatus::Partial
        };
        scans::progress(&mut tx, scan, total, total)
            .await
            .map_err(retry)?;
        let outcome = scans::Outcome {
            status,
            error: None,
            problems: serde_json::to_value(&problems).unwrap_or_default(),
            findings_opened: i32::try_from(opened).unwrap_or(i32::MAX),
            findings_resolved: i32::try_from(resolved).unwrap_or(i32::MAX),
            resources_seen: i32::try_from(resources).unwrap_or(i32::MAX),
            regions_unchanged: i32::try_from(unchanged).unwrap_or(i32::MAX),
        };
        scans::finish(&mut tx, scan, now, outcome)
            .await
            .map_err(retry)?;
        tx.commit().await.map_err(retry)?;
        tracing::info!(
            status = %status,
            opened,
            resolved,
            resources,
            unchanged,
            problems = problems.len(),
            "scan finished"
        );
        Ok(())
    }
}

impl OnRegion for ScanRecorder<'_> {
    async fn region_done(&self, done: usize, region: &RegionInventory) {
        let done = i32::try_from(done).unwrap_or(i32::MAX);
        let mut recorded = self.write.lock().await;
        match self.write(done, region).await {
            Ok((opened, resolved)) => {
                recorded.regions.insert(region.region.clone());
                recorded.opened += opened;
                recorded.resolved += resolved;
            }
            Err(e) => {
                tracing::warn!(region = %region.region, error = %e,
                    "could not record the region's findings yet; they are recorded with the scan");
                // Progress is best effort: the final update comes with the outcome.
                progress(
                    self.pool,
                    self.connection.tenant_id,
                    self.scan,
                    self.total,
                    done,
                )
                .await
                .ok();
            }
        }
    }
}

/// The checks' findings as the findings store takes them.
fn seen(evaluation: &vigil_checks::Evaluation) -> Vec<findings::Seen> {
    evaluation
        .findings
        .iter()
        .map(|f| findings::Seen {
            severity: vigil_checks::rule(&f.rule_id).map_or(Severity::Medium, |r| r.severity),
            rule_id: f.rule_id.clone(),
            region: f.region.clone(),
            resource_type: f.resource_type.clone(),
            resource_id: f.resource_id.clone(),
            resource_arn: f.resource_arn.clone(),
            evidence: f.evidence.clone(),
        })
        .collect()
}

/// The inventory's assets as the assets store takes them, with the (region, type) pairs
/// read completely.
fn observed(inventory: &Inventory) -> (Vec<assets::Observed>, Vec<(String, String)>) {
    let (observed, complete_types) = vigil_checks::assets::assets(inventory);
    let observed = observed
        .into_iter()
        .map(|a| assets::Observed {
            region: a.region,
            resource_type: a.resource_type.to_owned(),
            resource_id: a.resource_id,
            resource_arn: a.resource_arn,
            configuration: a.configuration,
            tags: a.tags,
            ips: a.ips,
        })
        .collect();
    let complete_types = complete_types
        .into_iter()
        .map(|(r, t)| (r, t.to_owned()))
        .collect();
    (observed, complete_types)
}

/// The evaluation without what [`ScanRecorder`] already recorded: the region-local
/// rules' results in `regions`.
fn remaining(
    mut e: vigil_checks::Evaluation,
    regions: &BTreeSet<String>,
) -> vigil_checks::Evaluation {
    let done = |rule: &str, region: &str| {
        regions.contains(region) && vigil_checks::rule(rule).is_some_and(|r| r.region_local())
    };
    e.findings.retain(|f| !done(&f.rule_id, &f.region));
    e.complete.retain(|(rule, region)| !done(rule, region));
    e.unknown.retain(|(rule, region, _)| !done(rule, region));
    e
}

/// Records a scan that could not run at all.
pub async fn fail(
    pool: &PgPool,
    clock: &Clock,
    tenant: TenantId,
    scan: ScanId,
    message: &str,
) -> Result<(), JobError> {
    let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
    scans::finish(
        &mut tx,
        scan,
        clock.now(),
        scans::Outcome {
            status: ScanStatus::Failed,
            error: Some(message),
            problems: serde_json::json!([]),
            findings_opened: 0,
            findings_resolved: 0,
            resources_seen: 0,
            regions_unchanged: 0,
        },
    )
    .await
    .map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    tracing::warn!(error = message, "scan failed");
    Ok(())
}

/// Records a failed scan for a connection whose role does not work (creating the scan
/// row when the job carried none).
pub async fn fail_unusable(
    pool: &PgPool,
    clock: &Clock,
    tenant: TenantId,
    account: AwsAccountId,
    scan_id: Option<ScanId>,
    message: &str,
) -> Result<(), JobError> {
    let scan = match scan_id {
        Some(s) => s,
        None => {
            let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
            let s = scans::insert(&mut tx, account, "scheduled", true)
                .await
                .map_err(retry)?;
            tx.commit().await.map_err(retry)?;
            s.scan_id
        }
    };
    fail(pool, clock, tenant, scan, message).await
}
