"""Smithy RPC v2 CBOR, translated to and from the awsJson1_0 protocol moto answers.

CloudWatch (`monitoring`) is served by the AWS SDKs (aws-sdk-cloudwatch, botocore 1.44)
over `smithy-protocol: rpc-v2-cbor` only: `POST /service/<Service>/operation/<Operation>`
with a CBOR body. moto 5.2.5 parses no CBOR, but its CloudWatch answers awsJson1_0, which
the service model also lists. So a CBOR request becomes the same call in JSON (the body
decoded, `X-Amz-Target` set), goes through the harness as any call (faults, recording,
trail delivery), and the JSON answer is encoded back to CBOR along the operation's output
shape from botocore's model: timestamps as tag 1, doubles as floats, blobs as bytes, which
the SDKs' strict decoders require. Errors keep their `__type` and message.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
from collections.abc import Callable
from datetime import datetime
from typing import Any

import botocore.session
from botocore.model import Shape

from .events import Served

_PATH = re.compile(r"^/service/([A-Za-z0-9_]+)/operation/([A-Za-z0-9_]+)$")
#: The Smithy service shape names the harness translates, and their botocore names.
_SERVICES = {"GraniteServiceVersion20100801": "cloudwatch"}
_MODELS: dict[str, Any] = {}


def is_cbor(environ: dict[str, Any]) -> bool:
    """Whether the request is an RPC v2 CBOR call of a service translated here."""
    if environ.get("HTTP_SMITHY_PROTOCOL", "").lower() != "rpc-v2-cbor":
        return False
    match = _PATH.match(environ.get("PATH_INFO", ""))
    return bool(match and match.group(1) in _SERVICES)


def serve(environ: dict[str, Any], serve_json: Callable[[dict[str, Any]], Served]) -> Served:
    """Answers a CBOR call by serving it as awsJson1_0 through `serve_json`."""
    match = _PATH.match(environ["PATH_INFO"])
    assert match is not None  # is_cbor said so
    service, operation = match.group(1), match.group(2)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        params = decode(raw) if raw else {}
    except (ValueError, IndexError, struct.error) as e:
        return _error(400, "SerializationException", f"malformed CBOR body: {e}")
    body = json.dumps(params, default=_json_default).encode()
    translated = dict(environ)
    translated.update(
        {
            "PATH_INFO": "/",
            "CONTENT_TYPE": "application/x-amz-json-1.0",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_AMZ_TARGET": f"{service}.{operation}",
            "wsgi.input": io.BytesIO(body),
        }
    )
    translated.pop("HTTP_SMITHY_PROTOCOL", None)
    translated.pop("HTTP_ACCEPT", None)
    served = serve_json(translated)
    try:
        answer = json.loads(served.body) if served.body.strip() else {}
    except ValueError:
        answer = {"__type": "InternalFailure", "message": served.body[:200].decode(errors="replace")}
    if served.status >= 300:
        shape = None
        answer = {
            "__type": str(answer.get("__type", "InternalFailure")).rsplit("#", 1)[-1],
            "message": answer.get("message") or answer.get("Message") or "",
        }
    else:
        shape = _model(_SERVICES[service]).operation_model(operation).output_shape
    data = encode(answer, shape)
    headers = [
        (k, v)
        for k, v in served.headers
        if k.lower() not in ("content-type", "content-length")
    ]
    headers += [
        ("Content-Type", "application/cbor"),
        ("Content-Length", str(len(data))),
        ("smithy-protocol", "rpc-v2-cbor"),
    ]
    return Served(served.status, headers, data)


def _error(status: int, code: str, message: str) -> Served:
    data = encode({"__type": code, "message": message}, None)
    return Served(
        status,
        [
            ("Content-Type", "application/cbor"),
            ("Content-Length", str(len(data))),
            ("smithy-protocol", "rpc-v2-cbor"),
        ],
        data,
    )


def _model(name: str) -> Any:
    if name not in _MODELS:
        _MODELS[name] = botocore.session.get_session().get_service_model(name)
    return _MODELS[name]


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


# ---- CBOR (RFC 8949), the subset Smithy uses ----------------------------------------------


def decode(data: bytes) -> Any:
    """One CBOR data item (a timestamp, tag 1, becomes its epoch seconds)."""
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError("trailing bytes")
    return value


_BREAK = object()


def _decode(data: bytes, pos: int) -> tuple[Any, int]:
    initial = data[pos]
    pos += 1
    major, info = initial >> 5, initial & 31
    if major == 7:
        if info == 20:
            return False, pos
        if info == 21:
            return True, pos
        if info in (22, 23):
            return None, pos
        if info == 25:
            return struct.unpack(">e", data[pos : pos + 2])[0], pos + 2
        if info == 26:
            return struct.unpack(">f", data[pos : pos + 4])[0], pos + 4
        if info == 27:
            return struct.unpack(">d", data[pos : pos + 8])[0], pos + 8
        if info == 31:
            return _BREAK, pos
        raise ValueError(f"unsupported simple value {info}")
    if info < 24:
        arg: int | None = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    elif info == 31:
        arg = None  # indefinite length
    else:
        raise ValueError(f"bad additional information {info}")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - (arg or 0), pos
    if major in (2, 3):
        if arg is None:
            parts = []
            while True:
                part, pos = _decode(data, pos)
                if part is _BREAK:
                    break
                parts.append(part)
            return (b"" if major == 2 else "").join(parts), pos
        raw = data[pos : pos + arg]
        return (raw if major == 2 else raw.decode()), pos + arg
    if major == 4:
        items = []
        while arg is None or len(items) < arg:
            item, pos = _decode(data, pos)
            if item is _BREAK:
                break
            items.append(item)
        return items, pos
    if major == 5:
        out = {}
        while arg is None or len(out) < arg:
            key, pos = _decode(data, pos)
            if key is _BREAK:
                break
            out[key], pos = _decode(data, pos)
        return out, pos
    # major 6: a tag; tag 1 (epoch seconds) keeps its number, JSON's timestamp form.
    return _decode(data, pos)


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("integer too large")


def encode(value: Any, shape: Shape | None) -> bytes:
    """`value` as CBOR, typed by its botocore `shape` where there is one."""
    kind = shape.type_name if shape is not None else None
    if value is None:
        return b"\xf6"
    if kind == "timestamp":
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        return b"\xc1" + b"\xfb" + struct.pack(">d", float(value))
    if kind in ("double", "float"):
        return b"\xfb" + struct.pack(">d", float(value))
    if kind == "blob" and isinstance(value, str):
        value = base64.b64decode(value)
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        member = shape.member if kind == "list" else None  # type: ignore[union-attr]
        return _head(4, len(value)) + b"".join(encode(v, member) for v in value)
    if isinstance(value, dict):
        out = [_head(5, len(value))]
        for k, v in value.items():
            if kind == "structure":
                sub = shape.members.get(k)  # type: ignore[union-attr]
            elif kind == "map":
                sub = shape.value  # type: ignore[union-attr]
            else:
                sub = None
            out.append(encode(str(k), None) + encode(v, sub))
        return b"".join(out)
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")
