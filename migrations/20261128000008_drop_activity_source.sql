-- activity_source (added with ingestion) was never written or read: which source a
-- connection is read from is in ingest_cursors. Dropped rather than left to mislead.
alter table aws_accounts drop column activity_source;
