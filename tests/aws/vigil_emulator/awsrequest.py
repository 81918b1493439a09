"""What an incoming AWS API request is: service, region, caller key, operation, parameters.

The middleware needs this before moto sees the request (faults, trust checks) and after
(CloudTrail recording), so it is parsed once from the WSGI environ. Routing never looks at
the Host header: s3control clients send `<account>.<endpoint host>` and must still reach us.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from . import restnames
from .s3ops import s3_operation

_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")

#: Signing names whose CloudTrail eventSource is not `<name>.amazonaws.com`.
_EVENT_SOURCES = {
    "s3control": "s3.amazonaws.com",
    "email": "ses.amazonaws.com",
    "execute-api": "apigateway.amazonaws.com",
}

#: Query-protocol services (Action=... in query string or form body), by signing name.
QUERY_SERVICES = {
    "iam",
    "sts",
    "rds",
    "ec2",
    "sqs",
    "sns",
    "autoscaling",
    "elasticloadbalancing",
    "cloudformation",
    "monitoring",
    "elasticache",
    "redshift",
    "ses",
    "email",
}

READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Lookup", "Head")

#: Parameters whose values CloudTrail never shows.
_SECRET_KEY_RE = re.compile(r"password|secret|privatekey|sessiontoken|samlassertion", re.I)
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

#: Query parameters CloudTrail shows as numbers / booleans.
_NUMERIC_KEYS = {
    "fromPort",
    "toPort",
    "maxResults",
    "minCount",
    "maxCount",
    "durationSeconds",
    "allocatedStorage",
    "port",
    "ruleNumber",
    "maxItems",
    "size",
    "iops",
    "minimumPasswordLength",
    "maxPasswordAge",
    "passwordReusePrevention",
    "backupRetentionPeriod",
    "ipProtocolNumber",
}


@dataclass
class AwsRequest:
    """One signed (or unsigned) AWS API request, parsed once."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]  # lower-case names
    client_ip: str
    access_key: str | None = None
    region: str | None = None
    signing_service: str | None = None
    service: str | None = None  # routing name: signing name, "s3control" for S3 Control
    protocol: str = "rest-json"  # ec2 | query | json | s3 | s3control | rest-json
    operation: str = "Unknown"
    form: dict[str, list[str]] = field(default_factory=dict)
    rest: restnames.RestCall | None = None  # the REST-JSON operation, when a model knows it

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> AwsRequest:
        """Parse the environ, buffering the body and putting it back for moto."""
        body = read_body(environ)
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        path = wsgi_path(environ)
        req = cls(
            method=environ.get("REQUEST_METHOD", "GET").upper(),
            path=path,
            query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
            body=body,
            headers=headers,
            client_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
        )
        req._parse_signature()
        req._classify()
        return req

    def _parse_signature(self) -> None:
        auth = self.headers.get("authorization", "")
        match = _CREDENTIAL_RE.search(auth)
        if not match and "X-Amz-Credential" in self.query:
            match = _CREDENTIAL_RE.search("Credential=" + self.query["X-Amz-Credential"][0])
        if match:
            self.access_key, _, self.region, service = match.groups()
            self.signing_service = service.lower()

    def _classify(self) -> None:
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded") and self.body:
            self.form = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        service = self.signing_service
        target = self.headers.get("x-amz-target")
        action = self.param("Action")
        if service == "s3" and (
            self.path.startswith("/v20180820/") or "x-amz-account-id" in self.headers
        ):
            service = "s3control"
        self.service = service
        if target:
            self.protocol = "json"
            self.operation = target.rsplit(".", 1)[-1]
        elif service in ("s3", "s3control"):
            self.protocol = service
            self.operation = s3_operation(self.method, self.path, self.query, self.headers)
        elif action:
            self.protocol = "ec2" if service == "ec2" else "query"
            self.operation = action
        else:
            self.protocol = "rest-json"
            # CloudTrail's name from botocore's routes; path segments only as a last resort.
            self.rest = restnames.match(service, self.method, self.path, self.query)
            if self.rest is not None:
                self.operation = self.rest.event_name
                return
            segments = [s for s in self.path.split("/") if s and not re.search(r"\d", s)]
            self.operation = self.method.title() + "".join(
                s[:1].upper() + s[1:] for s in segments[:2]
            )

    # ---- accessors ----------------------------------------------------------------------

    @property
    def signed(self) -> bool:
        return self.access_key is not None and self.signing_service is not None

    def param(self, name: str) -> str | None:
        """A query-protocol parameter from the query string or the form body."""
        for source in (self.form, self.query):
            if name in source and source[name]:
                return source[name][0]
        return None

    @property
    def event_source(self) -> str:
        service = self.service or "unknown"
        return _EVENT_SOURCES.get(service, f"{service}.amazonaws.com")

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")

    @property
    def source_ip(self) -> str:
        return self.headers.get("x-vigil-source-ip") or self.client_ip

    @property
    def read_only(self) -> bool:
        return self.operation.startswith(READ_ONLY_PREFIXES)

    def json_body(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    # ---- CloudTrail requestParameters ---------------------------------------------------

    def request_parameters(self) -> dict[str, Any] | None:
        """The parameters as CloudTrail would show them (best effort, secrets hidden)."""
        if self.protocol in ("ec2", "query"):
            flat = {
                k: v[0]
                for src in (self.query, self.form)
                for k, v in src.items()
                if k not in ("Action", "Version") and not k.startswith("X-Amz-")
            }
            nested = _nest_query(flat, ec2_lists=self.protocol == "ec2")
            if self.protocol == "ec2" and self.operation in _PERMISSION_ATTRIBUTES:
                nested = _permission_attribute(self.operation, nested)
            return nested or None
        if self.protocol == "json":
            return _camel(_redact(self.json_body())) or None
        if self.protocol in ("s3", "s3control"):
            return self._s3_parameters()
        if self.rest is not None:
            params = self.rest.request_parameters(self.query, self.headers, self.body)
            return _redact(params) or None
        body = self.json_body()
        return _camel(_redact(body)) if body else None

    def _s3_parameters(self) -> dict[str, Any]:
        params: dict[str, Any] = {"Host": self.headers.get("host", "")}
        bucket, key = split_s3_path(self.path)
        if self.protocol == "s3control":
            params["accountId"] = self.headers.get("x-amz-account-id", "")
        else:
            if bucket:
                params["bucketName"] = bucket
            if key:
                params["key"] = key
        for name, values in self.query.items():
            if not name.startswith("X-Amz-"):
                params[name] = values[0]
        return params


def read_body(environ: dict[str, Any]) -> bytes:
    """Buffer the request body and put it back, so moto can still read it.

    Bodies sent with chunked transfer encoding (streaming uploads) have no Content-Length;
    the server marks their stream as terminated and it is read to its end.
    """
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > 0:
        body = environ["wsgi.input"].read(length)
    elif environ.get("wsgi.input_terminated"):
        body = environ["wsgi.input"].read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    return body


def wsgi_path(environ: dict[str, Any]) -> str:
    """The request path, percent-decoded, as text (WSGI hands it over as latin-1)."""
    path = environ.get("PATH_INFO", "") or "/"
    if isinstance(path, bytes):
        return path.decode("utf-8", "replace")
    try:
        return path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return path


def split_s3_path(path: str) -> tuple[str | None, str | None]:
    """Path-style S3 addressing: /bucket/key/with/slashes."""
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0] or None
    key = parts[1] if len(parts) > 1 and parts[1] else None
    return bucket, key


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _camel(value: Any) -> Any:
    """CloudTrail shows JSON-protocol parameters with lower-camel keys."""
    if isinstance(value, dict):
        return {_lower_first(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: HIDDEN if _SECRET_KEY_RE.search(k) else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _scalar(key: str, value: str) -> Any:
    if _SECRET_KEY_RE.search(key):
        return HIDDEN
    if key in _NUMERIC_KEYS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    return value


def _nest_query(flat: dict[str, str], ec2_lists: bool) -> dict[str, Any]:
    """Turn `IpPermissions.1.IpRanges.1.CidrIp=...` into nested objects.

    EC2 shows lists as `{"items": [...]}`; IAM/STS/RDS use `.member.N` and show plain lists.
    """
    tree: dict[str, Any] = {}
    for raw_key, value in sorted(flat.items()):
        parts = [p for p in raw_key.split(".") if p not in ("member", "entry")]
        node = tree
        for i, part in enumerate(parts):
            name = part if part.isdigit() else _lower_first(part)
            if i == len(parts) - 1:
                node[name] = _scalar(name, value)
            else:
                child = node.get(name)
                if not isinstance(child, dict):
                    child = {}
                    node[name] = child
                node = child
    return _lists(tree, ec2_lists)


#: EC2 calls whose `UserGroup.N` / `UserId.N` + `OperationType` form CloudTrail shows as the
#: structured permission list: {operation: (attribute key, attributeType)}.
_PERMISSION_ATTRIBUTES = {
    "ModifySnapshotAttribute": ("createVolumePermission", "CREATE_VOLUME_PERMISSION"),
    "ModifyImageAttribute": ("launchPermission", "LAUNCH_PERMISSION"),
}


def _permission_attribute(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """CloudTrail's shape of a snapshot/AMI permission change made with the flat form.

    `--operation-type add --group-names all` is sent as `OperationType=add&UserGroup.1=all`,
    and CloudTrail records it as `{"createVolumePermission": {"add": {"items": [{"group":
    "all"}]}}, "attributeType": "CREATE_VOLUME_PERMISSION"}` (`launchPermission` for AMIs),
    the same as the structured form (`CreateVolumePermission.Add.1.Group=all`), which is
    recorded as sent.
    """
    key, attribute_type = _PERMISSION_ATTRIBUTES[operation]
    groups = params.get("userGroup")
    users = params.get("userId")
    operation_type = params.get("operationType")
    if operation_type not in ("add", "remove") or not (groups or users):
        return params
    items = [{"group": g} for g in (groups or {}).get("items", [])]
    items += [{"userId": u} for u in (users or {}).get("items", [])]
    out = {
        k: v
        for k, v in params.items()
        if k not in ("userGroup", "userId", "operationType", "attribute")
    }
    out[key] = {operation_type: {"items": items}}
    out["attributeType"] = attribute_type
    return out


def _lists(node: Any, ec2_lists: bool) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        items = [_lists(node[k], ec2_lists) for k in sorted(node, key=int)]
        return {"items": items} if ec2_lists else items
    return {k: _lists(v, ec2_lists) for k, v in node.items()}
