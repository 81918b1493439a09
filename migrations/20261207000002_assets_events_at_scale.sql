-- Assets and events at scale (see docs/decisions.md, "Assets counted from rollups; events
-- counted only when asked").

-- Assets counted per connection, type, region and whether deleted, kept by the assets' own
-- statements (so exact, in the same transaction): `assetCounts` and the assets list's
-- `totalCount` read these few rows instead of counting a million.
create table asset_rollups
(
    tenant_id      uuid    not null,
    aws_account_id uuid    not null,
    resource_type  text    not null,
    region         text    not null,
    deleted        boolean not null,
    assets         bigint  not null,
    primary key (tenant_id, aws_account_id, resource_type, region, deleted)
    -- No foreign keys, as finding_rollups: an account's deletion cascades to its assets,
    -- whose trigger must not trip over the already deleted account.
);
alter table asset_rollups enable row level security;
alter table asset_rollups force row level security;
create policy tenant_isolation on asset_rollups
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on asset_rollups to vigil_app;

-- Applies the net change of one statement (as finding_rollups_apply): keys in primary-key
-- order so two transactions cannot deadlock; a key that reaches zero goes.
create function asset_rollups_apply(delta jsonb) returns void
    language plpgsql
as $$
begin
    insert into asset_rollups as a (tenant_id, aws_account_id, resource_type, region, deleted, assets)
    select (r ->> 'tenant_id')::uuid, (r ->> 'aws_account_id')::uuid, r ->> 'resource_type', r ->> 'region',
           (r ->> 'deleted')::boolean, (r ->> 'n')::bigint
    from jsonb_array_elements(delta) r
    order by 1, 2, 3, 4, 5
    on conflict (tenant_id, aws_account_id, resource_type, region, deleted)
        do update set assets = a.assets + excluded.assets;
    delete from asset_rollups a
    using jsonb_array_elements(delta) r
    where a.assets = 0
      and a.tenant_id = (r ->> 'tenant_id')::uuid and a.aws_account_id = (r ->> 'aws_account_id')::uuid
      and a.resource_type = r ->> 'resource_type' and a.region = r ->> 'region'
      and a.deleted = (r ->> 'deleted')::boolean;
end
$$;

create function asset_rollups_after_insert() returns trigger
    language plpgsql
as $$
begin
    perform asset_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, resource_type, region, deleted_at is not null as deleted, count(*) as n
            from new_rows group by 1, 2, 3, 4, 5
        ) k), '[]'));
    return null;
end
$$;

create function asset_rollups_after_update() returns trigger
    language plpgsql
as $$
begin
    perform asset_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, resource_type, region, deleted, sum(n) as n
            from (
                select tenant_id, aws_account_id, resource_type, region, deleted_at is not null as deleted, 1 as n
                from new_rows
                union all
                select tenant_id, aws_account_id, resource_type, region, deleted_at is not null, -1
                from old_rows
            ) moved
            group by 1, 2, 3, 4, 5
            having sum(n) <> 0
        ) k), '[]'));
    return null;
end
$$;

create function asset_rollups_after_delete() returns trigger
    language plpgsql
as $$
begin
    perform asset_rollups_apply(coalesce((
        select jsonb_agg(k) from (
            select tenant_id, aws_account_id, resource_type, region, deleted_at is not null as deleted, -count(*) as n
            from old_rows group by 1, 2, 3, 4, 5
        ) k), '[]'));
    return null;
end
$$;

create trigger asset_rollups_insert after insert on assets
    referencing new table as new_rows for each statement execute function asset_rollups_after_insert();
create trigger asset_rollups_update after update on assets
    referencing old table as old_rows new table as new_rows for each statement execute function asset_rollups_after_update();
create trigger asset_rollups_delete after delete on assets
    referencing old table as old_rows for each statement execute function asset_rollups_after_delete();

-- Assets that exist already.
insert into asset_rollups (tenant_id, aws_account_id, resource_type, region, deleted, assets)
select tenant_id, aws_account_id, resource_type, region, deleted_at is not null, count(*)
from assets
group by 1, 2, 3, 4, 5;

-- The default asset order (type, region, resource ID) of the assets that exist, read in
-- index order a page at a time instead of sorting the inventory for each page.
create index assets_in_type_order on assets (tenant_id, resource_type, region, resource_id, asset_id)
    where deleted_at is null;

-- `events(filter: { principalArn })`: a principal's latest events without reading every
-- event of the tenant.
create index events_by_principal on events (tenant_id, principal_arn, occurred_at desc);
