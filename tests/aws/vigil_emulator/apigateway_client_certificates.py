"""API Gateway stages' client certificates, which moto 5.2.5 lacks: it has no client
certificate calls at all (`GenerateClientCertificate` is not routed), drops a stage's
`/clientCertificateId` patch without a word and never answers `clientCertificateId` in
`GetStage(s)`, so every stage would read as one presenting no certificate to its backend.
This keeps a stage's patched certificate ID and serves it back as AWS does (the ID is not
checked against a certificate, which AWS would do)."""

from __future__ import annotations

from typing import Any

from moto.apigateway import models

_original_apply = models.Stage.apply_operations
_original_to_json = models.Stage.to_json

PATH = "/clientCertificateId"


def _apply(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
    rest = []
    for op in patch_operations:
        if op.get("path") == PATH and op.get("op") in ("replace", "add"):
            self.vigil_client_certificate_id = op.get("value") or None
        elif op.get("path") == PATH and op.get("op") == "remove":
            self.vigil_client_certificate_id = None
        else:
            rest.append(op)
    return _original_apply(self, rest)


def _to_json(self: Any) -> dict[str, Any]:
    out = _original_to_json(self)
    cert = getattr(self, "vigil_client_certificate_id", None)
    if cert:
        out["clientCertificateId"] = cert
    return out


def install() -> None:
    """Keep and serve stages' certificate IDs (idempotent)."""
    if models.Stage.apply_operations is not _apply:
        models.Stage.apply_operations = _apply  # type: ignore[method-assign]
        models.Stage.to_json = _to_json  # type: ignore[method-assign]
