//! Re-check on change: a targeted scan of what new write events changed. Ingestion (any
//! path) records each new successful write call of a service Vigil assesses as a pending
//! (region, service) pair and queues this job a few seconds later, so a burst of changes
//! becomes one re-check. The re-check reads only those services, in those regions (in
//! every region for a service an account-wide rule over regional data reads), runs only
//! the rules whose data it read, and writes the findings, assets and a scan row (trigger
//! `recheck`, with what it read) in one transaction that also clears the pairs it read.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::Utc;
use futures::future::join_all;
use serde_json::json;
use sqlx::PgPool;
use tracing::Instrument;
use vigil_checks::{
    GLOBAL, Rule, Scope, Source,
    model::{Inventory, RegionInventory},
};
use vigil_core::{
    aws::session::RoleSession,
    clock::Clock,
    db,
    jobs::JobError,
    store::{assets, aws_accounts::AwsAccount, findings, rechecks, scans},
};
use vigil_domain::ScanStatus;

use super::{
    Problems, enabled_regions, observed,
    read::Reader,
    retry, seen,
    services::{self, Collect},
};

/// The assessed service whose reads a write call of `event_source` may change: a
/// service's own source (`ec2.amazonaws.com` for `ec2`) or one its collector names in
/// [`services::Service::changed_by`] (EBS for EC2). `None` for services Vigil does not
/// assess.
pub fn service_of(event_source: &str) -> Option<&'static str> {
    services::ALL
        .iter()
        .find(|s| {
            s.changed_by.contains(&event_source)
                || event_source
                    .strip_suffix(".amazonaws.com")
                    .is_some_and(|name| name == s.name)
        })
        .map(|s| s.name)
}

/// The rules a re-check of `read` can judge: every source of the rule is a service read.
fn judgeable(read: &BTreeSet<&str>) -> Vec<&'static Rule> {
    vigil_checks::rules()
        .iter()
        .copied()
        .filter(|r| r.sources.iter().all(|s| read.contains(s.service())))
        .collect()
}

/// The services of `read` an account-wide rule reads regionally: only a read of every
/// region lets that rule judge again.
fn read_everywhere(read: &BTreeSet<&str>) -> BTreeSet<&'static str> {
    judgeable(read)
        .into_iter()
        .filter(|r| r.scope == Scope::Account)
        .flat_map(|r| r.sources.iter())
        .filter_map(|s| match s {
            Source::Regional(name, _) => Some(*name),
            Source::Account(..) => None,
        })
        .collect()
}

/// What one re-check did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rechecked {
    /// Pending pairs it read (0: nothing was pending).
    pub pairs: usize,
    pub opened: i64,
    pub resolved: i64,
}

