//! The scan job: inventory every enabled region through the customer's role, run the
//! checks, record assets (with history and IP spans) and the findings' lifecycle, and
//! keep the scan's progress and outcome visible.

pub mod collect;
pub mod global;

use std::sync::Arc;

use sqlx::PgPool;
use vigil_checks::Severity;
use vigil_core::{
    aws::session::RoleSession,
    clock::Clock,
    db,
    ids::{AwsAccountId, ScanId, TenantId},
    jobs::JobError,
    store::{assets, aws_accounts::AwsAccount, findings, scans},
};

use collect::Problems;

fn retry(e: impl Into<anyhow::Error>) -> JobError {
    JobError::Retry(e.into())
}

/// Runs one scan of a connection whose role works.
pub async fn run(
    pool: &PgPool,
    clock: &Clock,
    account: &AwsAccount,
    session: Arc<RoleSession>,
    scan_id: Option<ScanId>,
) -> Result<(), JobError> {
    let tenant = account.tenant_id;
    let id = account.aws_account_id;
    let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
    let scan = match scan_id {
        Some(s) => s,
        None => {
            scans::insert(&mut tx, tenant, id, "scheduled")
                .await
                .map_err(retry)?
                .scan_id
        }
    };
    scans::start(&mut tx, tenant, scan, clock.now())
        .await
        .map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    let span =
        tracing::info_span!("scan", tenant_id = %tenant, aws_account_id = %id, scan_id = %scan);
    let _entered = span.enter();

    let regions = match collect::enabled_regions(&session.sdk_config("us-east-1")).await {
        Ok(r) => r,
        Err(message) => return fail(pool, clock, tenant, scan, &message).await,
    };
    let total = i32::try_from(regions.len()).unwrap_or(i32::MAX);
    let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
    scans::progress(&mut tx, tenant, scan, total, 0)
        .await
        .map_err(retry)?;
    tx.commit().await.map_err(retry)?;

    let problems = Problems::default();
    let progress_pool = pool.clone();
    let inventory = collect::account(
        |region| session.sdk_config(region),
        account.account_id.as_deref().unwrap_or_default(),
        regions,
        collect::REGION_CONCURRENCY,
        &problems,
        move |done| {
            let pool = progress_pool.clone();
            let done = i32::try_from(done).unwrap_or(i32::MAX);
            tokio::spawn(async move {
                if let Ok(mut tx) = db::begin_tenant(&pool, tenant).await
                    && scans::progress(&mut tx, tenant, scan, total, done)
                        .await
                        .is_ok()
                {
                    let _ = tx.commit().await;
                }
            });
        },
    )
    .await;

    let evaluation = vigil_checks::evaluate(&inventory);
    let (observed, complete_types) = vigil_checks::assets::assets(&inventory);
    let problems = problems.take();
    let now = clock.now();
    let seen: Vec<findings::Seen> = evaluation
        .findings
        .iter()
        .map(|f| findings::Seen {
            severity: vigil_checks::rule(&f.rule_id)
                .map_or(Severity::Medium, |r| r.severity)
                .as_str(),
            rule_id: f.rule_id.clone(),
            region: f.region.clone(),
            resource_type: f.resource_type.clone(),
            resource_id: f.resource_id.clone(),
            resource_arn: f.resource_arn.clone(),
            evidence: f.evidence.clone(),
        })
        .collect();
    let observed: Vec<assets::Observed> = observed
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
    let complete_types: Vec<(String, String)> = complete_types
        .into_iter()
        .map(|(r, t)| (r, t.to_owned()))
        .collect();

    let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
    let resources = assets::apply_scan(&mut tx, tenant, id, scan, now, &observed, &complete_types)
        .await
        .map_err(retry)?;
    let (opened, resolved) = findings::apply_scan(
        &mut tx,
        tenant,
        id,
        now,
        &seen,
        &evaluation.complete,
        &evaluation.unknown,
    )
    .await
    .map_err(retry)?;
    let status = if problems.is_empty() {
        "succeeded"
    } else {
        "partial"
    };
    scans::progress(&mut tx, tenant, scan, total, total)
        .await
        .map_err(retry)?;
    scans::finish(
        &mut tx,
        tenant,
        scan,
        now,
        scans::Outcome {
            status,
            error: None,
            problems: serde_json::to_value(&problems).unwrap_or_default(),
            findings_opened: i32::try_from(opened).unwrap_or(i32::MAX),
            findings_resolved: i32::try_from(resolved).unwrap_or(i32::MAX),
            resources_seen: i32::try_from(resources).unwrap_or(i32::MAX),
        },
    )
    .await
    .map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    tracing::info!(
        status,
        opened,
        resolved,
        resources,
        problems = problems.len(),
        "scan finished"
    );
    Ok(())
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
        tenant,
        scan,
        clock.now(),
        scans::Outcome {
            status: "failed",
            error: Some(message),
            problems: serde_json::json!([]),
            findings_opened: 0,
            findings_resolved: 0,
            resources_seen: 0,
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
            let s = scans::insert(&mut tx, tenant, account, "scheduled")
                .await
                .map_err(retry)?;
            tx.commit().await.map_err(retry)?;
            s.scan_id
        }
    };
    fail(pool, clock, tenant, scan, message).await
}
