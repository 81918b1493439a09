-- Issue 15: a job lost with its worker (the lease ran out: the process was killed, evicted,
-- OOM-killed) is not an attempt that failed by its own doing. It is *rescued*: requeued
-- without spending an attempt, counted in `rescues`, up to its own, larger budget
-- (`max_rescues`); a job that takes its worker down every time (a poison job) still ends,
-- dead, with a `last_error` that says so.
alter table jobs add column rescues int not null default 0;
alter table jobs add column max_rescues int not null default 10 check (max_rescues >= 0);
-- A connection's last finished job of each kind (`AwsAccount.lastJobFailure`), found
-- without reading the week of finished jobs the queue keeps.
create index jobs_finished_by_key on jobs (unique_key, finished_at desc) where finished_at is not null;

-- No orphaned scans: when a connection's scan job ends, any scan of that connection it
-- leaves open ends too, in the same transaction. Dead or cancelled: its queued or running
-- scans fail with the reason. Succeeded: a scan still running was abandoned (the job ended
-- without finishing it), and fails as such. The scans table is tenant-scoped, so the
-- function scopes itself to the job's tenant for the update, then restores the caller's
-- setting.
create function close_scans_of_ended_job() returns trigger
    language plpgsql security definer set search_path = public, pg_temp
as $$
declare
    v_previous text := current_setting('app.tenant_id', true);
    v_account  uuid := (new.payload ->> 'aws_account_id')::uuid;
    v_reason   text;
begin
    if new.tenant_id is null or v_account is null then
        return null;
    end if;
    v_reason := case new.state
        when 'dead' then 'the scan job gave up: ' || coalesce(new.last_error, 'no error was recorded')
        when 'cancelled' then 'the scan was cancelled before it finished'
        else 'the scan job ended without finishing the scan'
    end;
    perform set_config('app.tenant_id', new.tenant_id::text, true);
    update scans set status = 'failed', finished_at = now(), started_at = coalesce(started_at, now()),
                     error = left(v_reason, 2000)
    where tenant_id = new.tenant_id and aws_account_id = v_account
      and (status = 'running' or (status = 'queued' and new.state <> 'succeeded'));
    perform set_config('app.tenant_id', coalesce(v_previous, ''), true);
    return null;
end
$$;

create trigger jobs_close_scans after update of state on jobs
    for each row
    when (new.kind = 'scan_account' and new.state in ('succeeded', 'dead', 'cancelled')
          and old.state is distinct from new.state)
    execute function close_scans_of_ended_job();

-- The periodic sweep: scans left open by older versions (or by anything the trigger could
-- not see) whose connection has no queued or running scan job. Returns how many ended.
create function close_orphaned_scans(p_older_than interval) returns int
    language plpgsql security definer set search_path = public, pg_temp
as $$
declare
    v_previous text := current_setting('app.tenant_id', true);
    v_tenant   uuid;
    v_n        int;
    v_total    int := 0;
begin
    for v_tenant in
        select distinct s.tenant_id from scans s
        where s.status in ('queued', 'running') and s.created_at < now() - p_older_than
    loop
        perform set_config('app.tenant_id', v_tenant::text, true);
        update scans s set status = 'failed', finished_at = now(), started_at = coalesce(s.started_at, now()),
                           error = 'no worker was running this scan any more (it was left behind); start a new scan'
        where s.tenant_id = v_tenant and s.status in ('queued', 'running')
          and s.created_at < now() - p_older_than
          and not exists (
              select 1 from jobs j
              where j.unique_key = 'aws_account:' || s.aws_account_id || ':scan'
                and j.state in ('queued', 'running'));
        get diagnostics v_n = row_count;
        v_total := v_total + v_n;
    end loop;
    perform set_config('app.tenant_id', coalesce(v_previous, ''), true);
    return v_total;
end
$$;
revoke all on function close_orphaned_scans(interval) from public;
grant execute on function close_orphaned_scans(interval) to vigil_app;
