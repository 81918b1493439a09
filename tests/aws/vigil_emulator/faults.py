"""Fault injection: make matching API calls fail (or slow down) the way AWS fails them.

Vigil must survive throttling, denied calls and service errors; moto never produces them.
A rule matches on any of account, service (signing name, e.g. `ec2`, or `s3control`),
operation (the CloudTrail eventName) and region; absent fields match everything. A rule
with a `count` fails that many matching calls and then expires.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

from .awsrequest import AwsRequest
from .errors import aws_error
from .events import Served

KINDS = ("throttle", "access_denied", "server_error", "slow")

#: (kind, protocol) -> (status, code). Protocols: ec2 | query | json | s3 | s3control | rest-json.
_ERRORS = {
    ("throttle", "ec2"): (503, "RequestLimitExceeded"),
    ("throttle", "query"): (400, "Throttling"),
    ("throttle", "json"): (400, "ThrottlingException"),
    ("throttle", "s3"): (503, "SlowDown"),
    ("throttle", "s3control"): (503, "SlowDown"),
    ("throttle", "rest-json"): (429, "ThrottlingException"),
    ("access_denied", "ec2"): (403, "UnauthorizedOperation"),
    ("access_denied", "query"): (403, "AccessDenied"),
    ("access_denied", "json"): (400, "AccessDeniedException"),
    ("access_denied", "s3"): (403, "AccessDenied"),
    ("access_denied", "s3control"): (403, "AccessDenied"),
    ("access_denied", "rest-json"): (403, "AccessDeniedException"),
    ("server_error", "ec2"): (500, "InternalError"),
    ("server_error", "s3"): (500, "InternalError"),
    ("server_error", "s3control"): (500, "InternalError"),
}


class FaultRuleError(ValueError):
    """A rule that cannot be added (answered with 400)."""


@dataclass
class FaultRule:
    id: str
    kind: str
    account_id: str | None = None
    service: str | None = None
    operation: str | None = None
    region: str | None = None
    count: int | None = None
    remaining: int | None = None
    delay_ms: int = 0
    hits: int = 0

    @classmethod
    def parse(cls, doc: Any) -> FaultRule:
        if not isinstance(doc, dict):
            raise FaultRuleError("a fault rule is a JSON object")
        kind = doc.get("kind")
        if kind not in KINDS:
            raise FaultRuleError(f"kind must be one of {', '.join(KINDS)}")
        count = doc.get("count")
        if count is not None and (
            not isinstance(count, int) or isinstance(count, bool) or count < 1
        ):
            raise FaultRuleError("count must be a positive integer")
        delay = doc.get("delayMs", 1000 if kind == "slow" else 0)
        if not isinstance(delay, int) or isinstance(delay, bool) or delay < 0:
            raise FaultRuleError("delayMs must be a non-negative integer")
        fields = {}
        for name in ("accountId", "service", "operation", "region"):
            value = doc.get(name)
            if value is not None and not isinstance(value, str):
                raise FaultRuleError(f"{name} must be a string")
            fields[name] = value
        return cls(
            id=uuid.uuid4().hex[:12],
            kind=kind,
            account_id=fields["accountId"],
            service=fields["service"].lower() if fields["service"] else None,
            operation=fields["operation"],
            region=fields["region"],
            count=count,
            remaining=count,
            delay_ms=delay,
        )

    def matches(self, req: AwsRequest, account_id: str) -> bool:
        return (
            (self.account_id is None or self.account_id == account_id)
            and (self.service is None or self.service in (req.service, req.signing_service))
            and (self.operation is None or self.operation == req.operation)
            and (self.region is None or self.region == req.region)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "accountId": self.account_id,
            "service": self.service,
            "operation": self.operation,
            "region": self.region,
            "count": self.count,
            "remaining": self.remaining,
            "delayMs": self.delay_ms,
            "hits": self.hits,
        }


class FaultRegistry:
    """The active rules; the first matching rule, in order of addition, fires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, doc: Any) -> FaultRule:
        rule = FaultRule.parse(doc)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_json() for r in self._rules]

    def take(self, req: AwsRequest, account_id: str) -> FaultRule | None:
        """The rule that fires for this call, counting it (and expiring spent rules)."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(req, account_id):
                    rule.hits += 1
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return rule
        return None


def fault_response(rule: FaultRule, req: AwsRequest, caller_arn: str) -> Served:
    """The error a fired (non-slow) rule answers with."""
    protocol = req.protocol
    status, code = _ERRORS.get((rule.kind, protocol), (0, ""))
    if not status:
        status, code = {
            "throttle": (400, "Throttling"),
            "access_denied": (403, "AccessDenied"),
            "server_error": (500, "InternalFailure"),
        }[rule.kind]
    action = f"{req.signing_service or req.service}:{req.operation}"
    if rule.kind == "throttle":
        message = (
            "Request limit exceeded."
            if protocol == "ec2"
            else "Please reduce your request rate."
            if protocol.startswith("s3")
            else "Rate exceeded"
        )
    elif rule.kind == "access_denied":
        if protocol == "ec2":
            message = (
                f"You are not authorized to perform this operation. User: {caller_arn} "
                f"is not authorized to perform: {action} because no identity-based "
                "policy allows the action"
            )
        elif protocol.startswith("s3"):
            message = "Access Denied"
        else:
            message = (
                f"User: {caller_arn} is not authorized to perform: {action} "
                "because no identity-based policy allows the action"
            )
    else:
        message = (
            "We encountered an internal error. Please try again."
            if protocol.startswith("s3")
            else "An internal error has occurred"
        )
    return aws_error(req, status, code, message)
