-- Alerts: detections over ingested events. One incident, one alert: the same rule for the
-- same principal within an hour grows one alert's count and time span.

create table alerts
(
    tenant_id          uuid        not null,
    alert_id           uuid        not null,
    aws_account_id     uuid        not null,
    rule_id            text        not null,
    title              text        not null,
    severity           text        not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
    status             text        not null default 'open' check (status in ('open', 'acknowledged', 'closed')),
    -- rule, connection and principal: what makes two events one incident.
    group_key          text        not null,
    region             text,
    event_name         text,
    event_source       text,
    principal_arn      text,
    source_ip          text,
    -- The account's resource that held the source IP when the first event happened.
    source_resource    jsonb,
    first_event_id     text        not null,
    last_event_id      text        not null,
    event_ids          text[]      not null,
    event_count        int         not null default 1,
    first_seen_at      timestamptz not null,
    last_seen_at       timestamptz not null,
    acknowledged_by    text,
    acknowledged_at    timestamptz,
    closed_at          timestamptz,
    created_at         timestamptz not null default now(),
    primary key (tenant_id, alert_id),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
create index alerts_group on alerts (tenant_id, group_key, last_seen_at desc);
create index alerts_recent on alerts (tenant_id, last_seen_at desc, alert_id);

alter table alerts enable row level security;
alter table alerts force row level security;
create policy tenant_isolation on alerts
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on alerts to vigil_app;
