//! Findings: one rule failing on one resource, opened on first sight, kept fresh, resolved
//! when a complete re-check no longer sees it, reopened if it returns. Suppression is a
//! customer's decision and survives rescans.

use crate::db::TenantTx;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, Postgres, QueryBuilder};
use vigil_domain::{FindingStatus, Severity};

use super::{push_in, sql};

use crate::ids::{AwsAccountId, FindingId, TenantId};

/// A finding as stored.
#[derive(Debug, Clone, FromRow)]
pub struct Finding {
    pub tenant_id: TenantId,
    pub finding_id: FindingId,
    pub aws_account_id: AwsAccountId,
    pub rule_id: String,
    pub region: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub severity: Severity,
    pub status: FindingStatus,
    pub evidence: serde_json::Value,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub suppressed_reason: Option<String>,
    pub suppressed_until: Option<DateTime<Utc>>,
    pub suppressed_by: Option<String>,
}

const COLUMNS: &str = "tenant_id, finding_id, aws_account_id, rule_id, region, resource_type, resource_id, resource_arn, \
                       severity, status, evidence, first_seen_at, last_seen_at, resolved_at, suppressed_reason, \
                       suppressed_until, suppressed_by";

/// A finding seen by a scan.
#[derive(Debug, Clone)]
pub struct Seen {
    pub rule_id: String,
    pub region: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_arn: Option<String>,
    pub severity: Severity,
    pub evidence: serde_json::Value,
}

