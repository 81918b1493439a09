"""CloudTrail `LookupEvents`, which moto does not implement, over the recorded events.

Follows the service: management events only, of the calling account in the signing region
(plus global-service events in us-east-1), newest first, one lookup attribute at most,
MaxResults 1..50 (default 50), inclusive StartTime/EndTime, and an opaque NextToken bound
to the query it came from. Paging is by position in (eventTime, arrival) order, so events
recorded between two pages (e.g. the LookupEvents calls themselves) do not shift pages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from .events import EventStore, StoredEvent, parse_event_time

ATTRIBUTE_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)
MAX_RESULTS = 50


class LookupFailure(Exception):
    """A client error LookupEvents answers with (JSON `__type` + message, status 400)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _timestamp(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise LookupFailure("ValidationException", f"Invalid value for {name}")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(parse_event_time(str(value)))
    except ValueError:
        raise LookupFailure("ValidationException", f"Invalid value for {name}") from None


def _attribute(params: dict[str, Any]) -> tuple[str, str] | None:
    attributes = params.get("LookupAttributes")
    if attributes is None or attributes == []:
        return None
    if not isinstance(attributes, list):
        raise LookupFailure("InvalidLookupAttributesException", "LookupAttributes must be a list.")
    if len(attributes) > 1:
        raise LookupFailure(
            "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute."
        )
    attribute = attributes[0] if isinstance(attributes[0], dict) else {}
    key, value = attribute.get("AttributeKey"), attribute.get("AttributeValue")
    if key not in ATTRIBUTE_KEYS:
        raise LookupFailure(
            "InvalidLookupAttributesException",
            f"Invalid attribute key: {key}. Valid keys: {', '.join(ATTRIBUTE_KEYS)}",
        )
    if not isinstance(value, str) or not value:
        raise LookupFailure(
            "InvalidLookupAttributesException", "The attribute value must not be empty."
        )
    return key, value


def _matches(event: StoredEvent, attribute: tuple[str, str] | None) -> bool:
    if attribute is None:
        return True
    key, value = attribute
    record = event.record
    identity = record.get("userIdentity") or {}
    if key == "EventId":
        return record.get("eventID") == value
    if key == "EventName":
        return record.get("eventName") == value
    if key == "EventSource":
        return record.get("eventSource") == value
    if key == "ReadOnly":
        return str(event.read_only).lower() == value.lower()
    if key == "Username":
        return event.username == value
    if key == "AccessKeyId":
        return identity.get("accessKeyId") == value
    if key == "ResourceName":
        return any(r["ResourceName"] == value for r in event.resources)
    return any(r["ResourceType"] == value for r in event.resources)  # ResourceType


def _encode_token(position: tuple[int, int], digest: str) -> str:
    raw = json.dumps({"e": position[0], "s": position[1], "q": digest}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: Any, digest: str) -> tuple[int, int]:
    try:
        doc = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        if doc["q"] != digest:
            raise ValueError("token from another query")
        return int(doc["e"]), int(doc["s"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise LookupFailure(
            "InvalidNextTokenException",
            "Invalid token or token that was previously used in a request "
            "with different parameters.",
        ) from None


def _response_event(event: StoredEvent) -> dict[str, Any]:
    record = event.record
    identity = record.get("userIdentity") or {}
    item: dict[str, Any] = {
        "EventId": record.get("eventID"),
        "EventName": record.get("eventName"),
        "ReadOnly": "true" if event.read_only else "false",
    }
    if identity.get("accessKeyId"):
        item["AccessKeyId"] = identity["accessKeyId"]
    item["EventTime"] = event.epoch
    item["EventSource"] = record.get("eventSource")
    if event.username:
        item["Username"] = event.username
    item["Resources"] = [dict(r) for r in event.resources]
    item["CloudTrailEvent"] = json.dumps(record)
    return item


def lookup_events(
    store: EventStore, account_id: str, region: str, params: dict[str, Any]
) -> dict[str, Any]:
    """The LookupEvents response for the calling account and region."""
    attribute = _attribute(params)
    max_results = params.get("MaxResults", MAX_RESULTS)
    if (
        not isinstance(max_results, int)
        or isinstance(max_results, bool)
        or not 1 <= max_results <= MAX_RESULTS
    ):
        raise LookupFailure(
            "InvalidMaxResultsException",
            f"Value {max_results} for MaxResults is invalid: "
            f"it must be between 1 and {MAX_RESULTS}.",
        )
    start = _timestamp(params.get("StartTime"), "StartTime")
    end = _timestamp(params.get("EndTime"), "EndTime")
    if start is not None and end is not None and start > end:
        raise LookupFailure(
            "InvalidTimeRangeException", "Start time must be earlier than end time."
        )
    category = params.get("EventCategory")
    if category is not None and category != "insight":
        raise LookupFailure("InvalidEventCategoryException", f"Invalid EventCategory: {category}")

    digest = hashlib.sha256(
        json.dumps([account_id, region, attribute, start, end, category]).encode()
    ).hexdigest()[:24]
    after = _decode_token(params["NextToken"], digest) if params.get("NextToken") else None
    if category == "insight":  # moto has no Insights: there are never insight events
        return {"Events": []}

    matching = [
        e
        for e in store.events(account_id)
        if e.management
        and e.visible_in(region)
        and (start is None or e.epoch >= start)
        and (end is None or e.epoch <= end)
        and (after is None or (e.epoch, e.seq) < after)
        and _matches(e, attribute)
    ]
    matching.sort(key=lambda e: (e.epoch, e.seq), reverse=True)
    page = matching[:max_results]
    response: dict[str, Any] = {"Events": [_response_event(e) for e in page]}
    if len(matching) > max_results:
        last = page[-1]
        response["NextToken"] = _encode_token((last.epoch, last.seq), digest)
    return response
