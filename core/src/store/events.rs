//! CloudTrail events: stored once per tenant (by event ID and time), with the fields
//! people filter on as columns and the raw record as JSONB; the ingestion cursors and the
//! trail files already read are written in the same transaction as the events.

use crate::db::TenantTx;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder};

use crate::ids::{AwsAccountId, TenantId};

/// An event ready to store.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub event_name: String,
    pub event_source: String,
    pub region: String,
    pub principal_arn: Option<String>,
    pub principal_type: Option<String>,
    pub access_key_id: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub read_only: Option<bool>,
    pub resources: serde_json::Value,
    pub own: bool,
    pub raw: serde_json::Value,
}

/// Creates the daily partitions these events need.
pub async fn ensure_partitions(
    conn: &mut PgConnection,
    events: &[NewEvent],
) -> Result<(), sqlx::Error> {
    let mut days: Vec<NaiveDate> = events.iter().map(|e| e.occurred_at.date_naive()).collect();
    days.sort();
    days.dedup();
    for day in days {
        sqlx::query("select ensure_event_partition($1)")
            .bind(day)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Stores events, skipping those already stored. Returns the IDs of those that were new
/// (so that detections run once per event, however often it is read).
pub async fn insert(
    tx: &mut TenantTx,
    account: AwsAccountId,
    events: &[NewEvent],
) -> Result<Vec<String>, sqlx::Error> {
    let tenant = tx.tenant();
    if events.is_empty() {
        return Ok(Vec::new());
    }
    ensure_partitions(tx, events).await?;
    let s = |f: fn(&NewEvent) -> String| events.iter().map(f).collect::<Vec<_>>();
    let o = |f: fn(&NewEvent) -> Option<String>| events.iter().map(f).collect::<Vec<_>>();
    let inserted: Vec<String> = sqlx::query_scalar(
        "insert into events (tenant_id, aws_account_id, event_id, occurred_at, event_name, event_source, region,
                             principal_arn, principal_type, access_key_id, source_ip, user_agent, error_code,
                             read_only, resources, own, raw)
         select $1, $2, * from unnest($3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[],
                                      $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bool[],
                                      $15::jsonb[], $16::bool[], $17::jsonb[])
         on conflict (tenant_id, occurred_at, event_id) do nothing
         returning event_id",
    )
    .bind(tenant)
    .bind(account)
    .bind(s(|e| e.event_id.clone()))
    .bind(events.iter().map(|e| e.occurred_at).collect::<Vec<_>>())
    .bind(s(|e| e.event_name.clone()))
    .bind(s(|e| e.event_source.clone()))
    .bind(s(|e| e.region.clone()))
    .bind(o(|e| e.principal_arn.clone()))
    .bind(o(|e| e.principal_type.clone()))
    .bind(o(|e| e.access_key_id.clone()))
    .bind(o(|e| e.source_ip.clone()))
    .bind(o(|e| e.user_agent.clone()))
    .bind(o(|e| e.error_code.clone()))
    .bind(events.iter().map(|e| e.read_only).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.resources.clone()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.own).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.raw.clone()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?;
    if let Some(newest) = events.iter().map(|e| e.occurred_at).max() {
        sqlx::query(
            "update aws_accounts set last_activity_at = greatest(coalesce(last_activity_at, $3), $3)
             where tenant_id = $1 and aws_account_id = $2",
        )
        .bind(tenant)
        .bind(account)
        .bind(newest)
        .execute(&mut **tx)
        .await?;
    }
    Ok(inserted)
}

/// Where a source was read up to.
pub async fn cursor(
    tx: &mut TenantTx,
    account: AwsAccountId,
    source: &str,
) -> Result<Option<String>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar(
        "select position from ingest_cursors where tenant_id = $1 and aws_account_id = $2 and source = $3",
    )
    .bind(tenant)
    .bind(account)
    .bind(source)
    .fetch_optional(&mut **tx)
    .await
}

/// Moves a source's cursor (in the transaction that stores the events it covers).
pub async fn set_cursor(
    tx: &mut TenantTx,
    account: AwsAccountId,
    source: &str,
    position: &str,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "insert into ingest_cursors (tenant_id, aws_account_id, source, position) values ($1, $2, $3, $4)
         on conflict (tenant_id, aws_account_id, source) do update set position = excluded.position, updated_at = now()",
    )
    .bind(tenant)
    .bind(account)
    .bind(source)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which of these trail files were already read.
pub async fn files_read(
    tx: &mut TenantTx,
    account: AwsAccountId,
    keys: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_scalar(
        "select file_key from ingested_files where tenant_id = $1 and aws_account_id = $2 and file_key = any($3)",
    )
    .bind(tenant)
    .bind(account)
    .bind(keys)
    .fetch_all(&mut **tx)
    .await
}

