//! State of the correlation rules: base-rule matches per group (for counts within a
//! timespan) and the values each group has shown (for first-seen rules).

use chrono::{DateTime, Utc};

use crate::{db::TenantTx, ids::AwsAccountId};

/// Where one correlation group stands (within the transaction's tenant).
#[derive(Debug, Clone, Copy)]
pub struct GroupKey<'a> {
    pub account: AwsAccountId,
    pub correlation_id: &'a str,
    pub group: &'a str,
}

/// Remembers that an event of the group matched the correlation's base rule.
pub async fn record_match(
    tx: &mut TenantTx,
    key: GroupKey<'_>,
    value: Option<&str>,
    event_id: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into correlation_matches (tenant_id, aws_account_id, correlation_id, group_key, value, event_id, occurred_at)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing",
    )
    .bind(tx.tenant())
    .bind(key.account)
    .bind(key.correlation_id)
    .bind(key.group)
    .bind(value)
    .bind(event_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The fullest window of length `span` that contains `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Distinct values in it (events, for an event count).
    pub distinct: i64,
    /// Matching events in it.
    pub events: i64,
    /// Up to 50 of its event IDs, oldest first.
    pub event_ids: Vec<String>,
}

/// Finds the window of length `span` around `at` with the most distinct values (or
/// events, when the correlation counts events). Every window that holds `at` starts at
/// or after `at - span`, and the fullest one starts at one of its events, so only those
/// starts are tried; events can arrive in any order and still meet in one window.
pub async fn fullest_window(
    tx: &mut TenantTx,
    key: GroupKey<'_>,
    at: DateTime<Utc>,
    span: chrono::Duration,
) -> Result<Window, sqlx::Error> {
    let (distinct, events, event_ids): (i64, i64, Vec<String>) = sqlx::query_as(
        "with m as (
             select occurred_at, event_id, coalesce(value, event_id) as v from correlation_matches
             where tenant_id = $1 and aws_account_id = $2 and correlation_id = $3 and group_key = $4
               and occurred_at between $5 - $6 and $5 + $6),
         best as (
             select s.occurred_at as start,
                    (select count(distinct v) from m where m.occurred_at between s.occurred_at and s.occurred_at + $6) as n
             from m s where s.occurred_at <= $5
             order by n desc, s.occurred_at limit 1)
         select coalesce(max(best.n), 0),
                (select count(*) from m, best where m.occurred_at between best.start and best.start + $6),
                coalesce((select array_agg(event_id order by occurred_at) from (
                    select m.event_id, m.occurred_at from m, best
                    where m.occurred_at between best.start and best.start + $6
                    order by m.occurred_at limit 50) w), '{}')
         from best",
    )
    .bind(tx.tenant())
    .bind(key.account)
    .bind(key.correlation_id)
    .bind(key.group)
    .bind(at)
    .bind(span)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Window {
        distinct,
        events,
        event_ids,
    })
}

/// What a group's baseline said about a value, before this sighting was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    /// The group showed this value within the lookback before `at`.
    pub known: bool,
    /// The group showed anything before `at` (a group with no history is not compared).
    pub has_history: bool,
}

/// Checks a value against the group's baseline, then adds it.
pub async fn sight(
    tx: &mut TenantTx,
    key: GroupKey<'_>,
    value: &str,
    at: DateTime<Utc>,
    lookback: chrono::Duration,
) -> Result<Sighting, sqlx::Error> {
    let (known, has_history): (bool, bool) = sqlx::query_as(
        "select exists (select 1 from baselines
                        where tenant_id = $1 and aws_account_id = $2 and correlation_id = $3 and group_key = $4
                          and value = $5 and first_seen_at <= $6 and last_seen_at >= $6 - $7),
                exists (select 1 from baselines
                        where tenant_id = $1 and aws_account_id = $2 and correlation_id = $3 and group_key = $4
                          and first_seen_at < $6)",
    )
    .bind(tx.tenant())
    .bind(key.account)
    .bind(key.correlation_id)
    .bind(key.group)
    .bind(value)
    .bind(at)
    .bind(lookback)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "insert into baselines (tenant_id, aws_account_id, correlation_id, group_key, value, first_seen_at, last_seen_at)
         values ($1, $2, $3, $4, $5, $6, $6)
         on conflict (tenant_id, aws_account_id, correlation_id, group_key, value) do update
         set first_seen_at = least(baselines.first_seen_at, excluded.first_seen_at),
             last_seen_at = greatest(baselines.last_seen_at, excluded.last_seen_at)",
    )
    .bind(tx.tenant())
    .bind(key.account)
    .bind(key.correlation_id)
    .bind(key.group)
    .bind(value)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(Sighting { known, has_history })
}

/// Where one sequence group stands (within the transaction's tenant).
#[derive(Debug, Clone, Copy)]
pub struct SequenceKey<'a> {
    pub account: AwsAccountId,
    pub sequence_id: &'a str,
    pub group: &'a str,
}

/// A step hit of a sequence group: a rule that raised or grew `alert_id` on an event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SequenceHit {
    pub step: i32,
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub rule_id: String,
    pub alert_id: uuid::Uuid,
}

/// Remembers a step hit; false when the group already had this step on this event (the
/// event was seen before, or another rule on it made the same step).
pub async fn record_step(
    tx: &mut TenantTx,
    key: SequenceKey<'_>,
    hit: &SequenceHit,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "insert into sequence_hits (tenant_id, aws_account_id, sequence_id, group_key, step, event_id, occurred_at, rule_id, alert_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing",
    )
    .bind(tx.tenant())
    .bind(key.account)
    .bind(key.sequence_id)
    .bind(key.group)
    .bind(hit.step)
    .bind(&hit.event_id)
    .bind(hit.occurred_at)
    .bind(&hit.rule_id)
    .bind(hit.alert_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Most hits read per step around one hit: a burst's alert grows with every event, and
/// only the first and last few of each step around the hit can matter to a chain.
const MAX_HITS_PER_STEP: i64 = 200;

/// The group's step hits within `span` of `at` on either side (at most
/// [`MAX_HITS_PER_STEP`] per step, the nearest to `at`), oldest first.
pub async fn step_hits(
    tx: &mut TenantTx,
    key: SequenceKey<'_>,
    at: DateTime<Utc>,
    span: chrono::Duration,
) -> Result<Vec<SequenceHit>, sqlx::Error> {
    sqlx::query_as(
        "select step, event_id, occurred_at, rule_id, alert_id from (
             select h.*, row_number() over (partition by step order by abs(extract(epoch from occurred_at - $5))) as n
             from sequence_hits h
             where tenant_id = $1 and aws_account_id = $2 and sequence_id = $3 and group_key = $4
               and occurred_at between $5 - $6 and $5 + $6) near
         where n <= $7
         order by occurred_at, step, event_id",
    )
    .bind(tx.tenant())
    .bind(key.account)
    .bind(key.sequence_id)
    .bind(key.group)
    .bind(at)
    .bind(span)
    .bind(MAX_HITS_PER_STEP)
    .fetch_all(&mut **tx)
    .await
}
