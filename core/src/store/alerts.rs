//! Alerts raised by detections, grouped so one incident is one alert.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, Postgres, QueryBuilder};
use vigil_domain::{AlertStatus, Severity};

use super::{push_in, sql};
use crate::ids::{AwsAccountId, TenantId};

/// Events of the same group within this window join the open alert.
pub const GROUP_WINDOW: chrono::Duration = chrono::Duration::hours(1);
/// An alert keeps at most this many event IDs (its count keeps growing).
const MAX_EVENT_IDS: i32 = 50;

/// A detection on one event.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub region: String,
    pub event_name: String,
    pub event_source: String,
    pub principal_arn: Option<String>,
    pub source_ip: Option<String>,
    pub source_resource: Option<serde_json::Value>,
    /// What the alert groups on besides rule and account: the principal when `None`;
    /// a correlation's group (and first-seen value) otherwise.
    pub group: Option<String>,
    /// Events the hit stands for (a correlation's window): the new alert's count and
    /// event IDs. Empty for a single event.
    pub window: Vec<String>,
    /// How many events the window held (may exceed the IDs kept).
    pub window_events: i32,
}

/// The key alerts group on: one open alert per rule, account and `who` (a principal, or a
/// correlation's group) within [`GROUP_WINDOW`].
pub fn group_key(rule_id: &str, account: AwsAccountId, who: &str) -> String {
    format!("{rule_id}|{account}|{who}")
}

impl Hit {
    fn group_key(&self, account: AwsAccountId) -> String {
        let who = self
            .group
            .as_deref()
            .or(self.principal_arn.as_deref())
            .unwrap_or("-");
        group_key(&self.rule_id, account, who)
    }
}

/// Whether the group has an open alert that an event at `at` would join.
pub async fn open_within(
    tx: &mut TenantTx,
    group: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar(
        "select exists (select 1 from alerts
                        where tenant_id = $1 and group_key = $2 and status <> 'closed'
                          and last_seen_at >= $3 - $4 and first_seen_at <= $3 + $4)",
    )
    .bind(tenant)
    .bind(group)
    .bind(at)
    .bind(GROUP_WINDOW)
    .fetch_one(&mut **tx)
    .await
}

/// Grows the group's open alert when there is one within the window; returns whether it
/// did.
pub async fn grow(
    tx: &mut TenantTx,
    account: AwsAccountId,
    hit: &Hit,
) -> Result<bool, sqlx::Error> {
    Ok(grow_returning(tx, account, hit).await?.is_some())
}

/// [`grow`], answering the grown alert's ID.
async fn grow_returning(
    tx: &mut TenantTx,
    account: AwsAccountId,
    hit: &Hit,
) -> Result<Option<uuid::Uuid>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar(
        "update alerts set event_count = event_count + 1,
             last_seen_at = greatest(last_seen_at, $4), first_seen_at = least(first_seen_at, $4),
             last_event_id = case when $4 >= last_seen_at then $5 else last_event_id end,
             event_ids = case when cardinality(event_ids) < $6 and not $5 = any(event_ids)
                              then event_ids || $5 else event_ids end
         where tenant_id = $1 and alert_id = (
             select alert_id from alerts
             where tenant_id = $1 and group_key = $2 and status <> 'closed'
               and last_seen_at >= $4 - $3 and first_seen_at <= $4 + $3
             order by last_seen_at desc limit 1)
         returning alert_id",
    )
    .bind(tenant)
    .bind(hit.group_key(account))
    .bind(GROUP_WINDOW)
    .bind(hit.occurred_at)
    .bind(&hit.event_id)
    .bind(MAX_EVENT_IDS)
    .fetch_optional(&mut **tx)
    .await
}

/// Records a hit: grows the group's alert when one is open within the window, raises a
/// new one otherwise. Returns true when a new alert was raised.
pub async fn record(
    tx: &mut TenantTx,
    account: AwsAccountId,
    hit: &Hit,
) -> Result<bool, sqlx::Error> {
    Ok(record_returning(tx, account, hit).await?.1)
}

