"""Trail delivery: recorded events become gzipped log files in the trail's S3 bucket.

Which trails get an event is decided when the event is recorded, like the service: trails
logging (in moto's cloudtrail backend) when the call started or ended, in the event's
account, multi-region or in the event's region, whose event selectors want it. So a
StopLogging call is still delivered by the trail it stops, and StartLogging by the trail it
starts. Files are written straight into moto's S3 backend of the bucket's owner, so writing
them is not itself an API call and is never recorded. A trail with log file validation
also delivers a signed digest of each file (see digest.py).

An organisation trail (IsOrganizationTrail, in the organisation's management account) also
gets the events of every member account, as with AWS, and writes each account's files in
that account's folder, `AWSLogs/<org-id>/<account>/CloudTrail/<region>/...` (AWS's layout
for organisation trails; older ones wrote `AWSLogs/<account>/...`, which tests lay out by
hand). Organisation trails deliver no digests here.
"""

from __future__ import annotations

import gzip
import json
import logging
import secrets
import string
import threading
from datetime import UTC, datetime
from typing import Any

from moto.cloudtrail.models import Trail, cloudtrail_backends
from moto.moto_api._internal import mock_random
from moto.organizations.models import organizations_backends
from moto.s3.models import s3_backends

from .digest import DigestSigner, LogFile
from .events import GLOBAL_EVENT_SOURCES, StoredEvent
from .gate import Gate

log = logging.getLogger(__name__)

_ALPHANUM = string.ascii_letters + string.digits


def _logging(owner: str, region: str, organization_only: bool) -> list[Trail]:
    backends = dict.get(cloudtrail_backends, owner)
    if not backends:
        return []
    found = []
    for backend in list(dict.values(backends)):
        for trail in list(backend.trails.values()):
            if organization_only and not trail.is_org_trail:
                continue
            if trail.status.is_logging and (trail.is_multi_region or trail.region_name == region):
                found.append(trail)
    return found


def logging_trails(account_id: str, region: str) -> list[Trail]:
    """Trails that log `account_id`'s events of `region` now: its own, and the organisation
    trails of its organisation's management account (no moto state is created)."""
    found = _logging(account_id, region, organization_only=False)
    management = organizations_backends.master_accounts.get(account_id)
    if management and management[0] != account_id:
        found += _logging(management[0], region, organization_only=True)
    return found


def _organization_id(trail: Trail) -> str | None:
    """The organisation an organisation trail logs (its account must be the management)."""
    if not trail.is_org_trail:
        return None
    backends = dict.get(organizations_backends, trail.account_id) or {}
    backend = dict.get(backends, trail.partition)
    org = getattr(backend, "org", None)
    return org.id if org is not None and org.master_account_id == trail.account_id else None


def _rw_matches(read_write_type: str | None, event: StoredEvent) -> bool:
    kind = read_write_type or "All"
    return kind == "All" or (kind == "ReadOnly") == event.read_only


def _object_arn(event: StoredEvent) -> str:
    params = event.record.get("requestParameters") or {}
    return f"arn:aws:s3:::{params.get('bucketName', '')}/{params.get('key', '')}"


def _data_resource(event: StoredEvent) -> tuple[str, str] | None:
    """The resource type and ARN a data event is selected by (S3 object, Lambda function)."""
    if event.record.get("eventSource") == "s3.amazonaws.com":
        return "AWS::S3::Object", _object_arn(event)
    for resource in event.record.get("resources") or []:
        if isinstance(resource, dict) and resource.get("type") == "AWS::Lambda::Function":
            return "AWS::Lambda::Function", str(resource.get("ARN", ""))
    return None


def _data_value_matches(kind: str, arn: str, value: str) -> bool:
    """A basic selector's DataResources value: S3 takes ARN prefixes (a bucket, a folder);
    Lambda takes a function's ARN, or `arn:aws:lambda` for every function."""
    if kind == "AWS::S3::Object":
        return arn.startswith(value)
    return arn == value or value.rstrip(":") == "arn:aws:lambda"


def _advanced_wants(selectors: list[dict[str, Any]], event: StoredEvent) -> bool:
    for selector in selectors:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
        categories = fields.get("eventCategory", {}).get("Equals", [])
        read_only = fields.get("readOnly", {}).get("Equals")
        if read_only and str(event.read_only).lower() not in [v.lower() for v in read_only]:
            continue
        if event.management and "Management" in categories:
            return True
        types = fields.get("resources.type", {}).get("Equals", [])
        data = None if event.management else _data_resource(event)
        if data and "Data" in categories and data[0] in types:
            return True
    return False


