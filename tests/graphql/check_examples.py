"""Runs the integration examples of docs/graphql.md with a generic GraphQL client (Python
`gql`, requests transport) against a running demo, and checks what the document promises.

Run through scripts/graphql-examples.sh, which installs gql (tests/graphql/requirements.txt)
into .demo/gql-venv and runs this under scripts/demo.sh:

    scripts/graphql-examples.sh [--skip-pending | --only TEXT]

Without a server, first: every example (tests/graphql/examples/*.graphql) and every
```graphql block of docs/graphql.md is valid against api/schema.graphql (blocks quoting
filter inputs and enums must quote them whole), the document contains each example file
verbatim (so they cannot drift apart), and every subscription is described
(`--offline`: only this). Then, against the demo
(VIGIL_DEMO_URL, VIGIL_DEMO_EMAIL, VIGIL_DEMO_PASSWORD, VIGIL_DEMO_DATABASE_URL): logs in
over REST, creates API keys with the CreateApiKey example, waits (VIGIL_GQL_DEADLINE
seconds, default 180) until both demo accounts are scanned and findings and alerts exist,
then runs every example with an API key and checks the results, the error codes, tenant
isolation, the limits, the export endpoints and, last (it spends the tenant's quota), the
rate limit.

--skip-pending skips the checks of what was documented before it was built (the export
endpoints; the coded depth and validation errors, the complexity, alias, batch and rate
limits); `--only TEXT` runs the checks whose names contain TEXT, after the set-up ones.
Exits 0 when every check that ran passed, 1 otherwise; the last line is
`check_examples: N passed, N failed, N skipped`.
"""

from __future__ import annotations

import argparse
import csv
import http.server
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import standardwebhooks
from gql import Client, GraphQLRequest
from gql.transport.exceptions import (
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.requests import RequestsHTTPTransport
from graphql import (
    GraphQLSchema,
    build_schema,
    get_introspection_query,
    parse,
    print_ast,
    validate,
)
from graphql.language import ast as gast

ROOT = Path(__file__).resolve().parents[2]
SDL = ROOT / "api" / "schema.graphql"
DOC = ROOT / "docs" / "graphql.md"
EXAMPLES = ROOT / "tests" / "graphql" / "examples"
#: The examples the document must show (file stems).
REQUIRED_EXAMPLES = {
    "create-api-key",
    "siem-alerts-since",
    "ticketing-sync-findings",
    "acknowledge-alert",
    "accounts-last-scan",
    "create-webhook",
    "webhook-log",
}
#: The demo's emulated AWS accounts (scripts/demo_setup.py).
DEMO_ACCOUNTS = {"111111111111", "222222222222"}
#: Documented limits (docs/graphql.md).
MAX_FIRST = 100
DEFAULT_FIRST = 25
MAX_DEPTH = 16
MAX_BATCH = 10
MAX_ALIASES = 50
RATE_PER_MINUTE = 600
RATE_BURST = 100
SEVERITY_ORDER = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
OCSF_SEVERITY_IDS = {0, 1, 2, 3, 4, 5, 6, 99}
LONG_AGO = "2000-01-01T00:00:00Z"
FAR_FUTURE = "2999-01-01T00:00:00Z"


class Failure(Exception):
    """A check found the API (or the document) not doing what the document says."""


def require(condition: Any, message: str) -> None:
    if not condition:
        raise Failure(message)


def say(message: str) -> None:
    print(f"check_examples: {message}", flush=True)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


# ---- the document and the examples, without a server ---------------------------------------


def load_examples() -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(EXAMPLES.glob("*.graphql"))}


def graphql_blocks(markdown: str) -> list[tuple[int, str]]:
    """The ```graphql fenced blocks of a Markdown text, with their first line numbers."""
    blocks = []
    for match in re.finditer(r"^```graphql[ \t]*\n(.*?)^```[ \t]*$", markdown, re.M | re.S):
        line = markdown.count("\n", 0, match.start()) + 2
        blocks.append((line, match.group(1)))
    return blocks


def check_sdl_excerpt(schema: GraphQLSchema, document: gast.DocumentNode) -> list[str]:
    """Problems of a block of type definitions quoted from the schema: each type must exist
    with the same kind; each field quoted must exist with the same type; input types and
    enums must be quoted whole (the filters the document describes must all be there)."""
    problems = []
    for definition in document.definitions:
        name = definition.name.value
        actual = schema.type_map.get(name)
        if actual is None:
            problems.append(f"{name}: no such type in api/schema.graphql")
            continue
        if isinstance(definition, gast.EnumTypeDefinitionNode):
            quoted = {v.name.value for v in definition.values or []}
            real = set(getattr(actual, "values", {}) or {})
            if quoted != real:
                problems.append(f"enum {name}: quoted {sorted(quoted)}, schema has {sorted(real)}")
            continue
        if not isinstance(
            definition, (gast.ObjectTypeDefinitionNode, gast.InputObjectTypeDefinitionNode)
        ):
            problems.append(f"{name}: only types, inputs and enums can be quoted")
            continue
        real_fields = getattr(actual, "fields", None)
        if real_fields is None:
            problems.append(f"{name}: is not an object or input type in the schema")
            continue
        quoted_names = set()
        for quoted in definition.fields or []:
            fname = quoted.name.value
            quoted_names.add(fname)
            if fname not in real_fields:
                problems.append(f"{name}.{fname}: no such field")
            elif print_ast(quoted.type) != str(real_fields[fname].type):
                problems.append(
                    f"{name}.{fname}: quoted as {print_ast(quoted.type)}, "
                    f"schema has {real_fields[fname].type}"
                )
        if isinstance(definition, gast.InputObjectTypeDefinitionNode):
            missing = set(real_fields) - quoted_names
            if missing:
                problems.append(f"input {name}: the schema also has {sorted(missing)}")
    return problems


