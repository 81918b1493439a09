-- Activity: CloudTrail events stored once per tenant, partitioned by day so retention
-- drops whole partitions, and the ingestion cursors committed with the events they cover.

create table events
(
    tenant_id       uuid        not null,
    aws_account_id  uuid        not null,
    event_id        text        not null,
    occurred_at     timestamptz not null,
    event_name      text        not null,
    event_source    text        not null,
    region          text        not null,
    principal_arn   text,
    principal_type  text,
    access_key_id   text,
    -- An address, or a service name such as `ec2.amazonaws.com` for AWS's own calls.
    source_ip       text,
    user_agent      text,
    error_code      text,
    read_only       boolean,
    resources       jsonb       not null default '[]',
    -- Made by Vigil's own session of this connection: stored, never fed to detections.
    own             boolean     not null default false,
    raw             jsonb       not null,
    ingested_at     timestamptz not null default now(),
    primary key (tenant_id, occurred_at, event_id)
) partition by range (occurred_at);
create index events_recent on events (tenant_id, aws_account_id, occurred_at desc);
create index events_by_name on events (tenant_id, event_name, occurred_at desc);
create index events_by_ip on events (tenant_id, source_ip, occurred_at desc);

alter table events enable row level security;
alter table events force row level security;
create policy tenant_isolation on events
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on events to vigil_app;

-- Where each source of a connection has been read up to. `source` is `lookup:<region>`
-- or `s3:<bucket>/<prefix>`; `position` is an RFC 3339 time or the last key read.
create table ingest_cursors
(
    tenant_id       uuid        not null,
    aws_account_id  uuid        not null,
    source          text        not null,
    position        text        not null,
    updated_at      timestamptz not null default now(),
    primary key (tenant_id, aws_account_id, source),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);

-- Trail log files already read (kept two days: files can arrive late and out of order).
create table ingested_files
(
    tenant_id       uuid        not null,
    aws_account_id  uuid        not null,
    file_key        text        not null,
    ingested_at     timestamptz not null default now(),
    primary key (tenant_id, aws_account_id, file_key),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);

do $$
declare
    t text;
begin
    foreach t in array array ['ingest_cursors', 'ingested_files'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert, update, delete on %I to vigil_app', t);
    end loop;
end
$$;

-- Partitions are created on demand by ingestion and dropped by retention. Only the
-- table's owner may do either, so both go through functions that run as the owner and
-- take nothing but dates.
create function ensure_event_partition(p_day date) returns void
    language plpgsql security definer set search_path = public
as $$
declare
    name text := 'events_' || to_char(p_day, 'YYYYMMDD');
begin
    if to_regclass(name) is null then
        execute format('create table if not exists %I partition of events for values from (%L) to (%L)',
                       name, p_day::timestamptz, (p_day + 1)::timestamptz);
    end if;
exception
    -- Two workers creating the same day at once.
    when duplicate_table or unique_violation then null;
end
$$;

create function drop_event_partitions_before(p_day date) returns int
    language plpgsql security definer set search_path = public
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
    return dropped;
end
$$;

revoke all on function ensure_event_partition(date) from public;
revoke all on function drop_event_partitions_before(date) from public;
grant execute on function ensure_event_partition(date) to vigil_app;
grant execute on function drop_event_partitions_before(date) to vigil_app;

alter table aws_accounts add column activity_source text;
