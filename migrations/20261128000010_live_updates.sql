-- Live updates for GraphQL subscriptions: a notification on `vigil_live` when a scan's
-- progress or state moves, an alert is raised, or a finding opens or changes status. Sent
-- at commit by PostgreSQL itself, so every code path that writes these rows is covered and
-- nothing is announced that was rolled back. Only IDs travel; the API re-reads the row in
-- the subscriber's tenant transaction (row-level security applies).

create function notify_live() returns trigger
    language plpgsql
as $$
declare
    kind text := tg_argv[0];
    id uuid;
begin
    if tg_op = 'UPDATE' and kind = 'finding' and old.status is not distinct from new.status then
        return null;
    end if;
    if tg_op = 'UPDATE' and kind = 'alert' then
        return null;
    end if;
    -- One branch per table: plpgsql plans each only when it runs.
    if kind = 'scan' then
        id := new.scan_id;
    elsif kind = 'alert' then
        id := new.alert_id;
    else
        id := new.finding_id;
    end if;
    perform pg_notify('vigil_live', json_build_object('tenant', new.tenant_id, 'kind', kind, 'id', id)::text);
    return null;
end
$$;

create trigger scans_live after insert or update on scans
    for each row execute function notify_live('scan');
create trigger alerts_live after insert on alerts
    for each row execute function notify_live('alert');
create trigger findings_live after insert or update of status on findings
    for each row execute function notify_live('finding');
