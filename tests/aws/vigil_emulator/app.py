"""The WSGI middleware around moto's server app: what Vigil's tests need and moto lacks.

Every signed AWS call goes: fault rules -> (LookupEvents | ListPublicKeys | AssumeRole
trust check | moto) -> CloudTrail record of the calling account -> queues of the trails
that log it, and (management writes) the account's default EventBridge bus.
`/_vigil/*` is the harness's control API (see control.py) and is never recorded; nor are
unsigned requests or moto's own `/moto-api` (a moto reset also clears the harness state).
The Host header is never used for routing, so s3control's `<account>.<host>` works.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.http import HTTP_STATUS_CODES

from . import DEFAULT_ACCOUNT_ID, cloudfront_origins, ec2_filters, redshift_parameters, rpcv2cbor
from . import route53domains_lock
from . import serial_console
from . import apigateway_client_certificates
from . import rds_catalogue, redshift_multi_az
from .accessanalyzer import Analyzers
from .awsrequest import AwsRequest
from .delivery import TrailDelivery, logging_trails
from .errors import aws_error
from .eventbridge import forward as forward_to_eventbridge
from .eventbridge import install as install_eventbridge
from .events import EventStore, Served, build_record
from .faults import FaultRegistry, fault_response
from .gate import Gate
from .identity import Caller, SessionClock, account_for, resolve_caller
from .lookup import LookupFailure, lookup_events
from .organization import MEMBERSHIP_CALLS, StackSets
from .trust import TrustGuard

log = logging.getLogger(__name__)

JSON_11 = "application/x-amz-json-1.1"


class Emulator:
    """moto's app plus recording, LookupEvents, trail delivery, faults and trust checks."""

    def __init__(self, management_account: str = DEFAULT_ACCOUNT_ID) -> None:
        ec2_filters.install()
        cloudfront_origins.install()
        route53domains_lock.install()
        redshift_parameters.install()
        serial_console.install()
        apigateway_client_certificates.install()
        rds_catalogue.install()
        redshift_multi_az.install()
        install_eventbridge()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.gate = Gate()
        self.store = EventStore()
        self.delivery = TrailDelivery(self.gate)
        self.faults = FaultRegistry()
        self.trust = TrustGuard(management_account)
        self.sessions = SessionClock()
        self.stacksets = StackSets()
        self.analyzers = Analyzers()  # moto has no IAM Access Analyzer

    # ---- WSGI entry point ---------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_vigil/") or path == "/_vigil":
            from .control import handle_control

            return _send(start_response, handle_control(self, environ))
        if path.startswith("/moto-api"):
            with self.gate.shared():
                served = self._call_moto(environ)
            if path.startswith("/moto-api/reset") and served.status < 300:
                self.reset_harness()
            return _send(start_response, served)
        if rpcv2cbor.is_cbor(environ):
            return _send(start_response, rpcv2cbor.serve(environ, self._serve_environ))
        return _send(start_response, self._serve_environ(environ))

    def _serve_environ(self, environ: dict[str, Any]) -> Served:
        req = AwsRequest.from_environ(environ)
        if not req.signed:
            with self.gate.shared():
                return self._call_moto(environ)
        return self._serve_api_call(req, environ)

    def reset_harness(self) -> None:
        """Forget recorded events, pending deliveries, faults, denials and sessions."""
        self.store.clear()
        self.delivery.clear()
        self.faults.clear()
        self.trust.allow_again()
        self.sessions.clear()
        self.stacksets.clear()
        self.analyzers.clear()

    # ---- API calls ----------------------------------------------------------------------

    def _serve_api_call(self, req: AwsRequest, environ: dict[str, Any]) -> Served:
        account_header = req.headers.get("x-moto-account-id")
        with self.gate.shared():
            rule = self.faults.take(req, account_for(req.access_key or "", account_header))
        if rule is not None and rule.kind == "slow":
            time.sleep(rule.delay_ms / 1000)
            rule = None
        with self.gate.shared():
            caller = resolve_caller(req.access_key or "", self.sessions, account_header)
            region = req.region or "us-east-1"
            trails_before = logging_trails(caller.account_id, region)
            if rule is not None:
                served = fault_response(rule, req, caller.arn)
            elif req.service == "cloudtrail" and req.operation == "LookupEvents":
                served = self._lookup_events(req, caller)  # computed before it is recorded
            elif req.service == "cloudtrail" and req.operation == "ListPublicKeys":
                served = _json_served(self.delivery.signer.list_public_keys())
            elif req.service == "sts" and req.operation == "AssumeRole":
                served = self._assume_role(req, caller, environ)
            elif req.service == "sts" and req.operation == "GetCallerIdentity":
                served = _iam_user_arn(self._call_moto(environ))
            elif req.service == "access-analyzer":
                served = self.analyzers.serve(req, caller.account_id)
            elif req.service == "s3" and req.operation == "GetBucketVersioning":
                served = _versioning_root(self._call_moto(environ))
            elif req.service == "s3" and req.operation == "GetBucketNotification":
                served = _notification_root(self._call_moto(environ))
            else:
                served = self._call_moto(environ)
                if (
                    req.service == "organizations"
                    and req.operation in MEMBERSHIP_CALLS
                    and served.status < 300
                ):
                    self.stacksets.reconcile(caller.account_id)  # StackSet auto-deployment
            self._record(req, caller, served, trails_before)
        return served

    def _lookup_events(self, req: AwsRequest, caller: Caller) -> Served:
        try:
            body = lookup_events(
                self.store, caller.account_id, req.region or "us-east-1", req.json_body()
            )
        except LookupFailure as failure:
            return aws_error(req, 400, failure.code, failure.message)
        return _json_served(body)

    def _assume_role(self, req: AwsRequest, caller: Caller, environ: dict[str, Any]) -> Served:
        role_arn = req.param("RoleArn")
        refusal = (
            self.trust.refusal(caller, role_arn, req.param("ExternalId")) if role_arn else None
        )
        if refusal:
            return aws_error(req, 403, "AccessDenied", refusal)
        served = self._call_moto(environ)
        if served.status == 200:
            start = served.body.find(b"<AccessKeyId>")
            end = served.body.find(b"</AccessKeyId>")
            if 0 <= start < end:
                self.sessions.started(served.body[start + 13 : end].decode())
        return served

    def _call_moto(self, environ: dict[str, Any]) -> Served:
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = list(headers)
            return chunks.append

        try:
            result = self.moto(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            log.exception(
                "moto failed on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            )
            body = b'{"__type": "InternalFailure", "message": "emulator error"}'
            return Served(
                500,
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
                body,
            )
        return Served(captured.get("status", 500), captured.get("headers", []), b"".join(chunks))

    # ---- recording ----------------------------------------------------------------------

    def _record(
        self, req: AwsRequest, caller: Caller, served: Served, trails_before: list[Any]
    ) -> None:
        record = build_record(req, caller, served)
        copies = [(caller.account_id, record)]
        role_account = _role_account(req)
        if role_account and role_account != caller.account_id:
            # Cross-account AssumeRole shows in both accounts' trails, as in AWS.
            shared = str(uuid.uuid4())
            record["sharedEventID"] = shared
            other = build_record(req, caller, served, recipient_account=role_account)
            other["requestID"] = record["requestID"]
            other["sharedEventID"] = shared
            copies.append((role_account, other))
        for account, copy in copies:
            event = self.store.add(account, copy)
            trails = logging_trails(account, event.region)
            if account == caller.account_id:
                trails = trails_before + trails
            self.delivery.enqueue(event, trails)
            forward_to_eventbridge(event)

    def inject(self, account_id: str, records: list[dict[str, Any]]) -> int:
        """Store records no API can produce (console logins...) as if CloudTrail had."""
        with self.gate.shared():
            for record in records:
                event = self.store.add(account_id, record)
                self.delivery.enqueue(event, logging_trails(account_id, event.region))
                forward_to_eventbridge(event)
        return len(records)


def _versioning_root(served: Served) -> Served:
    """moto names GetBucketVersioning's root element `GetBucketVersioningResponse`; AWS
    (and the SDKs, which check it) `VersioningConfiguration`."""
    if served.status != 200:
        return served
    body = served.body.replace(b"GetBucketVersioningResponse", b"VersioningConfiguration")
    headers = [
        (k, str(len(body)) if k.lower() == "content-length" else v) for k, v in served.headers
    ]
    return Served(served.status, headers, body)


def _notification_root(served: Served) -> Served:
    """moto answers a bucket without notifications with an empty
    `GetBucketNotificationResponse`; AWS (and the SDKs, which check it) with an empty
    `NotificationConfiguration`."""
    if served.status != 200:
        return served
    body = served.body.replace(b"GetBucketNotificationResponse", b"NotificationConfiguration")
    headers = [
        (k, str(len(body)) if k.lower() == "content-length" else v) for k, v in served.headers
    ]
    return Served(served.status, headers, body)


def _json_served(body: Any) -> Served:
    data = json.dumps(body).encode()
    return Served(
        200,
        [
            ("Content-Type", JSON_11),
            ("Content-Length", str(len(data))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
        data,
    )


def _role_account(req: AwsRequest) -> str | None:
    if req.service != "sts" or req.operation != "AssumeRole":
        return None
    parts = (req.param("RoleArn") or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


_MOTO_USER_ARN = re.compile(rb"<Arn>arn:(aws[a-z-]*):sts::(\d{12}):user/")


def _iam_user_arn(served: Served) -> Served:
    """moto names an IAM user `arn:aws:sts::<acct>:user/<name>` in GetCallerIdentity;
    AWS answers `arn:aws:iam::...`, and trust policies name that form."""
    if served.status != 200:
        return served
    body = _MOTO_USER_ARN.sub(rb"<Arn>arn:\1:iam::\2:user/", served.body)
    headers = [
        (k, str(len(body)) if k.lower() == "content-length" else v) for k, v in served.headers
    ]
    return Served(served.status, headers, body)


def _send(start_response: Any, served: Served) -> list[bytes]:
    reason = HTTP_STATUS_CODES.get(served.status, "Unknown")
    start_response(f"{served.status} {reason}", served.headers)
    return [served.body]
