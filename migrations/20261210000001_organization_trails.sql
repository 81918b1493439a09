-- Organisation trails: one trail bucket holds every member account's log files
-- (AWSLogs/<org-id>/<account>/CloudTrail/... and the older AWSLogs/<account>/CloudTrail/...).
-- The ingestion of the organisation's management-account connection reads it through the
-- management role and stores each account folder's events under the member connection of
-- that account, with that connection's own cursors and file marks (ingest_cursors,
-- ingested_files), so exactly-once needs no new table. What the organisation records here
-- is what the members' own ingestion and the customer need to know: which organisation
-- trail is read, whether it covers every member (logging, multi-region), when it was last
-- read through, and which accounts' folders were skipped because no connected member
-- connection is theirs. The columns live on aws_organizations, which already has tenant
-- row-level security.

alter table aws_organizations add column trail_arn text
    check (char_length(trail_arn) <= 2048);
alter table aws_organizations add column trail_bucket text
    check (char_length(trail_bucket) <= 255);
-- Logging and multi-region at the last read: the members' own ingestion then reads
-- neither trail files nor LookupEvents (the organisation trail brings their events).
alter table aws_organizations add column trail_covers_members boolean not null default false;
alter table aws_organizations add column trail_read_at timestamptz;
-- The 12-digit accounts with folders in the bucket that no connected member connection
-- of the organisation is for: their files are not read.
alter table aws_organizations add column trail_skipped_accounts text[] not null default '{}'
    check (cardinality(trail_skipped_accounts) <= 10000);
