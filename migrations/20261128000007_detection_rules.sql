-- Detection rules written by a tenant, in Sigma, beside the built-in ones.

create table detection_rules
(
    tenant_id    uuid        not null references tenants (tenant_id) on delete cascade,
    rule_id      uuid        not null,
    title        text        not null,
    yaml         text        not null check (length(yaml) <= 65536),
    enabled      boolean     not null default true,
    created_by   text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    primary key (tenant_id, rule_id)
);
create trigger detection_rules_updated_at before update on detection_rules for each row execute function set_updated_at();

alter table detection_rules enable row level security;
alter table detection_rules force row level security;
create policy tenant_isolation on detection_rules
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on detection_rules to vigil_app;
