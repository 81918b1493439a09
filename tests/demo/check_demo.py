"""Checks a running demo through the API, as its user would see it (standard library only).

Run by scripts/demo.sh once the demo is up (`make demo-check`):

    VIGIL_DEMO_DB=vigil_demo_check VIGIL_LISTEN=127.0.0.1:18080 \\
        scripts/demo.sh -- .venv/bin/python tests/demo/check_demo.py

Logs in as the demo user (VIGIL_DEMO_URL, VIGIL_DEMO_EMAIL, VIGIL_DEMO_PASSWORD) and polls
GraphQL until BOTH connected accounts have findings and alerts, including the alerts the
attack story must raise in each, or until the deadline (VIGIL_DEMO_CHECK_DEADLINE seconds,
default 150). Exits 0 with a summary, or 1 saying what is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: Alerts the story must raise, by the emulated account (detect/rules/**/*.yml). A rule is
#: expected only when the tree defines it (the correlation rules are newer than the story).
EXPECTED_ALERTS = {
    "111111111111": {  # production: the burst of a leaked key of bob-dev
        "vigil-offensive-tool-user-agent",  # denied reconnaissance from a Kali aws-cli
        "vigil-recon-access-denied-burst",  # twelve denied calls (correlation)
        "vigil-ec2-security-group-open-to-world",  # SSH from 0.0.0.0/0
        "vigil-ec2-snapshot-made-public",
        "vigil-iam-access-key-for-another-user",  # a key for alice-admin
        "vigil-cloudtrail-logging-stopped",
        "vigil-console-login-failed",
        "vigil-console-login-brute-force",  # five failures for alice-admin (correlation)
        "vigil-root-console-login-without-mfa",
    },
    "222222222222": {  # staging: the sequel
        "vigil-console-login-without-mfa",  # bob-dev, password reused
        "vigil-get-caller-identity-offensive-tool",
        "vigil-offensive-tool-user-agent",
        "vigil-ec2-security-group-open-to-world",  # RDP, eu-west-1
        "vigil-ec2-snapshot-shared-with-account",
        "vigil-iam-login-profile-for-another-user",  # carol-auditor
    },
}
ACCOUNTS = "{ awsAccounts { id name accountId status error lastScan { status } } }"
FINDINGS = """query($id: ID!) {
  findings(first: 1, filter: { awsAccountId: $id }) { totalCount }
}"""
ALERTS = """query($id: ID!, $after: String) {
  alerts(first: 100, after: $after, filter: { awsAccountId: $id }) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ruleId } }
  }
}"""


class CheckError(Exception):
    pass


def defined_rules() -> set[str]:
    """Rule IDs defined under detect/rules/ (`id: ...` lines)."""
    ids = set()
    for path in (ROOT / "detect" / "rules").rglob("*.yml"):
        for line in path.read_text().splitlines():
            if line.startswith("id:"):
                ids.add(line.split(":", 1)[1].strip().strip("'\""))
    return ids


def post(url: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode("utf-8", "replace")[:300]


def graphql(base: str, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    status, body = post(f"{base}/graphql", {"query": query, "variables": variables or {}}, token)
    if status != 200 or not isinstance(body, dict) or body.get("errors"):
        raise CheckError(f"GraphQL answered {status}: {json.dumps(body)[:500]}")
    return body["data"]


def alert_rules(base: str, token: str, connection: str) -> tuple[int, set[str]]:
    rules: set[str] = set()
    after = None
    while True:
        page = graphql(base, token, ALERTS, {"id": connection, "after": after})["alerts"]
        rules |= {edge["node"]["ruleId"] for edge in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            return page["totalCount"], rules
        after = page["pageInfo"]["endCursor"]


def main() -> int:
    base = os.environ["VIGIL_DEMO_URL"].rstrip("/")
    deadline_s = float(os.environ.get("VIGIL_DEMO_CHECK_DEADLINE", "150"))
    demo_started = float(os.environ.get("VIGIL_DEMO_STARTED_AT") or time.time())
    status, body = post(
        f"{base}/api/v1/auth/login",
        {"email": os.environ["VIGIL_DEMO_EMAIL"], "password": os.environ["VIGIL_DEMO_PASSWORD"]},
    )
    if status != 200:
        print(f"check_demo: FAILED: the demo user cannot log in ({status}: {body})")
        return 1
    token = body["access_token"]
    print(f"check_demo: logged in as {os.environ['VIGIL_DEMO_EMAIL']}", flush=True)

    defined = defined_rules()
    expected_alerts = {a: rules & defined for a, rules in EXPECTED_ALERTS.items()}
    for account, rules in EXPECTED_ALERTS.items():
        if rules - defined:
            print(
                f"check_demo: not expecting {sorted(rules - defined)} in {account} (no such rule)"
            )
    started = time.monotonic()
    state: dict[str, dict[str, Any]] = {}
    last_report = 0.0
    problem = "nothing checked yet"
    while True:
        try:
            accounts = graphql(base, token, ACCOUNTS)["awsAccounts"]
            by_id = {a["accountId"]: a for a in accounts if a.get("accountId")}
            for account_id, expected in expected_alerts.items():
                connection = by_id.get(account_id)
                if connection is None:
                    raise CheckError(
                        f"account {account_id} is not connected: awsAccounts = {accounts}"
                    )
                findings = graphql(base, token, FINDINGS, {"id": connection["id"]})
                alerts, rules = alert_rules(base, token, connection["id"])
                state[account_id] = {
                    "name": connection["name"],
                    "status": connection["status"],
                    "scan": (connection.get("lastScan") or {}).get("status"),
                    "findings": findings["findings"]["totalCount"],
                    "alerts": alerts,
                    "missing": sorted(expected - rules),
                }
            problems = [
                f"{s['name']} ({a}): "
                + ", ".join(
                    p
                    for p in (
                        "no findings" if s["findings"] == 0 else "",
                        "no alerts" if s["alerts"] == 0 else "",
                        f"missing alerts {s['missing']}" if s["missing"] else "",
                        f"status {s['status']}" if s["status"] != "CONNECTED" else "",
                    )
                    if p
                )
                for a, s in state.items()
                if s["findings"] == 0
                or s["alerts"] == 0
                or s["missing"]
                or s["status"] != "CONNECTED"
            ]
            if not problems:
                break
            problem = "; ".join(problems)
        except CheckError as error:
            problem = str(error)
        except (urllib.error.URLError, OSError) as error:
            problem = f"the API does not answer: {error}"
        waited = time.monotonic() - started
        if waited > deadline_s:
            print(f"check_demo: FAILED after {waited:.0f} s: {problem}")
            for account_id, s in state.items():
                print(f"  {account_id}: {json.dumps(s, sort_keys=True)}")
            return 1
        if waited - last_report >= 15:
            print(f"check_demo: waiting ({waited:.0f} s): {problem}", flush=True)
            last_report = waited
        time.sleep(2)

    print(
        f"check_demo: OK after {time.monotonic() - started:.0f} s of polling, "
        f"{time.time() - demo_started:.0f} s after the demo started"
    )
    for account_id, s in sorted(state.items()):
        print(
            f"  {s['name']} ({account_id}): {s['findings']} findings, {s['alerts']} alerts "
            f"(every expected alert of the story), last scan {s['scan']}"
        )
    if check_organization(base, token, deadline_s):
        return 1
    if check_push(base, token, deadline_s):
        return 1
    if check_organization_trail(base, token, deadline_s):
        return 1
    return check_compliance(base, token, deadline_s)


ORGANIZATIONS = """{ awsOrganizations { name status organizationId managementAccountId
  accounts { id accountId status leftOrganizationAt pushQueueUrl lastScan { status } } } }"""
#: The demo organisation (scripts/demo_setup.py): its management account and 3 members.
ORGANIZATION_ACCOUNTS = 4


def check_organization(base: str, token: str, deadline_s: float) -> bool:
    """The demo organisation connected by its one verification: every account of it
    connected, then scanned with findings (an empty emulated account still lacks a trail,
    a password policy...) within the deadline. Answers whether it failed."""
    started = time.monotonic()
    while True:
        organizations = graphql(base, token, ORGANIZATIONS)["awsOrganizations"]
        if len(organizations) != 1:
            print(f"check_demo: FAILED: expected the demo organisation, got {organizations}")
            return True
        org = organizations[0]
        connected = [
            a for a in org["accounts"] if a["status"] == "CONNECTED" and not a["leftOrganizationAt"]
        ]
        if org["status"] != "CONNECTED" or len(connected) != ORGANIZATION_ACCOUNTS:
            print(f"check_demo: FAILED: the demo organisation: {json.dumps(org)[:800]}")
            return True
        findings = {
            a["accountId"]: graphql(base, token, FINDINGS, {"id": a["id"]})["findings"]["totalCount"]
            for a in connected
        }
        scanned = [
            a for a in connected if (a.get("lastScan") or {}).get("status") in ("SUCCEEDED", "PARTIAL")
        ]
        if len(scanned) == len(connected) and all(findings.values()):
            break
        if time.monotonic() - started > deadline_s:
            print(
                f"check_demo: FAILED: the demo organisation's accounts not all scanned with "
                f"findings after {deadline_s:.0f} s: scans "
                f"{[(a['accountId'], (a.get('lastScan') or {}).get('status')) for a in connected]}, "
                f"findings {findings}"
            )
            return True
        time.sleep(2)
    print(
        f"  organisation {org['name']} ({org['organizationId']}, management "
        f"{org['managementAccountId']}): {len(connected)} accounts connected in one step, each "
        f"scanned with findings ({', '.join(f'{a}: {n}' for a, n in findings.items())}) "
        f"{time.monotonic() - started:.0f} s later"
    )
    return False


CHANGED = """query($id: ID!, $resource: String!) {
  findings(first: 10, filter: { awsAccountId: $id, resourceId: $resource, status: [OPEN] }) {
    edges { node { ruleId changes { eventName principalArn } } }
  }
}"""


def check_push(base: str, token: str, deadline_s: float) -> bool:
    """Push delivery and re-check on change, as the demo sets them up: in the organisation's
    management account (push delivery on), a security group opened to the world on SSH opens
    its finding through a re-check, with the AuthorizeSecurityGroupIngress call linked as the
    change. The path (push, not the trail or LookupEvents) is asserted by tests/e2e/push.rs;
    here the time is printed. Answers whether it failed."""
    org = graphql(base, token, ORGANIZATIONS)["awsOrganizations"][0]
    management = next(a for a in org["accounts"] if a["accountId"] == org["managementAccountId"])
    if not management["pushQueueUrl"]:
        print(f"check_demo: FAILED: push delivery is off in the management account: {management}")
        return True
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "aws"))
    started = time.monotonic()
    made = subprocess.run(
        [sys.executable, "-m", "vigil_emulator.testing", "open-ssh",
         os.environ["VIGIL_EMULATOR_URL"], management["accountId"], management["accountId"]],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    if made.returncode != 0:
        print(f"check_demo: FAILED: opening a security group in the emulator: {made.stderr[-500:]}")
        return True
    group = made.stdout.strip()
    while True:
        edges = graphql(base, token, CHANGED, {"id": management["id"], "resource": group})
        found = [
            e["node"] for e in edges["findings"]["edges"]
            if any(c["eventName"] == "AuthorizeSecurityGroupIngress" for c in e["node"]["changes"])
        ]
        if found:
            break
        if time.monotonic() - started > deadline_s:
            print(
                f"check_demo: FAILED: no finding on {group} linked to its "
                f"AuthorizeSecurityGroupIngress after {deadline_s:.0f} s: {edges}"
            )
            return True
        time.sleep(1)
    print(
        f"  push delivery ({management['pushQueueUrl']}): {group} opened to the world on SSH in "
        f"{management['accountId']}; {', '.join(f['ruleId'] for f in found)} open with the change "
        f"linked {time.monotonic() - started:.1f} s after the call"
    )
    return False


TRAILS = "{ awsAccounts { id accountId trailArn } }"
MEMBER_EVENTS = """query($id: ID!) {
  events(first: 5, filter: { awsAccountId: $id, eventName: "AuthorizeSecurityGroupIngress" }) {
    edges { node { eventId awsAccountId } }
  }
}"""


def check_organization_trail(base: str, token: str, deadline_s: float) -> bool:
    """The organisation trail, as the demo sets it up: the management connection reads it,
    and a call made in a member account arrives under that member's connection, once.
    (Routing, exactly once and the kill -9 case are asserted by
    tests/e2e/organization_trails.rs.) Answers whether it failed."""
    org = graphql(base, token, ORGANIZATIONS)["awsOrganizations"][0]
    members = [a for a in org["accounts"] if a["accountId"] != org["managementAccountId"]]
    member = members[0]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "aws"))
    started = time.monotonic()
    made = subprocess.run(
        [sys.executable, "-m", "vigil_emulator.testing", "open-ssh",
         os.environ["VIGIL_EMULATOR_URL"], org["managementAccountId"], member["accountId"]],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    if made.returncode != 0:
        print(f"check_demo: FAILED: a call in member {member['accountId']}: {made.stderr[-500:]}")
        return True
    while True:
        trails = {a["accountId"]: a["trailArn"] for a in graphql(base, token, TRAILS)["awsAccounts"]}
        events = graphql(base, token, MEMBER_EVENTS, {"id": member["id"]})["events"]["edges"]
        pinned = trails.get(org["managementAccountId"]) or ""
        if events and pinned.endswith(":trail/organization"):
            break
        if time.monotonic() - started > deadline_s:
            print(
                f"check_demo: FAILED: after {deadline_s:.0f} s, the management connection reads "
                f"{pinned or 'no trail'} and member {member['accountId']} has {len(events)} "
                "AuthorizeSecurityGroupIngress events"
            )
            return True
        time.sleep(2)
    if len(events) != 1:
        print(f"check_demo: FAILED: the member's call was stored {len(events)} times: {events}")
        return True
    print(
        f"  organisation trail {pinned}: read by the management connection; a call in member "
        f"{member['accountId']} stored once under its connection "
        f"{time.monotonic() - started:.0f} s after the call"
    )
    return False


COMPLIANCE = """query($a: ID) { complianceReport(framework: "cis-aws-5.0", awsAccountId: $a) {
  score counts { pass fail notAssessed manual attested }
  accounts { name accountId scanId }
  controls { id status } } }"""


def check_compliance(base: str, token: str, deadline_s: float) -> int:
    """The CIS v5.0 report of each demo account, once its first scan has ended: every
    control of the benchmark with a status, some passing and some failing (the demo
    accounts are partly well configured, partly not)."""
    started = time.monotonic()
    accounts = graphql(base, token, ACCOUNTS)["awsAccounts"]
    # The story's accounts (the organisation's are checked by check_organization).
    accounts = [a for a in accounts if a.get("accountId") in EXPECTED_ALERTS]
    for connection in accounts:
        while True:
            report = graphql(base, token, COMPLIANCE, {"a": connection["id"]})["complianceReport"]
            if report["accounts"][0]["scanId"] is not None:
                break
            if time.monotonic() - started > deadline_s:
                print(f"check_demo: FAILED: {connection['name']} has no completed scan for its CIS report")
                return 1
            time.sleep(2)
        statuses = {c["status"] for c in report["controls"]}
        counts = report["counts"]
        if len(report["controls"]) != 63 or counts["pass"] == 0 or counts["fail"] == 0:
            print(f"check_demo: FAILED: CIS v5.0 report of {connection['name']}: {len(report['controls'])} controls, {counts}")
            return 1
        print(
            f"  CIS v5.0 report of {connection['name']}: all 63 controls ({', '.join(sorted(statuses))}), "
            f"score {report['score']}%, {counts}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
