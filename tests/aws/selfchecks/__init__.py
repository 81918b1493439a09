"""The self-check's checks: each a function taking the emulator and clients, registered
in order by `@check`; a check fails by raising."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from vigil_emulator.sessions import MANAGEMENT_ACCOUNT
from vigil_emulator.testing import Clients, EmulatorProcess

A, B = "111111111111", "222222222222"
MGMT = MANAGEMENT_ACCOUNT
KEY_RE = re.compile(
    r"^(?:(?P<prefix>.+)/)?AWSLogs/(?P<acct>\d{12})/CloudTrail/(?P<region>[a-z0-9-]+)/"
    r"\d{4}/\d{2}/\d{2}/(?P=acct)_CloudTrail_(?P=region)_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$"
)


CHECKS: list[tuple[str, Callable[[EmulatorProcess, Clients], None]]] = []


def check(fn: Callable[[EmulatorProcess, Clients], None]) -> Callable[..., None]:
    CHECKS.append((fn.__name__, fn))
    return fn


def create_bucket(s3: Any, name: str) -> None:
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in (
            "BucketAlreadyOwnedByYou",
            "BucketAlreadyExists",
        ):
            raise


def log_records(s3: Any, bucket: str, keys: list[str]) -> list[dict[str, Any]]:
    records = []
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        doc = json.loads(gzip.decompress(body))
        assert list(doc) == ["Records"], list(doc)
        records.extend(doc["Records"])
    return records
