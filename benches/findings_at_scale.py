#!/usr/bin/env python3
"""GraphQL reads at a million findings per tenant, beside `/healthz` in the same run.

Two tenants each get `--findings` findings (default 1,000,000) spread over three
connections, 60 rules, 17 regions and the three statuses, written straight into
PostgreSQL (the statement-level triggers keep `finding_rollups` as a scan would). Then the
release `vigil-api` answers each read `--requests` times in a row, one at a time, as tenant
A; the report gives p50/p99 per read and its ratio to `/healthz` (same server, same run).

    cargo build --release -p vigil-api
    python3 benches/findings_at_scale.py [--bin-dir DIR] [--findings N] [--alerts N] [--requests N] [--keep]

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
PAGE_20 = "findings, OPEN, page 20 by cursor (by severity)"
PAGED = "query($f: FindingFilter, $after: String) { findings(first: 50, after: $after, filter: $f) { totalCount pageInfo { endCursor } edges { node { id } } } }"




def post(path: str, body: dict, token: str | None = None) -> dict:
    req = urllib.request.Request(
        f"http://{LISTEN}{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
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


def seed(tenant: str, connections: list[str], findings: int) -> None:
    accounts = "array[" + ",".join(f"'{c}'::uuid" for c in connections) + "]"
    chunk = 250_000
    for start in range(0, findings, chunk):
        end = min(findings, start + chunk)
        # Deterministic spread: 60 rules (severity fixed per rule), 17 regions, 85% open,
        # 10% resolved, 5% suppressed, seen over the last 30 days.
        psql(
            f"""
            insert into findings (tenant_id, finding_id, aws_account_id, rule_id, region, resource_type,
                                  resource_id, severity, status, evidence, first_seen_at, last_seen_at, resolved_at)
            select '{tenant}', gen_random_uuid(), ({accounts})[1 + i % {len(connections)}],
                   'rule-' || lpad((i % 60)::text, 2, '0'),
                   (array['us-east-1','us-east-2','us-west-1','us-west-2','eu-west-1','eu-west-2','eu-west-3',
                          'eu-central-1','eu-north-1','ap-south-1','ap-northeast-1','ap-northeast-2',
                          'ap-southeast-1','ap-southeast-2','ca-central-1','sa-east-1','global'])[1 + (i / 60) % 17],
                   'AWS::EC2::Volume', 'vol-' || lpad(i::text, 12, '0'),
                   (array['critical','high','high','medium','medium','medium','low','low','info','info'])[1 + (i % 60) % 10],
                   case when i % 20 = 0 then 'suppressed' when i % 10 = 1 then 'resolved' else 'open' end,
                   '{{"bench": true}}', now() - interval '30 days' + (i % 43200) * interval '1 minute',
                   now() - (i % 2592000) * interval '1 second',
                   case when i % 10 = 1 then now() end
            from generate_series({start}, {end - 1}) i
            """,
            DB,
        )


def seed_alerts(tenant: str, connections: list[str], alerts: int) -> None:
    accounts = "array[" + ",".join(f"'{c}'::uuid" for c in connections) + "]"
    chunk = 250_000
    for start in range(0, alerts, chunk):
        end = min(alerts, start + chunk)
        # 40 rules, 70% closed, 20% acknowledged, 10% open, over the last 90 days.
        psql(
            f"""
            insert into alerts (tenant_id, alert_id, aws_account_id, rule_id, title, severity, status, group_key,
                                region, event_name, principal_arn, source_ip, first_event_id, last_event_id,
                                event_ids, first_seen_at, last_seen_at)
            select '{tenant}', gen_random_uuid(), ({accounts})[1 + i % {len(connections)}],
                   'vigil-rule-' || (i % 40), 'Bench alert', 
                   (array['critical','high','high','medium','medium','medium','low','low','info','info'])[1 + (i % 40) % 10],
                   case when i % 10 = 0 then 'open' when i % 10 < 3 then 'acknowledged' else 'closed' end,
                   'g' || i, 'eu-west-1', 'CreateAccessKey', 'arn:aws:iam::111122223333:user/u' || (i % 500),
                   '198.51.100.' || (i % 250), 'e' || i, 'e' || i, array['e' || i],
                   now() - ((i::bigint * 7776000) / {alerts}) * interval '1 second',
                   now() - ((i::bigint * 7776000) / {alerts}) * interval '1 second'
            from generate_series({start}, {end - 1}) i
            """,
            DB,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", "/var/cache/vigil/target")
    parser.add_argument("--bin-dir", default=f"{target}/release")
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=0, help="alerts per tenant as well (default none)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB} afterwards")
    args = parser.parse_args()
    api = Path(args.bin_dir) / "vigil-api"
    if not api.exists():
        raise SystemExit(f"{api} not found: cargo build --release -p vigil-api")

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
        tokens = {}
        first_connection = {}
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
            tenant = psql(f"select tenant_id from aws_accounts where aws_account_id = '{connections[0]}'", DB)
            started = time.perf_counter()
            seed(tenant, connections, args.findings)
            print(f"tenant {name}: {args.findings:,} findings written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            if args.alerts:
                seed_alerts(tenant, connections, args.alerts)
        psql("vacuum analyze", DB)
        psql(f"alter database {DB} set log_min_duration_statement = 100")
        total = psql("select count(*) from findings", DB)
        print(f"findings in the database: {int(total):,}", file=sys.stderr)

        token = tokens["a"]
        rows = [("`GET /healthz` (baseline)", *timed(lambda: urllib.request.urlopen(f"http://{LISTEN}/healthz").read(), args.requests))]
        for name, query, variables in READS:
            variables = json.loads(json.dumps(variables).replace("{connection}", first_connection["a"]))
            rows.append((name, *timed(lambda q=query, v=variables: graphql(token, q, v), args.requests)))
        if args.alerts:
            now = time.time()
            stamp = lambda days: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - days * 86400))  # noqa: E731
            for name, query, variables in ALERT_READS:
                variables = json.loads(
                    json.dumps(variables).replace("{week_ago}", stamp(7)).replace("{month_ago}", stamp(30))
                )
                rows.append((name, *timed(lambda q=query, v=variables: graphql(token, q, v), args.requests)))
        after = None
        for _ in range(19):
            after = graphql(token, PAGED, {"f": {"status": ["OPEN"]}, "after": after})["findings"]["pageInfo"]["endCursor"]
        rows.append((PAGE_20, *timed(lambda: graphql(token, PAGED, {"f": {"status": ["OPEN"]}, "after": after}), args.requests)))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not args.keep:
            psql(f"drop database if exists {DB}")

    base = rows[0][2]
    alerts = f", {args.alerts:,} alerts" if args.alerts else ""
    print(f"\n{args.findings:,} findings{alerts} per tenant, 2 tenants; {args.requests} requests per read, one at a time\n")
    print("| read | p50 ms | p99 ms | p99 / healthz p99 |")
    print("|---|---:|---:|---:|")
    for name, p50, p99 in rows:
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {p99 / base:.1f} |")


if __name__ == "__main__":
    main()
