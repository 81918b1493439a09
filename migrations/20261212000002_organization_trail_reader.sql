-- The member connection whose role reads the organisation trail's bucket, when the bucket
-- lives in a log-archive account the management role may not read (the usual Control
-- Tower layout). Null: the management role reads it. The reader must be a member
-- connection of the same organisation (checked by the API); deleting it sets this back to
-- null, so the management role is tried again. aws_organizations already has tenant
-- row-level security.

alter table aws_organizations add column trail_reader uuid;
alter table aws_organizations add constraint aws_organizations_trail_reader_fkey
    foreign key (tenant_id, trail_reader) references aws_accounts (tenant_id, aws_account_id)
    on delete set null (trail_reader);