/// Records a trail file as read (with its events, in one transaction).
pub async fn mark_file_read(
    tx: &mut TenantTx,
    account: AwsAccountId,
    key: &str,
) -> Result<(), sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query(
        "insert into ingested_files (tenant_id, aws_account_id, file_key) values ($1, $2, $3) on conflict do nothing",
    )
    .bind(tenant)
    .bind(account)
    .bind(key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An event as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Event {
    pub tenant_id: TenantId,
    pub aws_account_id: AwsAccountId,
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub event_name: String,
    pub event_source: String,
    pub region: String,
    pub principal_arn: Option<String>,
    pub principal_type: Option<String>,
    pub access_key_id: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub read_only: Option<bool>,
    pub own: bool,
    pub raw: serde_json::Value,
}

const COLUMNS: &str = "tenant_id, aws_account_id, event_id, occurred_at, event_name, event_source, region, principal_arn, \
                       principal_type, access_key_id, source_ip, user_agent, error_code, read_only, own, raw";

/// Filters of the events list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub aws_account_id: Option<AwsAccountId>,
    pub event_name: Option<String>,
    pub event_source: Option<String>,
    pub principal_arn: Option<String>,
    pub source_ip: Option<String>,
    pub error_code: Option<String>,
    pub region: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Appends `f`'s conditions that are set, and only those: each query is planned for its
/// own filters (an index per filter, partitions pruned by the time bounds), where one shape
/// with `($n is null or ...)` for every filter got a generic plan reading every partition.
fn push_filter(q: &mut QueryBuilder<Postgres>, tenant: TenantId, f: &Filter) {
    q.push(" where tenant_id = ").push_bind(tenant);
    if let Some(account) = f.aws_account_id {
        q.push(" and aws_account_id = ").push_bind(account);
    }
    for (column, value) in [
        ("event_name", &f.event_name),
        ("event_source", &f.event_source),
        ("principal_arn", &f.principal_arn),
        ("source_ip", &f.source_ip),
        ("error_code", &f.error_code),
        ("region", &f.region),
    ] {
        if let Some(v) = value {
            q.push(format_args!(" and {column} = "))
                .push_bind(v.clone());
        }
    }
    if let Some(since) = f.since {
        q.push(" and occurred_at >= ").push_bind(since);
    }
    if let Some(until) = f.until {
        q.push(" and occurred_at < ").push_bind(until);
    }
}

/// How far back each successive read of [`page`] reaches, from the newest event wanted:
/// the first read stays in the latest one or two daily partitions, where a busy tenant's
/// page is found; an older or quieter tenant's page takes a few more reads, the last of them
/// unbounded.
const PAGE_WINDOWS: [chrono::TimeDelta; 3] = [
    chrono::TimeDelta::days(1),
    chrono::TimeDelta::days(7),
    chrono::TimeDelta::days(30),
];

/// A page of events, newest first, after the cursor `after` ([`count`] says how many
/// match).
///
/// Read a time window at a time, newest first, until the page is full: with no lower time
/// bound, the newest-first order merges the first entries of every daily partition (90 by
/// default), where one day's window reads one or two.
pub async fn page(
    tx: &mut TenantTx,
    f: &Filter,
    after: Option<(DateTime<Utc>, String)>,
    limit: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    let newest = [after.as_ref().map(|(at, _)| *at), f.until]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or_else(Utc::now);
    // Planned for each window's bounds, so only its partitions are planned: the generic plan
    // a prepared statement tries at its sixth run plans all ninety (35 ms, once per pooled
    // connection and query shape) and is then not chosen.
    sqlx::query("select set_config('plan_cache_mode', 'force_custom_plan', true)")
        .execute(&mut **tx)
        .await?;
    let mut rows = Vec::new();
    // Each window's events are older than the previous window's lower bound.
    let mut before: Option<DateTime<Utc>> = None;
    for reach in PAGE_WINDOWS.into_iter().map(Some).chain([None]) {
        let from = reach.map(|r| newest - r);
        // A filter's own lower bound at or above the window's makes the window moot.
        let last = match (from, f.since) {
            (Some(from), Some(since)) => since >= from,
            (Some(_), None) => false,
            (None, _) => true,
        };
        let window = Filter {
            since: if last { f.since } else { from },
            until: match (before, f.until) {
                (Some(b), Some(u)) => Some(b.min(u)),
                (b, u) => b.or(u),
            },
            ..f.clone()
        };
        let mut q = QueryBuilder::new(format!("select {COLUMNS} from events"));
        push_filter(&mut q, tx.tenant(), &window);
        if let Some((at, id)) = &after {
            q.push(" and (occurred_at, event_id) < (")
                .push_bind(*at)
                .push(", ")
                .push_bind(id.clone())
                .push(")");
        }
        let wanted = limit - rows.len() as i64;
        q.push(" order by occurred_at desc, event_id desc limit ")
            .push_bind(wanted);
        let mut more: Vec<Event> = q.build_query_as().fetch_all(&mut **tx).await?;
        rows.append(&mut more);
        if last || rows.len() as i64 >= limit {
            break;
        }
        before = from;
    }
    Ok(rows)
}

/// Up to this many matches, [`count`] counts the events themselves when the rollups cannot
/// answer exactly; above, it estimates.
pub const EXACT_COUNT_LIMIT: i64 = 10_000;

/// How many events match `f`, and whether that is an estimate.
///
/// A filter of rollup keys (connection, service, API name) and time bounds at UTC midnight,
/// or none, is answered exactly from `event_rollups`. Other filters are counted through
/// their indexes up to [`EXACT_COUNT_LIMIT`], which stops reading there; above it, the
/// estimate is the rollups' count prorated over the partial days (time bounds off
/// midnight), or the query planner's (principal, address, error code, region), at least
/// the limit + 1.
pub async fn count(tx: &mut TenantTx, f: &Filter) -> Result<(i64, bool), sqlx::Error> {
    let by_rollup_keys = f.principal_arn.is_none()
        && f.source_ip.is_none()
        && f.error_code.is_none()
        && f.region.is_none();
    let rolled = if by_rollup_keys {
        let (upper, prorated) = rollup_count(tx, f).await?;
        let midnight =
            |t: &DateTime<Utc>| t.num_seconds_from_midnight() == 0 && t.nanosecond() == 0;
        if f.since.iter().chain(&f.until).all(midnight) {
            return Ok((upper, false));
        }
        Some(prorated)
    } else {
        None
    };
    let mut q = QueryBuilder::new("select count(*) from (select 1 from events");
    push_filter(&mut q, tx.tenant(), f);
    q.push(" limit ")
        .push_bind(EXACT_COUNT_LIMIT + 1)
        .push(") capped");
    let capped: i64 = q.build_query_scalar().fetch_one(&mut **tx).await?;
    if capped <= EXACT_COUNT_LIMIT {
        return Ok((capped, false));
    }
    let estimate = match rolled {
        Some(prorated) => prorated,
        None => {
            let mut q = QueryBuilder::new("explain (format json) select 1 from events");
            push_filter(&mut q, tx.tenant(), f);
            let plan: serde_json::Value = q.build_query_scalar().fetch_one(&mut **tx).await?;
            plan[0]["Plan"]["Plan Rows"].as_f64().unwrap_or_default()
        }
    };
    // Saturating: a float beyond i64 becomes i64::MAX, not a wrap.
    #[allow(clippy::cast_possible_truncation)]
    let estimate = estimate.round() as i64;
    Ok((estimate.max(EXACT_COUNT_LIMIT + 1), true))
}

/// The rollups' count of the events of the days `f`'s time bounds touch (exact when the
/// bounds fall on UTC midnights), and that count prorated by how much of each day the
/// bounds cover. Only the rollup keys of `f` are read: per connection and day, or per API
/// name too when a name or a service is asked for.
async fn rollup_count(tx: &mut TenantTx, f: &Filter) -> Result<(i64, f64), sqlx::Error> {
    let by_name = f.event_source.is_some() || f.event_name.is_some();
    let table = if by_name {
        "event_rollups"
    } else {
        "event_day_rollups"
    };
    // Days first (at most one row a day), then each day's share of the bounds.
    let mut q = QueryBuilder::new(format!(
        "select coalesce(sum(events) filter (where covered > 0), 0)::bigint,
                coalesce(sum(events * covered), 0)::float8
         from (select day, sum(events) as events from {table} where tenant_id = "
    ));
    q.push_bind(tx.tenant());
    if let Some(account) = f.aws_account_id {
        q.push(" and aws_account_id = ").push_bind(account);
    }
    if let Some(source) = &f.event_source {
        q.push(" and event_source = ").push_bind(source.clone());
    }
    if let Some(name) = &f.event_name {
        q.push(" and event_name = ").push_bind(name.clone());
    }
    if let Some(since) = f.since {
        q.push(" and day >= (")
            .push_bind(since)
            .push(" at time zone 'UTC')::date");
    }
    if let Some(until) = f.until {
        q.push(" and day <= (")
            .push_bind(until)
            .push(" at time zone 'UTC')::date");
    }
    // `least`/`greatest` skip a null bound: an open side covers the whole day.
    q.push(
        " group by day) d, lateral (select extract(epoch from least((day + 1)::timestamp at time zone 'UTC', ",
    )
    .push_bind(f.until)
    .push("::timestamptz) - greatest(day::timestamp at time zone 'UTC', ")
    .push_bind(f.since)
    .push("::timestamptz)) / 86400 as covered) c");
    q.build_query_as().fetch_one(&mut **tx).await
}
