-- `assets(orderBy: FIRST_SEEN | LAST_SEEN)`: newest first, in keyset pages, without sorting
-- a tenant's whole inventory for each page.
create index assets_newest on assets (tenant_id, first_seen_at desc, asset_id desc);
create index assets_recently_seen on assets (tenant_id, last_seen_at desc, asset_id desc);
