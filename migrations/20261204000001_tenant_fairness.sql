-- Tenant fairness and database hardening (issue 20): jobs claimed round-robin across
-- tenants, `pg_temp` last in every SECURITY DEFINER function's search_path, and
-- row-level security on each events partition.

-- Jobs are claimed one lane per tenant (see `Queue::claim`): the tenants with queued jobs
-- are found by skipping through this index, and each tenant's due jobs are read from it in
-- order. Every tenant job carries tenant_id; rows written before it was set everywhere
-- get it from their payload when that tenant still exists.
create index jobs_ready_by_tenant on jobs (tenant_id, run_at, job_id) where state = 'queued';

do $$
declare
    j record;
begin
    for j in
        select job_id, (payload ->> 'tenant_id')::uuid as tenant_id from jobs
        where tenant_id is null and state in ('queued', 'running')
          and payload ->> 'tenant_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    loop
        begin
            update jobs set tenant_id = j.tenant_id where job_id = j.job_id;
        exception
            -- The tenant is gone (tenants' RLS hides it from a check): leave the job as it is.
            when foreign_key_violation then null;
        end;
    end loop;
end
$$;

-- Partitions of `events` are tables of their own that vigil_app may name directly, which
-- would skip the parent's policy. Each one gets the parent's row-level security.
create or replace function ensure_event_partition(p_day date) returns void
    language plpgsql security definer set search_path = public, pg_temp
as $$
declare
    name text := 'events_' || to_char(p_day, 'YYYYMMDD');
begin
    if to_regclass(name) is null then
        execute format('create table if not exists %I partition of events for values from (%L) to (%L)',
                       name, p_day::timestamptz, (p_day + 1)::timestamptz);
        perform secure_event_partition(name);
    end if;
exception
    -- Two workers creating the same day at once.
    when duplicate_table or unique_violation or duplicate_object then null;
end
$$;

-- Gives one partition the row-level security of `events` (idempotent).
create function secure_event_partition(p_name text) returns void
    language plpgsql security definer set search_path = public, pg_temp
as $$
begin
    execute format('alter table %I enable row level security', p_name);
    execute format('alter table %I force row level security', p_name);
    if not exists (select 1 from pg_policies
                   where schemaname = 'public' and tablename = p_name and policyname = 'tenant_isolation') then
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) '
                           'with check (tenant_id = app_tenant_id())', p_name);
    end if;
end
$$;
revoke all on function secure_event_partition(text) from public;

do $$
declare
    part record;
begin
    for part in
        select c.relname from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'events'::regclass
    loop
        perform secure_event_partition(part.relname);
    end loop;
end
$$;

-- A SECURITY DEFINER function runs with its owner's rights; with pg_temp anywhere but
-- last, a caller's temporary objects could shadow the tables it names. This pins every
-- one present now (tests/it/migrations.rs checks that later ones follow).
do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure from pg_proc p
        where p.prosecdef and p.pronamespace = 'public'::regnamespace
    loop
        execute format('alter function %s set search_path = public, pg_temp', f);
    end loop;
end
$$;
