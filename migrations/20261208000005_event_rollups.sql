-- Events counted per connection and UTC day (`event_day_rollups`), and per connection, UTC
-- day, service and API name (`event_rollups`), kept by statement triggers in the events' own
-- transactions (exact, like finding_rollups and asset_rollups): the events list's
-- `totalCount` with no filter, a connection, a service, an API name and/or day-aligned time
-- bounds is a sum of at most a few hundred of these rows, where counting ten million events took
-- seconds and the planner's estimate took 25 ms of planning over ninety daily partitions
-- (docs/performance.md). Other filters still count up to 10,000 and estimate above.
create table event_rollups
(
    tenant_id      uuid   not null,
    aws_account_id uuid   not null,
    -- The UTC day of `occurred_at`: the daily partition the events are in.
    day            date   not null,
    event_source   text   not null,
    event_name     text   not null,
    events         bigint not null,
    primary key (tenant_id, aws_account_id, day, event_source, event_name)
    -- No foreign keys, as the other rollups: an account's deletion cascades to its events,
    -- whose trigger must not trip over the already deleted account.
);
-- One API name's or one service's days across the tenant's connections.
create index event_rollups_by_name on event_rollups (tenant_id, event_name, day);
create index event_rollups_by_source on event_rollups (tenant_id, event_source, day);

-- The same per connection and day only: the default view and a connection's count read 90
-- rows a connection, not one per API name as well.
create table event_day_rollups
(
    tenant_id      uuid   not null,
    aws_account_id uuid   not null,
    day            date   not null,
    events         bigint not null,
    primary key (tenant_id, aws_account_id, day)
);

do $$
declare
    t text;
begin
    foreach t in array array ['event_rollups', 'event_day_rollups'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert, update, delete on %I to vigil_app', t);
    end loop;
end
$$;

-- Applies one statement's net change: keys in primary-key order so two transactions cannot
-- deadlock; a key that reaches zero goes.
create function event_rollups_apply(delta jsonb) returns void
    language plpgsql
as $$
begin
    insert into event_rollups as e (tenant_id, aws_account_id, day, event_source, event_name, events)
    select (r ->> 'tenant_id')::uuid, (r ->> 'aws_account_id')::uuid, (r ->> 'day')::date, r ->> 'event_source',
           r ->> 'event_name', (r ->> 'n')::bigint
    from jsonb_array_elements(delta) r
    order by 1, 2, 3, 4, 5
    on conflict (tenant_id, aws_account_id, day, event_source, event_name)
        do update set events = e.events + excluded.events;
    delete from event_rollups e
    using jsonb_array_elements(delta) r
    where e.events = 0
      and e.tenant_id = (r ->> 'tenant_id')::uuid and e.aws_account_id = (r ->> 'aws_account_id')::uuid
      and e.day = (r ->> 'day')::date and e.event_source = r ->> 'event_source'
      and e.event_name = r ->> 'event_name';
    insert into event_day_rollups as e (tenant_id, aws_account_id, day, events)
    select (r ->> 'tenant_id')::uuid, (r ->> 'aws_account_id')::uuid, (r ->> 'day')::date, sum((r ->> 'n')::bigint)
    from jsonb_array_elements(delta) r
    group by 1, 2, 3
    order by 1, 2, 3
    on conflict (tenant_id, aws_account_id, day) do update set events = e.events + excluded.events;
    delete from event_day_rollups e
    using jsonb_array_elements(delta) r
    where e.events = 0
      and e.tenant_id = (r ->> 'tenant_id')::uuid and e.aws_account_id = (r ->> 'aws_account_id')::uuid
      and e.day = (r ->> 'day')::date;
end
$$;

create function event_rollups_after_insert() returns trigger
    language plpgsql
as $$
begin
    perform event_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, (occurred_at at time zone 'UTC')::date as day, event_source, event_name,
                   count(*) as n
            from new_rows group by 1, 2, 3, 4, 5
        ) k), '[]'));
    return null;
end
$$;

create function event_rollups_after_delete() returns trigger
    language plpgsql
as $$
begin
    perform event_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, (occurred_at at time zone 'UTC')::date as day, event_source, event_name,
                   -count(*) as n
            from old_rows group by 1, 2, 3, 4, 5
        ) k), '[]'));
    return null;
end
$$;

-- Events are stored once and never changed (an update of the counted columns would need
-- its own trigger); inserts and deletes move the counts.
create trigger event_rollups_insert after insert on events
    referencing new table as new_rows for each statement execute function event_rollups_after_insert();
create trigger event_rollups_delete after delete on events
    referencing old table as old_rows for each statement execute function event_rollups_after_delete();

-- Retention drops whole daily partitions (no delete trigger fires): their days go too.
create or replace function drop_event_partitions_before(p_day date) returns int
    language plpgsql security definer set search_path = public, pg_temp
as $$
declare
    part record;
    dropped int := 0;
begin
    for part in
        select c.relname from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent
        where p.relname = 'events' and c.relname ~ '^events_[0-9]{8}$'
          and to_date(substr(c.relname, 8), 'YYYYMMDD') < p_day
    loop
        execute format('drop table %I', part.relname);
        dropped := dropped + 1;
    end loop;
    delete from event_rollups where day < p_day;
    delete from event_day_rollups where day < p_day;
    return dropped;
end
$$;

-- Events stored already.
insert into event_rollups (tenant_id, aws_account_id, day, event_source, event_name, events)
select tenant_id, aws_account_id, (occurred_at at time zone 'UTC')::date, event_source, event_name, count(*)
from events
group by 1, 2, 3, 4, 5;
insert into event_day_rollups (tenant_id, aws_account_id, day, events)
select tenant_id, aws_account_id, day, sum(events)
from event_rollups
group by 1, 2, 3;
