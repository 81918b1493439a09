"""CloudTrail records: building them from served calls, and keeping them per account.

Records are kept in arrival order per account, with what LookupEvents and trail delivery
need precomputed (epoch time, resources, management vs data event), because both read
them far more often than they are written.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .awsrequest import AwsRequest
from .identity import Caller, utc_now_iso
from .s3ops import DATA_OPERATIONS

EVENT_VERSION = "1.09"

#: Services whose events CloudTrail shows in us-east-1 whatever region they were sent to.
GLOBAL_EVENT_SOURCES = {
    "iam.amazonaws.com",
    "signin.amazonaws.com",
    "organizations.amazonaws.com",
    "cloudfront.amazonaws.com",
    "route53.amazonaws.com",
}

#: requestParameters keys that name a resource, for LookupEvents' Resources.
_RESOURCE_KEYS = {
    "groupId": "AWS::EC2::SecurityGroup",
    "instanceId": "AWS::EC2::Instance",
    "snapshotId": "AWS::EC2::Snapshot",
    "volumeId": "AWS::EC2::Volume",
    "imageId": "AWS::EC2::Ami",
    "vpcId": "AWS::EC2::VPC",
    "subnetId": "AWS::EC2::Subnet",
    "networkAclId": "AWS::EC2::NetworkAcl",
    "bucketName": "AWS::S3::Bucket",
    "userName": "AWS::IAM::User",
    "roleName": "AWS::IAM::Role",
    "roleArn": "AWS::IAM::Role",
    "policyArn": "AWS::IAM::Policy",
    "accessKeyId": "AWS::IAM::AccessKey",
    "dBInstanceIdentifier": "AWS::RDS::DBInstance",
    "trailName": "AWS::CloudTrail::Trail",
}


def parse_event_time(value: str) -> int:
    """Epoch seconds of a CloudTrail eventTime (`%Y-%m-%dT%H:%M:%SZ`, or any ISO 8601)."""
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


@dataclass
class StoredEvent:
    """A record plus what lookups and delivery need, computed once."""

    seq: int
    account_id: str
    record: dict[str, Any]
    epoch: int
    region: str
    management: bool
    read_only: bool
    resources: list[dict[str, str]] = field(default_factory=list)

    @property
    def username(self) -> str | None:
        return username_of(self.record.get("userIdentity") or {})

    def visible_in(self, region: str) -> bool:
        return self.region == region or (
            region == "us-east-1" and self.record.get("eventSource") in GLOBAL_EVENT_SOURCES
        )


def username_of(identity: dict[str, Any]) -> str | None:
    """LookupEvents' Username: the user name, the session name, or the ARN's last part."""
    if identity.get("userName"):
        return identity["userName"]
    if identity.get("type") == "Root":
        return "root"
    arn = identity.get("arn")
    if arn:
        return arn.rsplit("/", 1)[-1] if "/" in arn else arn.rsplit(":", 1)[-1]
    return None


class EventStore:
    """Records per account, in arrival order; safe to use from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._by_account: dict[str, list[StoredEvent]] = {}

    def add(self, account_id: str, record: dict[str, Any]) -> StoredEvent:
        record.setdefault("eventID", str(uuid.uuid4()))
        record.setdefault("eventTime", utc_now_iso())
        record.setdefault("awsRegion", "us-east-1")
        record.setdefault("recipientAccountId", account_id)
        management = record.get("managementEvent", record.get("eventCategory") != "Data")
        read_only = str(record.get("readOnly", False)).lower() == "true"
        event = StoredEvent(
            seq=0,
            account_id=account_id,
            record=record,
            epoch=parse_event_time(str(record["eventTime"])),
            region=str(record["awsRegion"]),
            management=bool(management),
            read_only=read_only,
            resources=resources_of(record),
        )
        with self._lock:
            event.seq = next(self._seq)
            self._by_account.setdefault(account_id, []).append(event)
        return event

    def events(self, account_id: str) -> list[StoredEvent]:
        with self._lock:
            return list(self._by_account.get(account_id, ()))

    def accounts(self) -> list[str]:
        with self._lock:
            return list(self._by_account)

    def clear(self, account_id: str | None = None) -> None:
        with self._lock:
            if account_id is None:
                self._by_account.clear()
            else:
                self._by_account.pop(account_id, None)


