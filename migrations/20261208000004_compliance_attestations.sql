-- Attestations of compliance controls that configuration cannot show (CIS "manual"
-- controls): who owns the control, what was done, a link to the evidence, and until when
-- the statement holds. A compliance report shows an attestation until it expires or is
-- revoked; rows are kept after either, so what was attested stays on record (the audit log
-- has the same from its side).
create table compliance_attestations
(
    tenant_id      uuid        not null references tenants (tenant_id) on delete cascade,
    attestation_id uuid        not null,
    -- Vigil's framework ID (`cis-aws-5.0`) and the control's ID in it (`1.1`).
    framework      text        not null check (char_length(framework) between 1 and 50),
    control_id     text        not null check (char_length(control_id) between 1 and 20),
    -- One connection, or every connection of the tenant when null.
    aws_account_id uuid,
    owner          text        not null check (char_length(owner) between 1 and 200),
    note           text        not null check (char_length(note) between 1 and 2000),
    evidence_url   text check (evidence_url ~ '^https://' and char_length(evidence_url) <= 2000),
    expires_at     timestamptz not null,
    attested_by    text        not null,
    attested_at    timestamptz not null default now(),
    revoked_at     timestamptz,
    revoked_by     text,
    primary key (tenant_id, attestation_id),
    -- At most a year (and a day, for clocks and leap years) of validity.
    check (expires_at > attested_at and expires_at <= attested_at + interval '366 days'),
    foreign key (tenant_id, aws_account_id) references aws_accounts (tenant_id, aws_account_id) on delete cascade
);
-- A report reads a framework's live attestations.
create index compliance_attestations_by_control
    on compliance_attestations (tenant_id, framework, control_id, expires_at desc)
    where revoked_at is null;

alter table compliance_attestations enable row level security;
alter table compliance_attestations force row level security;
create policy tenant_isolation on compliance_attestations
    using (tenant_id = app_tenant_id()) with check (tenant_id = app_tenant_id());
grant select, insert, update, delete on compliance_attestations to vigil_app;
