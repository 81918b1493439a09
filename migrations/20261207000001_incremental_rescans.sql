-- Incremental rescans: a scheduled scan skips the resource services of a region that no
-- successful write call has touched since the region was last read in full (see
-- docs/decisions.md, "Incremental rescans").

-- When an ingestion run that read every region's new events last finished (its start
-- time: what it read was delivered before then).
alter table aws_accounts add column activity_read_at timestamptz;

-- Whether the scan may skip unchanged regions (scheduled scans), and how many it skipped.
alter table scans
    add column incremental       boolean not null default false,
    add column regions_unchanged int     not null default 0;

-- When each region of a connection was last read in full (every service, no problem): the
-- start of that scan.
create table region_reads
(
    tenant_id      uuid        not null,
    aws_account_id uuid        not null,
    region         text        not null,
    read_at        timestamptz not null,
    primary key (tenant_id, aws_account_id, region),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
alter table region_reads enable row level security;
alter table region_reads force row level security;
create policy tenant_isolation on region_reads
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on region_reads to vigil_app;
