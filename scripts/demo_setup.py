"""The demo's HTTP side, for scripts/demo.sh (standard library only).

    demo_setup.py port-free HOST:PORT
        exit 0 when nothing accepts connections there, 1 otherwise.
    demo_setup.py wait-http URL --pid PID [--timeout S]
        wait until URL answers 200 while process PID lives; exit 1 otherwise.
    demo_setup.py onboard --api URL --emulator URL --state DIR [--no-organization]
        sign up the demo user (email and password from VIGIL_DEMO_EMAIL and
        VIGIL_DEMO_PASSWORD), create the two AWS connections (createAwsAccount: Vigil
        generates each external ID), seed the two emulated accounts with the customer role
        trusting that external ID and play the attack story (vigil_emulator.seed --story),
        then verify each connection with its role ARN (verifyAwsAccount): the real
        onboarding path. Then an AWS Organization (management account 333333333333 and
        ORGANIZATION_MEMBERS members, created through organizations:CreateAccount): Vigil's
        two organisation templates (createAwsOrganization) deployed as the customer would,
        the management one as a stack and the StackSet one over the organisation's root
        (the emulator does what CloudFormation would), and one verifyAwsOrganization
        (left out with --no-organization: the test suites that pin the two story accounts),
        with an organisation trail (one bucket for every account, read by the management
        connection) and push delivery on in the management account (the queue and
        EventBridge rule of the template's PushDelivery option, then setAwsAccountPushQueue). The
        seeder's summary goes to DIR/seed.json. When the email is taken already (compose's
        demo-setup on a second `up`), does nothing.

Nothing secret is printed: no password, token or session key (external IDs are not secret).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ORGANIZATION = "Vigil Demo"
#: (connection name, emulated 12-digit account ID), in story order: the attack burst
#: plays in the first, its sequel in the second.
ACCOUNTS = (("production", "111111111111"), ("staging", "222222222222"))
REGIONS = "us-east-1,eu-west-1,ap-southeast-2"
#: The demo organisation's management account (its members get IDs from the emulator).
ORGANIZATION_MANAGEMENT = "333333333333"
ORGANIZATION_MEMBERS = 3
CREATE_ORGANIZATION = """mutation($name: String!) {
  createAwsOrganization(input: { name: $name }) {
    id setup { managementTemplate stackSetTemplate }
  }
}"""
VERIFY_ORGANIZATION = """mutation($id: ID!, $arn: String!) {
  verifyAwsOrganization(id: $id, managementRoleArn: $arn) {
    id status lastSyncError accounts { id accountId status error }
  }
}"""
CREATE = """mutation($name: String!) {
  createAwsAccount(input: { name: $name }) { id externalId setup { trustedPrincipalArn } }
}"""
SET_PUSH_QUEUE = """mutation($id: ID!, $url: String) {
  setAwsAccountPushQueue(id: $id, queueUrl: $url) { id pushQueueUrl }
}"""
VERIFY = """mutation($id: ID!, $arn: String!) {
  verifyAwsAccount(id: $id, roleArn: $arn) { id name status accountId error }
}"""


class Failure(Exception):
    """A step failed; the message says which and why."""


def log(message: str) -> None:
    print(f"demo: {message}", file=sys.stderr, flush=True)


def request(
    method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 60
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw.strip() else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")[:500]


def graphql(api: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    status, body = request(
        "POST", f"{api}/graphql", {"query": query, "variables": variables}, token
    )
    if status != 200 or not isinstance(body, dict) or body.get("errors"):
        errors = body.get("errors") if isinstance(body, dict) else body
        raise Failure(f"GraphQL answered {status}: {json.dumps(errors)[:800]}")
    return body["data"]


# ---- subcommands ---------------------------------------------------------------------------


def port_free(address: str) -> int:
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return 1
    except OSError:
        return 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by the shell) still answers kill -0.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def wait_http(url: str, pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            log(f"process {pid} exited before {url} answered")
            return 1
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return 0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    log(f"{url} did not answer 200 within {timeout:.0f} s")
    return 1


def onboard(api: str, emulator: str, state: Path, organization: bool = True) -> None:
    email = os.environ["VIGIL_DEMO_EMAIL"]
    password = os.environ["VIGIL_DEMO_PASSWORD"]
    started = time.monotonic()

    status, body = request(
        "POST",
        f"{api}/api/v1/auth/signup",
        {"email": email, "password": password, "organization": ORGANIZATION},
    )
    if status == 409:
        # Compose's demo-setup on a database that has it already (a second `up`).
        log(f"{email} exists already: the demo organisation was set up before; nothing to do")
        return
    if status != 201:
        raise Failure(f"sign-up answered {status}: {json.dumps(body)[:500]}")
    token = body["access_token"]
    log(f"signed up {email} (organization {ORGANIZATION!r}, trial)")

    connections = []
    for name, account in ACCOUNTS:
        created = graphql(api, token, CREATE, {"name": name})["createAwsAccount"]
        connections.append((name, account, created))
        log(f"createAwsAccount {name}: external ID generated by Vigil")

    python = os.environ.get("VIGIL_PYTHON") or sys.executable
    command = [python, "-m", "vigil_emulator.seed", "--endpoint", emulator, "--regions", REGIONS]
    for _, account, created in connections:
        command += ["--account", account]
        command += ["--role-external-id", f"{account}={created['externalId']}"]
    command.append("--story")
    log(
        "seeding the emulated accounts ("
        + ", ".join(f"{n} {a}" for n, a, _ in connections)
        + f"; regions {REGIONS}), the customer role VigilReadOnly, and the attack story"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "aws"))
    with open(state / "seed.json", "wb") as out:
        seeded = subprocess.run(command, stdout=out, env=env, timeout=600, check=False)
    if seeded.returncode != 0:
        raise Failure(f"the seeder exited with {seeded.returncode}")
    summary = json.loads((state / "seed.json").read_text())
    for account, act in summary.get("story", {}).items():
        steps = {
            k: v.get("result") for k, v in act.items() if isinstance(v, dict) and "result" in v
        }
        log(f"attack story in {account}: {json.dumps(steps, sort_keys=True)}")

    for name, account, created in connections:
        role = summary["accounts"][account]["iam"]["roles"]["VigilReadOnly"]
        verified = graphql(api, token, VERIFY, {"id": created["id"], "arn": role})
        verified = verified["verifyAwsAccount"]
        if verified["status"] != "CONNECTED":
            raise Failure(
                f"verifyAwsAccount {name} ({role}): {verified['status']}: {verified.get('error')}"
            )
        log(f"verifyAwsAccount {name}: CONNECTED as {role}; first scan and ingestion queued")
    if organization:
        onboard_organization(api, emulator, token, python, env)
    log(f"onboarding took {time.monotonic() - started:.0f} s")


def onboard_organization(
    api: str, emulator: str, token: str, python: str, env: dict[str, str]
) -> None:
    """The demo organisation, connected as a customer would: Vigil's templates deployed in
    the emulated organisation, then one verification that connects every account."""
    created = graphql(api, token, CREATE_ORGANIZATION, {"name": "Acme organisation"})
    created = created["createAwsOrganization"]
    made = subprocess.run(
        [python, "-m", "vigil_emulator.testing", "organization", emulator,
         ORGANIZATION_MANAGEMENT, str(ORGANIZATION_MEMBERS)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    if made.returncode != 0:
        raise Failure(f"creating the emulated organisation failed: {made.stderr[-500:]}")
    org = json.loads(made.stdout)
    status, stack = request(
        "POST",
        f"{emulator}/_vigil/stacks",
        {"accountId": org["management"], "templateBody": created["setup"]["managementTemplate"]},
    )
    if status != 200:
        raise Failure(f"deploying the management template answered {status}: {stack}")
    status, body = request(
        "POST",
        f"{emulator}/_vigil/stacksets",
        {
            "accountId": org["management"],
            "templateBody": created["setup"]["stackSetTemplate"],
            "parameters": {"OrganizationalUnitIds": org["root"]},
        },
    )
    if status != 200:
        raise Failure(f"deploying the StackSet template answered {status}: {body}")
    verified = graphql(
        api,
        token,
        VERIFY_ORGANIZATION,
        {"id": created["id"], "arn": stack["outputs"]["ManagementRoleArn"]},
    )["verifyAwsOrganization"]
    connected = [a for a in verified["accounts"] if a["status"] == "CONNECTED"]
    if verified["status"] != "CONNECTED" or len(connected) != ORGANIZATION_MEMBERS + 1:
        raise Failure(
            f"verifyAwsOrganization: {verified['status']}: {verified.get('lastSyncError')}; "
            f"accounts {verified['accounts']}"
        )
    log(
        f"verifyAwsOrganization: CONNECTED, {len(connected)} accounts "
        f"(management {org['management']} and {ORGANIZATION_MEMBERS} members) in one step"
    )
    made = subprocess.run(
        [python, "-m", "vigil_emulator.testing", "organization-trail", emulator, org["management"]],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    if made.returncode != 0:
        raise Failure(f"creating the organisation trail failed: {made.stderr[-500:]}")
    log(
        f"organisation trail {made.stdout.strip()}: every account's activity in one bucket, "
        "read once through the management role and routed to each member connection"
    )
    management = next(a for a in connected if a["accountId"] == org["management"])
    made = subprocess.run(
        [python, "-m", "vigil_emulator.testing", "push-delivery", emulator, org["management"]],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    if made.returncode != 0:
        raise Failure(f"creating the management account's push queue failed: {made.stderr[-500:]}")
    queue = made.stdout.strip()
    graphql(api, token, SET_PUSH_QUEUE, {"id": management["id"], "url": queue})
    log(f"setAwsAccountPushQueue {org['management']}: push delivery on ({queue})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="demo_setup.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("port-free")
    p.add_argument("address")
    p = sub.add_parser("wait-http")
    p.add_argument("url")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--timeout", type=float, default=60)
    p = sub.add_parser("onboard")
    p.add_argument("--api", required=True)
    p.add_argument("--emulator", required=True)
    p.add_argument("--state", type=Path, required=True)
    p.add_argument("--no-organization", action="store_true",
                   help="leave out the demo AWS Organization")
    args = parser.parse_args(argv)

    if args.command == "port-free":
        return port_free(args.address)
    if args.command == "wait-http":
        return wait_http(args.url, args.pid, args.timeout)
    try:
        onboard(args.api.rstrip("/"), args.emulator.rstrip("/"), args.state,
                not args.no_organization)
    except Failure as failure:
        log(f"onboarding failed: {failure}")
        return 1
    except (OSError, KeyError, ValueError) as error:
        log(f"onboarding failed: {type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
