-- Sequence rules: several alerts of one group (a principal) within a timespan, in order,
-- raise one alert that links them. The step hits each group made are remembered here,
-- written in the same transaction as the events and alerts they come from (workers are
-- many and restart), and each sequence alert keeps links to its steps' alerts.

create table sequence_hits
(
    tenant_id       uuid        not null,
    aws_account_id  uuid        not null,
    sequence_id     text        not null,
    group_key       text        not null,
    step            int         not null,
    event_id        text        not null,
    occurred_at     timestamptz not null,
    -- The rule (or correlation) that fired, and the alert it raised or grew.
    rule_id         text        not null,
    alert_id        uuid        not null,
    -- One hit per step and event: a re-read event, or a second rule on it, adds nothing.
    primary key (tenant_id, aws_account_id, sequence_id, group_key, step, occurred_at, event_id),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade,
    foreign key (tenant_id, alert_id) references alerts (tenant_id, alert_id) on delete cascade
);
create index sequence_hits_alert on sequence_hits (tenant_id, alert_id);

create table alert_links
(
    tenant_id       uuid        not null,
    -- The sequence alert.
    alert_id        uuid        not null,
    -- The alert of one of its steps.
    step_alert_id   uuid        not null,
    step            int         not null,
    step_name       text        not null,
    -- The event that first made the step alert a step of this one (a step alert may
    -- hold many events), and when it happened.
    event_id        text        not null,
    occurred_at     timestamptz not null,
    -- One link per step alert: a sequence that grows with a repeated step links it once.
    primary key (tenant_id, alert_id, step, step_alert_id),
    foreign key (tenant_id, alert_id) references alerts (tenant_id, alert_id) on delete cascade,
    foreign key (tenant_id, step_alert_id) references alerts (tenant_id, alert_id) on delete cascade
);
-- A step alert's sequences.
create index alert_links_step on alert_links (tenant_id, step_alert_id);

do $$
declare
    t text;
begin
    foreach t in array array ['sequence_hits', 'alert_links'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert, update, delete on %I to vigil_app', t);
    end loop;
end
$$;

-- Housekeeping forgets step hits with the counting matches (a day: sequences span at most
-- 24 hours). Same signature, so the worker's call is unchanged.
create or replace function prune_correlation_state(p_matches_before timestamptz, p_baselines_before timestamptz)
    returns bigint
    language plpgsql security definer set search_path = public, pg_temp
as $$
declare
    n bigint;
    m bigint;
    s bigint;
begin
    delete from correlation_matches where occurred_at < p_matches_before;
    get diagnostics n = row_count;
    delete from baselines where last_seen_at < p_baselines_before;
    get diagnostics m = row_count;
    delete from sequence_hits where occurred_at < p_matches_before;
    get diagnostics s = row_count;
    return n + m + s;
end
$$;
revoke all on function prune_correlation_state(timestamptz, timestamptz) from public;
grant execute on function prune_correlation_state(timestamptz, timestamptz) to vigil_app;
