-- Infrastructure assessment: scans, assets with history and IP spans, findings.

create table scans
(
    tenant_id          uuid        not null,
    scan_id            uuid        not null,
    aws_account_id     uuid        not null,
    status             text        not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'partial', 'failed')),
    trigger            text        not null default 'scheduled' check (trigger in ('manual', 'scheduled', 'connect')),
    regions_total      int         not null default 0,
    regions_done       int         not null default 0,
    -- What could not be read: [{region, service, operation, message}].
    problems           jsonb       not null default '[]',
    error              text,
    findings_opened    int         not null default 0,
    findings_resolved  int         not null default 0,
    resources_seen     int         not null default 0,
    created_at         timestamptz not null default now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    primary key (tenant_id, scan_id),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
create index scans_by_account on scans (tenant_id, aws_account_id, created_at desc);

create table assets
(
    tenant_id        uuid        not null,
    asset_id         uuid        not null,
    aws_account_id   uuid        not null,
    region           text        not null,
    resource_type    text        not null,
    resource_id      text        not null,
    resource_arn     text,
    configuration    jsonb       not null,
    config_hash      bytea       not null,
    tags             jsonb       not null default '{}',
    first_seen_at    timestamptz not null,
    last_seen_at     timestamptz not null,
    deleted_at       timestamptz,
    primary key (tenant_id, asset_id),
    unique (tenant_id, aws_account_id, region, resource_type, resource_id),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
create index assets_by_type on assets (tenant_id, resource_type, region);

create table asset_changes
(
    tenant_id      uuid        not null,
    change_id      uuid        not null,
    asset_id       uuid        not null,
    scan_id        uuid,
    changed_at     timestamptz not null,
    kind           text        not null check (kind in ('created', 'modified', 'deleted')),
    configuration  jsonb,
    primary key (tenant_id, change_id),
    foreign key (tenant_id, asset_id) references assets (tenant_id, asset_id) on delete cascade
);
create index asset_changes_by_asset on asset_changes (tenant_id, asset_id, changed_at desc);

-- Which resource held which address over which span: instances come and go and
-- addresses are reused, so an event's source IP is resolved at the event's time.
create table asset_ips
(
    tenant_id      uuid        not null,
    asset_ip_id    uuid        not null,
    asset_id       uuid        not null,
    ip             inet        not null,
    public         boolean     not null,
    seen_from      timestamptz not null,
    -- Last scan that still saw it; null while current.
    seen_until     timestamptz,
    primary key (tenant_id, asset_ip_id),
    foreign key (tenant_id, asset_id) references assets (tenant_id, asset_id) on delete cascade
);
create index asset_ips_by_ip on asset_ips (tenant_id, ip, seen_from);
create unique index asset_ips_current on asset_ips (tenant_id, asset_id, ip) where seen_until is null;

create table findings
(
    tenant_id          uuid        not null,
    finding_id         uuid        not null,
    aws_account_id     uuid        not null,
    rule_id            text        not null,
    region             text        not null,
    resource_type      text        not null,
    resource_id        text        not null,
    resource_arn       text,
    severity           text        not null check (severity in ('critical', 'high', 'medium', 'low', 'info')),
    status             text        not null default 'open' check (status in ('open', 'resolved', 'suppressed')),
    evidence           jsonb       not null default '{}',
    first_seen_at      timestamptz not null,
    last_seen_at       timestamptz not null,
    resolved_at        timestamptz,
    -- Suppression survives rescans; while suppressed the finding's own state still moves
    -- (open/resolved) underneath in `resolved_at`.
    suppressed_reason  text,
    suppressed_until   timestamptz,
    suppressed_by      text,
    primary key (tenant_id, finding_id),
    unique (tenant_id, aws_account_id, rule_id, region, resource_id),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
create index findings_listing on findings (tenant_id, status, severity, last_seen_at desc);

do $$
declare
    t text;
begin
    foreach t in array array ['scans', 'assets', 'asset_changes', 'asset_ips', 'findings'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id())', t);
        execute format('grant select, insert, update, delete on %I to vigil_app', t);
    end loop;
end
$$;