def check_document(schema: GraphQLSchema, examples: dict[str, str]) -> None:
    require(DOC.is_file(), f"{DOC.relative_to(ROOT)} is missing")
    doc = DOC.read_text()
    missing = REQUIRED_EXAMPLES - set(examples)
    require(not missing, f"examples missing from {EXAMPLES.relative_to(ROOT)}: {sorted(missing)}")
    for name, text in examples.items():
        errors = validate(schema, parse(text))
        require(not errors, f"examples/{name}.graphql is not valid: {errors}")
        require(
            text.strip() in doc,
            f"{DOC.relative_to(ROOT)} does not contain examples/{name}.graphql verbatim",
        )
    # Subscriptions exist, and the document describes them.
    if schema.subscription_type is not None:
        for name in schema.subscription_type.fields:
            require(f"`{name}" in doc, f"{DOC.relative_to(ROOT)} does not describe the subscription {name}")
    blocks = graphql_blocks(doc)
    require(len(blocks) >= len(examples), f"only {len(blocks)} ```graphql blocks in the doc")
    for line, text in blocks:
        document = parse(text)
        executable = [
            d for d in document.definitions if isinstance(d, gast.ExecutableDefinitionNode)
        ]
        if executable and len(executable) == len(document.definitions):
            errors = validate(schema, document)
            require(not errors, f"docs/graphql.md line {line}: not valid: {errors}")
        elif not executable:
            problems = check_sdl_excerpt(schema, document)
            require(not problems, f"docs/graphql.md line {line}: {'; '.join(problems)}")
        else:
            raise Failure(f"docs/graphql.md line {line}: mixes operations and type definitions")


# ---- talking to the API ----------------------------------------------------------------------