/// Ends the connection's suppressions that have run out by `now`: each of those findings
/// goes back to open or resolved, as the scans left it (they keep `resolved_at` up to date
/// for suppressed findings too). A scan runs it once, with its results. Returns how many
/// ended.
pub async fn end_expired_suppressions(
    tx: &mut TenantTx,
    account: AwsAccountId,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let tenant = tx.tenant();
    let done = sqlx::query(
        "update findings set status = case when resolved_at is null then 'open' else 'resolved' end,
             suppressed_reason = null, suppressed_until = null, suppressed_by = null
         where tenant_id = $1 and aws_account_id = $2 and status = 'suppressed' and suppressed_until <= $3",
    )
    .bind(tenant)
    .bind(account)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Applies one scan's results to a connection's findings. `complete` lists the
/// (rule, region) pairs the scan fully checked; `unknown` the (rule, region, resource)
/// it could not judge. Returns (opened, resolved).
pub async fn apply_scan(
    tx: &mut TenantTx,
    account: AwsAccountId,
    now: DateTime<Utc>,
    seen: &[Seen],
    complete: &[(String, String)],
    unknown: &[(String, String, String)],
) -> Result<(i64, i64), sqlx::Error> {
    let tenant = tx.tenant();
    let col = |f: fn(&Seen) -> String| seen.iter().map(f).collect::<Vec<_>>();
    let opened: Vec<(FindingId, Option<DateTime<Utc>>)> = sqlx::query_as(
        "with incoming as (
             select * from unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[])
                 as t(rule_id, region, resource_type, resource_id, resource_arn, severity, evidence)
         ),
         prior as (
             select f.rule_id, f.region, f.resource_id, f.status, f.resolved_at from findings f
             join incoming i using (rule_id, region, resource_id)
             where f.tenant_id = $1 and f.aws_account_id = $2
         ),
         upserted as (
             insert into findings (tenant_id, finding_id, aws_account_id, rule_id, region, resource_type, resource_id,
                                   resource_arn, severity, status, evidence, first_seen_at, last_seen_at)
             select $1, gen_random_uuid(), $2, rule_id, region, resource_type, resource_id, nullif(resource_arn, ''),
                    severity, 'open', evidence, $3, $3
             from incoming
             on conflict (tenant_id, aws_account_id, rule_id, region, resource_id) do update set
                 last_seen_at = excluded.last_seen_at, evidence = excluded.evidence, severity = excluded.severity,
                 resource_arn = excluded.resource_arn, resolved_at = null,
                 status = case when findings.status = 'suppressed' then 'suppressed' else 'open' end
             returning finding_id, rule_id, region, resource_id
         )
         -- Data-modifying CTEs always run; `prior` still shows the rows as they were. A
         -- reopened finding's change came after it was resolved; a new one's after the
         -- connection's last finished scan (none yet: after the connection was created).
         select u.finding_id,
                coalesce(p.resolved_at,
                         (select max(s.started_at) from scans s
                          where s.tenant_id = $1 and s.aws_account_id = $2
                            and s.status in ('succeeded', 'partial') and s.started_at < $3),
                         (select a.created_at from aws_accounts a
                          where a.tenant_id = $1 and a.aws_account_id = $2))
         from upserted u
         left join prior p using (rule_id, region, resource_id)
         where p.rule_id is null or p.resolved_at is not null",
    )
    .bind(tenant)
    .bind(account)
    .bind(now)
    .bind(col(|s| s.rule_id.clone()))
    .bind(col(|s| s.region.clone()))
    .bind(col(|s| s.resource_type.clone()))
    .bind(col(|s| s.resource_id.clone()))
    .bind(col(|s| s.resource_arn.clone().unwrap_or_default()))
    .bind(seen.iter().map(|s| s.severity).collect::<Vec<_>>())
    .bind(seen.iter().map(|s| s.evidence.clone()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?;

    // A resolved finding's change came after it was last seen failing.
    let resolved: Vec<(FindingId, Option<DateTime<Utc>>)> = sqlx::query_as(
        "update findings f set resolved_at = $3,
             status = case when f.status = 'suppressed' then 'suppressed' else 'resolved' end
         where f.tenant_id = $1 and f.aws_account_id = $2 and f.resolved_at is null and f.last_seen_at < $3
           and (f.rule_id, f.region) in (select * from unnest($4::text[], $5::text[]))
           and (f.rule_id, f.region, f.resource_id) not in (select * from unnest($6::text[], $7::text[], $8::text[]))
         returning f.finding_id, f.last_seen_at",
    )
    .bind(tenant)
    .bind(account)
    .bind(now)
    .bind(complete.iter().map(|c| c.0.clone()).collect::<Vec<_>>())
    .bind(complete.iter().map(|c| c.1.clone()).collect::<Vec<_>>())
    .bind(unknown.iter().map(|u| u.0.clone()).collect::<Vec<_>>())
    .bind(unknown.iter().map(|u| u.1.clone()).collect::<Vec<_>>())
    .bind(unknown.iter().map(|u| u.2.clone()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?;
    link_changes(tx, account, now, "opened", &opened).await?;
    link_changes(tx, account, now, "resolved", &resolved).await?;
    Ok((opened.len() as i64, resolved.len() as i64))
}

/// How far back the change behind a finding is looked for.
const CHANGE_LOOKBACK_DAYS: i32 = 7;
/// Events linked to one transition at most (the newest).
const CHANGES_PER_TRANSITION: i64 = 10;

/// Links each finding that `transition`ed at `now` to the CloudTrail events that changed
/// its resource since the evaluation before (`since`; none known: nothing linked): the
/// account's successful write calls, not Vigil's, in the finding's region (any, for an
/// account-level one), whose request parameters name the resource by ID or ARN, or whose
/// resources list its ARN.
async fn link_changes(
    tx: &mut TenantTx,
    account: AwsAccountId,
    now: DateTime<Utc>,
    transition: &str,
    flipped: &[(FindingId, Option<DateTime<Utc>>)],
) -> Result<(), sqlx::Error> {
    let flipped: Vec<_> = flipped
        .iter()
        .filter_map(|(id, since)| since.map(|s| (*id, s)))
        .collect();
    if flipped.is_empty() {
        return Ok(());
    }
    let tenant = tx.tenant();
    sqlx::query(
        "insert into finding_changes (tenant_id, finding_id, aws_account_id, transition, evaluated_at, event_id,
                                      occurred_at, event_name, event_source, region, principal_arn, source_ip)
         select $1, f.finding_id, $2, $4, $3, e.event_id, e.occurred_at, e.event_name, e.event_source, e.region,
                e.principal_arn, e.source_ip
         from unnest($5::uuid[], $6::timestamptz[]) c(finding_id, since)
         join findings f on f.tenant_id = $1 and f.finding_id = c.finding_id
         cross join lateral (
             select e.* from events e
             where e.tenant_id = $1 and e.aws_account_id = $2
               -- Event times are whole seconds: a call in the second of the evaluation before counts.
               and e.occurred_at >= greatest(c.since, $3 - make_interval(days => $7)) - interval '1 second'
               and e.occurred_at <= $3
               and e.read_only is not true and e.error_code is null and not e.own
               and (f.region = 'global' or e.region = f.region)
               and (jsonb_path_exists(e.raw, '$.requestParameters.** ? (@ == $id || @ == $arn)',
                                      jsonb_build_object('id', f.resource_id, 'arn', coalesce(f.resource_arn, f.resource_id)))
                    or (f.resource_arn is not null
                        and e.resources @> jsonb_build_array(jsonb_build_object('ARN', f.resource_arn))))
             order by e.occurred_at desc
             limit $8
         ) e
         on conflict do nothing",
    )
    .bind(tenant)
    .bind(account)
    .bind(now)
    .bind(transition)
    .bind(flipped.iter().map(|f| f.0).collect::<Vec<_>>())
    .bind(flipped.iter().map(|f| f.1).collect::<Vec<_>>())
    .bind(CHANGE_LOOKBACK_DAYS)
    .bind(CHANGES_PER_TRANSITION)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A CloudTrail event that changed a finding's resource before it opened or resolved.
#[derive(Debug, Clone, FromRow)]
pub struct Change {
    /// `opened` (opened or reopened) or `resolved`.
    pub transition: String,
    /// The evaluation that saw the finding open or resolve.
    pub evaluated_at: DateTime<Utc>,
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub event_name: String,
    pub event_source: String,
    pub region: String,
    pub principal_arn: Option<String>,
    pub source_ip: Option<String>,
}

/// The changes linked to a finding, newest evaluation first, each evaluation's events in
/// time order.
pub async fn changes(tx: &mut TenantTx, id: FindingId) -> Result<Vec<Change>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(
        "select transition, evaluated_at, event_id, occurred_at, event_name, event_source, region,
                principal_arn, source_ip
         from finding_changes where tenant_id = $1 and finding_id = $2
         order by evaluated_at desc, occurred_at, event_id
         limit 100",
    )
    .bind(tenant)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

/// Filters of the findings list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub aws_account_id: Option<AwsAccountId>,
    pub severities: Option<Vec<Severity>>,
    pub statuses: Option<Vec<FindingStatus>>,
    pub rule_id: Option<String>,
    pub resource_id: Option<String>,
    pub region: Option<String>,
}

/// Keyset position: severity rank (or the order's tag), the order's time, ID.
pub type Cursor = (i32, DateTime<Utc>, FindingId);

/// How a findings list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Most severe first, then most recently seen.
    #[default]
    Severity,
    /// Most recently seen first.
    LastSeen,
    /// Most recently opened first.
    FirstSeen,
}

impl Order {
    /// A row's cursor. Its first element is the severity rank (1 critical to 5 info) for
    /// `Severity` and a negative tag for the time orders, so a cursor cannot be used with
    /// another order.
    pub fn cursor(self, rank: i32, f: &Finding) -> Cursor {
        match self {
            Order::Severity => (rank, f.last_seen_at, f.finding_id),
            Order::LastSeen => (-1, f.last_seen_at, f.finding_id),
            Order::FirstSeen => (-2, f.first_seen_at, f.finding_id),
        }
    }

    /// Whether `cursor` was made by this order.
    pub fn made(self, cursor: &Cursor) -> bool {
        match self {
            Order::Severity => (1..=5).contains(&cursor.0),
            Order::LastSeen => cursor.0 == -1,
            Order::FirstSeen => cursor.0 == -2,
        }
    }

    /// The sort key, all descending, so that "after the cursor" is one row comparison
    /// that the matching index (`findings_*by_*`, migration 20261206000002) answers.
    fn key(self) -> &'static str {
        match self {
            Order::Severity => "severity_weight, last_seen_at, finding_id",
            Order::LastSeen => "last_seen_at, finding_id",
            Order::FirstSeen => "first_seen_at, finding_id",
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Order::Severity => "severity_weight desc, last_seen_at desc, finding_id desc",
            Order::LastSeen => "last_seen_at desc, finding_id desc",
            Order::FirstSeen => "first_seen_at desc, finding_id desc",
        }
    }
}

