"""schemathesis hooks of scripts/fuzz.sh (SCHEMATHESIS_HOOKS, both runs): a GraphQL
`DateTime` strategy that also sends times at and past the edges, Vigil's own server-error
check for GraphQL, and YAML answers (the CloudFormation template) kept as text.

schemathesis' own `not_a_server_error` counts every GraphQL error that names a `path` as a
server error unless its `extensions.code` is one Apollo or graphql-java use for client
errors, so Vigil's NOT_FOUND, FORBIDDEN, TRIAL_EXPIRED or RATE_LIMITED answers (the
caller's fault, docs/graphql.md#errors) would fail it. `vigil_not_a_server_error` applies
Vigil's own contract instead: a failure is an HTTP 5xx, a body that is not a GraphQL JSON
object, or an error whose code is INTERNAL (a fault on Vigil's side), TIMEOUT (a request
that ran past 15 s) or missing (every Vigil error has one).
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

#: Codes that mean the server failed, not the request.
SERVER_CODES = {"INTERNAL", "TIMEOUT"}

#: Times at and past the edges: RFC 3339's four-digit years end at 0000 and 9999, and
#: PostgreSQL stores 4713 BC to 294276 AD while chrono parses years -262144 to 262143.
EDGE_TIMES = [
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "-4714-11-23T23:59:59Z",
    "-100000-01-01T00:00:00Z",
    "-262143-01-01T00:00:00Z",
    "+10000-01-01T00:00:00Z",
    "+262142-12-31T23:59:59Z",
    "1970-01-01T00:00:00+23:59",
    "2026-02-30T00:00:00Z",
]

# DateTime arguments: usual times (schemathesis' own strategy) and, one time in four, the
# edges above.
_usual_times = st.tuples(st.dates().map(str), st.times().map("%sZ".__mod__)).map("T".join)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(_usual_times, _usual_times, _usual_times, st.sampled_from(EDGE_TIMES)).map(
        nodes.String
    ),
)


@schemathesis.check
def vigil_not_a_server_error(ctx, response, case):
    """No 5xx, and no GraphQL error that is Vigil's fault (INTERNAL, TIMEOUT, no code)."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    try:
        payload = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(
            f"HTTP {response.status_code}, not JSON ({exc}): {response.text[:200]}"
        ) from None
    if not isinstance(payload, dict):
        raise AssertionError(f"the answer is not a JSON object: {response.text[:200]}")
    for error in payload.get("errors") or []:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        if code is None or code in SERVER_CODES:
            raise AssertionError(
                f"GraphQL error with code {code}: {json.dumps(error, ensure_ascii=False)[:500]}"
            )
    return None


try:
    from schemathesis.core.media_types import YAML_MEDIA_TYPES
except ImportError:  # moved in another version: the template's own type at least
    YAML_MEDIA_TYPES = ("application/x-yaml",)


@schemathesis.deserializer(*YAML_MEDIA_TYPES)
def cloudformation_as_text(ctx, response):
    """The CloudFormation template's short-form tags (`!Not`, `!Ref`) are not plain YAML, and
    schemathesis' YAML loader stops its worker thread on them (the operation then silently
    goes untested): YAML answers stay text. Registered for every YAML type because the
    first deserializer of the family answers for all of them."""
    return response.content.decode(response.encoding or "utf-8", errors="replace")
