-- Issue 16: alerts lists, counts and the dashboard's chart that stay fast at a million
-- alerts per tenant (same approach as 20261206000002 for findings).
--
-- 1. Orders an index serves: newest activity first with the id as tie-breaker in the same
--    direction, so a keyset cursor is a row comparison the index answers, with and without
--    the filters the web app and integrations use most.
drop index alerts_recent;
create index alerts_by_last_seen on alerts (tenant_id, last_seen_at desc, alert_id desc);
create index alerts_by_status on alerts (tenant_id, status, last_seen_at desc, alert_id desc);
create index alerts_by_severity on alerts (tenant_id, severity, last_seen_at desc, alert_id desc);
create index alerts_by_rule on alerts (tenant_id, rule_id, last_seen_at desc, alert_id desc);
-- The chart's first partial quarter hour, and `until` filters.
create index alerts_by_first_seen on alerts (tenant_id, first_seen_at);

-- 2. Counts that do not read the alerts, kept by statement-level triggers in the alerts'
--    own transactions (so exact):
--    - alert_rollups: how many alerts per (account, rule, status, severity), for totalCount;
--    - alert_quarter_hours: how many alerts were first seen per (account, severity, quarter
--      hour), for alertCountsByDay. A quarter hour, not a day, because the chart's days are
--      the viewer's time zone's, and every zone in use today is offset from UTC by a whole
--      number of quarter hours, so each quarter hour falls in one local day.
--    An alert that grows (a new hit: last_seen_at, event_count) changes neither, and the
--    trigger writes nothing for it; acknowledging or closing moves one count between
--    statuses. No foreign keys, for the same reason as finding_rollups.
create table alert_rollups
(
    tenant_id      uuid   not null,
    aws_account_id uuid   not null,
    rule_id        text   not null,
    status         text   not null,
    severity       text   not null,
    alerts         bigint not null,
    primary key (tenant_id, aws_account_id, rule_id, status, severity)
);
create table alert_quarter_hours
(
    tenant_id      uuid        not null,
    quarter_hour   timestamptz not null,
    aws_account_id uuid        not null,
    severity       text        not null,
    alerts         bigint      not null,
    primary key (tenant_id, quarter_hour, aws_account_id, severity)
);
alter table alert_rollups enable row level security;
alter table alert_rollups force row level security;
create policy tenant_isolation on alert_rollups
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on alert_rollups to vigil_app;
alter table alert_quarter_hours enable row level security;
alter table alert_quarter_hours force row level security;
create policy tenant_isolation on alert_quarter_hours
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on alert_quarter_hours to vigil_app;

-- The quarter hour `at` falls in (UTC-aligned).
create function alert_quarter_hour(at timestamptz) returns timestamptz
    language sql immutable parallel safe
as $$ select date_bin('15 minutes', at, timestamptz '2000-01-01 00:00:00+00') $$;

-- The rows of a delta (see below) as a table.
create function alert_delta_rows(delta jsonb)
    returns table
            (
                tenant_id      uuid,
                aws_account_id uuid,
                rule_id        text,
                status         text,
                severity       text,
                quarter_hour   timestamptz,
                n              bigint
            )
    language sql immutable parallel safe
as $$
select (r ->> 'tenant_id')::uuid, (r ->> 'aws_account_id')::uuid, r ->> 'rule_id', r ->> 'status',
       r ->> 'severity', (r ->> 'quarter_hour')::timestamptz, (r ->> 'n')::bigint
from jsonb_array_elements(delta) r
$$;

-- Applies the net change of one statement: `delta` holds, per (account, rule, status,
-- severity, quarter hour), how many alerts entered it (negative: left it). Keys are written
-- in primary-key order so concurrent transactions cannot deadlock on them; keys at zero go.
create function alert_rollups_apply(delta jsonb) returns void
    language plpgsql
