//! Activity ingestion: reads a connection's CloudTrail events from the trail's S3 log
//! files when a logging trail exists (the high-volume path), from `LookupEvents` per
//! region otherwise, and stores them once, each batch committed with the cursor (or the
//! file record) that covers it, so a crash neither loses nor duplicates events.

mod correlate;
pub mod digest;
mod organization_trail;
pub mod push;
pub mod record;
pub mod trail_file;

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use aws_config::SdkConfig;
use aws_smithy_types::error::display::DisplayErrorContext;
use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sqlx::PgPool;
use vigil_core::{
    aws::session::{RoleSession, Sessions},
    clock::Clock,
    db,
    jobs::{self, JobError, NewJob},
    store::{
        alerts, assets,
        aws_accounts::{self, AwsAccount},
        detection_rules, events, rechecks,
    },
    tasks::Task,
};
use vigil_detect::{Rule, RuleSet, tenant};

use crate::{
    scan,
    settings::{Settings, TrailFileLimits},
};

/// LookupEvents allows 2 calls per second per account and region.
pub type LookupLimiter = Arc<DefaultKeyedRateLimiter<(String, String)>>;

/// A limiter with AWS's LookupEvents quota.
pub fn lookup_limiter() -> LookupLimiter {
    Arc::new(RateLimiter::keyed(Quota::per_second(
        NonZeroU32::new(2).expect("non-zero"),
    )))
}

/// LookupEvents shows events after a delay: each run re-reads this much of the previous window.
const LOOKUP_OVERLAP: chrono::Duration = chrono::Duration::minutes(10);
/// How far ahead of Vigil's clock an event may be dated (clocks drift; forged files do more).
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(15);
/// The ingestion problem kinds recorded on the connection.
const OUT_OF_WINDOW: &str = "event_time_out_of_window";
const TRAIL_CHANGED: &str = "trail_changed";

fn retry(e: impl Into<anyhow::Error>) -> JobError {
    JobError::Retry(e.into())
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ingested {
    pub stored: u64,
    pub read: u64,
}

/// What every ingestion path of a connection evaluates its events with: the connection's
/// rules (built-in and the tenant's), correlations, baseline and Vigil's own principal.
pub(crate) struct Prepared<'a> {
    pool: &'a PgPool,
    account: &'a AwsAccount,
    account_id: String,
    own_arn: Option<String>,
    rules: RuleSet,
    correlations: Vec<vigil_detect::Correlation>,
    silent: std::collections::HashSet<String>,
    learning_until: DateTime<Utc>,
    window: record::TimeWindow,
    now: DateTime<Utc>,
    settings: &'a Settings,
}

impl<'a> Prepared<'a> {
    /// Reads the tenant's rules and the connection's baseline (starting it at the first
    /// ingestion). `session_name` is the name of Vigil's sessions of the connection's role
    /// (its events are Vigil's own). `None` for a connection without a known account.
    pub(crate) async fn new(
        pool: &'a PgPool,
        clock: &Clock,
        account: &'a AwsAccount,
        session_name: &str,
        settings: &'a Settings,
        rules: &[Rule],
    ) -> Result<Option<Self>, JobError> {
        let Some(account_id) = account.account_id.clone() else {
            return Ok(None);
        };
        let own_arn = account
            .role_arn
            .as_deref()
            .and_then(|role| record::assumed_role_arn(role, session_name));
        // The built-in rules and the tenant's own enabled ones (a rule that no longer
        // compiles or resolves is skipped and logged; it was valid when saved). Disabled ones
        // are read too: a correlation may name one.
        let mut tx = db::begin_tenant(pool, account.tenant_id)
            .await
            .map_err(retry)?;
        let own_rules = detection_rules::list(&mut tx, false).await.map_err(retry)?;
        // Set once, by the first ingestion; later runs read it from the connection.
        let learning_until = match account.baseline_until {
            Some(until) => until,
            None => {
                let learning =
                    chrono::Duration::from_std(settings.baseline_learning).unwrap_or_default();
                aws_accounts::start_baseline(
                    &mut tx,
                    account.aws_account_id,
                    clock.now() + learning,
                )
                .await
                .map_err(retry)?
            }
        };
        tx.commit().await.map_err(retry)?;
        // Tenant rules and correlations run under their stored IDs (`tenant:<uuid>`), so
        // their alerts and correlation state never meet a built-in's or another tenant's.
        let own = tenant::Catalog::new(own_rules.iter().map(|s| tenant::Stored {
            id: format!("{}{}", tenant::ID_PREFIX, s.rule_id),
            yaml: &s.yaml,
            enabled: s.enabled,
        }))
        .active();
        for (rule_id, error) in &own.skipped {
            tracing::warn!(%rule_id, %error, "tenant rule skipped");
        }
        let mut all_rules: Vec<Rule> = rules.to_vec();
        all_rules.extend(own.rules);
        let mut correlations = vigil_detect::builtin::correlations().to_vec();
        correlations.extend(own.correlations);
        // Older than both the backfill and the retention, an event would only create a
        // partition housekeeping drops; inside them, its day's partition exists for everyone.
        let horizon = settings.backfill.max(Duration::from_secs(
            u64::try_from(settings.event_retention_days).unwrap_or_default() * 86_400,
        ));
        Ok(Some(Self {
            pool,
            account,
            account_id,
            own_arn,
            rules: RuleSet::new(all_rules),
            correlations,
            silent: own.silent,
            learning_until,
            window: record::TimeWindow {
                from: clock.now() - chrono::Duration::from_std(horizon).unwrap_or_default(),
                to: clock.now() + MAX_CLOCK_SKEW,
            },
            now: clock.now(),
            settings,
        }))
    }

