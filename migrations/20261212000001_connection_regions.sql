-- The regions a connection is watched in. Null (the default): every region enabled in the
-- account, read from EC2 DescribeRegions at each scan. A list: only those of them that are
-- enabled; a listed region the account has not enabled is reported on the scan. Customers
-- whose service control policies deny all but a few regions set it, so scans neither spend
-- calls on nor report "not assessed" for regions nobody can use. An organisation's list is
-- given to every member connection it creates, and setting it again sets the members'.
-- Both tables already have tenant row-level security.

alter table aws_accounts add column regions text[]
    check (regions is null or cardinality(regions) between 1 and 64);
alter table aws_organizations add column regions text[]
    check (regions is null or cardinality(regions) between 1 and 64);
