"""EventBridge delivery of CloudTrail events: what AWS does and moto does not.

AWS puts every CloudTrail management write event of an account onto that account's
default event bus in the event's region, as detail type `AWS API Call via CloudTrail`
(`AWS Console Sign In via CloudTrail` for console sign-ins) from source `aws.<service>`,
the record itself as `detail`; read-only calls (Describe, List, Get) are not delivered.
Rules there (created through the real API) then send it to their targets, e.g. an SQS
queue: moto's EventBridge does that part. The event is put straight into moto's backend,
so this delivery is not itself an API call and is never recorded.
"""

from __future__ import annotations

import json
import logging

from moto.events.models import events_backends
from moto.events.utils import EventTemplateParser

from .events import StoredEvent

log = logging.getLogger(__name__)


def install() -> None:
    """moto's default target input leaves out the envelope's `account`, which AWS's
    carries (and a reader checks): put it back."""
    template = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    if '"account"' not in template:
        EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = template.replace(
            '"version": "0",', '"version": "0", "account": "<account>",', 1
        )


def detail_type(event: StoredEvent) -> str:
    if event.record.get("eventType") == "AwsConsoleSignIn":
        return "AWS Console Sign In via CloudTrail"
    return "AWS API Call via CloudTrail"


def wanted(event: StoredEvent) -> bool:
    """Whether AWS delivers `event` to EventBridge: a management event that is not read-only."""
    return event.management and not event.read_only


def forward(event: StoredEvent) -> bool:
    """Put `event` on its account's default bus in its region, if that bus has rules (no
    moto state is created otherwise). Returns whether it was put."""
    if not wanted(event):
        return False
    backends = dict.get(events_backends, event.account_id)
    backend = dict.get(backends, event.region) if backends else None
    if backend is None:
        return False
    source = str(event.record.get("eventSource", "")).split(".", 1)[0]
    try:
        bus = backend.describe_event_bus("default")
        if not bus.rules:
            return False
        backend.put_events(
            [
                {
                    "Source": f"aws.{source}",
                    "DetailType": detail_type(event),
                    "Detail": json.dumps(event.record),
                    "Time": event.epoch,
                    "Resources": [],
                }
            ]
        )
    except Exception:  # a broken rule target must not fail the customer's call
        log.exception("EventBridge delivery of %s failed", event.record.get("eventID"))
        return False
    return True
