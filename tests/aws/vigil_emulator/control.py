"""The harness's control API under `/_vigil/`: JSON in, JSON out, never recorded.

GET    /_vigil/health                      -> {"ok": true}
POST   /_vigil/events                      {"accountId", "records": [...]} -> {"stored": N}
GET    /_vigil/events?accountId=...        -> {"accountId", "records": [...]}
DELETE /_vigil/events[?accountId=...]      -> {"cleared": true}
POST   /_vigil/flush[?accountId=...]       -> {"files": [s3 keys]}
GET    /_vigil/faults                      -> {"faults": [rules]}
POST   /_vigil/faults                      {rule} -> {"id": ...}
DELETE /_vigil/faults[/<id>]               -> {"cleared": N}
GET    /_vigil/deny-assume-role            -> {"roleArns": [...]}
POST   /_vigil/deny-assume-role            {"roleArn"} -> {"denied": roleArn}
DELETE /_vigil/deny-assume-role[?roleArn=] -> {"cleared": true}
POST   /_vigil/stacks                      {"accountId", "templateBody", "parameters"?}
                                           -> {"roles": [arns], "outputs": {...}}
POST   /_vigil/stacksets                   {"accountId" (management), "templateBody",
                                            "parameters"?} -> {"stackSets": [{"stackSetName",
                                            "accounts"}]} (organization.py)
POST   /_vigil/reset                       -> moto reset + harness state cleared
"""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from moto.moto_api._internal.models import moto_api_backend

from .awsrequest import read_body
from .events import Served, parse_event_time
from .faults import FaultRuleError
from .organization import TemplateError, deploy_stack

if TYPE_CHECKING:
    from .app import Emulator

_ACCOUNT_RE = re.compile(r"^\d{12}$")


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json(status: int, doc: Any) -> Served:
    body = json.dumps(doc).encode()
    return Served(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))], body
    )


def _body(environ: dict[str, Any]) -> Any:
    raw = read_body(environ)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise ControlError(400, "the body must be JSON") from None


def _account(value: Any) -> str:
    if not isinstance(value, str) or not _ACCOUNT_RE.match(value):
        raise ControlError(400, "accountId must be a 12-digit string")
    return value


def handle_control(emulator: Emulator, environ: dict[str, Any]) -> Served:
    method = environ.get("REQUEST_METHOD", "GET").upper()
    path = environ.get("PATH_INFO", "").rstrip("/")
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    try:
        return _route(emulator, method, path, query, environ)
    except ControlError as error:
        return _json(error.status, {"error": error.message})


def _route(
    emulator: Emulator, method: str, path: str, query: dict[str, str], environ: dict[str, Any]
) -> Served:
    if path == "/_vigil/health" and method == "GET":
        return _json(200, {"ok": True})
    if path == "/_vigil/events":
        return _events(emulator, method, query, environ)
    if path == "/_vigil/flush" and method == "POST":
        return _json(200, {"files": emulator.delivery.flush(query.get("accountId"))})
    if path == "/_vigil/faults" or path.startswith("/_vigil/faults/"):
        return _faults(emulator, method, path, environ)
    if path == "/_vigil/deny-assume-role":
        return _deny(emulator, method, query, environ)
    if path in ("/_vigil/stacks", "/_vigil/stacksets") and method == "POST":
        return _deploy(emulator, path, environ)
    if path == "/_vigil/reset" and method == "POST":
        with emulator.gate.exclusive():
            moto_api_backend.reset()
        emulator.reset_harness()
        return _json(200, {"reset": True})
    raise ControlError(404, f"no control endpoint {method} {path}")


def _events(
    emulator: Emulator, method: str, query: dict[str, str], environ: dict[str, Any]
) -> Served:
    if method == "GET":
        account = _account(query.get("accountId"))
        return _json(
            200,
            {"accountId": account, "records": [e.record for e in emulator.store.events(account)]},
        )
    if method == "DELETE":
        account = _account(query["accountId"]) if "accountId" in query else None
        emulator.store.clear(account)
        return _json(200, {"cleared": True})
    if method != "POST":
        raise ControlError(405, "GET, POST or DELETE")
    doc = _body(environ)
    if not isinstance(doc, dict):
        raise ControlError(400, 'the body is {"accountId": ..., "records": [...]}')
    account = _account(doc.get("accountId"))
    records = doc.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ControlError(400, "records must be a list of CloudTrail records (objects)")
    records = copy.deepcopy(records)
    for record in records:
        if "eventTime" in record:
            try:
                parse_event_time(str(record["eventTime"]))
            except ValueError:
                raise ControlError(400, f"bad eventTime: {record['eventTime']!r}") from None
    return _json(200, {"stored": emulator.inject(account, records)})


def _faults(emulator: Emulator, method: str, path: str, environ: dict[str, Any]) -> Served:
    rule_id = path[len("/_vigil/faults/") :] if path.startswith("/_vigil/faults/") else None
    if method == "GET" and rule_id is None:
        return _json(200, {"faults": emulator.faults.list()})
    if method == "POST" and rule_id is None:
        try:
            rule = emulator.faults.add(_body(environ))
        except FaultRuleError as error:
            raise ControlError(400, str(error)) from None
        return _json(200, {"id": rule.id})
    if method == "DELETE":
        if rule_id is not None:
            if not emulator.faults.remove(rule_id):
                raise ControlError(404, f"no fault rule {rule_id}")
            return _json(200, {"cleared": 1})
        count = len(emulator.faults.list())
        emulator.faults.clear()
        return _json(200, {"cleared": count})
    raise ControlError(405, "GET, POST or DELETE")


def _deny(
    emulator: Emulator, method: str, query: dict[str, str], environ: dict[str, Any]
) -> Served:
    if method == "GET":
        return _json(200, {"roleArns": emulator.trust.denied()})
    if method == "POST":
        doc = _body(environ)
        role_arn = doc.get("roleArn") if isinstance(doc, dict) else None
        if not isinstance(role_arn, str) or not role_arn.startswith("arn:"):
            raise ControlError(400, 'the body is {"roleArn": "arn:aws:iam::...:role/..."}')
        emulator.trust.deny(role_arn)
        return _json(200, {"denied": role_arn})
    if method == "DELETE":
        doc = _body(environ)
        role_arn = query.get("roleArn") or (doc.get("roleArn") if isinstance(doc, dict) else None)
        emulator.trust.allow_again(role_arn)
        return _json(200, {"cleared": True})
    raise ControlError(405, "GET, POST or DELETE")


def _deploy(emulator: Emulator, path: str, environ: dict[str, Any]) -> Served:
    """What CloudFormation would do with a customer's stack or StackSet (organization.py)."""
    doc = _body(environ)
    if not isinstance(doc, dict) or not isinstance(doc.get("templateBody"), str):
        raise ControlError(400, 'the body is {"accountId", "templateBody", "parameters"?}')
    account = _account(doc.get("accountId"))
    parameters = doc.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ControlError(400, "parameters must be an object of parameter values")
    try:
        with emulator.gate.shared():
            if path == "/_vigil/stacks":
                return _json(200, deploy_stack(account, doc["templateBody"], parameters))
            sets = emulator.stacksets.create(account, doc["templateBody"], parameters)
            return _json(200, {"stackSets": sets})
    except TemplateError as error:
        raise ControlError(400, str(error)) from None
