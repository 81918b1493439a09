//! Runs the correlation rules over newly stored events: counts within timespans (bursts of
//! denied calls, repeated failed logins, password spraying) and first-seen values (a new
//! region or address for a principal), with their state in the database so that every
//! worker sees the same counts and nothing is forgotten across restarts.

use chrono::{DateTime, Utc};
use vigil_core::{
    db::TenantTx,
    ids::AwsAccountId,
    store::{
        alerts,
        correlations::{self, GroupKey},
        events::NewEvent,
    },
};
use vigil_detect::{Correlation, CorrelationKind};

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
