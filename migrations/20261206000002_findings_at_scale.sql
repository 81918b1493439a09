-- Issue 16: findings lists, counts and summaries that stay fast at a million findings per
-- tenant.
--
-- 1. Orders an index serves. `severity_weight` (critical 5 ... info 1) makes "most severe,
--    then most recently seen" one descending key, so a keyset cursor is a row comparison
--    the index answers: (severity_weight, last_seen_at, finding_id) < (...).
alter table findings
    add column severity_weight smallint not null generated always as (
        case severity
            when 'critical' then 5
            when 'high' then 4
            when 'medium' then 3
            when 'low' then 2
            else 1
        end) stored;

drop index findings_listing;
-- With a status filter (the web app's default view and most integrations ask for OPEN).
create index findings_by_severity on findings (tenant_id, status, severity_weight desc, last_seen_at desc, finding_id desc);
create index findings_by_last_seen on findings (tenant_id, status, last_seen_at desc, finding_id desc);
create index findings_by_first_seen on findings (tenant_id, status, first_seen_at desc, finding_id desc);
-- Without one ("all statuses").
create index findings_all_by_severity on findings (tenant_id, severity_weight desc, last_seen_at desc, finding_id desc);
create index findings_all_by_last_seen on findings (tenant_id, last_seen_at desc, finding_id desc);
-- One check's findings with a status (the summary's drill-down): a rule's findings share
-- one severity, so this serves the severity order. Without it the planner walks the
-- severity index from the top and filters, which is slow for a rule of low severity.
create index findings_by_rule on findings (tenant_id, rule_id, status, severity_weight desc, last_seen_at desc, finding_id desc);
-- "Everything on this resource", across accounts and rules.
create index findings_by_resource on findings (tenant_id, resource_id);

-- 2. Counts that do not read the findings. One row per (account, rule, region, status,
--    severity) holding how many findings are in it, kept by statement-level triggers in the
--    same transaction as the change, so a count read through it is exact. A scan touches
--    every finding it sees (last_seen_at) but changes few statuses; the trigger nets the
--    transition tables and writes only the keys whose count moved.
create table finding_rollups
(
    tenant_id      uuid   not null,
    aws_account_id uuid   not null,
    rule_id        text   not null,
    region         text   not null,
    status         text   not null,
    severity       text   not null,
    findings       bigint not null,
    primary key (tenant_id, aws_account_id, rule_id, region, status, severity)
    -- No foreign keys: when an account or tenant is deleted its findings go by cascade,
    -- and the trigger's decrements must not trip over the already deleted account.
);
alter table finding_rollups enable row level security;
alter table finding_rollups force row level security;
create policy tenant_isolation on finding_rollups
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on finding_rollups to vigil_app;

-- Applies the net change of one statement: `delta` holds, per key, how many findings
-- entered it (negative: left it). Keys are written in primary-key order so two transactions
-- cannot deadlock on them; a key that reaches zero goes, so the table holds only what exists.
create function finding_rollups_apply(delta jsonb) returns void
    language plpgsql
as $$
begin
    insert into finding_rollups as f (tenant_id, aws_account_id, rule_id, region, status, severity, findings)
    select (r ->> 'tenant_id')::uuid, (r ->> 'aws_account_id')::uuid, r ->> 'rule_id', r ->> 'region',
           r ->> 'status', r ->> 'severity', (r ->> 'n')::bigint
    from jsonb_array_elements(delta) r
    order by 1, 2, 3, 4, 5, 6
    on conflict (tenant_id, aws_account_id, rule_id, region, status, severity)
        do update set findings = f.findings + excluded.findings;
    delete from finding_rollups f
    using jsonb_array_elements(delta) r
    where f.findings = 0
      and f.tenant_id = (r ->> 'tenant_id')::uuid and f.aws_account_id = (r ->> 'aws_account_id')::uuid
      and f.rule_id = r ->> 'rule_id' and f.region = r ->> 'region'
      and f.status = r ->> 'status' and f.severity = r ->> 'severity';
end
$$;

create function finding_rollups_after_insert() returns trigger
    language plpgsql
as $$
begin
    perform finding_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, rule_id, region, status, severity, count(*) as n
            from new_rows group by 1, 2, 3, 4, 5, 6
        ) k), '[]'));
    return null;
end
$$;

create function finding_rollups_after_update() returns trigger
    language plpgsql
as $$
begin
    perform finding_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, rule_id, region, status, severity, sum(n) as n
            from (
                select tenant_id, aws_account_id, rule_id, region, status, severity, 1 as n from new_rows
                union all
                select tenant_id, aws_account_id, rule_id, region, status, severity, -1 from old_rows
            ) moved
            group by 1, 2, 3, 4, 5, 6
            having sum(n) <> 0
        ) k), '[]'));
    return null;
end
$$;

create function finding_rollups_after_delete() returns trigger
    language plpgsql
as $$
begin
    perform finding_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, rule_id, region, status, severity, -count(*) as n
            from old_rows group by 1, 2, 3, 4, 5, 6
        ) k), '[]'));
    return null;
end
$$;

create trigger finding_rollups_insert after insert on findings
    referencing new table as new_rows for each statement execute function finding_rollups_after_insert();
create trigger finding_rollups_update after update on findings
    referencing old table as old_rows new table as new_rows for each statement execute function finding_rollups_after_update();
create trigger finding_rollups_delete after delete on findings
    referencing old table as old_rows for each statement execute function finding_rollups_after_delete();

-- Findings that exist already.
insert into finding_rollups (tenant_id, aws_account_id, rule_id, region, status, severity, findings)
select tenant_id, aws_account_id, rule_id, region, status, severity, count(*)
from findings
group by 1, 2, 3, 4, 5, 6;