/// Runs the connection's re-check of everything pending now.
pub async fn run(
    pool: &PgPool,
    clock: &Clock,
    account: &AwsAccount,
    session: Arc<RoleSession>,
) -> Result<Rechecked, JobError> {
    let (tenant, id) = (account.tenant_id, account.aws_account_id);
    let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
    let pending = rechecks::pending(&mut tx, id).await.map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    if pending.is_empty() {
        return Ok(Rechecked::default());
    }
    let read_at = clock.now();
    let account_id = account.account_id.clone().unwrap_or_default();
    let read: BTreeSet<&str> = pending
        .iter()
        .filter_map(|p| services::ALL.iter().find(|s| s.name == p.service))
        .map(|s| s.name)
        .collect();
    let everywhere = read_everywhere(&read);
    // Which regional services to read in which region.
    let mut plan: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for p in &pending {
        plan.entry(p.region.clone())
            .or_default()
            .insert(p.service.as_str());
    }
    if !everywhere.is_empty() {
        let regions = match enabled_regions(&session.sdk_config("us-east-1")).await {
            Ok(r) => vigil_core::aws::regions::within(r, account.regions.as_deref()).0,
            Err(message) => return Err(retry(anyhow::anyhow!(message))),
        };
        for region in regions {
            plan.entry(region).or_default().extend(everywhere.iter());
        }
    }
    let problems = Problems::default();
    let regional = plan.iter().map(|(region, wanted)| {
        let config = session.sdk_config(region);
        let (problems, account_id) = (&problems, account_id.as_str());
        async move {
            let parts = join_all(services::ALL.iter().filter_map(|s| match s.collect {
                Collect::Regional(collect) if wanted.contains(s.name) => Some(
                    collect(Reader::new(&config, region, account_id, s.name, problems)).instrument(
                        tracing::debug_span!("recheck", service = s.name, region = %region),
                    ),
                ),
                _ => None,
            }))
            .await;
            let mut inv = RegionInventory {
                region: region.clone(),
                ..Default::default()
            };
            for fill in parts {
                fill(&mut inv);
            }
            inv
        }
    });
    let regions = join_all(regional).await;
    let global = session.sdk_config("us-east-1");
    let parts = join_all(services::ALL.iter().filter_map(|s| match s.collect {
        Collect::Global(collect) if read.contains(s.name) => Some(collect(Reader::new(
            &global,
            GLOBAL,
            &account_id,
            s.name,
            &problems,
        ))),
        _ => None,
    }))
    .await;
    let mut inventory = Inventory {
        account_id: account_id.clone(),
        collected_at: Utc::now(),
        regions,
        ..Default::default()
    };
    for fill in parts {
        fill(&mut inventory);
    }
    let rules = judgeable(&read);
    let evaluation = vigil_checks::evaluate_rules(&inventory, &rules);
    let problems = problems.take();
    let (observed, complete_types) = observed(&inventory);

    let now = clock.now();
    let mut tx = db::begin_tenant(pool, tenant).await.map_err(retry)?;
    // Written finished, in the transaction of its results: never an open scan that a
    // scheduled scan would take up or housekeeping would close.
    let scan = scans::insert(&mut tx, id, "recheck", true)
        .await
        .map_err(retry)?
        .scan_id;
    scans::start(&mut tx, scan, read_at).await.map_err(retry)?;
    let resources = assets::apply_scan(&mut tx, id, scan, now, &observed, &complete_types)
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
    let total = i32::try_from(plan.len()).unwrap_or(i32::MAX);
    scans::progress(&mut tx, scan, total, total)
        .await
        .map_err(retry)?;
    let scope = json!({
        "regions": plan.keys().collect::<Vec<_>>(),
        "services": read.iter().collect::<Vec<_>>(),
        "events": pending.iter().map(|p| &p.event_id).collect::<BTreeSet<_>>(),
    });
    rechecks::mark_scan(&mut tx, scan, &scope)
        .await
        .map_err(retry)?;
    let outcome = scans::Outcome {
        status: if problems.is_empty() {
            ScanStatus::Succeeded
        } else {
            ScanStatus::Partial
        },
        error: None,
        problems: serde_json::to_value(&problems).unwrap_or_default(),
        findings_opened: i32::try_from(opened).unwrap_or(i32::MAX),
        findings_resolved: i32::try_from(resolved).unwrap_or(i32::MAX),
        resources_seen: i32::try_from(resources).unwrap_or(i32::MAX),
        regions_unchanged: 0,
    };
    scans::finish(&mut tx, scan, now, outcome)
        .await
        .map_err(retry)?;
    rechecks::done(&mut tx, id, &pending).await.map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    tracing::info!(%scan, services = ?read, regions = plan.len(), opened, resolved, "re-check finished");
    Ok(Rechecked {
        pairs: pending.len(),
        opened,
        resolved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_sources_map_to_the_services_that_read_them() {
        assert_eq!(service_of("ec2.amazonaws.com"), Some("ec2"));
        assert_eq!(service_of("ebs.amazonaws.com"), Some("ec2"));
        assert_eq!(service_of("s3.amazonaws.com"), Some("s3"));
        assert_eq!(service_of("cloudtrail.amazonaws.com"), Some("cloudtrail"));
        assert_eq!(service_of("iam.amazonaws.com"), Some("iam"));
        assert_eq!(service_of("signin.amazonaws.com"), None);
        assert_eq!(service_of("sts.amazonaws.com"), None);
    }

    #[test]
    fn only_rules_whose_data_is_read_are_judged() {
        let ec2: BTreeSet<&str> = ["ec2"].into();
        let rules = judgeable(&ec2);
        assert!(rules.iter().any(|r| r.id == "ec2-sg-ssh-open"), "{rules:?}");
        assert!(
            rules
                .iter()
                .all(|r| r.sources.iter().all(|s| s.service() == "ec2"))
        );
    }
}
