"""Who made a call: the CloudTrail `userIdentity`, resolved from moto's own IAM and STS state.

The account comes from moto's own mapping (`moto.iam.models.get_account_id_from`), so the
emulator and moto always agree on whose call it was: a session of an assumed role belongs to
the role's account, an IAM user's key to the user's account, and an unknown (static test)
key to moto's default account 123456789012, whose caller moto calls `user/moto`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.iam.models import get_account_id_from, iam_backends
from moto.sts.models import sts_backends

PARTITION = "aws"


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Caller:
    """The principal behind an access key, as CloudTrail describes it."""

    type: str  # IAMUser | AssumedRole | Root
    arn: str
    account_id: str
    access_key_id: str
    principal_id: str
    user_name: str | None = None
    role_arn: str | None = None
    role_id: str | None = None
    session_name: str | None = None
    session_created: str | None = None

    @property
    def role_name(self) -> str | None:
        return self.role_arn.rsplit("/", 1)[-1] if self.role_arn else None

    def user_identity(self) -> dict[str, Any]:
        identity: dict[str, Any] = {
            "type": self.type,
            "principalId": self.principal_id,
            "arn": self.arn,
            "accountId": self.account_id,
            "accessKeyId": self.access_key_id,
        }
        if self.type == "IAMUser":
            identity["userName"] = self.user_name
        if self.type == "AssumedRole":
            identity["sessionContext"] = {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": self.role_id,
                    "arn": self.role_arn,
                    "accountId": self.account_id,
                    "userName": self.role_name,
                },
                "attributes": {
                    "creationDate": self.session_created,
                    "mfaAuthenticated": "false",
                },
            }
        return identity


class SessionClock:
    """When each assumed-role session began (moto keeps only the expiry).

    Also pins the principal ID of sessions of roles that do not exist, which moto would
    otherwise draw at random on every look-up.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._created: dict[str, str] = {}
        self._role_ids: dict[str, str] = {}

    def started(self, access_key_id: str) -> None:
        with self._lock:
            self._created.setdefault(access_key_id, utc_now_iso())

    def created(self, access_key_id: str) -> str:
        with self._lock:
            return self._created.setdefault(access_key_id, utc_now_iso())

    def role_id(self, role_arn: str, account_id: str) -> str:
        try:
            return iam_backends[account_id][PARTITION].get_role_by_arn(role_arn).id
        except Exception:  # the role does not exist (moto does not require it)
            with self._lock:
                return self._role_ids.setdefault(
                    role_arn, "AROA" + os.urandom(8).hex().upper()[:17]
                )

    def clear(self) -> None:
        with self._lock:
            self._created.clear()
            self._role_ids.clear()


def account_for(access_key: str, account_header: str | None = None) -> str:
    """The calling account, in moto's own order of precedence."""
    if os.environ.get("MOTO_ACCOUNT_ID"):
        return os.environ["MOTO_ACCOUNT_ID"]
    if account_header:
        return account_header
    return get_account_id_from(access_key)


def resolve_caller(
    access_key: str, clock: SessionClock, account_header: str | None = None
) -> Caller:
    """The principal that owns `access_key`, looked up in moto's STS and IAM backends."""
    account = account_for(access_key, account_header)
    session = sts_backends[account][PARTITION].get_assumed_role_from_access_key(access_key)
    if session is not None:
        role_id = clock.role_id(session.role_arn, account)
        return Caller(
            type="AssumedRole",
            arn=session.arn,
            account_id=account,
            access_key_id=access_key,
            principal_id=f"{role_id}:{session.session_name}",
            role_arn=session.role_arn,
            role_id=role_id,
            session_name=session.session_name,
            session_created=clock.created(access_key),
        )
    user = iam_backends[account][PARTITION].get_user_from_access_key_id(access_key)
    if user is not None:
        return Caller(
            type="IAMUser",
            arn=user.arn,
            account_id=account,
            access_key_id=access_key,
            principal_id=user.id,
            user_name=user.name,
        )
    # A key moto does not know: moto treats it as `user/moto` of the resolved account.
    return Caller(
        type="IAMUser",
        arn=f"arn:aws:iam::{account}:user/moto",
        account_id=account,
        access_key_id=access_key,
        principal_id=access_key,
        user_name="moto",
    )
