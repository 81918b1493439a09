"""CloudFront origins as AWS returns them: moto 5.2.5 keeps an S3 origin's origin access
identity and an origin access control ID when a distribution is created but leaves both out
of every response (`S3OriginConfig`, `OriginAccessControlId`), so an S3 origin locked to
CloudFront would read as an open one. This keeps the request's values on the origin and
serves them back."""

from __future__ import annotations

from typing import Any

from moto.cloudfront import models

_original_init = models.Origin.__init__


def _init(self: Any, origin: dict[str, Any]) -> None:
    _original_init(self, origin)
    if "S3OriginConfig" in origin:
        self.s3_origin_config = {"OriginAccessIdentity": self.s3_access_identity}
    if origin.get("OriginAccessControlId"):
        self.origin_access_control_id = origin["OriginAccessControlId"]


def install() -> None:
    """Wrap moto's origin (idempotent)."""
    if models.Origin.__init__ is not _init:
        models.Origin.__init__ = _init  # type: ignore[method-assign]
