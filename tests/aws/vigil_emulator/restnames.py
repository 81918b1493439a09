"""CloudTrail eventNames and requestParameters of REST-JSON calls, from botocore's models.

A REST-JSON request (Lambda, EKS, EFS, GuardDuty, Security Hub, Bedrock, IAM Roles Anywhere,
OpenSearch, API Gateway...) names its operation only through its method and path, e.g.
`PUT /2015-03-31/functions/my-fn/code`. botocore ships every operation's `http.method` and
`http.requestUri` (`/2015-03-31/functions/{FunctionName}/code`), so the routes of the
services signed with a given name are built from those models the first time that name is
seen, and kept. The matched operation's input shape then says which path labels, query
keys, headers and body fields are parameters, and what they are called: CloudTrail shows
them under the lower-camel member name, map keys as sent, binary payloads left out,
sensitive members hidden.

CloudTrail's own naming quirks are applied on top: Lambda records most of its older
operations under internal, versioned names (`UpdateFunctionCode20150331v2`).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

#: Signing name -> botocore models signed with it, when not just the model of that name.
#: Their routes do not overlap, so one signing name can serve them all.
_MODELS: dict[str, tuple[str, ...]] = {
    "elasticfilesystem": ("efs",),
    "bedrock": ("bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime"),
    "es": ("opensearch", "es"),
    "apigateway": ("apigateway", "apigatewayv2"),
}

#: (botocore model, operation) -> CloudTrail eventName, where they differ. Lambda logs the
#: name of its internal operation: the API version date of the operation's route, plus `v2`
#: where a newer route replaced an older one under the same name (`/versions/HEAD/...`).
#: Operations added since 2019 (function URLs, code signing, provisioned concurrency...)
#: carry no suffix. `Invoke` is the data event's documented name.
_EVENT_NAMES: dict[tuple[str, str], str] = {
    ("lambda", name): name + suffix
    for suffix, names in {
        "20150331": (
            "CreateFunction DeleteFunction ListFunctions PublishVersion ListVersionsByFunction "
            "CreateAlias DeleteAlias GetAlias UpdateAlias ListAliases CreateEventSourceMapping "
            "DeleteEventSourceMapping GetEventSourceMapping UpdateEventSourceMapping "
            "ListEventSourceMappings"
        ),
        "20150331v2": (
            "GetFunction GetFunctionConfiguration UpdateFunctionCode UpdateFunctionConfiguration "
            "AddPermission RemovePermission GetPolicy"
        ),
        "20181031": (
            "PublishLayerVersion GetLayerVersion GetLayerVersionByArn DeleteLayerVersion "
            "ListLayers ListLayerVersions AddLayerVersionPermission "
            "RemoveLayerVersionPermission GetLayerVersionPolicy"
        ),
        "20171031": "PutFunctionConcurrency DeleteFunctionConcurrency",
        "20170331": "ListTags",
        "20170331v2": "TagResource UntagResource",
        "20160819": "GetAccountSettings",
    }.items()
    for name in names.split()
}

#: Parameters CloudTrail shows even when the caller left them out (the service fills in
#: its defaults before logging).
_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {
    ("lambda", "UpdateFunctionCode"): {"publish": False, "dryRun": False},
}

#: Headers every SDK sets on its own: not what the caller asked for.
_TRANSPORT_HEADERS = {"content-type", "accept", "content-length", "content-md5"}


@dataclass(frozen=True)
class Route:
    """One operation's method and URI template, compiled."""

    model: str  # botocore service name, e.g. "bedrock-runtime"
    operation: OperationModel
    method: str
    strict: re.Pattern[str]  # labels are single path segments
    loose: re.Pattern[str]  # labels may hold "/" (a decoded `%2F` inside an ARN)
    labels: tuple[str, ...]  # URI label names, in group order
    query: tuple[tuple[str, str | None], ...]  # literal query of the template (`?List=ALL`)
    specificity: tuple[int, int, int, int]

    @property
    def event_name(self) -> str:
        return _EVENT_NAMES.get((self.model, self.operation.name), self.operation.name)


