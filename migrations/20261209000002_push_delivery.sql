-- Push delivery, re-check on change, and the change behind each finding (issue 19).
--
-- Push delivery: an EventBridge rule in the customer's account forwards CloudTrail
-- management events to an SQS queue there that Vigil's role may read; the connection names
-- that queue. Its events are stored through the same path (and event IDs) as trail files
-- and LookupEvents.
alter table aws_accounts add column push_queue_url text
    check (push_queue_url ~ '^https://sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[0-9]{12}/[A-Za-z0-9_-]{1,80}(\.fifo)?$');

-- The connections whose push queue the worker reads (all tenants), for its polling loop.
create function push_queue_accounts()
    returns table (tenant_id uuid, aws_account_id uuid)
    language sql stable security definer set search_path = public, pg_temp
as $$
    select a.tenant_id, a.aws_account_id
    from aws_accounts a
    join tenants t on t.tenant_id = a.tenant_id
    where a.status in ('connected', 'error')
      and a.role_arn is not null
      and a.push_queue_url is not null
      and (t.plan = 'active' or (t.plan = 'trial' and t.trial_ends_at > now()))
    order by a.aws_account_id
    limit 1000
$$;
alter function push_queue_accounts() owner to vigil_auth;
revoke all on function push_queue_accounts() from public;
grant execute on function push_queue_accounts() to vigil_app;

-- Re-check on change: what stored write events changed, per region and assessed service,
-- waiting for the connection's targeted re-check (written in the ingestion's transaction,
-- deleted in the re-check's).
create table pending_rechecks
(
    tenant_id      uuid        not null,
    aws_account_id uuid        not null,
    region         text        not null,
    service        text        not null,
    -- The newest event that asked for it, and when it was asked (the re-check deletes only
    -- what it read: a later request survives it).
    event_id       text        not null,
    requested_at   timestamptz not null,
    primary key (tenant_id, aws_account_id, region, service),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
alter table pending_rechecks enable row level security;
alter table pending_rechecks force row level security;
create policy tenant_isolation on pending_rechecks
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on pending_rechecks to vigil_app;

-- A scan may be a re-check triggered by events: what it read (regions, services) and the
-- events that asked for it.
alter table scans drop constraint if exists scans_trigger_check;
alter table scans add constraint scans_trigger_check
    check (trigger in ('manual', 'scheduled', 'connect', 'recheck'));
alter table scans add column recheck jsonb;

-- The CloudTrail events that changed a finding's resource between the evaluation before
-- and the one that opened, reopened or resolved it. The event's who/when/where are copied:
-- events are dropped with their daily partition, the finding's history is not.
create table finding_changes
(
    tenant_id      uuid        not null,
    finding_id     uuid        not null,
    aws_account_id uuid        not null,
    -- 'opened' (opened or reopened) or 'resolved'.
    transition     text        not null check (transition in ('opened', 'resolved')),
    evaluated_at   timestamptz not null,
    event_id       text        not null,
    occurred_at    timestamptz not null,
    event_name     text        not null,
    event_source   text        not null,
    region         text        not null,
    principal_arn  text,
    source_ip      text,
    primary key (tenant_id, finding_id, evaluated_at, event_id),
    foreign key (tenant_id, finding_id) references findings (tenant_id, finding_id) on delete cascade,
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
alter table finding_changes enable row level security;
alter table finding_changes force row level security;
create policy tenant_isolation on finding_changes
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on finding_changes to vigil_app;
