-- Issue 18: a rule's dry run (backtest) reads only the events its eventNames allow, over
-- the whole window asked for, instead of the 10,000 most recent events of any name. Sigma
-- compares names without case, so the look-up is on lower(event_name).
create index events_by_lower_name on events (tenant_id, lower(event_name), occurred_at desc);