def trail_wants(trail: Trail, event: StoredEvent) -> bool:
    """Whether `trail`'s configuration selects `event` (global events, event selectors)."""
    if (
        not trail.include_global_service_events
        and trail.region_name != event.region
        and event.record.get("eventSource") in GLOBAL_EVENT_SOURCES
    ):
        return False
    if trail.advanced_event_selectors:
        return _advanced_wants(trail.advanced_event_selectors, event)
    if not trail.event_selectors:  # the default selector: all management events
        return event.management
    for selector in trail.event_selectors:
        if not _rw_matches(selector.get("ReadWriteType"), event):
            continue
        if event.management and selector.get("IncludeManagementEvents", True):
            return True
        data = None if event.management else _data_resource(event)
        if data:
            kind, arn = data
            for resource in selector.get("DataResources", []):
                if resource.get("Type") == kind and any(
                    _data_value_matches(kind, arn, v) for v in resource.get("Values", [])
                ):
                    return True
    return False


def _trail_exists(trail: Trail) -> bool:
    backends = dict.get(cloudtrail_backends, trail.account_id) or {}
    backend = dict.get(backends, trail.region_name)
    return backend is not None and any(t is trail for t in backend.trails.values())


class TrailDelivery:
    """Per-trail queues of events waiting to be written to S3."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._lock = threading.Lock()
        self._pending: dict[int, tuple[Trail, list[StoredEvent]]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.signer = DigestSigner()

    def enqueue(self, event: StoredEvent, trails: list[Trail]) -> None:
        seen: set[int] = set()
        with self._lock:
            for trail in trails:
                if id(trail) in seen or not trail_wants(trail, event):
                    continue
                seen.add(id(trail))
                self._pending.setdefault(id(trail), (trail, []))[1].append(event)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
        self.signer.clear()

    def flush(self, account: str | None = None) -> list[str]:
        """Write the pending batches now, of every trail or only of `account`'s trails;
        returns the S3 keys written. Tests sharing one emulator flush their own account, so
        one test never delivers (and so never takes from another) the files another counts."""
        with self._gate.exclusive():
            with self._lock:
                if account is None:
                    pending, self._pending = self._pending, {}
                else:
                    pending = {
                        k: v for k, v in self._pending.items() if v[0].account_id == account
                    }
                    for k in pending:
                        del self._pending[k]
            # moto's S3 draws version IDs from its seedable generator: leave it as it was.
            random_state = mock_random.getstate()
            try:
                written: list[str] = []
                for trail, events in pending.values():
                    written.extend(self._deliver(trail, events))
                return written
            finally:
                mock_random.setstate(random_state)

    def _deliver(self, trail: Trail, events: list[StoredEvent]) -> list[str]:
        if not _trail_exists(trail):
            return []
        owner = s3_backends.bucket_accounts.get(
            trail.bucket_name, (trail.partition, trail.account_id)
        )
        s3 = s3_backends[owner[1]][owner[0]]
        if trail.bucket_name not in s3.buckets:
            log.warning(
                "trail %s: bucket %s is gone; dropping %d events",
                trail.arn,
                trail.bucket_name,
                len(events),
            )
            return []
        organization = _organization_id(trail)
        by_folder: dict[tuple[str, str], list[StoredEvent]] = {}
        for event in events:
            account = event.account_id if organization else trail.account_id
            by_folder.setdefault((account, event.region), []).append(event)
        keys = []
        now = datetime.now(UTC)
        for (account, region), batch in by_folder.items():
            key = self._key(trail, account, organization, region, now)
            body = json.dumps({"Records": [e.record for e in batch]}).encode()
            gz = gzip.compress(body)
            s3.put_object(trail.bucket_name, key, gz)
            keys.append(key)
            if trail.log_validation and not organization:
                times = [str(e.record.get("eventTime", "")) for e in batch]
                file = LogFile(trail.bucket_name, key, gz, min(times), max(times))
                digest_key, digest, metadata = self.signer.digest(trail, region, [file], now)
                # Not among the keys returned: callers count log files.
                s3.put_object(trail.bucket_name, digest_key, digest).set_metadata(metadata)
        return keys

    @staticmethod
    def _key(
        trail: Trail, account: str, organization: str | None, region: str, now: datetime
    ) -> str:
        suffix = "".join(secrets.choice(_ALPHANUM) for _ in range(16))
        name = f"{account}_CloudTrail_{region}_{now.strftime('%Y%m%dT%H%MZ')}_{suffix}.json.gz"
        folder = f"{organization}/{account}" if organization else account
        path = f"AWSLogs/{folder}/CloudTrail/{region}/{now.strftime('%Y/%m/%d')}/{name}"
        prefix = (trail.s3_key_prefix or "").strip("/")
        return f"{prefix}/{path}" if prefix else path

    # ---- background delivery ------------------------------------------------------------

    def start(self, interval: float) -> None:
        if interval <= 0:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.flush()
                except Exception:  # keep delivering; a test will see what is missing
                    log.exception("trail delivery failed")

        self._thread = threading.Thread(target=loop, name="trail-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