/// Severity rank 1 (critical) to 5 (info) from the stored weight (5 critical to 1 info).
const RANK: &str = "(6 - severity_weight)::int";

/// Appends `filter`'s conditions that are set, and only those: each query gets a plan for
/// what it actually filters on, not a generic one for every combination.
fn push_filter(q: &mut QueryBuilder<Postgres>, tenant: TenantId, filter: &Filter) {
    q.push(" where tenant_id = ").push_bind(tenant);
    if let Some(account) = filter.aws_account_id {
        q.push(" and aws_account_id = ").push_bind(account);
    }
    if let Some(severities) = &filter.severities {
        push_in(q, "severity", severities);
    }
    if let Some(statuses) = &filter.statuses {
        push_in(q, "status", statuses);
    }
    if let Some(rule) = &filter.rule_id {
        q.push(" and rule_id = ").push_bind(rule);
    }
    if let Some(resource) = &filter.resource_id {
        q.push(" and resource_id = ").push_bind(resource);
    }
    if let Some(region) = &filter.region {
        q.push(" and region = ").push_bind(region);
    }
}

/// A page of findings in `order`, each with its severity rank ([`count`] says how many
/// match).
pub async fn page(
    tx: &mut TenantTx,
    filter: &Filter,
    order: Order,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<(i32, Finding)>, sqlx::Error> {
    #[derive(FromRow)]
    struct Row {
        rank: i32,
        #[sqlx(flatten)]
        finding: Finding,
    }
    let mut q = QueryBuilder::new(format!("select {RANK} as rank, {COLUMNS} from findings"));
    push_filter(&mut q, tx.tenant(), filter);
    if let Some((rank, at, id)) = after {
        q.push(format_args!(" and ({}) < (", order.key()));
        if order == Order::Severity {
            q.push_bind((6 - rank) as i16).push(", ");
        }
        q.push_bind(at).push(", ").push_bind(id).push(")");
    }
    q.push(format_args!(" order by {} limit ", order.order_by()))
        .push_bind(limit);
    let rows: Vec<Row> = q.build_query_as().fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|r| (r.rank, r.finding)).collect())
}

