-- Re-check on change, backstop: the connections (all tenants) with a pending re-check older
-- than p_older_than. A change stored while the account's re-check was finishing could not
-- queue another (the running job held the unique key); the scheduler queues it (a no-op
-- while one is queued or running).
create policy scheduler_lookup on pending_rechecks for select to vigil_auth using (true);
grant select on pending_rechecks to vigil_auth;

create function stale_rechecks(p_older_than interval)
    returns table (tenant_id uuid, aws_account_id uuid)
    language sql stable security definer set search_path = public, pg_temp
as $$
    select distinct p.tenant_id, p.aws_account_id
    from pending_rechecks p
    join aws_accounts a on a.tenant_id = p.tenant_id and a.aws_account_id = p.aws_account_id
    where p.requested_at < now() - p_older_than
      and a.status in ('connected', 'error')
    limit 1000
$$;
alter function stale_rechecks(interval) owner to vigil_auth;
revoke all on function stale_rechecks(interval) from public;
grant execute on function stale_rechecks(interval) to vigil_app;
