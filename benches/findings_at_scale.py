#!/usr/bin/env python3
"""GraphQL reads at a million findings per tenant, beside `/healthz` in the same run.

Two tenants each get `--findings` findings (default 1,000,000) spread over three
connections, 60 rules, 17 regions and the three statuses, written straight into
PostgreSQL (the statement-level triggers keep `finding_rollups` as a scan would). Then the
release `vigil-api` answers each read `--requests` times in a row, one at a time, as tenant
A; the report gives p50/p99 per read and its ratio to `/healthz` (same server, same run).

`--alerts`, `--assets` and `--events` give both tenants that many alerts, assets (with
their change records and IP spans) and CloudTrail events (over 90 days, in the daily
partitions ingestion creates) as well, and add the reads the web app and integrations make
of them; `--findings 0` leaves the findings and their reads out.

    cargo build --release -p vigil-api
    python3 benches/findings_at_scale.py [--bin-dir DIR] [--findings N] [--alerts N] [--assets N]
                                         [--events N] [--requests N] [--keep]

Needs PostgreSQL at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
`psql`; creates and drops its own database. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchlib import database_url, psql

ROOT = Path(__file__).resolve().parent.parent
DB = "vigil_bench_scale"
LISTEN = "127.0.0.1:18099"
PASSWORD = "bench-password-0123456789"
# Rows per INSERT statement.
CHUNK = 250_000
# The regions resources and calls are spread over (findings add `global`).
REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
    "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "sa-east-1",
]  # fmt: skip
# An estate's inventory, most of it snapshots and volumes: (type, share in 30, ID prefix).
# Instances and network interfaces hold addresses; IAM and S3 are `global`.
ASSET_TYPES = [
    ("AWS::EC2::Snapshot", 6, "snap-"), ("AWS::EC2::Volume", 5, "vol-"), ("AWS::EC2::Instance", 4, "i-"),
    ("AWS::EC2::NetworkInterface", 4, "eni-"), ("AWS::EC2::SecurityGroup", 2, "sg-"), ("AWS::EC2::Subnet", 1, "subnet-"),
    ("AWS::EC2::VPC", 1, "vpc-"), ("AWS::EC2::NetworkAcl", 1, "acl-"), ("AWS::EC2::Image", 1, "ami-"),
    ("AWS::RDS::DBInstance", 1, "db-"), ("AWS::RDS::DBSnapshot", 1, "rds-snap-"), ("AWS::S3::Bucket", 1, "bucket-"),
    ("AWS::IAM::User", 1, "user-"), ("AWS::IAM::ManagedPolicy", 1, "policy-"),
]  # fmt: skip
# 300 eventNames (verb + noun; Describe, List and Get only read) on 30 services.
EVENT_VERBS = ["Describe", "List", "Get", "Create", "Update", "Put", "Delete", "Attach", "Modify", "Tag"]
EVENT_NOUNS = [
    ("Instances", "ec2"), ("Volumes", "ec2"), ("Snapshots", "ec2"), ("SecurityGroups", "ec2"), ("Images", "ec2"),
    ("NetworkInterfaces", "ec2"), ("Subnets", "ec2"), ("Vpcs", "ec2"), ("Buckets", "s3"), ("BucketPolicy", "s3"),
    ("User", "iam"), ("Role", "iam"), ("Policy", "iam"), ("AccessKey", "iam"), ("Group", "iam"),
    ("Trail", "cloudtrail"), ("Key", "kms"), ("Alias", "kms"), ("Secret", "secretsmanager"), ("Parameter", "ssm"),
    ("Function", "lambda"), ("Table", "dynamodb"), ("Stack", "cloudformation"), ("LogGroup", "logs"),
    ("DBInstance", "rds"), ("Cluster", "ecs"), ("Topic", "sns"), ("Queue", "sqs"), ("Distribution", "cloudfront"),
    ("HostedZone", "route53"),
]  # fmt: skip
# How far back the events go (one partition per UTC day, as ingestion makes them).
EVENT_DAYS = 90

READS: list[tuple[str, str, dict]] = [
    (
        "findings, default view (OPEN, by severity) + totalCount",
        "query($f: FindingFilter) { findings(first: 50, filter: $f) { totalCount edges { node { id ruleId severity status region resourceId lastSeenAt } } } }",
        {"f": {"status": ["OPEN"]}},
    ),
    (
        "findings, all statuses, by severity + totalCount",
        "{ findings(first: 50) { totalCount edges { node { id severity status } } } }",
        {},
    ),
    (
        "findings, OPEN, by last seen + totalCount",
        "query($f: FindingFilter) { findings(first: 50, filter: $f, orderBy: LAST_SEEN) { totalCount edges { node { id lastSeenAt } } } }",
        {"f": {"status": ["OPEN"]}},
    ),
    (
        "findings, all statuses, by last seen",
        "{ findings(first: 50, orderBy: LAST_SEEN) { totalCount edges { node { id lastSeenAt } } } }",
        {},
    ),
    (
        "findings, OPEN, HIGH+CRITICAL in eu-west-1 + totalCount",
        "query($f: FindingFilter) { findings(first: 50, filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"status": ["OPEN"], "severity": ["CRITICAL", "HIGH"], "region": "eu-west-1"}},
    ),
    (
        "findings, one rule, OPEN + totalCount",
        "query($f: FindingFilter) { findings(first: 50, filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"status": ["OPEN"], "ruleId": "rule-07"}},
    ),
    (
        "findings, one connection of three, OPEN + totalCount",
        "query($f: FindingFilter) { findings(first: 50, filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"status": ["OPEN"], "awsAccountId": "{connection}"}},
    ),
    ("findingSummary", "{ findingSummary { bySeverity { severity count } byRule { ruleId count } } }", {}),
]
ALERT_READS: list[tuple[str, str, dict]] = [
    (
        "alerts, default view (by last seen) + totalCount",
        "{ alerts(first: 50) { totalCount edges { node { id ruleId severity status lastSeenAt } } } }",
        {},
    ),
    (
        "alerts, OPEN + totalCount",
        "query($f: AlertFilter) { alerts(first: 50, filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"status": ["OPEN"]}},
    ),
    (
        "alerts, HIGH+CRITICAL, last 7 days + totalCount",
        "query($f: AlertFilter) { alerts(first: 50, filter: $f) { totalCount edges { node { id } } } }",
        {"f": {"severity": ["CRITICAL", "HIGH"], "since": "{week_ago}"}},
    ),
    (
        "alertCountsByDay, last 30 days (the dashboard chart)",
        "query($s: DateTime!) { alertCountsByDay(since: $s, timeZone: \"Europe/Paris\") { day severity count } }",
        {"s": "{month_ago}"},
    ),
]
# The Assets page's documents (web/src/pages/Assets.tsx), with 50 rows a page.
ASSETS = "query($f: AssetFilter, $o: AssetOrder, $after: String) { assets(first: 50, after: $after, filter: $f, orderBy: $o) { totalCount pageInfo { hasNextPage endCursor } edges { node { id awsAccountId region resourceType resourceId resourceArn firstSeenAt lastSeenAt deletedAt } } } }"
ASSET_READS: list[tuple[str, str, dict]] = [
    ("assets, default view (by type) + totalCount", ASSETS, {}),
    ("assetCounts (the inventory beside the list)", "query($f: AssetFilter) { assetCounts(filter: $f) { resourceType region count } }", {"f": {}}),
    ("assets, one type (EC2 instances, 13 %) + totalCount", ASSETS, {"f": {"resourceType": "AWS::EC2::Instance"}}),
    ("assets, one region (eu-west-1) + totalCount", ASSETS, {"f": {"region": "eu-west-1"}}),
    ("assets, one connection of three + totalCount", ASSETS, {"f": {"awsAccountId": "{connection}"}}),
    ("assets, by first seen + totalCount", ASSETS, {"o": "FIRST_SEEN"}),
    ("assets, by last seen + totalCount", ASSETS, {"o": "LAST_SEEN"}),
    (
        "asset, one instance with its last 20 changes",
        "query($id: ID!) { asset(id: $id) { id awsAccountId region resourceType resourceId resourceArn configuration tags firstSeenAt lastSeenAt deletedAt changes(first: 20) { kind changedAt scanId configuration } } }",
        {"id": "{asset_id}"},
    ),
    (
        "resourcesByIp, an instance's private address now",
        "query($ip: String!) { resourcesByIp(ip: $ip) { ip public heldFrom heldUntil asset { id awsAccountId resourceType resourceId region deletedAt } } }",
        {"ip": "{ip}"},
    ),
]
# What the Alerts page asks of an event (web/src/pages/Alerts.tsx, `AlertEvent`); the
# events lists below ask for the same fields, with totalCount as integrations do.
EVENT_FIELDS = "id eventId eventName eventSource region principalArn principalType accessKeyId sourceIpAddress userAgent occurredAt errorCode raw"
EVENTS = f"query($f: EventFilter, $after: String) {{ events(first: 50, after: $after, filter: $f) {{ totalCount pageInfo {{ endCursor }} edges {{ node {{ {EVENT_FIELDS} }} }} }} }}"
EVENT_READS: list[tuple[str, str, dict]] = [
    ("events, default view (newest first) + totalCount", EVENTS, {}),
    ("events, one eventName (the day's commonest) + totalCount", EVENTS, {"f": {"eventName": "{event_name}"}}),
    ("events, one principal (the day's busiest) + totalCount", EVENTS, {"f": {"principalArn": "{principal}"}}),
    (
        "events, a principal without events (did this key do anything?) + totalCount",
        EVENTS,
        {"f": {"principalArn": "arn:aws:iam::111122220000:user/nobody"}},
    ),
    ("events, one source IP (the day's busiest) + totalCount", EVENTS, {"f": {"sourceIpAddress": "{source_ip}"}}),
    ("events, last 24 hours + totalCount", EVENTS, {"f": {"since": "{day_ago}"}}),
    ("events, one connection of three + totalCount", EVENTS, {"f": {"awsAccountId": "{connection}"}}),
    (
        "events, an alert's raw event (connection, eventName, 2 s; Alerts page)",
        f"query($filter: EventFilter!) {{ events(first: 50, filter: $filter) {{ edges {{ node {{ {EVENT_FIELDS} }} }} }} }}",
        {"filter": "{alert_event}"},
    ),
]
# Page 20 of each kind, reached by following endCursor: (name, query, variables, field).
PAGES_20: dict[str, tuple[str, str, dict, str]] = {
    "findings": (
        "findings, OPEN, page 20 by cursor (by severity)",
        "query($f: FindingFilter, $after: String) { findings(first: 50, after: $after, filter: $f) { totalCount pageInfo { endCursor } edges { node { id } } } }",
        {"f": {"status": ["OPEN"]}},
        "findings",
    ),
    "assets": ("assets, page 20 by cursor (by type)", ASSETS, {}, "assets"),
    "events": ("events, page 20 by cursor (newest first)", EVENTS, {}, "events"),
}
# Values of the placeholders above read from tenant A's rows (`{tenant}`, `{day_ago}` and
# `{week_ago}` filled in), one query per kind answering a JSON object.
SAMPLES = {
    "assets": """
        select json_build_object(
            'asset_id', (select asset_id from assets where tenant_id = '{tenant}'
                         and resource_type = 'AWS::EC2::Instance' and deleted_at is null limit 1),
            'ip', (select host(ip) from asset_ips where tenant_id = '{tenant}' and not public and seen_until is null limit 1))
    """,
    "events": """
        select json_build_object(
            'event_name', (select event_name from events where tenant_id = '{tenant}' and occurred_at >= '{day_ago}'
                           group by 1 order by count(*) desc limit 1),
            'principal', (select principal_arn from events where tenant_id = '{tenant}' and occurred_at >= '{day_ago}'
                          group by 1 order by count(*) desc limit 1),
            'source_ip', (select source_ip from events where tenant_id = '{tenant}' and occurred_at >= '{day_ago}'
                          group by 1 order by count(*) desc limit 1),
            'alert_event', (select json_build_object('awsAccountId', aws_account_id, 'eventName', event_name,
                                                     'since', occurred_at - interval '1 second',
                                                     'until', occurred_at + interval '1 second')
                            from events where tenant_id = '{tenant}' and occurred_at < '{week_ago}' and not own
                            order by occurred_at desc limit 1))
    """,
}


def post(path: str, body: dict, token: str | None = None) -> dict:
    req = urllib.request.Request(
        f"http://{LISTEN}{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})},
    )
    # Unindexed event filters take minutes at ten million events: wait for them rather than
    # fail after the half hour of writing.
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read())


def graphql(token: str, query: str, variables: dict) -> dict:
    out = post("/graphql", {"query": query, "variables": variables}, token)
    if out.get("errors"):
        raise SystemExit(f"GraphQL error: {out['errors']}")
    return out["data"]


def timed(call, n: int) -> tuple[float, float]:
    for _ in range(min(10, n)):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.99 * len(samples)) - 1)]


def fill(value, values: dict):
    """`value` with every string `"{name}"` in it replaced by `values[name]` (any JSON value)."""
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in values:
        return values[value[1:-1]]
    return value


def page_20(token: str, query: str, variables: dict, field: str):
    """A call that reads page 20 of `field`, after following endCursor through the 19 before it."""
    after = None
    for _ in range(19):
        after = graphql(token, query, {**variables, "after": after})[field]["pageInfo"]["endCursor"]
    return lambda: graphql(token, query, {**variables, "after": after})


def sql_array(values, cast: str = "") -> str:
    """A SQL array literal of `values`, each cast with `cast` (e.g. `::uuid`)."""
    return "array[" + ",".join(f"'{v}'{cast}" for v in values) + "]"


def insert_in_chunks(rows: int, statement) -> None:
    """Runs `statement(start, end)` for rows [start, end) of `rows`, CHUNK rows at a time."""
    for start in range(0, rows, CHUNK):
        psql(statement(start, min(rows, start + CHUNK)), DB)


def skewed(seed: int, n: int) -> str:
    """SQL picking 0..n-1 for row `i`, the low values far commoner (a few calls, principals and
    addresses make most of CloudTrail's traffic): the square of a uniform draw, so k is picked
    about 1 / (2 sqrt(k n)) of the time, 0 for 6 % of rows and n - 1 for 0.2 % at n = 300."""
    return f"floor({n} * power((abs(hashint8extended(i, {seed})) % 1000000) / 1000000.0, 2))::int"


def seed(tenant: str, connections: list[str], findings: int) -> None:
    # Deterministic spread: 60 rules (severity fixed per rule), 17 regions, 85% open,
    # 10% resolved, 5% suppressed, seen over the last 30 days.
    insert_in_chunks(
        findings,
        lambda start, end: f"""
            insert into findings (tenant_id, finding_id, aws_account_id, rule_id, region, resource_type,
                                  resource_id, severity, status, evidence, first_seen_at, last_seen_at, resolved_at)
            select '{tenant}', gen_random_uuid(), ({sql_array(connections, "::uuid")})[1 + i % {len(connections)}],
                   'rule-' || lpad((i % 60)::text, 2, '0'),
                   ({sql_array(REGIONS + ["global"])})[1 + (i / 60) % 17],
                   'AWS::EC2::Volume', 'vol-' || lpad(i::text, 12, '0'),
                   (array['critical','high','high','medium','medium','medium','low','low','info','info'])[1 + (i % 60) % 10],
                   case when i % 20 = 0 then 'suppressed' when i % 10 = 1 then 'resolved' else 'open' end,
                   '{{"bench": true}}', now() - interval '30 days' + (i % 43200) * interval '1 minute',
                   now() - (i % 2592000) * interval '1 second',
                   case when i % 10 = 1 then now() end
            from generate_series({start}, {end - 1}) i
        """,
    )


def seed_alerts(tenant: str, connections: list[str], alerts: int) -> None:
    # 40 rules, 70% closed, 20% acknowledged, 10% open, over the last 90 days.
    insert_in_chunks(
        alerts,
        lambda start, end: f"""
            insert into alerts (tenant_id, alert_id, aws_account_id, rule_id, title, severity, status, group_key,
                                region, event_name, principal_arn, source_ip, first_event_id, last_event_id,
                                event_ids, first_seen_at, last_seen_at)
            select '{tenant}', gen_random_uuid(), ({sql_array(connections, "::uuid")})[1 + i % {len(connections)}],
                   'vigil-rule-' || (i % 40), 'Bench alert',
                   (array['critical','high','high','medium','medium','medium','low','low','info','info'])[1 + (i % 40) % 10],
                   case when i % 10 = 0 then 'open' when i % 10 < 3 then 'acknowledged' else 'closed' end,
                   'g' || i, 'eu-west-1', 'CreateAccessKey', 'arn:aws:iam::111122223333:user/u' || (i % 500),
                   '198.51.100.' || (i % 250), 'e' || i, 'e' || i, array['e' || i],
                   now() - ((i::bigint * 7776000) / {alerts}) * interval '1 second',
                   now() - ((i::bigint * 7776000) / {alerts}) * interval '1 second'
            from generate_series({start}, {end - 1}) i
        """,
    )


def seed_assets(tenant: str, connections: list[str], assets: int, now: str) -> None:
    # ASSET_TYPES in 16 regions (IAM and S3 global), discovered over the last year, seen by
    # a scan within the last day; 5% deleted since. Their change records as scans write
    # them (created, modified for a quarter, deleted), and the spans of the addresses
    # instances and interfaces hold: a private one in 10.0.0.0/16 (so addresses recur across
    # connections and over time), a public one for a third.
    types = [(t, prefix) for t, share, prefix in ASSET_TYPES for _ in range(share)]
    insert_in_chunks(
        assets,
        lambda start, end: f"""
            with a as materialized (
                select i, gen_random_uuid() as asset_id, ({sql_array(connections, "::uuid")})[1 + k] as account,
                       t.type, r.region, t.resource_id, s.first_seen_at, s.last_seen_at, s.deleted_at,
                       jsonb_strip_nulls(jsonb_build_object(
                           'ResourceId', t.resource_id, 'Region', r.region, 'OwnerId', (111122220000 + k)::text,
                           'State', case when s.deleted_at is null then 'available' else 'deleted' end,
                           'CreateTime', s.first_seen_at, 'Encrypted', i % 5 <> 0, 'Size', 8 + i % 500,
                           'KmsKeyId', 'arn:aws:kms:' || r.region || ':' || (111122220000 + k) || ':key/' || md5(t.resource_id)::uuid,
                           'Description', 'Bench ' || t.type || ' ' || t.resource_id || ' of team-' || i % 40,
                           'PrivateIpAddress', case when t.type in ('AWS::EC2::Instance', 'AWS::EC2::NetworkInterface')
                                                    then host('10.0.0.0'::inet + (i / 3) % 65536) end,
                           'PublicIpAddress', case when t.type in ('AWS::EC2::Instance', 'AWS::EC2::NetworkInterface') and i % 3 = 0
                                                   then host('52.0.0.0'::inet + i) end,
                           'Tags', jsonb_build_object('Name', t.resource_id, 'env', (array['prod','staging','dev'])[1 + i % 3],
                                                      'team', 'team-' || i % 40))) as configuration
                from generate_series({start}, {end - 1}) i,
                     lateral (select i % {len(connections)} as k) c,
                     lateral (select ({sql_array(t for t, _ in types)})[1 + i % {len(types)}] as type,
                                     ({sql_array(p for _, p in types)})[1 + i % {len(types)}] || lpad(to_hex(i), 17, '0') as resource_id) t,
                     lateral (select case when t.type ~ '^AWS::(IAM|S3)::' then 'global'
                                          else ({sql_array(REGIONS)})[1 + (i / {len(types)}) % {len(REGIONS)}] end as region) r,
                     lateral (select '{now}'::timestamptz - (i::bigint * 31536000 / {assets}) * interval '1 second' as first_seen_at) f,
                     lateral (select f.first_seen_at,
                                     case when i % 20 = 3 then f.first_seen_at + ('{now}'::timestamptz - f.first_seen_at) / 2
                                          else greatest(f.first_seen_at, '{now}'::timestamptz - (i % 24) * interval '1 hour') end as last_seen_at,
                                     case when i % 20 = 3 then f.first_seen_at + ('{now}'::timestamptz - f.first_seen_at) / 2 + interval '6 hours' end as deleted_at) s
            ),
            assets_in as (
                insert into assets (tenant_id, asset_id, aws_account_id, region, resource_type, resource_id,
                                    configuration, config_hash, tags, first_seen_at, last_seen_at, deleted_at)
                select '{tenant}', asset_id, account, region, type, resource_id, configuration,
                       sha256(convert_to(configuration::text, 'UTF8')), configuration -> 'Tags',
                       first_seen_at, last_seen_at, deleted_at
                from a
            ),
            changes_in as (
                insert into asset_changes (tenant_id, change_id, asset_id, changed_at, kind, configuration)
                select '{tenant}', gen_random_uuid(), a.asset_id, x.changed_at, x.kind, a.configuration
                from a, lateral (values ('created', a.first_seen_at),
                                        ('modified', case when a.i % 4 = 0 then a.first_seen_at + (a.last_seen_at - a.first_seen_at) / 2 end),
                                        ('deleted', a.deleted_at)) x(kind, changed_at)
                where x.changed_at is not null
            )
            insert into asset_ips (tenant_id, asset_ip_id, asset_id, ip, public, seen_from, seen_until)
            select '{tenant}', gen_random_uuid(), a.asset_id, x.ip, x.public, a.first_seen_at, a.deleted_at
            from a, lateral (values ((a.configuration ->> 'PrivateIpAddress')::inet, false),
                                    ((a.configuration ->> 'PublicIpAddress')::inet, true)) x(ip, public)
            where x.ip is not null
        """,
    )


def create_event_partitions(now: str) -> None:
    """The daily partitions the events' times fall in, made as ingestion makes them:
    `ensure_event_partition` of each UTC day, in a UTC session (as sqlx opens one)."""
    psql(
        f"""set timezone = 'UTC';
            select count(ensure_event_partition(d::date))
            from generate_series(('{now}'::timestamptz - interval '{EVENT_DAYS} days')::date, '{now}'::timestamptz::date,
                                 interval '1 day') d""",
        DB,
    )


def seed_events(tenant: str, connections: list[str], events: int, now: str) -> None:
    # Evenly over EVENT_DAYS up to `now`, newest first; 300 eventNames, 300 principals per
    # connection (200 users, 100 assumed roles) and 300 sources (250 addresses, the rest AWS
    # services), each skewed so a few make most of the traffic; 16 regions; 2.5 % denied;
    # 1 % Vigil's own. `raw` is a CloudTrail record of ~1 KB built from the same values.
    insert_in_chunks(
        events,
        lambda start, end: f"""
            insert into events (tenant_id, aws_account_id, event_id, occurred_at, event_name, event_source, region,
                                principal_arn, principal_type, access_key_id, source_ip, user_agent, error_code,
                                read_only, resources, own, raw)
            select '{tenant}', account, event_id, occurred_at, event_name, event_source, region, principal_arn,
                   principal_type, access_key_id, source_ip, user_agent, error_code, read_only, '[]', own,
                   jsonb_build_object(
                       'eventVersion', '1.09', 'eventID', event_id,
                       'eventTime', to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       'eventSource', event_source, 'eventName', event_name, 'awsRegion', region,
                       'sourceIPAddress', source_ip, 'userAgent', user_agent, 'errorCode', error_code,
                       'userIdentity', jsonb_build_object(
                           'type', principal_type, 'arn', principal_arn, 'accountId', account_number,
                           'principalId', 'AIDA' || upper(substr(md5(principal_arn), 1, 17)), 'accessKeyId', access_key_id),
                       'requestParameters', jsonb_build_object(
                           'resourceId', 'i-' || lpad(to_hex(i % 100000), 17, '0'), 'filterSet', '{{}}'::jsonb,
                           'maxResults', 100, 'includeAllInstances', false),
                       'responseElements', null, 'requestID', md5(event_id)::uuid, 'eventType', 'AwsApiCall',
                       'readOnly', read_only, 'recipientAccountId', account_number, 'managementEvent', true,
                       'eventCategory', 'Management',
                       'tlsDetails', jsonb_build_object(
                           'tlsVersion', 'TLSv1.3', 'cipherSuite', 'TLS_AES_128_GCM_SHA256',
                           'clientProvidedHostHeader', replace(event_source, '.amazonaws.com', '') || '.' || region || '.amazonaws.com'))
            from (
                select i, ({sql_array(connections, "::uuid")})[1 + k] as account, (111122220000 + k)::text as account_number,
                       md5('{tenant}' || i)::uuid::text as event_id,
                       '{now}'::timestamptz - (i::bigint * {EVENT_DAYS * 86_400_000} / {events}) * interval '1 millisecond' as occurred_at,
                       ({sql_array(EVENT_VERBS)})[1 + n / {len(EVENT_NOUNS)}] || ({sql_array(noun for noun, _ in EVENT_NOUNS)})[1 + n % {len(EVENT_NOUNS)}] as event_name,
                       ({sql_array(service for _, service in EVENT_NOUNS)})[1 + n % {len(EVENT_NOUNS)}] || '.amazonaws.com' as event_source,
                       ({sql_array(REGIONS)})[1 + abs(hashint8extended(i, 4)) % {len(REGIONS)}] as region,
                       case when p < 200 then 'arn:aws:iam::' || (111122220000 + k) || ':user/user' || p
                            else 'arn:aws:sts::' || (111122220000 + k) || ':assumed-role/role' || p - 200 || '/session' end as principal_arn,
                       case when p < 200 then 'IAMUser' else 'AssumedRole' end as principal_type,
                       case when p < 200 then 'AKIA' else 'ASIA' end || lpad(p::text, 16, '0') as access_key_id,
                       case when s < 250 then '198.51.' || (100 + s / 100) || '.' || (1 + s % 100)
                            else ({sql_array(service for _, service in EVENT_NOUNS)})[1 + s % {len(EVENT_NOUNS)}] || '.amazonaws.com' end as source_ip,
                       (array['aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian', 'console.amazonaws.com',
                              'Boto3/1.34.0 Python/3.11.6 Linux/6.1 Botocore/1.34.0', 'APN/1.0 HashiCorp/1.0 Terraform/1.7.0'])[1 + p % 4] as user_agent,
                       case when i % 40 = 7 then 'AccessDenied' end as error_code,
                       n / {len(EVENT_NOUNS)} < 3 as read_only, i % 100 = 0 as own
                from generate_series({start}, {end - 1}) i,
                     lateral (select i % {len(connections)} as k, {skewed(1, 300)} as n, {skewed(2, 300)} as p, {skewed(3, 300)} as s) h
            ) e
        """,
    )


def seed_tenants(args, kinds, stamp, tenants: dict, first_connection: dict) -> None:
    """Signs up tenants A and B, each with three connections, and writes their data."""
    if args.events:
        create_event_partitions(stamp(0))
    tokens = {}
    for name in ("a", "b"):
        tokens[name] = post(
            "/api/v1/auth/signup",
            {"email": f"bench-{name}@example.com", "password": PASSWORD, "organization": f"Bench {name}"},
        )["access_token"]
        connections = [
            graphql(
                tokens[name],
                "mutation($n: String!) { createAwsAccount(input: { name: $n }) { id } }",
                {"n": f"{name}-{i}"},
            )["createAwsAccount"]["id"]
            for i in range(3)
        ]
        first_connection[name] = connections[1]
        tenants[name] = psql(f"select tenant_id from aws_accounts where aws_account_id = '{connections[0]}'", DB)
        for kind, n, write, _ in kinds:
            started = time.perf_counter()
            write(tenants[name], connections)
            print(f"tenant {name}: {n:,} {kind} written in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", "/var/cache/vigil/target")
    parser.add_argument("--bin-dir", default=f"{target}/release")
    parser.add_argument("--findings", type=int, default=1_000_000, help="findings per tenant (0: none, and no findings reads)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=0, help="alerts per tenant as well (default none)")
    parser.add_argument("--assets", type=int, default=0, help="assets per tenant as well (default none)")
    parser.add_argument("--events", type=int, default=0, help=f"events per tenant as well, over {EVENT_DAYS} days (default none)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB} afterwards")
    parser.add_argument("--seed-only", action="store_true", help=f"write the data into {DB}, keep it, and stop")
    parser.add_argument(
        "--reuse", action="store_true",
        help=f"read a {DB} an earlier --keep or --seed-only run wrote (with the same sizes), after migrating it; keeps it",
    )
    args = parser.parse_args()
    api = Path(args.bin_dir) / "vigil-api"
    if not api.exists():
        raise SystemExit(f"{api} not found: cargo build --release -p vigil-api")
    # Times are relative to the start: the events end here, and their windows are read from here.
    now = time.time()
    stamp = lambda days: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - days * 86400))  # noqa: E731
    # What each kind writes per tenant and reads as tenant A, in report order.
    kinds = [
        ("findings", args.findings, lambda t, c: seed(t, c, args.findings), READS),
        ("alerts", args.alerts, lambda t, c: seed_alerts(t, c, args.alerts), ALERT_READS),
        ("assets", args.assets, lambda t, c: seed_assets(t, c, args.assets, stamp(0)), ASSET_READS),
        ("events", args.events, lambda t, c: seed_events(t, c, args.events, stamp(0)), EVENT_READS),
    ]
    kinds = [kind for kind in kinds if kind[1]]

    if args.seed_only or args.reuse:
        args.keep = True
    if not args.reuse:
        psql(f"drop database if exists {DB}")
        psql(f"create database {DB}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(DB),
        "VIGIL_ENV": "dev",
        "VIGIL_LISTEN": LISTEN,
        "VIGIL_AUTH_RATE_LIMIT": "1000",
        "VIGIL_GRAPHQL_RATE_LIMIT": "1000000",
        "RUST_LOG": "warn",
    }
    subprocess.run([str(api), "migrate"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([str(api)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://{LISTEN}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        tenants = {}
        first_connection = {}
        if args.reuse:
            # Ten million events take half an hour to write: a rerun after a change reads them again.
            first_connection["a"], tenants["a"] = psql(
                "select aws_account_id, tenant_id from aws_accounts where name = 'a-1'", DB
            ).split("|")
            # The data's clock: the newest event (or asset) is the seeding run's `now`.
            newest = psql(
                "select extract(epoch from greatest((select max(occurred_at) from events), (select max(first_seen_at) from assets)))",
                DB,
            )
            if newest:
                now = float(newest)
        else:
            seed_tenants(args, kinds, stamp, tenants, first_connection)
        if args.seed_only:
            return
        started = time.perf_counter()
        psql("vacuum analyze", DB)
        print(f"vacuum analyze: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        psql(f"alter database {DB} set log_min_duration_statement = 100")
        sizes = psql(
            """select string_agg(format('%s %s', name, pg_size_pretty(bytes)), ', ' order by bytes desc)
               from (select coalesce(i.inhparent::regclass::text, c.relname) as name, sum(pg_total_relation_size(c.oid)) as bytes
                     from pg_class c left join pg_inherits i on i.inhrelid = c.oid
                     where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace
                     group by 1 order by 2 desc limit 8) t""",
            DB,
        )
        print(f"database {psql(f'select pg_size_pretty(pg_database_size({DB!r}))')}: {sizes}", file=sys.stderr)

        # A fresh session: writing ten million events outlasts an access token.
        token = post("/api/v1/auth/login", {"email": "bench-a@example.com", "password": PASSWORD})["access_token"]
        values = {
            "connection": first_connection["a"],
            "day_ago": stamp(1),
            "week_ago": stamp(7),
            "month_ago": stamp(30),
        }
        for kind, *_ in kinds:
            if kind in SAMPLES:
                values.update(json.loads(psql(SAMPLES[kind].format(tenant=tenants["a"], **values), DB)))
        rows = [("`GET /healthz` (baseline)", *timed(lambda: urllib.request.urlopen(f"http://{LISTEN}/healthz").read(), args.requests))]
        for kind, _, _, reads in kinds:
            for name, query, variables in reads:
                variables = fill(variables, values)
                rows.append((name, *timed(lambda q=query, v=variables: graphql(token, q, v), args.requests)))
            if kind in PAGES_20:
                name, query, variables, field = PAGES_20[kind]
                rows.append((name, *timed(page_20(token, query, variables, field), args.requests)))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            psql(f"drop database if exists {DB}")

    base = rows[0][2]
    written = ", ".join(f"{n:,} {kind}" for kind, n, _, _ in kinds)
    print(f"\n{written} per tenant, 2 tenants; {args.requests} requests per read, one at a time\n")
    print("| read | p50 ms | p99 ms | p99 / healthz p99 |")
    print("|---|---:|---:|---:|")
    for name, p50, p99 in rows:
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {p99 / base:.1f} |")


if __name__ == "__main__":
    main()
