"""CloudTrail digest files: what a trail with log file validation delivers beside its logs.

Each delivery of log files by a validating trail is followed by a digest for that trail and
region, listing the files with their SHA-256, chained to the previous digest, and signed
with the emulator's RSA key over AWS's data signing string (the signature is the object's
`signature` metadata, as in AWS). `ListPublicKeys` serves the public key (PKCS#1 DER) with
its fingerprint, so a reader can validate them as it would against AWS.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from moto.cloudtrail.models import Trail

SIGNATURE_ALGORITHM = "SHA256withRSA"
_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class LogFile:
    """A delivered log file, as its digest lists it."""

    bucket: str
    key: str
    body: bytes  # the gzipped object, whose SHA-256 the digest holds
    oldest: str
    newest: str


def signing_string(
    end_time: str, bucket: str, key: str, digest_json: bytes, previous: str | None
) -> str:
    """AWS's data signing string of a digest file."""
    return "\n".join(
        [end_time, f"{bucket}/{key}", hashlib.sha256(digest_json).hexdigest(), previous or "null"]
    )


class DigestSigner:
    """The emulator's signing key and each trail's digest chain (per trail and region)."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )
        self.fingerprint = hashlib.md5(self.public_der).hexdigest()  # AWS names keys by MD5
        self.valid_from = datetime.now(UTC) - timedelta(days=30)
        self._lock = threading.Lock()
        # (trail ARN, region) -> (end time, signature, SHA-256 of the JSON) of the last digest
        self._chains: dict[tuple[str, str], tuple[datetime, str, str]] = {}

    def clear(self) -> None:
        with self._lock:
            self._chains.clear()

    def list_public_keys(self) -> dict[str, Any]:
        """The `ListPublicKeys` answer: the one key, valid from a month ago for a year."""
        return {
            "PublicKeyList": [
                {
                    "Value": base64.b64encode(self.public_der).decode(),
                    "ValidityStartTime": self.valid_from.timestamp(),
                    "ValidityEndTime": (self.valid_from + timedelta(days=365)).timestamp(),
                    "Fingerprint": self.fingerprint,
                }
            ]
        }

    def digest(
        self, trail: Trail, region: str, files: list[LogFile], now: datetime
    ) -> tuple[str, bytes, dict[str, str]]:
        """The digest of `files` delivered at `now`: its key, gzipped body and metadata."""
        with self._lock:
            previous = self._chains.get((trail.arn, region))
            start = previous[0] if previous else now - timedelta(hours=1)
            # A second after the last one at least: digest names are to the second.
            end = max(now.replace(microsecond=0), start + timedelta(seconds=1))
            key = self._key_of(trail, region, end)
            doc = {
                "awsAccountId": trail.account_id,
                "digestStartTime": start.strftime(_TIME),
                "digestEndTime": end.strftime(_TIME),
                "digestS3Bucket": trail.bucket_name,
                "digestS3Object": key,
                "digestPublicKeyFingerprint": self.fingerprint,
                "digestSignatureAlgorithm": SIGNATURE_ALGORITHM,
                "newestEventTime": max((f.newest for f in files), default=None),
                "oldestEventTime": min((f.oldest for f in files), default=None),
                "previousDigestS3Bucket": trail.bucket_name if previous else None,
                "previousDigestHashValue": previous[2] if previous else None,
                "previousDigestHashAlgorithm": "SHA-256" if previous else None,
                "previousDigestSignature": previous[1] if previous else None,
                "logFiles": [
                    {
                        "s3Bucket": f.bucket,
                        "s3Object": f.key,
                        "hashValue": hashlib.sha256(f.body).hexdigest(),
                        "hashAlgorithm": "SHA-256",
                        "newestEventTime": f.newest,
                        "oldestEventTime": f.oldest,
                    }
                    for f in files
                ],
            }
            body = json.dumps(doc).encode()
            previous_signature = previous[1] if previous else None
            text = signing_string(
                doc["digestEndTime"], trail.bucket_name, key, body, previous_signature
            )
            signature = self._key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()
            self._chains[(trail.arn, region)] = (end, signature, hashlib.sha256(body).hexdigest())
        metadata = {
            "x-amz-meta-signature": signature,
            "x-amz-meta-signature-algorithm": SIGNATURE_ALGORITHM,
        }
        return key, gzip.compress(body), metadata

    @staticmethod
    def _key_of(trail: Trail, region: str, end: datetime) -> str:
        account = trail.account_id
        name = (
            f"{account}_CloudTrail-Digest_{region}_{trail.trail_name}_{trail.region_name}_"
            f"{end.strftime('%Y%m%dT%H%M%SZ')}.json.gz"
        )
        path = f"AWSLogs/{account}/CloudTrail-Digest/{region}/{end.strftime('%Y/%m/%d')}/{name}"
        prefix = (trail.s3_key_prefix or "").strip("/")
        return f"{prefix}/{path}" if prefix else path