/// [`record`], answering also the ID of the alert raised or grown (what a sequence links).
pub async fn record_returning(
    tx: &mut TenantTx,
    account: AwsAccountId,
    hit: &Hit,
) -> Result<(uuid::Uuid, bool), sqlx::Error> {
    let tenant = tx.tenant();
    if let Some(id) = grow_returning(tx, account, hit).await? {
        return Ok((id, false));
    }
    let event_ids: Vec<String> = if hit.window.is_empty() {
        vec![hit.event_id.clone()]
    } else {
        hit.window
            .iter()
            .take(MAX_EVENT_IDS as usize)
            .cloned()
            .collect()
    };
    sqlx::query_scalar(
        "insert into alerts (tenant_id, alert_id, aws_account_id, rule_id, title, severity, group_key, region,
                             event_name, event_source, principal_arn, source_ip, source_resource,
                             first_event_id, last_event_id, event_ids, event_count, first_seen_at, last_seen_at)
         values ($1, gen_random_uuid(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $15[1], $13, $15, $16, $14, $14)
         returning alert_id",
    )
    .bind(tenant)
    .bind(account)
    .bind(&hit.rule_id)
    .bind(&hit.title)
    .bind(hit.severity)
    .bind(hit.group_key(account))
    .bind(&hit.region)
    .bind(&hit.event_name)
    .bind(&hit.event_source)
    .bind(&hit.principal_arn)
    .bind(&hit.source_ip)
    .bind(&hit.source_resource)
    .bind(&hit.event_id)
    .bind(hit.occurred_at)
    .bind(&event_ids)
    .bind(hit.window_events.max(1))
    .fetch_one(&mut **tx)
    .await
    .map(|id| (id, true))
}

/// One step of a sequence alert: the alert of the step and the event that made it a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLink {
    /// The step's index in the sequence rule (0 first).
    pub step: i32,
    /// The step's name in the rule.
    pub step_name: String,
    pub step_alert_id: uuid::Uuid,
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
}

/// Links the sequence alert `alert_id` to its steps' alerts (a link already there is kept)
/// and widens its time span to theirs, so the alert spans the whole sequence.
pub async fn link_steps(
    tx: &mut TenantTx,
    alert_id: uuid::Uuid,
    steps: &[StepLink],
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    let step: Vec<i32> = steps.iter().map(|s| s.step).collect();
    let name: Vec<&str> = steps.iter().map(|s| s.step_name.as_str()).collect();
    let step_alert: Vec<uuid::Uuid> = steps.iter().map(|s| s.step_alert_id).collect();
    let event: Vec<&str> = steps.iter().map(|s| s.event_id.as_str()).collect();
    let at: Vec<DateTime<Utc>> = steps.iter().map(|s| s.occurred_at).collect();
    sqlx::query(
        "insert into alert_links (tenant_id, alert_id, step, step_name, step_alert_id, event_id, occurred_at)
         select $1, $2, s.* from unnest($3::int[], $4::text[], $5::uuid[], $6::text[], $7::timestamptz[]) s
         on conflict do nothing",
    )
    .bind(tenant)
    .bind(alert_id)
    .bind(&step)
    .bind(&name)
    .bind(&step_alert)
    .bind(&event)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    let (Some(min), Some(max)) = (at.iter().min(), at.iter().max()) else {
        return Ok(());
    };
    sqlx::query(
        "update alerts set first_seen_at = least(first_seen_at, $3), last_seen_at = greatest(last_seen_at, $4)
         where tenant_id = $1 and alert_id = $2 and (first_seen_at > $3 or last_seen_at < $4)",
    )
    .bind(tenant)
    .bind(alert_id)
    .bind(min)
    .bind(max)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A sequence alert's steps with their alerts, in time order (by step where tied).
pub async fn sequence_steps(
    tx: &mut TenantTx,
    alert_id: uuid::Uuid,
) -> Result<Vec<(StepLink, Alert)>, sqlx::Error> {
    let tenant = tx.tenant();
    let columns: String = COLUMNS
        .split(',')
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<StepRow> = sqlx::query_as(sql(format!(
        "select l.step, l.step_name, l.step_alert_id, l.event_id, l.occurred_at as step_occurred_at, {columns}
         from alert_links l
         join alerts a on a.tenant_id = l.tenant_id and a.alert_id = l.step_alert_id
         where l.tenant_id = $1 and l.alert_id = $2
         order by l.occurred_at, l.step, l.event_id
         limit 200"
    )))
    .bind(tenant)
    .bind(alert_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                StepLink {
                    step: r.step,
                    step_name: r.step_name,
                    step_alert_id: r.step_alert_id,
                    event_id: r.event_id,
                    occurred_at: r.step_occurred_at,
                },
                r.alert,
            )
        })
        .collect())
}

#[derive(FromRow)]
struct StepRow {
    step: i32,
    step_name: String,
    step_alert_id: uuid::Uuid,
    event_id: String,
    step_occurred_at: DateTime<Utc>,
    #[sqlx(flatten)]
    alert: Alert,
}

/// The sequence alerts `step_alert_id` is a step of, most recent first.
pub async fn sequences_of(
    tx: &mut TenantTx,
    step_alert_id: uuid::Uuid,
) -> Result<Vec<Alert>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from alerts
         where tenant_id = $1 and alert_id in (
             select alert_id from alert_links where tenant_id = $1 and step_alert_id = $2)
         order by last_seen_at desc limit 50"
    )))
    .bind(tenant)
    .bind(step_alert_id)
    .fetch_all(&mut **tx)
    .await
}

