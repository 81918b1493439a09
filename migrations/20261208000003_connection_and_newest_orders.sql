-- The two list orders that still walked other rows at scale (docs/performance.md):
--
-- One connection's assets in the default order: `assets_in_type_order` starts with the
-- tenant, so the first page of one connection of three walked the others' entries or
-- sorted them all (374 ms at a million assets). Led by the connection, the page is the
-- first entries of one range.
create index assets_in_connection_type_order
    on assets (tenant_id, aws_account_id, resource_type, region, resource_id, asset_id)
    where deleted_at is null;

-- The events list, newest first across the tenant's connections (the default view and its
-- cursors): no index gave (occurred_at, event_id) for the tenant alone (`events_recent` is
-- per connection), so each daily partition's events of the tenant were sorted for every
-- page.
create index events_newest on events (tenant_id, occurred_at desc, event_id desc);
