//! Runs the correlation rules over newly stored events: counts within timespans (bursts of
//! denied calls, repeated failed logins, password spraying) and first-seen values (a new
//! region or address for a principal), and sequences over the alerts those and the
//! single-event rules raise (a new address, then reconnaissance, then persistence), with
//! their state in the database so that every worker sees the same counts and nothing is
//! forgotten across restarts.

use chrono::{DateTime, Utc};
use vigil_core::{
    db::TenantTx,
    ids::AwsAccountId,
    store::{
        alerts,
        correlations::{self, GroupKey, SequenceHit, SequenceKey},
        events::NewEvent,
    },
};
use vigil_detect::{Correlation, CorrelationKind, Sequence, StepHit};

/// A correlation that fired on an event.
#[derive(Debug, Clone)]
pub struct Fired<'c> {
    pub correlation: &'c Correlation,
    /// The alert's group: the correlation's group, plus the value for first-seen rules
    /// (each new region is its own incident).
    pub group: String,
    /// The window's events (empty for first-seen: the event alone).
    pub window: Vec<String>,
    pub window_events: i32,
}

/// Where the account's first-seen baseline stands.
#[derive(Debug, Clone, Copy)]
pub struct Baseline {
    /// Events before this only teach the baseline.
    pub learning_until: DateTime<Utc>,
}

/// Feeds one event to the correlations whose base rules it matched (`matched` holds the
/// matching rule IDs) and returns those that fire.
pub async fn observe<'c>(
    tx: &mut TenantTx,
    account: AwsAccountId,
    correlations: &'c [Correlation],
    matched: &[&str],
    event: &NewEvent,
    baseline: Baseline,
) -> Result<Vec<Fired<'c>>, sqlx::Error> {
    let mut fired = Vec::new();
    for c in correlations
        .iter()
        .filter(|c| c.rules.iter().any(|r| matched.contains(&r.as_str())))
    {
        let Some(group) = c.group_key(&event.raw) else {
            continue;
        };
        let key = GroupKey {
            account,
            correlation_id: &c.meta.id,
            group: &group,
        };
        let span = chrono::Duration::from_std(c.timespan).unwrap_or(chrono::Duration::MAX);
        let value = c.value(&event.raw);
        match &c.kind {
            CorrelationKind::EventCount | CorrelationKind::ValueCount { .. } => {
                if matches!(c.kind, CorrelationKind::ValueCount { .. }) && value.is_none() {
                    continue;
                }
                // Once the group has an open alert, each further match only grows it.
                let alert_group = alerts::group_key(&c.meta.id, account, &group);
                let open = alerts::open_within(tx, &alert_group, event.occurred_at);
                let open = open.await?;
                correlations::record_match(
                    tx,
                    key,
                    value.as_deref(),
                    &event.event_id,
                    event.occurred_at,
                )
                .await?;
                if open {
                    fired.push(Fired {
                        correlation: c,
                        group,
                        window: Vec::new(),
                        window_events: 1,
                    });
                    continue;
                }
                let w = correlations::fullest_window(tx, key, event.occurred_at, span).await?;
                if w.distinct >= i64::try_from(c.threshold).unwrap_or(i64::MAX) {
                    fired.push(Fired {
                        correlation: c,
                        group,
                        window: w.event_ids,
                        window_events: i32::try_from(w.events).unwrap_or(i32::MAX),
                    });
                }
            }
            CorrelationKind::FirstSeen { .. } => {
                let Some(value) = value else { continue };
                let seen = correlations::sight(tx, key, &value, event.occurred_at, span).await?;
                if !seen.known && seen.has_history && event.occurred_at >= baseline.learning_until {
                    fired.push(Fired {
                        correlation: c,
                        group: format!("{group}|{value}"),
                        window: Vec::new(),
                        window_events: 1,
                    });
                }
            }
        }
    }
    Ok(fired)
}

/// A rule or correlation that raised or grew an alert on an event: what sequences are
/// made of.
#[derive(Debug, Clone, Copy)]
pub struct AlertHit<'a> {
    pub rule_id: &'a str,
    pub tags: &'a [String],
    /// The alert raised or grown.
    pub alert_id: uuid::Uuid,
}