    /// The context that stores and evaluates batches.
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            pool: self.pool,
            account: self.account,
            account_id: &self.account_id,
            own_arn: self.own_arn.as_deref(),
            window: self.window,
            now: self.now,
            rules: &self.rules,
            correlations: &self.correlations,
            sequences: vigil_detect::builtin::sequences(),
            silent: &self.silent,
            baseline: correlate::Baseline {
                learning_until: self.learning_until,
            },
            limits: self.settings.trail_files,
            recheck_after: self.settings.recheck_after,
        }
    }
}

/// What ingestion reaches AWS with besides the connection's own session: the LookupEvents
/// budget, and the worker's role sessions (an organisation trail's bucket may be read
/// through a log-archive member's role).
#[derive(Clone, Copy)]
pub struct Reach<'a> {
    pub limiter: &'a LookupLimiter,
    pub sessions: &'a Sessions,
}

/// Ingests one connection's new activity.
pub async fn run(
    pool: &PgPool,
    clock: &Clock,
    account: &AwsAccount,
    session: Arc<RoleSession>,
    reach: Reach<'_>,
    settings: &Settings,
    rules: &[Rule],
) -> Result<Ingested, JobError> {
    let limiter = reach.limiter;
    // The organisation trail the management connection reads brings this member's events.
    if organization_trail::covers(pool, account, clock.now(), settings).await? {
        return Ok(Ingested::default());
    }
    let session_name = &session.target().session_name;
    let Some(prepared) = Prepared::new(pool, clock, account, session_name, settings, rules).await?
    else {
        return Ok(Ingested::default());
    };
    let ctx = prepared.ctx();
    let home = session.sdk_config("us-east-1");
    let since_default =
        clock.now() - chrono::Duration::from_std(settings.backfill).unwrap_or_default();
    let mut total = Ingested::default();
    if let Some(trail) = ctx.pinned_trail(&session, &home).await? {
        let organization = if trail.organization {
            organization_trail::read_by(pool, account).await?
        } else {
            None
        };
        let read = match &organization {
            Some(org) => {
                let env = organization_trail::Env {
                    pool,
                    clock,
                    session: &session,
                    sessions: reach.sessions,
                    settings,
                    rules,
                };
                organization_trail::read(env, org, &trail, since_default).await
            }
            None => ctx.read_trail_files(&session, &trail, since_default).await,
        };
        match read {
            // A logging multi-region trail delivers everything: nothing else to read.
            Ok(n) if trail.logging && trail.multi_region => {
                ctx.read_everywhere().await?;
                return Ok(n);
            }
            // A stopped trail (perhaps by an attacker) still holds its files, but what
            // happens now only LookupEvents shows; a single-region trail misses the other
            // regions: read both; event IDs keep each event once.
            Ok(n) => total = n,
            // Storing failed (the database): the job retries; LookupEvents would leave the
            // unread files until the next run.
            Err(e) if failed_to_store(&e) => return Err(retry(e)),
            // Without read access to the bucket, LookupEvents it is.
            Err(e) => {
                tracing::warn!(bucket = %trail.bucket, error = %e, "trail files unreadable; using LookupEvents")
            }
        }
    }
    let enabled = scan::enabled_regions(&home)
        .await
        .map_err(|e| retry(anyhow::anyhow!(e)))?;
    // The scan reports the listed regions that are not enabled; LookupEvents just skips them.
    let (regions, _) = vigil_core::aws::regions::within(enabled, account.regions.as_deref());
    for region in regions {
        let n = ctx
            .read_lookup_events(
                &session.sdk_config(&region),
                &region,
                limiter,
                clock.now(),
                since_default,
            )
            .await?;
        total.stored += n.stored;
        total.read += n.read;
    }
    ctx.read_everywhere().await?;
    Ok(total)
}

