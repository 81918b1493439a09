-- Webhooks: a tenant's endpoints, told when an alert is raised, a finding opens or is
-- resolved, or a scan finishes. A delivery row and its job are written by triggers in the
-- transaction that makes the change (an outbox), so every code path is covered, nothing is
-- announced that was rolled back, and a crash between the change and the announcement is
-- impossible. The worker fills in the body and sends it (signed) when the job runs.

create table webhooks
(
    tenant_id     uuid        not null references tenants (tenant_id) on delete cascade,
    webhook_id    uuid        not null,
    name          text        not null,
    url           text        not null,
    events        text[]      not null
        check (cardinality(events) > 0
            and events <@ array['ALERT_RAISED', 'FINDING_OPENED', 'FINDING_RESOLVED', 'SCAN_FINISHED']),
    -- Alerts and findings below this severity are not sent (scans always are).
    min_severity  text        not null default 'low'
        check (min_severity in ('critical', 'high', 'medium', 'low', 'info')),
    format        text        not null default 'vigil' check (format in ('vigil', 'slack')),
    -- The signing key (`whsec_` + base64). The worker must read it to sign, so it cannot be
    -- a hash; it never leaves the API after creation (docs/decisions.md).
    secret        text        not null,
    enabled       boolean     not null default true,
    created_by    text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    primary key (tenant_id, webhook_id)
);
create trigger webhooks_updated_at before update on webhooks for each row execute function set_updated_at();

create table webhook_deliveries
(
    tenant_id        uuid        not null,
    delivery_id      uuid        not null,
    webhook_id       uuid        not null,
    -- ALERT_RAISED, FINDING_OPENED, FINDING_RESOLVED, SCAN_FINISHED, or TEST.
    event            text        not null,
    -- The alert, finding or scan the event is about (none for a test).
    subject_id       uuid,
    status           text        not null default 'pending'
        check (status in ('pending', 'succeeded', 'failed')),
    attempts         int         not null default 0,
    response_code    int,
    last_error       text,
    -- The exact body sent, fixed at the first attempt so retries send the same bytes.
    body             text,
    created_at       timestamptz not null default now(),
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    primary key (tenant_id, delivery_id),
    foreign key (tenant_id, webhook_id) references webhooks (tenant_id, webhook_id) on delete cascade
);
create index webhook_deliveries_log on webhook_deliveries (tenant_id, webhook_id, created_at desc, delivery_id desc);
create index webhook_deliveries_age on webhook_deliveries (created_at);

do
$$
    declare
        t text;
    begin
        foreach t in array array ['webhooks', 'webhook_deliveries']
            loop
                execute format('alter table %I enable row level security', t);
                execute format('alter table %I force row level security', t);
                execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
                                   'with check (tenant_id = app_tenant_id())', t);
                execute format('grant select, insert, update, delete on %I to vigil_app', t);
            end loop;
    end
$$;

-- Queues a delivery (and its job) for every enabled webhook of the tenant that wants the
-- event. Runs as the writer, under its tenant's row-level security.
--
-- A newly connected account's first scan finds everything that was already wrong: that
-- baseline is announced once, by the scan's SCAN_FINISHED (with `findingsOpened`), not as
-- one FINDING_OPENED per finding. A finding is part of the baseline when it is inserted
-- before the account has any scan that finished with findings recorded (succeeded or
-- partial); a scan writes its findings and its end in one transaction, so its own row is
-- not finished yet when its findings are inserted. The job payload is
-- `Task::DeliverWebhook` (core/src/tasks.rs); its attempt budget is
-- `webhooks::MAX_ATTEMPTS`.
create function webhook_fanout() returns trigger
    language plpgsql
as $$
declare
    v_kind     text := tg_argv[0];
    v_event    text;
    v_subject  uuid;
    v_severity text;
begin
    -- One branch per table: plpgsql plans each only when it runs.
    if v_kind = 'alert' then
        v_event := 'ALERT_RAISED';
        v_subject := new.alert_id;
        v_severity := new.severity;
    elsif v_kind = 'finding' then
        if new.status = 'open' and tg_op = 'INSERT' and not exists (
            select 1 from scans s
            where s.tenant_id = new.tenant_id and s.aws_account_id = new.aws_account_id
              and s.finished_at is not null and s.status in ('succeeded', 'partial')) then
            -- The account's baseline: announced once, by its scan's SCAN_FINISHED.
            return null;
        elsif new.status = 'open' and (tg_op = 'INSERT' or old.status <> 'open') then
            v_event := 'FINDING_OPENED';
        elsif new.status = 'resolved' and tg_op = 'UPDATE' and old.status <> 'resolved' then
            v_event := 'FINDING_RESOLVED';
        else
            return null;
        end if;
        v_subject := new.finding_id;
        v_severity := new.severity;
    else
        if new.finished_at is null or (tg_op = 'UPDATE' and old.finished_at is not null) then
            return null;
        end if;
        v_event := 'SCAN_FINISHED';
        v_subject := new.scan_id;
    end if;
    with created as (
        insert into webhook_deliveries (tenant_id, delivery_id, webhook_id, event, subject_id)
            select w.tenant_id, gen_random_uuid(), w.webhook_id, v_event, v_subject
            from webhooks w
            where w.tenant_id = new.tenant_id
              and w.enabled
              and v_event = any (w.events)
              and (v_severity is null or array_position(array ['critical','high','medium','low','info'], v_severity)
                <= array_position(array ['critical','high','medium','low','info'], w.min_severity))
            returning tenant_id, delivery_id)
    insert into jobs (tenant_id, kind, payload, max_attempts)
    select tenant_id,
           'deliver_webhook',
           jsonb_build_object('type', 'deliver_webhook', 'tenant_id', tenant_id, 'delivery_id', delivery_id),
           12
    from created;
    return null;
end
$$;

create trigger alerts_webhooks after insert on alerts
    for each row execute function webhook_fanout('alert');
create trigger findings_webhooks after insert or update of status on findings
    for each row execute function webhook_fanout('finding');
create trigger scans_webhooks after insert or update of finished_at on scans
    for each row execute function webhook_fanout('scan');

-- Housekeeping forgets old deliveries for every tenant at once; only this function may.
create function prune_webhook_deliveries(p_before timestamptz)
    returns bigint
    language plpgsql security definer set search_path = public
as $$
declare
    n bigint;
begin
    delete from webhook_deliveries where created_at < p_before and status <> 'pending';
    get diagnostics n = row_count;
    return n;
end
$$;
revoke all on function prune_webhook_deliveries(timestamptz) from public;
grant execute on function prune_webhook_deliveries(timestamptz) to vigil_app;