/// An alert as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Alert {
    pub tenant_id: TenantId,
    pub alert_id: uuid::Uuid,
    pub aws_account_id: AwsAccountId,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: AlertStatus,
    pub region: Option<String>,
    pub event_name: Option<String>,
    pub event_source: Option<String>,
    pub principal_arn: Option<String>,
    pub source_ip: Option<String>,
    pub source_resource: Option<serde_json::Value>,
    pub first_event_id: String,
    pub last_event_id: String,
    pub event_ids: Vec<String>,
    pub event_count: i32,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "tenant_id, alert_id, aws_account_id, rule_id, title, severity, status, region, event_name, \
                       event_source, principal_arn, source_ip, source_resource, first_event_id, last_event_id, \
                       event_ids, event_count, first_seen_at, last_seen_at, acknowledged_by, acknowledged_at, closed_at";

/// Filters of the alerts list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub aws_account_id: Option<AwsAccountId>,
    pub severities: Option<Vec<Severity>>,
    pub statuses: Option<Vec<AlertStatus>>,
    pub event_name: Option<String>,
    pub rule_id: Option<String>,
    pub principal_arn: Option<String>,
    pub source_ip: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Appends `filter`'s conditions that are set, and only those (see the findings store).
fn push_filter(q: &mut QueryBuilder<Postgres>, tenant: TenantId, f: &Filter) {
    q.push(" where tenant_id = ").push_bind(tenant);
    if let Some(account) = f.aws_account_id {
        q.push(" and aws_account_id = ").push_bind(account);
    }
    if let Some(severities) = &f.severities {
        push_in(q, "severity", severities);
    }
    if let Some(statuses) = &f.statuses {
        push_in(q, "status", statuses);
    }
    if let Some(rule) = &f.rule_id {
        q.push(" and rule_id = ").push_bind(rule);
    }
    if let Some(name) = &f.event_name {
        q.push(" and event_name = ").push_bind(name);
    }
    if let Some(principal) = &f.principal_arn {
        q.push(" and principal_arn = ").push_bind(principal);
    }
    if let Some(ip) = &f.source_ip {
        q.push(" and source_ip = ").push_bind(ip);
    }
    if let Some(since) = f.since {
        q.push(" and last_seen_at >= ").push_bind(since);
    }
    if let Some(until) = f.until {
        q.push(" and first_seen_at < ").push_bind(until);
    }
}

/// Alerts counted per day (of their first event, in time zone `tz`, an IANA name) and
/// severity, from `since` on, by day then most severe first; days without alerts are
/// absent. An unknown time zone is a database error with code 22023
/// (`invalid_parameter_value`).
///
/// Read from `alert_quarter_hours` (kept in the alerts' own transactions, so exact) from the
/// first whole quarter hour after `since` on, and from the alerts themselves before it. A
/// quarter hour lies within one local day in every time zone whose offset is a whole number
/// of quarter hours, which is every zone in use today.
pub async fn counts_by_day(
    tx: &mut TenantTx,
    account: Option<AwsAccountId>,
    since: DateTime<Utc>,
    tz: &str,
) -> Result<Vec<(String, Severity, i64)>, sqlx::Error> {
    let tenant = tx.tenant();
    let whole = next_quarter_hour(since);
    sqlx::query_as(
        "with bounds as (
             -- The local midnights from since's day to tomorrow's, as instants: each count
             -- falls in one local day by a binary search (width_bucket), not by converting
             -- every row to the zone.
             select array_agg(d::timestamp at time zone $4 order by d) as midnights
             from generate_series(($3 at time zone $4)::date::timestamp,
                                  ((now() at time zone $4)::date + 1)::timestamp, interval '1 day') d
         ),
         counted as (
             select quarter_hour as at, severity, alerts as n
             from alert_quarter_hours
             where tenant_id = $1 and ($2::uuid is null or aws_account_id = $2)
               and quarter_hour >= $5
             union all
             select first_seen_at, severity, 1
             from alerts
             where tenant_id = $1 and ($2::uuid is null or aws_account_id = $2)
               and first_seen_at >= $3 and first_seen_at < $5
         ),
         days as (
             select width_bucket(at, midnights) as day, severity, sum(n)::bigint as n
             from counted, bounds
             group by 1, 2
         )
         select to_char((midnights[day] at time zone $4)::date, 'YYYY-MM-DD') as day, severity, n
         from days, bounds
         -- Checked once even when nothing is counted, so an unknown zone is always an error.
         where (now() at time zone $4) is not null
         order by days.day, array_position(array['critical','high','medium','low','info'], severity)",
    )
    .bind(tenant)
    .bind(account)
    .bind(since)
    .bind(tz)
    .bind(whole)
    // Planned with its values each time: a generic plan cannot know the partial quarter
    // hour is at most 15 minutes of alerts, and its estimate of a third of the table
    // switched JIT compilation on (30 ms, more than the query itself).
    .persistent(false)
    .fetch_all(&mut **tx)
    .await
}