@dataclass(frozen=True)
class RestCall:
    """A request matched to an operation: its eventName and its path label values."""

    route: Route
    path_values: dict[str, str]

    @property
    def event_name(self) -> str:
        return self.route.event_name

    def request_parameters(
        self, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> dict[str, Any]:
        """requestParameters in CloudTrail's shape: sensitive members hidden, binary ones
        left out, defaults CloudTrail shows filled in."""
        shape = self.route.operation.input_shape
        params: dict[str, Any] = {}
        if shape is not None:
            params.update(_location_params(shape, self.path_values, query, headers))
            if self.route.model not in _REST_XML_MODELS:
                params.update(_body_params(shape, body))
        for key, value in _DEFAULTS.get((self.route.model, self.route.operation.name), {}).items():
            params.setdefault(key, value)
        return params


# ---- routes ------------------------------------------------------------------------------

#: REST-XML models routed too (their operations are named by method and path alike; their
#: XML bodies are not shown as parameters). S3 has its own naming (`s3ops`).
_REST_XML_MODELS = {"cloudfront", "route53"}

_LOADER = Loader()
_LOCK = threading.Lock()
_ROUTES: dict[str, list[Route]] = {}


def match(
    signing_name: str | None, method: str, path: str, query: dict[str, list[str]]
) -> RestCall | None:
    """The operation a REST request calls, or None if no model of its service knows it."""
    if not signing_name:
        return None
    routes = [r for r in routes_of(signing_name) if r.method == method]
    wanted = _trim(path)
    for attempt in ("strict", "loose"):
        best: tuple[Route, re.Match[str]] | None = None
        for route in routes:
            found = getattr(route, attempt).fullmatch(wanted)
            if found and _query_holds(route, query) and _plausible(attempt, found):
                if best is None or route.specificity > best[0].specificity:
                    best = (route, found)
        if best is not None:
            route, found = best
            return RestCall(route, dict(zip(route.labels, found.groups(), strict=True)))
    return None


def routes_of(signing_name: str) -> list[Route]:
    """Every REST-JSON route of the models signed with this name, built once per name."""
    with _LOCK:
        if signing_name not in _ROUTES:
            _ROUTES[signing_name] = [
                route
                for model in _MODELS.get(signing_name, (signing_name,))
                for route in _model_routes(model)
            ]
        return _ROUTES[signing_name]


def _model_routes(model: str) -> list[Route]:
    try:
        service = ServiceModel(_LOADER.load_service_model(model, "service-2"), model)
    except UnknownServiceError:
        return []
    if service.protocol != "rest-json" and model not in _REST_XML_MODELS:
        return []  # JSON-RPC (X-Amz-Target) and query services name themselves
    return [_route(model, service.operation_model(name)) for name in service.operation_names]


def _route(model: str, operation: OperationModel) -> Route:
    template, _, literal_query = operation.http["requestUri"].partition("?")
    strict: list[str] = []
    loose: list[str] = []
    labels: list[str] = []
    literal_segments = greedy = literal_chars = 0
    for segment in _trim(template).split("/"):
        parts = re.split(r"\{([^}]+)\}", segment)
        for i, part in enumerate(parts):
            if i % 2 == 0:  # literal text between labels
                strict.append(re.escape(part))
                loose.append(re.escape(part))
                literal_chars += len(part)
                continue
            labels.append(part.rstrip("+"))
            greedy += int(part.endswith("+"))
            strict.append("(.+)" if part.endswith("+") else "([^/]+)")
            loose.append("(.+)")
        if len(parts) == 1 and segment:
            literal_segments += 1
        strict.append("/")
        loose.append("/")
    query = _literal_query(literal_query)
    return Route(
        model=model,
        operation=operation,
        method=operation.http["method"].upper(),
        strict=re.compile("".join(strict[:-1])),
        loose=re.compile("".join(loose[:-1])),
        labels=tuple(labels),
        query=query,
        # Prefer a literal query match, then literal segments over labels (`.../urls` over
        # `.../{Name}`), then fewer greedy labels.
        specificity=(len(query), literal_segments, -greedy, literal_chars),
    )


def _literal_query(text: str) -> tuple[tuple[str, str | None], ...]:
    """`find=LayerVersion&List` -> (("find", "LayerVersion"), ("List", None))."""
    pairs = []
    for item in text.split("&"):
        key, has_value, value = item.partition("=")
        if key:
            pairs.append((key, value if has_value else None))
    return tuple(pairs)


def _trim(path: str) -> str:
    """Trailing slashes are not significant (`ListFunctions` is sent as `/functions/`)."""
    return path.rstrip("/") or "/"


def _plausible(attempt: str, found: re.Match[str]) -> bool:
    """A label only takes a "/" for an ARN (`inference-profile/...` sent as `%2F`), so an
    unknown route under a known prefix is not taken for the prefix's operation."""
    return attempt == "strict" or all(
        "/" not in value or value.startswith("arn:") for value in found.groups()
    )


def _query_holds(route: Route, query: dict[str, list[str]]) -> bool:
    return all(
        key in query and (value is None or value in query[key]) for key, value in route.query
    )


# ---- requestParameters ---------------------------------------------------------------------


def _location_params(
    shape: StructureShape,
    path_values: dict[str, str],
    query: dict[str, list[str]],
    headers: dict[str, str],
) -> dict[str, Any]:
    """Members sent in the path, the query string or headers, under their member names."""
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri" and wire in path_values:
            params[_lower_first(name)] = _shown(member, path_values[wire])
        elif location == "querystring" and wire in query:
            values = query[wire]
            raw: Any = values if member.type_name == "list" else values[0]
            params[_lower_first(name)] = _shown(member, raw)
        elif location == "header" and wire.lower() not in _TRANSPORT_HEADERS:
            if wire.lower() in headers:
                params[_lower_first(name)] = _shown(member, headers[wire.lower()])
    return params


def _body_params(shape: StructureShape, body: bytes) -> dict[str, Any]:
    """Members sent in the JSON body; a binary payload (zip, model input) is not shown."""
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        if member.type_name != "structure" or not body:
            return {}
        value = _convert(_json(body), member)
        return {} if value is _OMIT else {_lower_first(payload): value}
    document = _json(body)
    if not isinstance(document, dict):
        return {}
    body_members = {k: m for k, m in shape.members.items() if "location" not in m.serialization}
    return _convert_structure(document, body_members)


_OMIT = object()


def _convert(value: Any, shape: Shape) -> Any:
    """A body value as CloudTrail shows it, guided by its shape."""
    if shape.type_name == "blob":
        return _OMIT
    if shape.metadata.get("sensitive"):
        return HIDDEN
    if shape.type_name == "structure" and isinstance(value, dict):
        return _convert_structure(value, shape.members)
    if shape.type_name == "map" and isinstance(value, dict):
        entries = {k: _convert(v, shape.value) for k, v in value.items()}
        return {k: v for k, v in entries.items() if v is not _OMIT}
    if shape.type_name == "list" and isinstance(value, list):
        items = [_convert(v, shape.member) for v in value]
        return [v for v in items if v is not _OMIT]
    return value


def _convert_structure(value: dict[str, Any], members: dict[str, Shape]) -> dict[str, Any]:
    by_wire = {m.serialization.get("name", n): (n, m) for n, m in members.items()}
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in by_wire:  # a field newer than this botocore: keep it, camel-cased
            out[_lower_first(key)] = item
            continue
        name, member = by_wire[key]
        converted = _convert(item, member)
        if converted is not _OMIT:
            out[_lower_first(name)] = converted
    return out


def _shown(shape: Shape, raw: Any) -> Any:
    """A path/query/header value typed as its member says (`?MaxItems=10` is a number)."""
    if shape.metadata.get("sensitive"):
        return HIDDEN
    if isinstance(raw, list):
        member = getattr(shape, "member", shape)
        return [_shown(member, v) for v in raw]
    if shape.type_name in ("integer", "long") and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if shape.type_name == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]