def resources_of(record: dict[str, Any]) -> list[dict[str, str]]:
    """LookupEvents' Resources of a record: its `resources`, plus named request parameters."""
    found: list[dict[str, str]] = []

    def add(kind: str, name: str) -> None:
        item = {"ResourceType": kind, "ResourceName": name}
        if item not in found:
            found.append(item)

    for resource in record.get("resources") or []:
        if isinstance(resource, dict) and resource.get("ARN"):
            add(str(resource.get("type", "")), str(resource["ARN"]))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                kind = _RESOURCE_KEYS.get(key)
                if kind and isinstance(value, str):
                    add(kind, value)
                elif kind:
                    for item in _strings(value):
                        add(kind, item)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(record.get("requestParameters"))
    params = record.get("requestParameters") or {}
    if record.get("eventSource") == "cloudtrail.amazonaws.com" and isinstance(params, dict):
        if isinstance(params.get("name"), str):
            add("AWS::CloudTrail::Trail", params["name"])
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# ---- building records of served calls -----------------------------------------------------


@dataclass
class Served:
    """What the emulator answered."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


#: Lambda operations CloudTrail records only as *data* events (eventCategory Data,
#: managementEvent false): left out of LookupEvents, delivered only by trails whose event
#: selectors ask for `AWS::Lambda::Function` data events.
LAMBDA_DATA_OPERATIONS = {"Invoke"}


#: SQS message operations, which CloudTrail records only as data events (so EventBridge's
#: CloudTrail rule never carries a queue reader's own DeleteMessage back into its queue).
SQS_DATA_OPERATIONS = {
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
}


def is_data_event(req: AwsRequest) -> bool:
    """Whether CloudTrail records `req` as a data event (S3 objects, Lambda invocations,
    SQS messages)."""
    if req.protocol == "s3":
        return req.operation in DATA_OPERATIONS
    if req.event_source == "sqs.amazonaws.com" and req.operation in SQS_DATA_OPERATIONS:
        return True
    return req.event_source == "lambda.amazonaws.com" and req.operation in LAMBDA_DATA_OPERATIONS


def lambda_function_arn(name: str, region: str, account_id: str) -> str:
    """The unqualified ARN of a function named by name, partial ARN or ARN (as Invoke takes)."""
    if name.startswith("arn:"):
        parts = name.split(":")
        return ":".join(parts[:7])  # arn:aws:lambda:region:account:function:name[:qualifier]
    if ":function:" in name:  # a partial ARN: 123456789012:function:name
        account, _, function = name.split(":", 2)
        return f"arn:aws:lambda:{region}:{account}:function:{function.split(':')[0]}"
    return f"arn:aws:lambda:{region}:{account_id}:function:{name.split(':')[0]}"


def build_record(
    req: AwsRequest, caller: Caller, served: Served, recipient_account: str | None = None
) -> dict[str, Any]:
    """A CloudTrail record of `req`, served as `served`, as seen by `recipient_account`."""
    management = not is_data_event(req)
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": caller.user_identity(),
        "eventTime": utc_now_iso(),
        "eventSource": req.event_source,
        "eventName": req.operation,
        "awsRegion": req.region or "us-east-1",
        "sourceIPAddress": req.source_ip,
        "userAgent": req.user_agent,
    }
    if served.status >= 400:
        code, message = error_of(req, served)
        record["errorCode"] = code
        if message:
            record["errorMessage"] = message
    record["requestParameters"] = req.request_parameters()
    record["responseElements"] = (
        response_elements(req.operation, served) if served.status < 400 else None
    )
    record["requestID"] = (
        served.header("x-amzn-RequestId") or served.header("x-amz-request-id") or str(uuid.uuid4())
    )
    record["eventID"] = str(uuid.uuid4())
    record["readOnly"] = req.read_only
    if req.operation == "AssumeRole" and req.param("RoleArn"):
        role_arn = req.param("RoleArn") or ""
        parts = role_arn.split(":")
        record["resources"] = [
            {
                "accountId": parts[4] if len(parts) > 4 else "",
                "type": "AWS::IAM::Role",
                "ARN": role_arn,
            }
        ]
    params = record["requestParameters"]
    if (
        not management
        and req.event_source == "lambda.amazonaws.com"
        and isinstance(params, dict)
        and params.get("functionName")
    ):
        # CloudTrail names the invoked function by its full ARN, also as the resource.
        arn = lambda_function_arn(
            str(params["functionName"]),
            record["awsRegion"],
            recipient_account or caller.account_id,
        )
        params["functionName"] = arn
        record["resources"] = [
            {"accountId": arn.split(":")[4], "type": "AWS::Lambda::Function", "ARN": arn}
        ]
    record["eventType"] = "AwsApiCall"
    record["managementEvent"] = management
    record["recipientAccountId"] = recipient_account or caller.account_id
    record["eventCategory"] = "Management" if management else "Data"
    return record


_EC2_SERVER_ERRORS = {
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "Unavailable",
    "InsufficientInstanceCapacity",
    "InsufficientHostCapacity",
    "InsufficientReservedInstanceCapacity",
    "InsufficientCapacity",
}
_XML_CODE = re.compile(rb"<Code>\s*([^<]+?)\s*</Code>")
_XML_MESSAGE = re.compile(rb"<Message>(.*?)</Message>", re.S)


def error_of(req: AwsRequest, served: Served) -> tuple[str, str | None]:
    """errorCode and errorMessage of a failed call, from its XML or JSON body."""
    code: str | None = None
    message: str | None = None
    body = served.body or b""
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        if isinstance(doc, dict):
            raw = doc.get("__type") or doc.get("code") or doc.get("Code")
            code = str(raw).rsplit("#", 1)[-1] if raw else None
            message = doc.get("message") or doc.get("Message")
    elif stripped.startswith(b"<"):
        match = _XML_CODE.search(body)
        code = match.group(1).decode("utf-8", "replace") if match else None
        match = _XML_MESSAGE.search(body)
        message = html.unescape(match.group(1).decode("utf-8", "replace")) if match else None
    if not code:
        header = served.header("x-amzn-ErrorType")
        code = header.split(":", 1)[0] if header else None
    if not code:
        code = {403: "AccessDenied", 404: "NotFound", 400: "BadRequest"}.get(
            served.status, "InternalError"
        )
    if req.protocol == "ec2" and not code.startswith(("Client.", "Server.")):
        # EC2 records its errors with the fault side, e.g. Client.UnauthorizedOperation;
        # RequestLimitExceeded is a client error although it comes with HTTP 503.
        code = ("Server." if code in _EC2_SERVER_ERRORS else "Client.") + code
    return code, message


def _xml_field(body: bytes, name: str) -> str | None:
    match = re.search(rb"<" + name.encode() + rb">([^<]*)</" + name.encode() + rb">", body)
    return html.unescape(match.group(1).decode("utf-8", "replace")) if match else None


def response_elements(operation: str, served: Served) -> dict[str, Any] | None:
    """responseElements for the few calls where CloudTrail's are cheap and useful."""
    body = served.body
    if operation == "AssumeRole":
        return {
            "credentials": {
                "accessKeyId": _xml_field(body, "AccessKeyId"),
                "expiration": _xml_field(body, "Expiration"),
            },
            "assumedRoleUser": {
                "assumedRoleId": _xml_field(body, "AssumedRoleId"),
                "arn": _xml_field(body, "Arn"),
            },
        }
    if operation == "CreateAccessKey":
        return {
            "accessKey": {
                "accessKeyId": _xml_field(body, "AccessKeyId"),
                "status": _xml_field(body, "Status"),
                "userName": _xml_field(body, "UserName"),
                "createDate": _xml_field(body, "CreateDate"),
            }
        }
    return None