/// The first quarter hour (UTC-aligned, as `alert_quarter_hour` in SQL) at or after `at`.
fn next_quarter_hour(at: DateTime<Utc>) -> DateTime<Utc> {
    const QUARTER_MICROS: i64 = 15 * 60 * 1_000_000;
    let micros = at.timestamp_micros();
    let next = micros.div_euclid(QUARTER_MICROS) * QUARTER_MICROS
        + if micros.rem_euclid(QUARTER_MICROS) == 0 {
            0
        } else {
            QUARTER_MICROS
        };
    DateTime::from_timestamp_micros(next).unwrap_or(at)
}

/// How an alerts list is ordered, by latest activity (`last_seen_at`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Most recent activity first.
    #[default]
    LastSeenDesc,
    /// Oldest activity first: what a puller resuming from a checkpoint wants.
    LastSeenAsc,
}

/// A page of alerts in `order` after the cursor `after` ([`count`] says how many match).
pub async fn page(
    tx: &mut TenantTx,
    f: &Filter,
    order: Order,
    after: Option<(DateTime<Utc>, uuid::Uuid)>,
    limit: i64,
) -> Result<Vec<Alert>, sqlx::Error> {
    let (past, direction) = match order {
        Order::LastSeenDesc => ("<", "desc"),
        Order::LastSeenAsc => (">", "asc"),
    };
    let mut q = QueryBuilder::new(format!("select {COLUMNS} from alerts"));
    push_filter(&mut q, tx.tenant(), f);
    if let Some((at, id)) = after {
        q.push(format_args!(" and (last_seen_at, alert_id) {past} ("))
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(format_args!(
        " order by last_seen_at {direction}, alert_id {direction} limit "
    ))
    .push_bind(limit);
    q.build_query_as().fetch_all(&mut **tx).await
}

/// How many alerts match `f`. Read from `alert_rollups` (exact: kept in the alerts' own
/// transactions) when the filter keys on nothing else than account, severity, status and
/// rule, which is what the web app's lists and tabs ask; counted from the alerts, through
/// an index, when it names an event, principal, address or time.
pub async fn count(tx: &mut TenantTx, f: &Filter) -> Result<i64, sqlx::Error> {
    let rollups_answer = f.event_name.is_none()
        && f.principal_arn.is_none()
        && f.source_ip.is_none()
        && f.since.is_none()
        && f.until.is_none();
    let mut q = if rollups_answer {
        QueryBuilder::new("select coalesce(sum(alerts), 0)::bigint from alert_rollups")
    } else {
        QueryBuilder::new("select count(*) from alerts")
    };
    push_filter(&mut q, tx.tenant(), f);
    q.build_query_scalar().fetch_one(&mut **tx).await
}

/// Reads one alert.
pub async fn get(tx: &mut TenantTx, id: uuid::Uuid) -> Result<Option<Alert>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from alerts where tenant_id = $1 and alert_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Moves an alert to `acknowledged` or `closed`.
pub async fn set_status(
    tx: &mut TenantTx,
    id: uuid::Uuid,
    status: AlertStatus,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Option<Alert>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update alerts set status = $3,
             acknowledged_by = case when $3 = 'acknowledged' then $4 else acknowledged_by end,
             acknowledged_at = case when $3 = 'acknowledged' then $5 else acknowledged_at end,
             closed_at = case when $3 = 'closed' then $5 else closed_at end
         where tenant_id = $1 and alert_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(at)
    .fetch_optional(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::next_quarter_hour;

    #[test]
    fn the_next_quarter_hour_is_the_time_itself_when_on_one() {
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        assert_eq!(
            next_quarter_hour(at("2026-11-29T07:15:00Z")),
            at("2026-11-29T07:15:00Z")
        );
        assert_eq!(
            next_quarter_hour(at("2026-11-29T07:07:13Z")),
            at("2026-11-29T07:15:00Z")
        );
        assert_eq!(
            next_quarter_hour(at("2026-11-29T23:59:59.5Z")),
            at("2026-11-30T00:00:00Z")
        );
        assert_eq!(
            next_quarter_hour(at("1969-12-31T23:50:00Z")),
            at("1970-01-01T00:00:00Z")
        );
    }
}
