"""STS AssumeRole trust enforcement, which moto skips (it lets anyone assume any ARN).

Vigil's onboarding rests on the customer's role trusting Vigil's account *with the
external ID*; a test of that is worthless if every AssumeRole succeeds. The role is looked
up in moto's IAM of the role's account and its trust policy evaluated against the caller:

* the role must exist;
* no Deny statement for sts:AssumeRole may match the caller;
* an Allow statement for sts:AssumeRole must name the caller: `*`, the caller's ARN, the
  role of an assumed-role caller, the caller's account (`arn:aws:iam::<acct>:root` or the
  bare account ID), and all of its conditions must hold. Conditions understood:
  StringEquals/StringLike/StringNotEquals on `sts:ExternalId`, and
  Bool `aws:MultiFactorAuthPresent` (always false for API keys). Any other condition is
  treated as not satisfied, so an unknown condition never widens access.

Bootstrap (how a test gets credentials in a fresh account): like AWS Organizations, the
management account (moto's default 123456789012, whose static keys are the harness's own)
may assume `OrganizationAccountAccessRole` in any account; when that role does not exist
yet it is created first, trusting the management account, with AdministratorAccess.
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
from typing import Any
from urllib.parse import unquote

from moto.iam.models import iam_backends

from .identity import PARTITION, Caller

BOOTSTRAP_ROLE = "OrganizationAccountAccessRole"
_ROLE_ARN_RE = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _action_matches(statement: dict[str, Any]) -> bool:
    actions = _as_list(statement.get("Action"))
    return any(fnmatch.fnmatchcase("sts:assumerole", str(a).lower()) for a in actions)


def _principal_matches(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    names = {caller.arn, f"arn:aws:iam::{caller.account_id}:root", caller.account_id}
    if caller.role_arn:
        names.add(caller.role_arn)
    return any(p == "*" or p in names for p in _as_list(principal.get("AWS")))


def _conditions_hold(conditions: Any, external_id: str | None) -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    for operator, entries in conditions.items():
        if not isinstance(entries, dict):
            return False
        for key, expected in entries.items():
            values = [str(v) for v in _as_list(expected)]
            key = key.lower()
            if key == "sts:externalid" and operator == "StringEquals":
                ok = external_id is not None and external_id in values
            elif key == "sts:externalid" and operator == "StringLike":
                ok = external_id is not None and any(
                    fnmatch.fnmatchcase(external_id, v) for v in values
                )
            elif key == "sts:externalid" and operator == "StringNotEquals":
                ok = external_id not in values
            elif key == "aws:multifactorauthpresent" and operator in ("Bool", "BoolIfExists"):
                ok = "false" in [v.lower() for v in values] or operator == "BoolIfExists"
            else:
                ok = False
            if not ok:
                return False
    return True


def trust_allows(document: dict[str, Any], caller: Caller, external_id: str | None) -> bool:
    """Whether a trust policy lets `caller` assume the role with `external_id`."""
    allowed = False
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict) or not _action_matches(statement):
            continue
        if not _principal_matches(statement.get("Principal"), caller):
            continue
        if not _conditions_hold(statement.get("Condition"), external_id):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def parse_policy(text: str) -> dict[str, Any]:
    text = text.strip()
    if text.startswith("%"):
        text = unquote(text)
    doc = json.loads(text)
    return doc if isinstance(doc, dict) else {}


class TrustGuard:
    """Decides AssumeRole calls; also holds the roles a test has made unassumable."""

    def __init__(self, management_account: str) -> None:
        self.management_account = management_account
        self._lock = threading.Lock()
        self._bootstrap_lock = threading.Lock()
        self._denied: set[str] = set()

    def deny(self, role_arn: str) -> None:
        with self._lock:
            self._denied.add(role_arn)

    def allow_again(self, role_arn: str | None = None) -> None:
        with self._lock:
            if role_arn is None:
                self._denied.clear()
            else:
                self._denied.discard(role_arn)

    def denied(self) -> list[str]:
        with self._lock:
            return sorted(self._denied)

    def refusal(self, caller: Caller, role_arn: str, external_id: str | None) -> str | None:
        """None when the call may proceed, else the AccessDenied message."""
        message = (
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn}"
        )
        with self._lock:
            if role_arn in self._denied:
                return message
        match = _ROLE_ARN_RE.match(role_arn)
        if not match:
            return None  # malformed: moto answers with its own validation error
        account, name = match.groups()
        iam = iam_backends[account][PARTITION]
        role = next((r for r in list(iam.roles.values()) if r.name == name), None)
        if role is None and name == BOOTSTRAP_ROLE and caller.account_id == self.management_account:
            role = self._bootstrap(account)
        if role is None:
            return message
        try:
            document = parse_policy(role.assume_role_policy_document or "{}")
        except ValueError:
            return message
        return None if trust_allows(document, caller, external_id) else message

    def _bootstrap(self, account: str) -> Any:
        """Create the member-account admin role Organizations would have created."""
        iam = iam_backends[account][PARTITION]
        with self._bootstrap_lock:
            existing = next((r for r in list(iam.roles.values()) if r.name == BOOTSTRAP_ROLE), None)
            if existing is not None:
                return existing
            return self._create_bootstrap_role(iam)

    def _create_bootstrap_role(self, iam: Any) -> Any:
        policy = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{self.management_account}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        )
        role = iam.create_role(BOOTSTRAP_ROLE, policy, "/", None, "", [], None)
        admin = "arn:aws:iam::aws:policy/AdministratorAccess"
        if admin in iam.managed_policies:
            iam.attach_role_policy(admin, BOOTSTRAP_ROLE)
        return role