/// Whether reading the trail files failed on our side (the database), not the bucket's.
fn failed_to_store(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.is::<sqlx::Error>() || c.is::<JobError>())
}

/// The account resource that held the event's source IP when the event happened, from
/// the asset history.
async fn source_resource(
    tx: &mut vigil_core::db::TenantTx,
    event: &events::NewEvent,
) -> Result<Option<serde_json::Value>, JobError> {
    let Some(Ok(ip)) = event
        .source_ip
        .as_deref()
        .map(str::parse::<std::net::IpAddr>)
    else {
        return Ok(None);
    };
    let held = assets::by_ip(tx, &ip.to_string(), event.occurred_at)
        .await
        .map_err(retry)?;
    Ok(held.into_iter().next().map(|h| {
        serde_json::json!({
            "assetId": h.asset.asset_id, "resourceType": h.asset.resource_type,
            "resourceId": h.asset.resource_id, "region": h.asset.region
        })
    }))
}

/// A trail's bucket, and whether the trail is logging now.
#[derive(Debug, Clone)]
struct TrailTarget {
    arn: String,
    bucket: String,
    prefix: Option<String>,
    logging: bool,
    /// The trail logs every region (not only its home region).
    multi_region: bool,
    /// Log file validation is on: files are read only as its digests vouch for them.
    validated: bool,
    /// An organisation trail: it logs every account of the organisation.
    organization: bool,
}

/// The account's trails with a bucket, in the order a new pin prefers them: organization
/// trails (the customer's organisation set them up, a member account cannot change them),
/// then multi-region ones, each logging before stopped. `None` when they cannot be listed.
async fn trails_with_bucket(
    session: &Arc<RoleSession>,
    home: &SdkConfig,
) -> Option<Vec<TrailTarget>> {
    let client = aws_sdk_cloudtrail::Client::new(home);
    let Ok(trails) = client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    else {
        return None;
    };
    let mut out = Vec::new();
    for t in trails.trail_list() {
        let (Some(arn), Some(bucket)) = (t.trail_arn(), t.s3_bucket_name()) else {
            continue;
        };
        let region = t.home_region().unwrap_or("us-east-1");
        let status = aws_sdk_cloudtrail::Client::new(&session.sdk_config(region))
            .get_trail_status()
            .name(arn)
            .send()
            .await;
        let target = TrailTarget {
            arn: arn.to_owned(),
            bucket: bucket.to_owned(),
            prefix: t.s3_key_prefix().map(str::to_owned),
            logging: status.ok().and_then(|s| s.is_logging()) == Some(true),
            multi_region: t.is_multi_region_trail() == Some(true),
            validated: t.log_file_validation_enabled() == Some(true),
            organization: t.is_organization_trail() == Some(true),
        };
        let rank = (
            !t.is_organization_trail().unwrap_or(false),
            !t.is_multi_region_trail().unwrap_or(false),
            !target.logging,
        );
        out.push((rank, target));
    }
    out.sort_by_key(|(rank, _)| *rank);
    Some(out.into_iter().map(|(_, t)| t).collect())
}

struct Ctx<'a> {
    pool: &'a PgPool,
    account: &'a AwsAccount,
    account_id: &'a str,
    own_arn: Option<&'a str>,
    window: record::TimeWindow,
    now: DateTime<Utc>,
    rules: &'a RuleSet,
    correlations: &'a [vigil_detect::Correlation],
    /// Sequences over the alerts raised (the built-in ones, and the tenant's when given).
    sequences: &'a [vigil_detect::Sequence],
    /// Tenant rules that only feed the tenant's correlations: no alert of their own.
    silent: &'a std::collections::HashSet<String>,
    baseline: correlate::Baseline,
    limits: TrailFileLimits,
    /// Re-check what new write events changed this long after them (`None`: never).
    recheck_after: Option<Duration>,
}

