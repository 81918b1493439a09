-- Foundation: the application role, tenants, users and the job queue.
--
-- Tenant-owned tables carry tenant_id, lead their keys with it, and are guarded by
-- row-level security on the per-transaction setting app.tenant_id. The application's
-- connections SET ROLE to vigil_app, which owns nothing and cannot bypass RLS.

do $$
begin
    create role vigil_app nologin nosuperuser nocreatedb nocreaterole nobypassrls;
exception
    -- Roles are cluster-wide: several databases (one per test) may race to create it.
    when duplicate_object or unique_violation then null;
end
$$;

do $$
begin
    -- A superuser may SET ROLE to anything; an ordinary owner needs membership.
    if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant vigil_app to %I', current_user);
    end if;
end
$$;

grant usage on schema public to vigil_app;
alter default privileges in schema public grant select, insert, update, delete on tables to vigil_app;
alter default privileges in schema public grant usage, select on sequences to vigil_app;

-- The tenant of the current transaction, or null when none is set.
create function app_tenant_id() returns uuid
    language sql stable
as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;

create function set_updated_at() returns trigger
    language plpgsql
as $$
begin
    new.updated_at = now();
    return new;
end
$$;

create table tenants
(
    tenant_id      uuid primary key,
    name           text        not null check (length(name) between 1 and 200),
    plan           text        not null default 'trial' check (plan in ('trial', 'active', 'expired')),
    trial_ends_at  timestamptz,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create trigger tenants_updated_at before update on tenants for each row execute function set_updated_at();
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

create table users
(
    tenant_id      uuid        not null references tenants (tenant_id) on delete cascade,
    user_id        uuid        not null,
    email          text        not null,
    password_hash  text,
    role           text        not null check (role in ('owner', 'admin', 'analyst', 'viewer')),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
-- One login per email across the service: emails are stored normalised (lowercase).
create unique index users_email_key on users (email);
create unique index users_user_id_key on users (user_id);
create trigger users_updated_at before update on users for each row execute function set_updated_at();
alter table users enable row level security;
alter table users force row level security;
create policy tenant_isolation on users
    using (tenant_id = app_tenant_id())
    with check (tenant_id = app_tenant_id());

-- The job queue is infrastructure shared by all tenants: workers claim jobs of every
-- tenant, so it has no RLS. Payloads hold identifiers only; handlers open tenant
-- transactions for tenant data.
create table jobs
(
    job_id         bigint generated always as identity primary key,
    tenant_id      uuid references tenants (tenant_id) on delete cascade,
    kind           text        not null,
    payload        jsonb       not null,
    state          text        not null default 'queued'
        check (state in ('queued', 'running', 'succeeded', 'dead', 'cancelled')),
    -- At most one queued or running job per key (e.g. one scan per account at a time).
    unique_key     text,
    attempts       int         not null default 0,
    max_attempts   int         not null default 5 check (max_attempts >= 1),
    run_at         timestamptz not null default now(),
    locked_by      text,
    locked_until   timestamptz,
    last_error     text,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    finished_at    timestamptz
);
create unique index jobs_active_unique_key on jobs (unique_key)
    where unique_key is not null and state in ('queued', 'running');
create index jobs_ready on jobs (run_at, job_id) where state = 'queued';
create index jobs_leased on jobs (locked_until) where state = 'running';
create index jobs_tenant on jobs (tenant_id) where tenant_id is not null;
create trigger jobs_updated_at before update on jobs for each row execute function set_updated_at();

create function jobs_notify() returns trigger
    language plpgsql
as $$
begin
    perform pg_notify('vigil_jobs', '');
    return null;
end
$$;
create trigger jobs_notify after insert on jobs for each statement execute function jobs_notify();

grant select, insert, update, delete on all tables in schema public to vigil_app;
grant usage, select on all sequences in schema public to vigil_app;