/// How many findings match `filter`. Read from `finding_rollups` (kept in the findings'
/// own transactions, so exact) unless the filter names a resource, which the rollups do
/// not key on; a resource has few findings and its own index.
pub async fn count(tx: &mut TenantTx, filter: &Filter) -> Result<i64, sqlx::Error> {
    let mut q = if filter.resource_id.is_some() {
        QueryBuilder::new("select count(*) from findings")
    } else {
        QueryBuilder::new("select coalesce(sum(findings), 0)::bigint from finding_rollups")
    };
    push_filter(&mut q, tx.tenant(), filter);
    q.build_query_scalar().fetch_one(&mut **tx).await
}

/// Reads one finding.
pub async fn get(tx: &mut TenantTx, id: FindingId) -> Result<Option<Finding>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "select {COLUMNS} from findings where tenant_id = $1 and finding_id = $2"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Suppresses a finding with a reason, optionally until a time.
pub async fn suppress(
    tx: &mut TenantTx,
    id: FindingId,
    reason: &str,
    until: Option<DateTime<Utc>>,
    by: &str,
) -> Result<Option<Finding>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update findings set status = 'suppressed', suppressed_reason = $3, suppressed_until = $4, suppressed_by = $5
         where tenant_id = $1 and finding_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .bind(reason)
    .bind(until)
    .bind(by)
    .fetch_optional(&mut **tx)
    .await
}

/// Lifts a suppression: the finding is open or resolved again, as the last scan saw it.
pub async fn unsuppress(tx: &mut TenantTx, id: FindingId) -> Result<Option<Finding>, sqlx::Error> {
    let tenant = tx.tenant();
    sqlx::query_as(sql(format!(
        "update findings set status = case when resolved_at is null then 'open' else 'resolved' end,
             suppressed_reason = null, suppressed_until = null, suppressed_by = null
         where tenant_id = $1 and finding_id = $2 returning {COLUMNS}"
    )))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Open findings counted by severity and by rule (each rule with its most severe level),
/// from `finding_rollups`.
pub async fn summary(
    tx: &mut TenantTx,
    account: Option<AwsAccountId>,
) -> Result<(Vec<(Severity, i64)>, Vec<(String, Severity, i64)>), sqlx::Error> {
    let tenant = tx.tenant();
    let by_severity = sqlx::query_as(
        "select severity, sum(findings)::bigint from finding_rollups
         where tenant_id = $1 and ($2::uuid is null or aws_account_id = $2) and status = 'open'
         group by severity order by array_position(array['critical','high','medium','low','info'], severity)",
    )
    .bind(tenant)
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    let by_rule = sqlx::query_as(
        "select rule_id,
                (array_agg(severity order by array_position(array['critical','high','medium','low','info'], severity)))[1],
                sum(findings)::bigint
         from finding_rollups
         where tenant_id = $1 and ($2::uuid is null or aws_account_id = $2) and status = 'open'
         group by rule_id order by 3 desc, rule_id",
    )
    .bind(tenant)
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    Ok((by_severity, by_rule))
}
