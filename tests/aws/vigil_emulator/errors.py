"""AWS error responses in each wire protocol, so SDKs parse injected errors like real ones."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from .awsrequest import AwsRequest
from .events import Served

_QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "rds": "http://rds.amazonaws.com/doc/2014-10-31/",
}


def aws_error(req: AwsRequest, status: int, code: str, message: str) -> Served:
    """An error answer to `req` in its service's format."""
    request_id = str(uuid.uuid4())
    if req.method == "HEAD":
        return Served(status, [("x-amz-request-id", request_id), ("Content-Length", "0")], b"")
    if req.protocol == "json":
        content_type = req.headers.get("content-type") or "application/x-amz-json-1.1"
        body = json.dumps({"__type": code, "message": message}).encode()
        return _served(status, content_type, body, [("x-amzn-RequestId", request_id)])
    if req.protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return _served(status, "text/xml;charset=UTF-8", body.encode(), [])
    if req.protocol == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        )
        return _served(status, "application/xml", body.encode(), [("x-amz-request-id", request_id)])
    if req.protocol in ("query", "s3control"):
        namespace = _QUERY_NAMESPACES.get(req.service or "")
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        side = "Receiver" if status >= 500 else "Sender"
        body = (
            f"<ErrorResponse{xmlns}><Error><Type>{side}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return _served(status, "text/xml", body.encode(), [("x-amzn-RequestId", request_id)])
    body = json.dumps({"message": message}).encode()
    return _served(
        status,
        "application/json",
        body,
        [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", code)],
    )


def _served(status: int, content_type: str, body: bytes, extra: list[tuple[str, str]]) -> Served:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))] + extra
    return Served(status, headers, body)
