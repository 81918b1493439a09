-- State of the correlation rules (detections over several events): the base-rule matches
-- each group made recently, and for first-seen rules the values each group has shown.
-- Workers are many and restart, so the state lives here, written in the same transaction
-- as the events it comes from.

create table correlation_matches
(
    tenant_id       uuid        not null,
    aws_account_id  uuid        not null,
    correlation_id  text        not null,
    group_key       text        not null,
    value           text,
    event_id        text        not null,
    occurred_at     timestamptz not null,
    primary key (tenant_id, aws_account_id, correlation_id, group_key, occurred_at, event_id),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);

create table baselines
(
    tenant_id       uuid        not null,
    aws_account_id  uuid        not null,
    correlation_id  text        not null,
    group_key       text        not null,
    value           text        not null,
    first_seen_at   timestamptz not null,
    last_seen_at    timestamptz not null,
    primary key (tenant_id, aws_account_id, correlation_id, group_key, value),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);

do $$
declare
    t text;
begin
    foreach t in array array ['correlation_matches', 'baselines'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert, update, delete on %I to vigil_app', t);
    end loop;
end
$$;

-- First-seen rules learn silently until this time (set by the first ingestion: the
-- backfilled history plus the learning period).
alter table aws_accounts add column baseline_until timestamptz;

-- Housekeeping forgets old state for every tenant at once; only this function may.
create function prune_correlation_state(p_matches_before timestamptz, p_baselines_before timestamptz)
    returns bigint
    language plpgsql security definer set search_path = public
as $$
declare
    n bigint;
    m bigint;
begin
    delete from correlation_matches where occurred_at < p_matches_before;
    get diagnostics n = row_count;
    delete from baselines where last_seen_at < p_baselines_before;
    get diagnostics m = row_count;
    return n + m;
end
$$;
revoke all on function prune_correlation_state(timestamptz, timestamptz) from public;
grant execute on function prune_correlation_state(timestamptz, timestamptz) to vigil_app;