as $$
begin
    insert into alert_rollups as a (tenant_id, aws_account_id, rule_id, status, severity, alerts)
    select d.tenant_id, d.aws_account_id, d.rule_id, d.status, d.severity, sum(d.n)
    from alert_delta_rows(delta) d
    group by 1, 2, 3, 4, 5
    having sum(d.n) <> 0
    order by 1, 2, 3, 4, 5
    on conflict (tenant_id, aws_account_id, rule_id, status, severity)
        do update set alerts = a.alerts + excluded.alerts;
    delete from alert_rollups a
    using alert_delta_rows(delta) d
    where a.alerts = 0
      and a.tenant_id = d.tenant_id and a.aws_account_id = d.aws_account_id and a.rule_id = d.rule_id
      and a.status = d.status and a.severity = d.severity;

    insert into alert_quarter_hours as q (tenant_id, quarter_hour, aws_account_id, severity, alerts)
    select d.tenant_id, d.quarter_hour, d.aws_account_id, d.severity, sum(d.n)
    from alert_delta_rows(delta) d
    group by 1, 2, 3, 4
    having sum(d.n) <> 0
    order by 1, 2, 3, 4
    on conflict (tenant_id, quarter_hour, aws_account_id, severity)
        do update set alerts = q.alerts + excluded.alerts;
    delete from alert_quarter_hours q
    using alert_delta_rows(delta) d
    where q.alerts = 0
      and q.tenant_id = d.tenant_id and q.quarter_hour = d.quarter_hour
      and q.aws_account_id = d.aws_account_id and q.severity = d.severity;
end
$$;

create function alert_rollups_after_insert() returns trigger
    language plpgsql
as $$
begin
    perform alert_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, rule_id, status, severity,
                   alert_quarter_hour(first_seen_at) as quarter_hour, count(*) as n
            from new_rows group by 1, 2, 3, 4, 5, 6
        ) k), '[]'));
    return null;
end
$$;

create function alert_rollups_after_update() returns trigger
    language plpgsql
as $$
declare
    delta jsonb;
begin
    select jsonb_agg(k) into delta from (
        select tenant_id, aws_account_id, rule_id, status, severity, quarter_hour, sum(n) as n
        from (
            select tenant_id, aws_account_id, rule_id, status, severity,
                   alert_quarter_hour(first_seen_at) as quarter_hour, 1 as n
            from new_rows
            union all
            select tenant_id, aws_account_id, rule_id, status, severity,
                   alert_quarter_hour(first_seen_at), -1
            from old_rows
        ) moved
        group by 1, 2, 3, 4, 5, 6
        having sum(n) <> 0
    ) k;
    -- Most updates are an alert growing by a hit: nothing to count.
    if delta is not null then
        perform alert_rollups_apply(delta);
    end if;
    return null;
end
$$;

create function alert_rollups_after_delete() returns trigger
    language plpgsql
as $$
begin
    perform alert_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, rule_id, status, severity,
                   alert_quarter_hour(first_seen_at) as quarter_hour, -count(*) as n
            from old_rows group by 1, 2, 3, 4, 5, 6
        ) k), '[]'));
    return null;
end
$$;

create trigger alert_rollups_insert after insert on alerts
    referencing new table as new_rows for each statement execute function alert_rollups_after_insert();
create trigger alert_rollups_update after update on alerts
    referencing old table as old_rows new table as new_rows for each statement execute function alert_rollups_after_update();
create trigger alert_rollups_delete after delete on alerts
    referencing old table as old_rows for each statement execute function alert_rollups_after_delete();

-- Alerts that exist already.
insert into alert_rollups (tenant_id, aws_account_id, rule_id, status, severity, alerts)
select tenant_id, aws_account_id, rule_id, status, severity, count(*)
from alerts
group by 1, 2, 3, 4, 5;
insert into alert_quarter_hours (tenant_id, quarter_hour, aws_account_id, severity, alerts)
select tenant_id, alert_quarter_hour(first_seen_at), aws_account_id, severity, count(*)
from alerts
group by 1, 2, 3, 4;
