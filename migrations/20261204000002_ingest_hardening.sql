-- Issue 20: the trail a connection reads is pinned once chosen, so a trail created later
-- (perhaps by an attacker, writing to their own bucket) cannot silently replace it; and
-- what ingestion had to keep out (records dated outside the accepted window, a pinned
-- trail that vanished) is counted on the connection, by kind:
-- {"<kind>": {"count": n, "message": "...", "lastSeenAt": "..."}}.
alter table aws_accounts add column trail_arn text;
alter table aws_accounts add column ingest_problems jsonb not null default '{}'::jsonb;