/// What a commit closes besides storing its events.
#[derive(Debug, Default, Clone, Copy)]
struct Closing<'a> {
    /// Records dated outside the window, kept out.
    outside: u64,
    /// Records kept out for their content, and the problem's message.
    malformed: Option<(u64, &'a str)>,
    /// The problem kind `malformed` is recorded as (trail records when `None`).
    malformed_kind: Option<&'a str>,
    /// The cursor to move (source, position).
    cursor: Option<(&'a str, &'a str)>,
    /// The trail file to mark read.
    file: Option<&'a str>,
}

impl Ctx<'_> {
    /// Records that this run (as of its start, `now`) read every region's new events.
    async fn read_everywhere(&self) -> Result<(), JobError> {
        let (tenant, id) = (self.account.tenant_id, self.account.aws_account_id);
        let mut tx = db::begin_tenant(self.pool, tenant).await.map_err(retry)?;
        aws_accounts::activity_read(&mut tx, id, self.now)
            .await
            .map_err(retry)?;
        tx.commit().await.map_err(retry)
    }

    /// The trail to read files from: the pinned one (designated by the customer, or the
    /// best one when first seen, see [`trails_with_bucket`]). A trail created later never
    /// replaces it. When the pinned trail is gone, no other is read in its place (the
    /// remaining ones may be an attacker's): activity comes from LookupEvents, and the
    /// connection shows the problem until the customer designates a trail.
    async fn pinned_trail(
        &self,
        session: &Arc<RoleSession>,
        home: &SdkConfig,
    ) -> Result<Option<TrailTarget>, JobError> {
        // Unlistable now (throttled, denied): LookupEvents this time, nothing concluded.
        let Some(trails) = trails_with_bucket(session, home).await else {
            return Ok(None);
        };
        let (tenant, id) = (self.account.tenant_id, self.account.aws_account_id);
        let mut tx = db::begin_tenant(self.pool, tenant).await.map_err(retry)?;
        let chosen = match self.account.trail_arn.as_deref() {
            Some(pinned) => {
                let found = trails.into_iter().find(|t| t.arn == pinned);
                let message = format!(
                    "the trail Vigil reads ({pinned}) no longer exists or has no S3 bucket, so \
                     activity comes from LookupEvents only. Check who deleted or changed it (a \
                     DeleteTrail or UpdateTrail alert), then designate the trail to read."
                );
                // Once per disappearance, not once per ingestion run.
                let known =
                    self.account.ingest_problems[TRAIL_CHANGED]["message"] == message.as_str();
                if found.is_none() && !known {
                    aws_accounts::record_ingest_problem(
                        &mut tx,
                        id,
                        TRAIL_CHANGED,
                        &message,
                        1,
                        self.now,
                    )
                    .await
                    .map_err(retry)?;
                    tracing::warn!(aws_account_id = %id, "the pinned trail is gone");
                }
                found
            }
            None => {
                let best = trails.into_iter().next();
                if let Some(t) = &best {
                    aws_accounts::pin_trail(&mut tx, id, Some(&t.arn))
                        .await
                        .map_err(retry)?;
                }
                best
            }
        };
        tx.commit().await.map_err(retry)?;
        Ok(chosen)
    }

    /// Stores a batch, runs the detections over the events that are new (never over
    /// Vigil's own calls), and records what `closing` says (problems, the cursor, the
    /// file), all in one transaction: a crash loses nothing, and a re-read raises nothing
    /// twice.
    async fn commit(
        &self,
        batch: &[events::NewEvent],
        closing: Closing<'_>,
    ) -> Result<u64, JobError> {
        let Closing {
            outside,
            malformed,
            malformed_kind,
            cursor,
            file,
        } = closing;
        let (tenant, id) = (self.account.tenant_id, self.account.aws_account_id);
        let mut tx = db::begin_tenant(self.pool, tenant).await.map_err(retry)?;
        if let Some((count, message)) = malformed.filter(|(count, _)| *count > 0) {
            aws_accounts::record_ingest_problem(
                &mut tx,
                id,
                malformed_kind.unwrap_or(trail_file::RECORDS_MALFORMED),
                message,
                count,
                self.now,
            )
            .await
            .map_err(retry)?;
            tracing::warn!(aws_account_id = %id, count, file, kind = malformed_kind, "malformed records kept out");
        }
        if outside > 0 {
            let message = format!(
                "{outside} CloudTrail record(s) were dated outside the accepted window ({} to {}, \
                 the retention horizon to {} minutes ahead of Vigil's clock) and were not stored \
                 or evaluated{}. Genuine trail files are never dated like this: check who can \
                 write to the trail's bucket.",
                self.window.from.to_rfc3339(),
                self.window.to.to_rfc3339(),
                MAX_CLOCK_SKEW.num_minutes(),
                file.map(|f| format!(" (in {f})")).unwrap_or_default(),
            );
            aws_accounts::record_ingest_problem(
                &mut tx,
                id,
                OUT_OF_WINDOW,
                &message,
                outside,
                self.now,
            )
            .await
            .map_err(retry)?;
            tracing::warn!(aws_account_id = %id, outside, "records dated outside the window kept out");
        }
        let new: std::collections::HashSet<String> = events::insert(&mut tx, id, batch)
            .await
            .map_err(retry)?
            .into_iter()
            .collect();
        // In time order (AWS lists newest first): a first-seen value fires on its earliest
        // event, a burst on the event that made it one, and sequences meet their steps in
        // the order they happened.
        let mut fresh: Vec<&events::NewEvent> = batch
            .iter()
            .filter(|e| !e.own && new.contains(&e.event_id))
            .collect();
        fresh.sort_by_key(|e| e.occurred_at);
        self.request_rechecks(&mut tx, &fresh).await?;
        for event in fresh {
            let matched: Vec<&Rule> = self.rules.matching(&event.raw);
            if matched.is_empty() {
                continue;
            }
            let ids: Vec<&str> = matched.iter().map(|r| r.id.as_str()).collect();
            let fired =
                correlate::observe(&mut tx, id, self.correlations, &ids, event, self.baseline)
                    .await
                    .map_err(retry)?;
            let singles = matched
                .iter()
                .filter(|r| vigil_detect::builtin::generates(&r.id) && !self.silent.contains(&r.id))
                .map(|r| (&r.id, &r.title, r.level, &r.tags, None, Vec::new(), 1));
            let correlated = fired.into_iter().map(|f| {
                let m = &f.correlation.meta;
                (
                    &m.id,
                    &m.title,
                    m.level,
                    &m.tags,
                    Some(f.group),
                    f.window,
                    f.window_events,
                )
            });
            let hits: Vec<_> = singles.chain(correlated).collect();
            if hits.is_empty() {
                continue;
            }
            let source_resource = source_resource(&mut tx, event).await?;
            for (rule_id, title, level, tags, group, window, window_events) in hits {
                let hit = alerts::Hit {
                    rule_id: rule_id.clone(),
                    title: title.clone(),
                    severity: level.severity(),
                    event_id: event.event_id.clone(),
                    occurred_at: event.occurred_at,
                    region: event.region.clone(),
                    event_name: event.event_name.clone(),
                    event_source: event.event_source.clone(),
                    principal_arn: event.principal_arn.clone(),
                    source_ip: event.source_ip.clone(),
                    source_resource: source_resource.clone(),
                    group,
                    window,
                    window_events,
                };
                let (alert_id, _) = alerts::record_returning(&mut tx, id, &hit)
                    .await
                    .map_err(retry)?;
                // Every alert raised or grown may be a step of a sequence.
                let step = correlate::AlertHit {
                    rule_id: rule_id.as_str(),
                    tags: tags.as_slice(),
                    alert_id,
                };
                let completed = correlate::advance(&mut tx, id, self.sequences, step, event)
                    .await
                    .map_err(retry)?;
                for done in completed {
                    correlate::raise(&mut tx, id, &hit, done)
                        .await
                        .map_err(retry)?;
                }
            }
        }
        if let Some((source, position)) = cursor {
            events::set_cursor(&mut tx, id, source, position)
                .await
                .map_err(retry)?;
        }
        if let Some(key) = file {
            events::mark_file_read(&mut tx, id, key)
                .await
                .map_err(retry)?;
        }
        tx.commit().await.map_err(retry)?;
        Ok(new.len() as u64)
    }

    /// Asks for a targeted re-check of what the new successful write calls (not Vigil's)
    /// changed, per region and assessed service, in the batch's transaction, and queues the
    /// connection's re-check [`Self::recheck_after`] later: the job's unique key makes a
    /// burst of changes one re-check.
    async fn request_rechecks(
        &self,
        tx: &mut vigil_core::db::TenantTx,
        fresh: &[&events::NewEvent],
    ) -> Result<(), JobError> {
        let Some(after) = self.recheck_after else {
            return Ok(());
        };
        let id = self.account.aws_account_id;
        let mut asked = false;
        for e in fresh {
            if e.error_code.is_some() || e.read_only == Some(true) {
                continue;
            }
            let Some(service) = scan::recheck::service_of(&e.event_source) else {
                continue;
            };
            rechecks::request(tx, id, &e.region, service, &e.event_id, self.now)
                .await
                .map_err(retry)?;
            asked = true;
        }
        if asked {
            let task = Task::RecheckAccount {
                tenant_id: self.account.tenant_id,
                aws_account_id: id,
            };
            let key = task.unique_key().unwrap_or_default();
            let at = chrono::Utc::now() + chrono::Duration::from_std(after).unwrap_or_default();
            jobs::enqueue(
                tx,
                NewJob::new(task)
                    .tenant(self.account.tenant_id)
                    .unique(key)
                    .run_at(at),
            )
            .await
            .map_err(retry)?;
        }
        Ok(())
    }

    async fn cursor(&self, source: &str) -> Result<Option<String>, JobError> {
        let mut tx = db::begin_tenant(self.pool, self.account.tenant_id)
            .await
            .map_err(retry)?;
        let c = events::cursor(&mut tx, self.account.aws_account_id, source)
            .await
            .map_err(retry)?;
        tx.commit().await.map_err(retry)?;
        Ok(c)
    }

    /// Pages `LookupEvents` from the cursor (minus an overlap) to now, within the limiter.
    async fn read_lookup_events(
        &self,
        config: &SdkConfig,
        region: &str,
        limiter: &LookupLimiter,
        now: DateTime<Utc>,
        since_default: DateTime<Utc>,
    ) -> Result<Ingested, JobError> {
        let source = format!("lookup:{region}");
        let since = self
            .cursor(&source)
            .await?
            .and_then(|c| c.parse::<DateTime<Utc>>().ok())
            .map_or(since_default, |c| c - LOOKUP_OVERLAP);
        let client = aws_sdk_cloudtrail::Client::new(config);
        let key = (self.account_id.to_owned(), region.to_owned());
        let mut batch = Vec::new();
        let mut token = None;
        loop {
            limiter.until_key_ready(&key).await;
            let page = client
                .lookup_events()
                .start_time(aws_smithy_types::DateTime::from_secs(since.timestamp()))
                .end_time(aws_smithy_types::DateTime::from_secs(now.timestamp()))
                .max_results(50)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| {
                    retry(anyhow::anyhow!(
                        "LookupEvents in {region}: {}",
                        DisplayErrorContext(&e)
                    ))
                })?;
            batch.extend(
                page.events()
                    .iter()
                    .filter_map(|e| e.cloud_trail_event())
                    .filter_map(|s| serde_json::from_str(s).ok())
                    .filter_map(|raw| record::normalize(raw, self.own_arn).ok()),
            );
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        let read = batch.len() as u64;
        let (batch, outside) = self.window.split(batch);
        let position = now.to_rfc3339();
        let closing = Closing {
            outside,
            cursor: Some((&source, &position)),
            ..Closing::default()
        };
        let stored = self.commit(&batch, closing).await?;
        Ok(Ingested { stored, read })
    }

    /// Reads the new log files of the connection's account in the trail's bucket, under
    /// `AWSLogs/<account>/CloudTrail/` (see [`Self::read_folder`]).
    async fn read_trail_files(
        &self,
        session: &Arc<RoleSession>,
        trail: &TrailTarget,
        since_default: DateTime<Utc>,
    ) -> Result<Ingested, anyhow::Error> {
        let s3 = trail_s3(session);
        let base = format!("{}{}/CloudTrail/", trail.logs_root(), self.account_id);
        self.read_folder(session, &s3, trail, &base, since_default)
            .await
    }

    /// Reads new log files under `<base><region>/` (`base` is an account's
    /// `.../CloudTrail/` folder), each within the limits of [`trail_file`] and marked read
    /// in the transaction of its last events (or of its report, when it is kept out), under
    /// this connection. Files can arrive late, so each region is re-listed from the day
    /// before its cursor and files already read are skipped.
    async fn read_folder(
        &self,
        session: &Arc<RoleSession>,
        s3: &aws_sdk_s3::Client,
        trail: &TrailTarget,
        base: &str,
        since_default: DateTime<Utc>,
    ) -> Result<Ingested, anyhow::Error> {
        let regions = s3
            .list_objects_v2()
            .bucket(&trail.bucket)
            .prefix(base)
            .delimiter("/")
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "listing s3://{}/{base}: {}",
                    trail.bucket,
                    DisplayErrorContext(&e)
                )
            })?;
        let mut total = Ingested::default();
        let mut public_keys = None;
        for region_prefix in regions.common_prefixes().iter().filter_map(|p| p.prefix()) {
            let source = format!("s3:{}/{region_prefix}", trail.bucket);
            let from_day = self
                .cursor(&source)
                .await
                .map_err(anyhow::Error::from)?
                .and_then(|c| c.parse::<DateTime<Utc>>().ok())
                .map_or(since_default, |c| c - chrono::Duration::days(1));
            let start_after = format!("{region_prefix}{}", from_day.format("%Y/%m/%d/"));
            let mut keys = Vec::new();
            let mut written = std::collections::HashMap::new();
            let mut pages = s3
                .list_objects_v2()
                .bucket(&trail.bucket)
                .prefix(region_prefix)
                .start_after(&start_after)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    anyhow::anyhow!("listing trail files: {}", DisplayErrorContext(&e))
                })?;
                for object in page.contents() {
                    let Some(key) = object.key().filter(|k| k.ends_with(".json.gz")) else {
                        continue;
                    };
                    let modified = object
                        .last_modified()
                        .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), 0));
                    written.insert(key.to_owned(), modified);
                    keys.push(key.to_owned());
                }
            }
            let mut tx = db::begin_tenant(self.pool, self.account.tenant_id).await?;
            let done = events::files_read(&mut tx, self.account.aws_account_id, &keys).await?;
            tx.commit().await?;
            let unread: Vec<&String> = keys.iter().filter(|k| !done.contains(k)).collect();
            let mut digests = None;
            if trail.validated && !unread.is_empty() {
                // Asked once per run, and only when there is something to verify.
                if public_keys.is_none() {
                    public_keys = Some(self.digest_public_keys(session, from_day).await?);
                }
                let known = public_keys.get_or_insert_default();
                digests = Some(
                    self.load_digests(s3, trail, region_prefix, from_day, known)
                        .await?,
                );
            }
            for key in unread {
                // Unreadable from S3 now (throttled, unavailable): the error ends this run
                // and the file, unmarked, is read by the next one. Past the gzip limit: kept out.
                let body = match self.fetch_file(s3, &trail.bucket, key).await? {
                    Ok(body) => body,
                    Err(unreadable) => {
                        self.reject_file(unreadable.kind(), &unreadable.message(key), key)
                            .await?;
                        continue;
                    }
                };
                if let Some(digests) = &digests {
                    let when = written.get(key).copied().flatten();
                    match digests.judge(key, &body, when, self.now) {
                        digest::Verdict::Verified => {}
                        digest::Verdict::Pending => continue,
                        digest::Verdict::Unverified(reason) => {
                            let message = format!(
                                "the trail file {key} {reason}, so it was not stored or \
                                 evaluated. CloudTrail's digests prove which files it \
                                 delivered: check who can write to the trail's bucket."
                            );
                            self.reject_file(digest::FILE_UNVERIFIED, &message, key)
                                .await?;
                            continue;
                        }
                    }
                }
                // A file that is not what CloudTrail writes is kept out and reported
                // inside: it never stops the next one.
                let n = self.ingest_file(key, body, &source, from_day).await?;
                total.read += n.read;
                total.stored += n.stored;
            }
        }
        Ok(total)
    }
}

impl TrailTarget {
    /// The `AWSLogs/` folder of the trail's bucket, under the trail's key prefix.
    fn logs_root(&self) -> String {
        let prefix = self
            .prefix
            .as_deref()
            .map(|p| p.trim_end_matches('/'))
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}/"))
            .unwrap_or_default();
        format!("{prefix}AWSLogs/")
    }
}

/// An S3 client of the session (path-style, as trail buckets are read everywhere).
fn trail_s3(session: &Arc<RoleSession>) -> aws_sdk_s3::Client {
    let config = session.sdk_config("us-east-1");
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    )
}
