-- alertCountsByDay reads 30 days of alert_quarter_hours (up to 96 x severities x
-- connections rows per day). With the count in the index, the read is an index-only scan:
-- past quarter hours never change, so their pages stay all-visible and the heap is not
-- visited. The current quarter hour's updates still find their row through the primary key.
create index alert_quarter_hours_chart on alert_quarter_hours (tenant_id, quarter_hour)
    include (aws_account_id, severity, alerts);
