"""IAM Access Analyzer, which moto lacks: analyzers per account and region.

Only what Vigil reads and the seeder writes: `ListAnalyzers` (`GET /analyzer`) and
`CreateAnalyzer` (`PUT /analyzer`), REST-JSON as AWS answers them (timestamps ISO 8601).
Anything else is answered 404 `ResourceNotFoundException`, so a client never mistakes an
unstubbed call for a success.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from .awsrequest import AwsRequest
from .events import Served


class Analyzers:
    """The analyzers of every (account, region)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_place: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def clear(self) -> None:
        with self._lock:
            self._by_place.clear()

    def serve(self, req: AwsRequest, account: str) -> Served:
        region = req.region or "us-east-1"
        path = req.path.split("?", 1)[0].rstrip("/")
        with self._lock:
            analyzers = self._by_place.setdefault((account, region), {})
            if req.method == "GET" and path == "/analyzer":
                return _json(200, {"analyzers": list(analyzers.values())})
            if req.method == "PUT" and path == "/analyzer":
                body = req.json_body()
                name = str(body.get("analyzerName") or "")
                if not name:
                    return _error(400, "ValidationException", "analyzerName is required")
                if name in analyzers:
                    return _error(409, "ConflictException", f"Analyzer {name} already exists")
                arn = f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}"
                analyzers[name] = {
                    "arn": arn,
                    "name": name,
                    "type": body.get("type") or "ACCOUNT",
                    "createdAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "status": "ACTIVE",
                }
                return _json(200, {"arn": arn})
        return _error(404, "ResourceNotFoundException", f"{req.method} {path} is not emulated")


def _json(status: int, body: Any) -> Served:
    data = json.dumps(body).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ]
    return Served(status, headers, data)


def _error(status: int, code: str, message: str) -> Served:
    data = json.dumps({"message": message}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
        ("x-amzn-RequestId", str(uuid.uuid4())),
        ("x-amzn-ErrorType", code),
    ]
    return Served(status, headers, data)