class Api:
    def __init__(self, base: str, schema: GraphQLSchema):
        self.base = base.rstrip("/")
        self.schema = schema

    def client(self, credential: str | None, retries: int = 3) -> Client:
        """A gql client as docs/graphql.md suggests: local validation against the committed
        SDL, the bearer credential, and retries (429 and 5xx, after Retry-After)."""
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        transport = RequestsHTTPTransport(
            url=f"{self.base}/graphql", headers=headers, timeout=30, retries=retries
        )
        return Client(schema=self.schema, transport=transport)

    @staticmethod
    def run(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict:
        try:
            return client.execute(GraphQLRequest(query, variable_values=variables))
        except TransportQueryError as error:
            raise Failure(f"GraphQL errors: {short(error.errors)}") from None

    @staticmethod
    def errors(client: Client, query: str, variables: dict[str, Any] | None = None) -> list:
        try:
            data = client.execute(GraphQLRequest(query, variable_values=variables))
        except TransportQueryError as error:
            return error.errors or []
        raise Failure(f"expected an error, got data {short(data)}")

    def expect_code(
        self, client: Client, query: str, variables: dict[str, Any] | None, code: str
    ) -> dict:
        errors = self.errors(client, query, variables)
        codes = [(e.get("extensions") or {}).get("code") for e in errors]
        require(code in codes, f"expected extensions.code {code}, got {short(errors)}")
        return next(e for e in errors if (e.get("extensions") or {}).get("code") == code)

    @staticmethod
    def expect_reason(errors: list, code: str, reason: str) -> dict:
        for error in errors:
            ext = error.get("extensions") or {}
            if ext.get("code") == code and ext.get("reason") == reason:
                return error
        raise Failure(f"expected extensions {{code: {code}, reason: {reason}}}: {short(errors)}")

    def raw(self, body: Any, credential: str | None) -> requests.Response:
        """A POST /graphql without the client's validation (queries gql would refuse)."""
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        return requests.post(f"{self.base}/graphql", json=body, headers=headers, timeout=30)

    def post(self, path: str, body: Any, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.post(f"{self.base}{path}", json=body, headers=headers, timeout=30)


def all_pages(
    api: Api, client: Client, query: str, variables: dict[str, Any], field_name: str
) -> tuple[list[dict], list[dict]]:
    """Walks a connection with `after: endCursor`; returns the nodes and each page."""
    nodes: list[dict] = []
    pages: list[dict] = []
    after = None
    for _ in range(1000):
        page = api.run(client, query, {**variables, "after": after})[field_name]
        pages.append(page)
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, pages
        require(page["pageInfo"]["endCursor"], "hasNextPage without an endCursor")
        after = page["pageInfo"]["endCursor"]
    raise Failure(f"{field_name}: more than 1000 pages")


@dataclass
class State:
    examples: dict[str, str]
    access_token: str = ""
    viewer_key: str = ""
    analyst_key: str = ""
    accounts: list[dict] = field(default_factory=list)
    other_token: str = ""
    other_tenant_id: str = ""


# ---- the checks against the demo ---------------------------------------------------------------


def check_login(api: Api, st: State) -> None:
    email, password = os.environ["VIGIL_DEMO_EMAIL"], os.environ["VIGIL_DEMO_PASSWORD"]
    resp = api.post("/api/v1/auth/login", {"email": email, "password": password})
    require(resp.status_code == 200, f"login answered {resp.status_code}: {short(resp.text)}")
    body = resp.json()
    require(
        set(body) == {"access_token", "refresh_token", "token_type", "expires_in"},
        f"login answered the keys {sorted(body)}",
    )
    require(body["token_type"] == "Bearer", f"token_type {body['token_type']!r}")
    require(isinstance(body["expires_in"], int) and body["expires_in"] > 0, "expires_in")
    resp = api.post("/api/v1/auth/refresh", {"refresh_token": body["refresh_token"]})
    require(resp.status_code == 200, f"refresh answered {resp.status_code}: {short(resp.text)}")
    fresh = resp.json()
    require(fresh["refresh_token"] != body["refresh_token"], "refresh did not rotate the token")
    st.access_token = fresh["access_token"]
    resp = api.post("/api/v1/auth/login", {"email": email, "password": "not the password"})
    require(resp.status_code == 401, f"a wrong password answered {resp.status_code}")
    require(resp.json()["error"]["code"] == "invalid_credentials", short(resp.text))


def check_create_keys(api: Api, st: State) -> None:
    owner = api.client(st.access_token)
    query = st.examples["create-api-key"]
    siem = api.run(owner, query, {"name": "gql-examples SIEM"})["createApiKey"]
    require(siem["apiKey"]["role"] == "VIEWER", f"default role {siem['apiKey']['role']}")
    ticketing = api.run(owner, query, {"name": "gql-examples ticketing", "role": "ANALYST"})[
        "createApiKey"
    ]
    require(ticketing["apiKey"]["role"] == "ANALYST", f"role {ticketing['apiKey']['role']}")
    for created in (siem, ticketing):
        require(created["key"].startswith("vgl_"), "the key does not start with vgl_")
        require(
            created["key"].startswith(created["apiKey"]["prefix"]),
            f"prefix {created['apiKey']['prefix']!r} is not the key's beginning",
        )
    require(siem["key"] != ticketing["key"], "two keys are equal")
    st.viewer_key, st.analyst_key = siem["key"], ticketing["key"]
    api.expect_code(owner, query, {"name": "owner key", "role": "OWNER"}, "BAD_USER_INPUT")


def wait_for_data(api: Api, st: State) -> None:
    deadline = float(os.environ.get("VIGIL_GQL_DEADLINE", "180"))
    viewer = api.client(st.viewer_key)
    started = time.monotonic()
    last_report = 0.0
    while True:
        accounts = api.run(viewer, st.examples["accounts-last-scan"])["awsAccounts"]
        findings = api.run(viewer, st.examples["ticketing-sync-findings"], {"first": 1})
        alerts = api.run(
            viewer, st.examples["siem-alerts-since"], {"since": LONG_AGO, "first": 100}
        )
        alert_accounts = {e["node"]["awsAccountId"] for e in alerts["alerts"]["edges"]}
        problems = []
        connected = {a["accountId"] for a in accounts if a["status"] == "CONNECTED"}
        if connected != DEMO_ACCOUNTS:
            problems.append(f"connected accounts {sorted(connected)}")
        unfinished = [
            a["name"]
            for a in accounts
            if (a["lastScan"] or {}).get("status") not in ("SUCCEEDED", "PARTIAL")
        ]
        if unfinished:
            problems.append(f"scans not finished: {unfinished}")
        if findings["findings"]["totalCount"] < 5:
            problems.append(f"{findings['findings']['totalCount']} open findings")
        if alerts["alerts"]["totalCount"] < 5 or len(alert_accounts) < 2:
            problems.append(
                f"{alerts['alerts']['totalCount']} alerts in {len(alert_accounts)} accounts"
            )
        if not problems:
            st.accounts = accounts
            say(
                f"demo data ready after {time.monotonic() - started:.0f} s: "
                f"{findings['findings']['totalCount']} open findings, "
                f"{alerts['alerts']['totalCount']} alerts"
            )
            return
        waited = time.monotonic() - started
        if waited > deadline:
            raise Failure(f"after {waited:.0f} s: {'; '.join(problems)}")
        if waited - last_report >= 15:
            say(f"waiting for the demo's data ({waited:.0f} s): {'; '.join(problems)}")
            last_report = waited
        time.sleep(3)


def check_accounts(api: Api, st: State) -> None:
    accounts = api.run(api.client(st.viewer_key), st.examples["accounts-last-scan"])["awsAccounts"]
    require({a["accountId"] for a in accounts} == DEMO_ACCOUNTS, short(accounts))
    require([a["name"] for a in accounts] == sorted(a["name"] for a in accounts), "not by name")
    for account in accounts:
        scan = account["lastScan"]
        require(scan and scan["status"] in ("SUCCEEDED", "PARTIAL"), f"{account['name']}: {scan}")
        require(scan["finishedAt"] and scan["startedAt"], f"{account['name']}: scan times {scan}")
        require(parse_time(scan["finishedAt"]) >= parse_time(scan["startedAt"]), "finish < start")
        require(scan["regionsDone"] == scan["regionsTotal"] > 0, f"regions {scan}")
        require(scan["resourcesSeen"] > 0, f"{account['name']}: no resources seen")
        require(account["error"] is None, f"{account['name']}: error {account['error']}")
    require(sum(a["lastScan"]["findingsOpened"] for a in accounts) > 0, "no scan opened findings")


def check_findings_pagination(api: Api, st: State) -> None:
    viewer = api.client(st.viewer_key)
    query = st.examples["ticketing-sync-findings"]
    first = api.run(viewer, query, {"first": 2})["findings"]
    require(len(first["edges"]) == 2, f"first: 2 gave {len(first['edges'])} edges")
    require(first["pageInfo"]["hasNextPage"] is True, "first: 2 of many: hasNextPage is not true")
    require(
        first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"],
        "endCursor is not the last edge's cursor",
    )
    second = api.run(viewer, query, {"first": 2, "after": first["pageInfo"]["endCursor"]})[
        "findings"
    ]
    ids1 = {e["node"]["id"] for e in first["edges"]}
    ids2 = {e["node"]["id"] for e in second["edges"]}
    require(ids2 and not ids1 & ids2, f"the next page repeats items: {ids1} / {ids2}")
    require(second["totalCount"] == first["totalCount"], "totalCount changed between pages")

    total = first["totalCount"]
    default = api.run(viewer, "{ findings { totalCount edges { node { id } } } }")["findings"]
    require(
        len(default["edges"]) == min(DEFAULT_FIRST, default["totalCount"]),
        f"without first: {len(default['edges'])} edges of {default['totalCount']}",
    )

    nodes, pages = all_pages(api, viewer, query, {"first": 50}, "findings")
    ids = [n["id"] for n in nodes]
    require(len(ids) == len(set(ids)), "walking the pages returned an item twice")
    require(len(ids) == total, f"walked {len(ids)} open findings, totalCount says {total}")
    require(len(pages) == -(-total // 50), f"{len(pages)} pages of 50 for {total}")
    require(all(n["status"] == "OPEN" for n in nodes), "a non-OPEN finding in an OPEN sync")
    ranks = [SEVERITY_ORDER.index(n["severity"]) for n in nodes]
    require(ranks == sorted(ranks), "findings are not most severe first")

    per_account = 0
    for account in st.accounts:
        part, _ = all_pages(api, viewer, query, {"awsAccountId": account["id"]}, "findings")
        require(part, f"no open findings in {account['name']}")
        require(
            all(n["awsAccountId"] == account["id"] for n in part),
            f"awsAccountId filter returned another account's finding ({account['name']})",
        )
        per_account += len(part)
    require(per_account == total, f"per account {per_account} != {total}")
    api.run(viewer, query, {"status": ["RESOLVED", "SUPPRESSED"]})


def check_alerts_since(api: Api, st: State) -> None:
    viewer = api.client(st.viewer_key)
    query = st.examples["siem-alerts-since"]
    everything, _ = all_pages(api, viewer, query, {"since": LONG_AGO, "first": 5}, "alerts")
    ids = [a["id"] for a in everything]
    require(len(ids) == len(set(ids)), "an alert came twice while paging")
    seen = [parse_time(a["lastSeenAt"]) for a in everything]
    require(seen == sorted(seen, reverse=True), "alerts are not most recent activity first")
    distinct = sorted(set(a["lastSeenAt"] for a in everything), key=parse_time)
    require(len(distinct) >= 2, f"every alert has the same lastSeenAt {distinct}")
    checkpoint = distinct[len(distinct) // 2]
    cut = parse_time(checkpoint)
    newer, pages = all_pages(api, viewer, query, {"since": checkpoint, "first": 2}, "alerts")
    require(all(parse_time(a["lastSeenAt"]) >= cut for a in newer), "an alert older than since")
    expected = {a["id"] for a in everything if parse_time(a["lastSeenAt"]) >= cut}
    require(expected <= {a["id"] for a in newer}, "since left out alerts active after it")
    older = {a["id"] for a in everything if parse_time(a["lastSeenAt"]) < cut}
    require(older, "no alert before the checkpoint (test data)")
    # An older alert may reappear only if it grew since (its lastSeenAt moved, checked above).
    require(len(newer) < len(everything) or not older, "since did not narrow the list")
    require(pages[0]["totalCount"] == len(newer), f"totalCount {pages[0]['totalCount']}")
    future = api.run(viewer, query, {"since": rfc3339(datetime.now(UTC) + timedelta(days=1))})
    require(future["alerts"]["totalCount"] == 0, "alerts active in the future")
    for alert in everything:
        require(alert["eventCount"] >= 1 and alert["eventIds"], f"alert without events {alert}")
        require(parse_time(alert["firstSeenAt"]) <= parse_time(alert["lastSeenAt"]), "first>last")


def check_acknowledge(api: Api, st: State) -> None:
    viewer, analyst = api.client(st.viewer_key), api.client(st.analyst_key)
    mutation = st.examples["acknowledge-alert"]
    opened = api.run(
        viewer,
        "query { alerts(first: 1, filter: { status: [OPEN] }) { edges { node { id } } } }",
    )["alerts"]["edges"]
    require(opened, "no OPEN alert to acknowledge")
    alert_id = opened[0]["node"]["id"]
    api.expect_code(viewer, mutation, {"id": alert_id}, "FORBIDDEN")
    done = api.run(analyst, mutation, {"id": alert_id})["acknowledgeAlert"]
    require(done["id"] == alert_id and done["status"] == "ACKNOWLEDGED", short(done))
    require(done["acknowledgedBy"] == "API key gql-examples ticketing", short(done))
    listed = api.run(
        viewer,
        "query { alerts(first: 100, filter: { status: [ACKNOWLEDGED] }) "
        "{ edges { node { id status } } } }",
    )["alerts"]["edges"]
    require(alert_id in {e["node"]["id"] for e in listed}, "not listed as ACKNOWLEDGED")
    api.run(analyst, mutation, {"id": alert_id})  # again: still fine
    for missing in (str(uuid.uuid4()), "not-an-id"):
        api.expect_code(analyst, mutation, {"id": missing}, "NOT_FOUND")


def check_error_codes(api: Api, st: State) -> None:
    query = "{ tenant { id name plan } }"
    error = api.expect_code(api.client(None), query, None, "UNAUTHENTICATED")
    require("Authorization" in error["message"], f"message {error['message']!r}")
    api.expect_code(api.client("vgl_" + "0" * 40), query, None, "UNAUTHENTICATED")
    api.expect_code(api.client("not.a.jwt"), query, None, "UNAUTHENTICATED")

    owner = api.client(st.access_token)
    created = api.run(owner, st.examples["create-api-key"], {"name": "gql-examples revoked"})
    key = created["createApiKey"]["key"]
    api.run(api.client(key), query)
    api.run(
        owner,
        "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
        {"id": created["createApiKey"]["apiKey"]["id"]},
    )
    api.expect_code(api.client(key), query, None, "UNAUTHENTICATED")

    viewer = api.client(st.viewer_key)
    for variables in ({"first": 1000}, {"first": 0}, {"first": MAX_FIRST + 1}):
        api.expect_code(viewer, st.examples["ticketing-sync-findings"], variables, "BAD_USER_INPUT")
    api.run(viewer, st.examples["ticketing-sync-findings"], {"first": MAX_FIRST})
    api.expect_code(
        viewer, st.examples["ticketing-sync-findings"], {"after": "garbage"}, "BAD_USER_INPUT"
    )
    api.expect_code(
        viewer, st.examples["ticketing-sync-findings"], {"awsAccountId": "x"}, "BAD_USER_INPUT"
    )
    api.expect_code(viewer, st.examples["create-api-key"], {"name": "nope"}, "FORBIDDEN")
    api.expect_code(viewer, "{ apiKeys { id } }", None, "FORBIDDEN")
    api.expect_code(viewer, "{ me { id } }", None, "FORBIDDEN")  # API keys have no user
    missing = api.run(
        viewer, "query($id: ID!) { finding(id: $id) { id } }", {"id": str(uuid.uuid4())}
    )
    require(missing["finding"] is None, "an unknown finding is not null")


def check_body_limit(api: Api, st: State) -> None:
    padding = "x" * (1024 * 1024)
    resp = requests.post(
        f"{api.base}/graphql",
        json={"query": "{ tenant { id } }", "variables": {"padding": padding}},
        headers={"Authorization": f"Bearer {st.viewer_key}"},
        timeout=30,
    )
    require(resp.status_code == 413, f"a body over 1 MiB answered {resp.status_code}")


def deep_introspection(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"ofType {{ {inner} }}"
    return f"{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}"


def check_depth(api: Api, st: State) -> None:
    viewer = api.client(st.viewer_key)
    # __schema, types, fields, type, n × ofType, name: depth n + 5.
    api.run(viewer, deep_introspection(MAX_DEPTH - 5))
    errors = api.errors(viewer, deep_introspection(MAX_DEPTH - 4))
    api.expect_reason(errors, "BAD_USER_INPUT", "DEPTH_LIMIT")


def check_invalid_query(api: Api, st: State) -> None:
    """What gql's local validation would catch, sent anyway: coded BAD_USER_INPUT."""
    resp = api.raw({"query": "{ findings { edges { node { occuredAt } } } }"}, st.viewer_key)
    require(resp.status_code == 200, f"an invalid query answered HTTP {resp.status_code}")
    body = resp.json()
    require(body.get("data") is None, f"an invalid query has data: {short(body)}")
    api.expect_reason(body.get("errors") or [], "BAD_USER_INPUT", "INVALID_QUERY")
    resp = api.raw({"query": "{ findings { "}, st.viewer_key)
    api.expect_reason(resp.json().get("errors") or [], "BAD_USER_INPUT", "INVALID_QUERY")


def fetch_schema(api: Api, credential: str, recursion: int) -> GraphQLSchema:
    transport = RequestsHTTPTransport(
        url=f"{api.base}/graphql", headers={"Authorization": f"Bearer {credential}"}, timeout=30
    )
    client = Client(
        transport=transport,
        fetch_schema_from_transport=True,
        introspection_args={"type_recursion_level": recursion},
    )
    with client as session:
        session.fetch_schema()
    require(client.schema is not None, "no schema fetched")
    return client.schema


def check_introspection(api: Api, st: State) -> None:
    """gql's default introspection (type_recursion_level 7) serves the committed SDL's
    types, and graphql-core's standard introspection query (9 levels, like GraphiQL's)
    fits within the depth limit."""
    try:
        served = fetch_schema(api, st.viewer_key, 7)
    except TransportQueryError as error:
        raise Failure(f"introspection refused: {short(error.errors)}") from None
    builtin = {"Int", "Float", "String", "Boolean", "ID"}  # the SDL omits unused ones
    differ = (set(served.type_map) ^ set(api.schema.type_map)) - builtin
    require(not differ, f"served types differ from api/schema.graphql: {sorted(differ)}")
    for name in ("Finding", "Alert", "FindingFilter", "AlertFilter"):
        require(
            set(served.type_map[name].fields) == set(api.schema.type_map[name].fields),
            f"{name}: the served fields differ from api/schema.graphql",
        )
    body = api.raw({"query": get_introspection_query()}, st.viewer_key).json()
    require(not body.get("errors"), f"standard introspection refused: {short(body, 160)}")


def check_other_tenant(api: Api, st: State) -> None:
    email = f"gql-other-{uuid.uuid4().hex[:8]}@vigil.example"
    resp = api.post(
        "/api/v1/auth/signup",
        {"email": email, "password": "another-tenant-password", "organization": "GQL other"},
    )
    require(resp.status_code == 201, f"signup answered {resp.status_code}: {short(resp.text)}")
    st.other_token = resp.json()["access_token"]
    other = api.client(st.other_token)
    viewer = api.client(st.viewer_key)
    alerts = api.run(viewer, "{ alerts(first: 1) { edges { node { id } } } }")["alerts"]["edges"]
    findings = api.run(viewer, "{ findings(first: 1) { edges { node { id } } } }")["findings"][
        "edges"
    ]
    alert_id, finding_id = alerts[0]["node"]["id"], findings[0]["node"]["id"]
    api.expect_code(other, st.examples["acknowledge-alert"], {"id": alert_id}, "NOT_FOUND")
    api.expect_code(other, st.examples["acknowledge-alert"], {"id": str(uuid.uuid4())}, "NOT_FOUND")
    seen = api.run(other, "query($id: ID!) { finding(id: $id) { id } }", {"id": finding_id})
    require(seen["finding"] is None, "another tenant's finding is visible")
    counts = api.run(
        other,
        "{ alerts(first: 1) { totalCount } findings(first: 1) { totalCount } awsAccounts { id } }",
    )
    require(
        counts["alerts"]["totalCount"] == 0 and counts["findings"]["totalCount"] == 0,
        f"a new tenant sees data: {counts}",
    )
    tenant = api.run(other, "{ tenant { id plan } }")["tenant"]
    require(tenant["plan"] == "TRIAL", f"a new tenant's plan is {tenant['plan']}")
    st.other_tenant_id = tenant["id"]


def check_trial_expired(api: Api, st: State) -> None:
    require(st.other_tenant_id, "no second tenant (its check failed)")
    database = os.environ.get("VIGIL_DEMO_DATABASE_URL")
    require(database, "VIGIL_DEMO_DATABASE_URL is not set (run under scripts/demo.sh)")
    tenant_id = str(uuid.UUID(st.other_tenant_id))
    sql = (
        "update tenants set trial_ends_at = now() - interval '1 day' "
        f"where tenant_id = '{tenant_id}'"
    )
    done = subprocess.run(
        ["psql", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    require(done.returncode == 0, f"psql: {done.stderr.strip()}")
    other = api.client(st.other_token)
    require(api.run(other, "{ tenant { plan } }")["tenant"]["plan"] == "EXPIRED", "not EXPIRED")
    api.expect_code(
        other,
        'mutation { createAwsAccount(input: { name: "late" }) { id } }',
        None,
        "TRIAL_EXPIRED",
    )
    api.run(other, st.examples["accounts-last-scan"])  # data stays readable


# ---- what is documented but being built: skipped only with --skip-pending ------------------


def connection_selection(kind: str, fields: list[str]) -> str:
    return f"{kind}(first: $n) {{ totalCount edges {{ node {{ {' '.join(fields)} }} }} }}"


def check_complexity(api: Api, st: State) -> None:
    """Connections cost `first` × their selection: three of them at first: 100 with their
    scalar fields go over 5000, the same at first: 5 stays far under."""

    def scalars(type_name: str) -> list[str]:
        gtype = api.schema.type_map[type_name]
        names = []
        for name, fdef in gtype.fields.items():
            named = fdef.type
            while hasattr(named, "of_type"):
                named = named.of_type
            if not hasattr(named, "fields") and str(named) != "JSON" and not fdef.args:
                names.append(name)
        return names

    query = (
        "query($n: Int) { "
        + connection_selection("findings", scalars("Finding"))
        + " "
        + connection_selection("alerts", scalars("Alert"))
        + " "
        + connection_selection("events", scalars("Event"))
        + " }"
    )
    viewer = api.client(st.viewer_key)
    api.run(viewer, query, {"n": 5})
    errors = api.errors(viewer, query, {"n": MAX_FIRST})
    api.expect_reason(errors, "BAD_USER_INPUT", "COMPLEXITY_LIMIT")
    # Without `first`, a connection costs 25 items: the same three stay under 5,000.
    api.run(viewer, query.replace("(first: $n)", "").replace("query($n: Int) ", ""))


def check_aliases(api: Api, st: State) -> None:
    viewer = api.client(st.viewer_key)

    def aliased(n: int) -> str:
        return "{ " + " ".join(f"t{i}: tenant {{ id }}" for i in range(n)) + " }"

    data = api.run(viewer, aliased(MAX_ALIASES))
    require(len(data) == MAX_ALIASES, f"{MAX_ALIASES} aliases answered {len(data)} fields")
    errors = api.errors(viewer, aliased(MAX_ALIASES + 1))
    api.expect_reason(errors, "BAD_USER_INPUT", "ALIAS_LIMIT")


def check_batch(api: Api, st: State) -> None:
    viewer = api.client(st.viewer_key)
    request = GraphQLRequest("query Tenant { tenant { id } }")
    try:
        answers = viewer.execute_batch([request] * MAX_BATCH)
    except (TransportQueryError, TransportServerError, TransportProtocolError) as error:
        raise Failure(f"a batch of {MAX_BATCH} was refused: {error}") from None
    require(len(answers) == MAX_BATCH, f"a batch of {MAX_BATCH} got {len(answers)} answers")
    require(all(a["tenant"]["id"] for a in answers), short(answers))
    try:
        viewer.execute_batch([request] * (MAX_BATCH + 1))
    except (TransportQueryError, TransportServerError, TransportProtocolError):
        pass
    else:
        raise Failure(f"a batch of {MAX_BATCH + 1} operations was executed")
    resp = api.raw([{"query": "{ tenant { id } }"}] * (MAX_BATCH + 1), st.viewer_key)
    body = resp.json()
    require(isinstance(body, dict), f"a refused batch answered a list: {short(body)}")
    api.expect_reason(body.get("errors") or [], "BAD_USER_INPUT", "BATCH_LIMIT")


def export(api: Api, kind: str, params: dict[str, str], credential: str | None):
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    return requests.get(
        f"{api.base}/api/v1/export/{kind}", params=params, headers=headers, timeout=60, stream=True
    )


def expect_ok(resp: requests.Response, what: str) -> None:
    """HTTP 200, else a failure quoting the answer (the body is read only then)."""
    if resp.status_code != 200:
        raise Failure(f"{what}: HTTP {resp.status_code} {short(resp.text)}")


def body_text(resp: requests.Response, what: str) -> str:
    """The streamed body; a stream that breaks off is a failure of its own."""
    try:
        return b"".join(resp.iter_content(64 * 1024)).decode("utf-8")
    except requests.exceptions.RequestException as error:
        raise Failure(f"{what}: the stream broke off ({type(error).__name__}: {error})") from None


def body_lines(resp: requests.Response, what: str) -> list[str]:
    """JSON Lines are separated by \\n only (U+2028 and the like may occur in values)."""
    return body_text(resp, what).split("\n")


def json_lines(resp: requests.Response, what: str) -> list[dict]:
    rows = []
    for number, line in enumerate(body_lines(resp, what), 1):
        if not line:
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise Failure(f"{what}: line {number} is not JSON: {short(line)}") from None
        require(isinstance(row, dict), f"{what}: line {number} is not an object")
        rows.append(row)
    return rows


def strings_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


def check_ocsf(row: dict, class_uid: int, what: str) -> None:
    require(row.get("class_uid") == class_uid, f"{what}: class_uid {row.get('class_uid')}")
    require(row.get("category_uid") == 2, f"{what}: category_uid {row.get('category_uid')}")
    activity = row.get("activity_id")
    require(isinstance(activity, int), f"{what}: activity_id {activity!r}")
    require(row.get("type_uid") == class_uid * 100 + activity, f"{what}: type_uid")
    require(row.get("severity_id") in OCSF_SEVERITY_IDS, f"{what}: severity_id")
    require(isinstance(row.get("time"), int), f"{what}: time is not epoch milliseconds")
    metadata = row.get("metadata") or {}
    require(str(metadata.get("version", "")).startswith("1.1"), f"{what}: metadata.version")
    require(isinstance(metadata.get("product"), dict), f"{what}: metadata.product")
    info = row.get("finding_info") or {}
    require(isinstance(info.get("uid"), str) and info["uid"], f"{what}: finding_info.uid")
    require(isinstance(info.get("title"), str) and info["title"], f"{what}: finding_info.title")
    if class_uid == 2003:
        require(isinstance(row.get("compliance"), dict), f"{what}: compliance")


def check_exports(api: Api, st: State) -> None:
    viewer = api.client(st.viewer_key)
    doc = DOC.read_text()
    resp = export(api, "findings", {"format": "json"}, None)
    require(resp.status_code == 401, f"an export without credentials answered {resp.status_code}")
    require(resp.json().get("error", {}).get("code"), f"not the REST error shape: {resp.text}")
    resp = export(api, "findings", {"format": "json"}, "vgl_" + "0" * 40)
    require(resp.status_code == 401, f"an export with a wrong key answered {resp.status_code}")
    for params in (
        {"format": "xml"},
        {"format": "json", "since": "yesterday"},
        {"format": "json", "status": "open,bogus"},
        {"format": "json", "awsAccountId": "x"},
    ):
        resp = export(api, "findings", params, st.viewer_key)
        require(resp.status_code == 400, f"{params} answered {resp.status_code}")
        require(resp.json().get("error", {}).get("code"), f"{params}: not the REST error shape")

    graph = {
        "findings": (
            "query($f: FindingFilter, $after: String) { findings(first: 100, after: $after, "
            "filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
            2003,
        ),
        "alerts": (
            "query($f: AlertFilter, $after: String) { alerts(first: 100, after: $after, "
            "filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
            2004,
        ),
    }
    production = next(a for a in st.accounts if a["accountId"] == "111111111111")
    for kind, (query, class_uid) in graph.items():
        nodes, pages = all_pages(api, viewer, query, {"f": None}, kind)
        ids = {n["id"] for n in nodes}
        total = pages[0]["totalCount"]
        require(total == len(ids), f"{kind}: totalCount {total}, {len(ids)} listed")

        resp = export(api, kind, {"format": "json"}, st.analyst_key)
        expect_ok(resp, f"{kind} json")
        require("content-length" not in resp.headers, f"{kind} json: not streamed (Content-Length)")
        ctype = resp.headers.get("content-type", "")
        require(ctype.startswith("application/x-ndjson"), f"{kind} json: Content-Type {ctype}")
        rows = json_lines(resp, f"{kind} json")
        require(len(rows) == total, f"{kind} json: {len(rows)} lines, GraphQL totalCount {total}")
        require({r.get("id") for r in rows} == ids, f"{kind} json: not the GraphQL IDs")
        accounts = {r.get("accountId") for r in rows}
        require(accounts == DEMO_ACCOUNTS, f"{kind} json: accountId {sorted(map(str, accounts))}")

        resp = export(api, kind, {}, st.viewer_key)  # csv by default
        expect_ok(resp, f"{kind} csv")
        ctype = resp.headers.get("content-type", "")
        require(ctype.startswith("text/csv"), f"{kind} csv: Content-Type {ctype}")
        text = body_text(resp, f"{kind} csv")
        header = text.splitlines()[0] if text else ""
        require(f"`{header}`" in doc, f"{kind} csv: the header {header!r} is not in the doc")
        table = list(csv.DictReader(io.StringIO(text)))
        require(len(table) == total, f"{kind} csv: {len(table)} rows, GraphQL totalCount {total}")
        require({row["id"] for row in table} == ids, f"{kind} csv: not the GraphQL IDs")

        resp = export(api, kind, {"format": "ocsf"}, st.viewer_key)
        expect_ok(resp, f"{kind} ocsf")
        rows = json_lines(resp, f"{kind} ocsf")
        require(len(rows) == total, f"{kind} ocsf: {len(rows)} lines, GraphQL totalCount {total}")
        for number, row in enumerate(rows, 1):
            check_ocsf(row, class_uid, f"{kind} ocsf line {number}")
        uids = [r["finding_info"]["uid"] for r in rows]
        require(len(set(uids)) == len(uids), f"{kind} ocsf: finding_info.uid repeats")
        require(set(uids) == ids, f"{kind} ocsf: finding_info.uid is not the Vigil ID")

        status = "open" if kind == "findings" else "OPEN,acknowledged"
        filters = [
            ({"status": status}, {"status": status.upper().split(",")}),
            ({"severity": "high"}, {"severity": ["HIGH"]}),
            ({"severity": "CRITICAL,medium"}, {"severity": ["CRITICAL", "MEDIUM"]}),
            ({"awsAccountId": production["id"]}, {"awsAccountId": production["id"]}),
        ]
        for params, gfilter in filters:
            expected = api.run(viewer, query, {"f": gfilter})[kind]["totalCount"]
            resp = export(api, kind, {"format": "json", **params}, st.viewer_key)
            expect_ok(resp, f"{kind} {params}")
            got = len(json_lines(resp, f"{kind} {params}"))
            require(got == expected, f"{kind} {params}: {got} lines, GraphQL says {expected}")
        resp = export(api, kind, {"format": "json", "since": FAR_FUTURE}, st.viewer_key)
        require(not json_lines(resp, f"{kind} since the future"), f"{kind}: since the future")
        resp = export(api, kind, {"format": "json", "since": LONG_AGO}, st.viewer_key)
        require(len(json_lines(resp, f"{kind} since 2000")) == total, f"{kind}: since 2000")
        if kind == "alerts":  # `since` as in AlertFilter.since
            seen = sorted(
                {
                    n["lastSeenAt"]
                    for n in all_pages(
                        api, viewer, st.examples["siem-alerts-since"], {"since": LONG_AGO}, "alerts"
                    )[0]
                },
                key=parse_time,
            )
            middle = seen[len(seen) // 2]
            expected = api.run(viewer, query, {"f": {"since": middle}})[kind]["totalCount"]
            resp = export(api, kind, {"format": "json", "since": middle}, st.viewer_key)
            got = len(json_lines(resp, f"{kind} since {middle}"))
            require(got == expected, f"alerts since {middle}: {got} lines, GraphQL {expected}")


def check_rate_limit(api: Api, st: State) -> None:
    """Last: spends the demo tenant's quota. 600 a minute (10 a second) with bursts of
    100, then RATE_LIMITED with HTTP 429 and Retry-After; another tenant is not affected."""
    time.sleep(RATE_BURST / (RATE_PER_MINUTE / 60) + 1)  # the earlier checks' use refills
    query = GraphQLRequest("query Ping { tenant { id } }")
    viewer = api.client(st.viewer_key, retries=0)
    started = time.monotonic()
    sent = accepted = 0
    limited = False
    with viewer as session:
        while sent < 3 * RATE_PER_MINUTE and time.monotonic() - started < 90:
            sent += 1
            try:
                session.execute(query)
                accepted += 1
            except TransportQueryError as error:
                api.expect_reason(error.errors or [], "RATE_LIMITED", "TENANT_RATE_LIMIT")
                limited = True
                break
    elapsed = time.monotonic() - started
    require(limited, f"{sent} requests in {elapsed:.0f} s and none was RATE_LIMITED")
    say(f"  RATE_LIMITED after {accepted} requests in {elapsed:.1f} s")
    require(accepted >= RATE_BURST, f"limited after only {accepted} requests: no burst")
    ceiling = RATE_BURST + RATE_PER_MINUTE / 60 * elapsed + 20
    require(accepted <= ceiling, f"{accepted} requests in {elapsed:.1f} s were accepted")
    # The answer itself: HTTP 429 with Retry-After (the bucket refills 10 a second, so
    # send a few at once to catch one).
    for _ in range(20):
        resp = api.raw({"query": "{ tenant { id } }"}, st.viewer_key)
        if resp.status_code != 200:
            break
    require(resp.status_code == 429, f"a limited request answered HTTP {resp.status_code}")
    retry_after = resp.headers.get("Retry-After", "")
    require(retry_after.isdigit() and int(retry_after) >= 1, f"Retry-After {retry_after!r}")
    api.expect_reason(resp.json().get("errors") or [], "RATE_LIMITED", "TENANT_RATE_LIMIT")
    if st.other_token:  # another tenant: not affected
        api.run(api.client(st.other_token, retries=0), "{ tenant { id } }")
    # What the document advises: the client retries 429s after Retry-After.
    api.run(api.client(st.viewer_key, retries=5), "{ tenant { id } }")


def python_blocks(markdown: str) -> list[str]:
    """The ```python fenced blocks of a Markdown text."""
    return re.findall(r"^```python[ \t]*\n(.*?)^```[ \t]*$", markdown, re.M | re.S)


class WebhookReceiver:
    """An HTTP receiver on loopback that keeps each request's headers and raw body."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def check_webhooks(api: Api, st: State) -> None:
    """The create-webhook and webhook-log examples, and the document's verification
    snippet, against a real signed delivery (the demo runs with
    VIGIL_WEBHOOK_ALLOW_INTERNAL, set by scripts/graphql-examples.sh, so a loopback
    receiver is accepted)."""
    snippets = [b for b in python_blocks(DOC.read_text()) if "def verify(" in b]
    require(len(snippets) == 1, f"{len(snippets)} verification snippets in the document")
    scope: dict[str, Any] = {}
    exec(compile(snippets[0], "docs/graphql.md (verify)", "exec"), scope)  # noqa: S102
    verify = scope["verify"]
    owner, viewer = api.client(st.access_token), api.client(st.viewer_key)
    receiver = WebhookReceiver()
    try:
        api.expect_code(viewer, st.examples["create-webhook"], {"url": receiver.url}, "FORBIDDEN")
        created = api.run(owner, st.examples["create-webhook"], {"url": receiver.url})
        secret, webhook = created["createWebhook"]["secret"], created["createWebhook"]["webhook"]
        require(secret.startswith("whsec_"), "the secret is not a whsec_ key")
        require(webhook["minSeverity"] == "HIGH" and webhook["format"] == "VIGIL", short(webhook))
        delivery = api.run(
            owner, "mutation($id: ID!) { testWebhook(id: $id) { id } }", {"id": webhook["id"]}
        )["testWebhook"]["id"]
        deadline = time.monotonic() + 60
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.2)
        require(receiver.requests, "no delivery reached the receiver within 60 s")
        headers, body = receiver.requests[0]
        require(headers.get("webhook-id") == delivery, f"webhook-id {headers.get('webhook-id')}")
        require(json.loads(body)["type"] == "TEST", short(body.decode()))
        require(verify(secret, headers, body), "the document's verify() refused a real delivery")
        require(not verify(secret, headers, body + b" "), "verify() accepted a changed body")
        stale = dict(headers, **{"webhook-timestamp": str(int(time.time()) - 3600)})
        require(not verify(secret, stale, body), "verify() accepted an hour-old timestamp")
        standardwebhooks.Webhook(secret).verify(body, headers)  # raises when it does not verify
        # The log shows it delivered (the receiver answered 204).
        deadline = time.monotonic() + 30
        while True:
            log = api.run(owner, st.examples["webhook-log"], {"id": webhook["id"]})["webhook"]
            require(log["deliveries"]["totalCount"] == 0 or time.monotonic() < deadline,
                    f"the delivery is still listed as failed or pending: {short(log)}")
            if log["deliveries"]["totalCount"] == 0:
                break
            time.sleep(0.5)
        done = api.run(
            owner,
            "query($id: ID!) { webhookDelivery(id: $id) { status attempts responseCode } }",
            {"id": delivery},
        )["webhookDelivery"]
        require(done == {"status": "SUCCEEDED", "attempts": 1, "responseCode": 204}, short(done))
        api.run(owner, "mutation($id: ID!) { deleteWebhook(id: $id) }", {"id": webhook["id"]})
    finally:
        receiver.close()


# ---- running ------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    run: Callable[[Api, State], None]
    pending: bool = False
    essential: bool = False


CHECKS = [
    Check("login, refresh and token shapes (REST)", check_login, essential=True),
    Check("createApiKey example: a VIEWER and an ANALYST key", check_create_keys, essential=True),
    Check("the demo's findings and alerts exist", wait_for_data, essential=True),
    Check("accounts-last-scan example", check_accounts),
    Check("ticketing-sync-findings example: pages, filters, order", check_findings_pagination),
    Check("siem-alerts-since example: only alerts active since the checkpoint", check_alerts_since),
    Check("acknowledge-alert example and roles", check_acknowledge),
    Check("error codes: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, NOT_FOUND", check_error_codes),
    Check("request body limit 1 MiB", check_body_limit),
    Check("schema introspection within the depth limit", check_introspection),
    Check(f"depth limit {MAX_DEPTH}: BAD_USER_INPUT (DEPTH_LIMIT)", check_depth, pending=True),
    Check("an invalid query: BAD_USER_INPUT (INVALID_QUERY)", check_invalid_query, pending=True),
    Check("another tenant's IDs are not found", check_other_tenant),
    Check("TRIAL_EXPIRED", check_trial_expired),
    Check("complexity: connections cost first x selection", check_complexity, pending=True),
    Check(f"at most {MAX_ALIASES} aliases", check_aliases, pending=True),
    Check(f"batches of at most {MAX_BATCH} operations", check_batch, pending=True),
    Check("exports: csv, json, ocsf and filters", check_exports, pending=True),
    Check("webhooks: a signed delivery verifies with the documented snippet", check_webhooks),
    Check(f"rate limit {RATE_PER_MINUTE} a minute (last)", check_rate_limit, pending=True),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--skip-pending",
        action="store_true",
        help="skip the checks of the exports and limits that are not built yet",
    )
    parser.add_argument("--offline", action="store_true", help="only the document checks")
    parser.add_argument(
        "--only", metavar="TEXT", help="only the checks whose names contain TEXT (and setup)"
    )
    args = parser.parse_args()

    passed = failed = skipped = 0
    schema = build_schema(SDL.read_text())
    examples = load_examples()
    try:
        check_document(schema, examples)
        say(f"PASS document: {len(examples)} examples valid and quoted verbatim in docs/graphql.md")
        passed += 1
    except Failure as error:
        say(f"FAIL document: {error}")
        failed += 1
    if args.offline:
        print(f"check_examples: {passed} passed, {failed} failed, {skipped} skipped")
        return 1 if failed else 0

    api = Api(os.environ["VIGIL_DEMO_URL"], schema)
    st = State(examples=examples)
    for number, check in enumerate(CHECKS):
        if args.only and not check.essential and args.only not in check.name:
            skipped += 1
            continue
        if check.pending and args.skip_pending:
            say(f"SKIP {check.name} (--skip-pending)")
            skipped += 1
            continue
        started = time.monotonic()
        try:
            check.run(api, st)
        except Failure as error:
            say(f"FAIL {check.name}: {error}")
            failed += 1
        except Exception as error:  # noqa: BLE001 - report and go on with the others
            say(f"FAIL {check.name}: {type(error).__name__}: {error}")
            traceback.print_exc(limit=3)
            failed += 1
        else:
            say(f"PASS {check.name} ({time.monotonic() - started:.1f} s)")
            passed += 1
            continue
        if check.essential:
            rest = len(CHECKS) - number - 1
            say(f"stopping: the other {rest} checks need this one")
            skipped += rest
            break
    print(f"check_examples: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
