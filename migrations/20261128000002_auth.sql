-- Auth: refresh tokens, API keys, invites, the audit log, and narrow lookups that find a
-- credential's tenant before any tenant is known.
--
-- Login, refresh, API-key and invite checks start from an email or a token hash, not a
-- tenant. Rather than weaken RLS, the lookups are SECURITY DEFINER functions owned by
-- vigil_auth, a role nobody logs in as or can SET ROLE to from the application; a
-- select-only policy for vigil_auth lets those functions (and nothing else) read the one
-- row that matches their exact argument.

do $$
begin
    create role vigil_auth nologin nosuperuser nocreatedb nocreaterole nobypassrls;
exception
    when duplicate_object or unique_violation then null;
end
$$;

do $$
begin
    if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant vigil_auth to %I', current_user);
    end if;
end
$$;
grant usage, create on schema public to vigil_auth;

create table refresh_tokens
(
    tenant_id   uuid        not null references tenants (tenant_id) on delete cascade,
    token_id    uuid        not null,
    user_id     uuid        not null,
    -- Every token issued by rotation from one login shares a family; reuse of a used
    -- token revokes the whole family.
    family_id   uuid        not null,
    token_hash  bytea       not null,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, token_id),
    foreign key (tenant_id, user_id) references users (tenant_id, user_id) on delete cascade
);
create unique index refresh_tokens_hash_key on refresh_tokens (token_hash);
create index refresh_tokens_family on refresh_tokens (tenant_id, family_id);

create table api_keys
(
    tenant_id    uuid        not null references tenants (tenant_id) on delete cascade,
    api_key_id   uuid        not null,
    name         text        not null check (length(name) between 1 and 100),
    -- The first characters of the key, shown in lists so people can tell keys apart.
    prefix       text        not null,
    key_hash     bytea       not null,
    role         text        not null check (role in ('admin', 'analyst', 'viewer')),
    created_by   uuid,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    primary key (tenant_id, api_key_id)
);
create unique index api_keys_hash_key on api_keys (key_hash);

create table invites
(
    tenant_id    uuid        not null references tenants (tenant_id) on delete cascade,
    invite_id    uuid        not null,
    email        text        not null,
    role         text        not null check (role in ('admin', 'analyst', 'viewer')),
    token_hash   bytea       not null,
    invited_by   uuid,
    expires_at   timestamptz not null,
    accepted_at  timestamptz,
    created_at   timestamptz not null default now(),
    primary key (tenant_id, invite_id)
);
create unique index invites_hash_key on invites (token_hash);

create table audit_log
(
    tenant_id    uuid        not null references tenants (tenant_id) on delete cascade,
    audit_id     uuid        not null,
    occurred_at  timestamptz not null default now(),
    actor_user_id    uuid,
    actor_api_key_id uuid,
    actor_label  text,
    action       text        not null,
    target       text,
    details      jsonb       not null default '{}',
    source_ip    inet,
    primary key (tenant_id, audit_id)
);
create index audit_log_recent on audit_log (tenant_id, occurred_at desc, audit_id desc);

do $$
declare
    t text;
begin
    foreach t in array array ['refresh_tokens', 'api_keys', 'invites', 'audit_log'] loop
        execute format('alter table %I enable row level security', t);
        execute format('alter table %I force row level security', t);
        execute format('create policy tenant_isolation on %I using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id())', t);
    end loop;
end
$$;

create policy auth_lookup on users for select to vigil_auth using (true);
create policy auth_lookup on refresh_tokens for select to vigil_auth using (true);
create policy auth_lookup on api_keys for select to vigil_auth using (true);
create policy auth_lookup on invites for select to vigil_auth using (true);
grant select on users, refresh_tokens, api_keys, invites to vigil_auth;

create function auth_user_by_email(p_email text)
    returns table (tenant_id uuid, user_id uuid, password_hash text, role text)
    language sql stable security definer set search_path = public
as $$ select u.tenant_id, u.user_id, u.password_hash, u.role from users u where u.email = p_email $$;

create function auth_refresh_token(p_hash bytea)
    returns table (tenant_id uuid, token_id uuid, user_id uuid, family_id uuid,
                   expires_at timestamptz, used_at timestamptz, revoked_at timestamptz)
    language sql stable security definer set search_path = public
as $$
    select r.tenant_id, r.token_id, r.user_id, r.family_id, r.expires_at, r.used_at, r.revoked_at
    from refresh_tokens r where r.token_hash = p_hash
$$;

create function auth_api_key(p_hash bytea)
    returns table (tenant_id uuid, api_key_id uuid, name text, role text, revoked_at timestamptz)
    language sql stable security definer set search_path = public
as $$
    select k.tenant_id, k.api_key_id, k.name, k.role, k.revoked_at from api_keys k where k.key_hash = p_hash
$$;

create function auth_invite(p_hash bytea)
    returns table (tenant_id uuid, invite_id uuid, email text, role text,
                   expires_at timestamptz, accepted_at timestamptz)
    language sql stable security definer set search_path = public
as $$
    select i.tenant_id, i.invite_id, i.email, i.role, i.expires_at, i.accepted_at
    from invites i where i.token_hash = p_hash
$$;

do $$
declare
    f text;
begin
    foreach f in array array ['auth_user_by_email(text)', 'auth_refresh_token(bytea)',
                              'auth_api_key(bytea)', 'auth_invite(bytea)'] loop
        execute format('alter function %s owner to vigil_auth', f);
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to vigil_app', f);
    end loop;
end
$$;

grant select, insert, update, delete on refresh_tokens, api_keys, invites, audit_log to vigil_app;