/// A sequence that an event completed for one group.
#[derive(Debug, Clone)]
pub struct Completed<'s> {
    pub sequence: &'s Sequence,
    /// The sequence's group (the group-by values).
    pub group: String,
    /// The hits chosen, one per step, in step order.
    pub steps: Vec<SequenceHit>,
}

/// Records the step hits `hit` makes in `sequences` (built-in and the tenant's, whatever
/// the caller passes) and returns the sequences it completes. A hit already recorded (the
/// same step on the same event) completes nothing, so an event read twice never raises
/// a sequence twice; a hit that arrives before the earlier steps is completed by them.
pub async fn advance<'s>(
    tx: &mut TenantTx,
    account: AwsAccountId,
    sequences: &'s [Sequence],
    hit: AlertHit<'_>,
    event: &NewEvent,
) -> Result<Vec<Completed<'s>>, sqlx::Error> {
    let mut completed = Vec::new();
    for sequence in sequences {
        let steps = sequence.steps_of(hit.rule_id, hit.tags);
        if steps.is_empty() {
            continue;
        }
        let Some(group) = sequence.group_key(&event.raw) else {
            continue;
        };
        let key = SequenceKey {
            account,
            sequence_id: &sequence.meta.id,
            group: &group,
        };
        let span = chrono::Duration::from_std(sequence.timespan).unwrap_or(chrono::Duration::MAX);
        for step in steps {
            let new = SequenceHit {
                step: i32::try_from(step).unwrap_or(i32::MAX),
                event_id: event.event_id.clone(),
                occurred_at: event.occurred_at,
                rule_id: hit.rule_id.to_owned(),
                alert_id: hit.alert_id,
            };
            if !correlations::record_step(tx, key, &new).await? {
                continue;
            }
            let stored = correlations::step_hits(tx, key, event.occurred_at, span).await?;
            let as_step = |h: SequenceHit| StepHit {
                step: usize::try_from(h.step).unwrap_or(usize::MAX),
                at: h.occurred_at.timestamp_micros(),
                event_id: h.event_id.clone(),
                data: h,
            };
            // The new hit is among the stored ones now: compared apart.
            let others: Vec<StepHit<SequenceHit>> = stored
                .into_iter()
                .filter(|h| !(h.step == new.step && h.event_id == new.event_id))
                .map(as_step)
                .collect();
            let new = as_step(new);
            if let Some(chain) = sequence.complete_with(&new, &others) {
                completed.push(Completed {
                    sequence,
                    group: group.clone(),
                    steps: chain.into_iter().map(|h| h.data.clone()).collect(),
                });
                // One completion per sequence and event: the alert links it once.
                break;
            }
        }
    }
    Ok(completed)
}

/// Raises (or grows, within the grouping window, like any alert) the alert of a completed
/// sequence and links it to its steps' alerts. `on` is the hit of the event that completed
/// it: the alert takes its event's details, and spans the steps' times.
pub async fn raise(
    tx: &mut TenantTx,
    account: AwsAccountId,
    on: &alerts::Hit,
    done: Completed<'_>,
) -> Result<uuid::Uuid, sqlx::Error> {
    let meta = &done.sequence.meta;
    let hit = alerts::Hit {
        rule_id: meta.id.clone(),
        title: meta.title.clone(),
        severity: meta.level.severity(),
        group: Some(done.group),
        window: done.steps.iter().map(|s| s.event_id.clone()).collect(),
        window_events: i32::try_from(done.steps.len()).unwrap_or(i32::MAX),
        ..on.clone()
    };
    let (alert_id, _) = alerts::record_returning(tx, account, &hit).await?;
    let links: Vec<alerts::StepLink> = done
        .steps
        .iter()
        .map(|s| alerts::StepLink {
            step: s.step,
            step_name: usize::try_from(s.step)
                .ok()
                .and_then(|i| done.sequence.steps.get(i))
                .map(|st| st.name.clone())
                .unwrap_or_default(),
            step_alert_id: s.alert_id,
            event_id: s.event_id.clone(),
            occurred_at: s.occurred_at,
        })
        .collect();
    alerts::link_steps(tx, alert_id, &links).await?;
    Ok(alert_id)
}
