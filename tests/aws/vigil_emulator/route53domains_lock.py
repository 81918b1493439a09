"""Route 53 Domains' transfer lock, which moto 5.2.5 lacks: it has no
`EnableDomainTransferLock`/`DisableDomainTransferLock`, lists every domain with
`TransferLock: true` and never puts `clientTransferProhibited` in `GetDomainDetail`'s
`StatusList`, so no domain could read as locked or unlocked the way AWS shows them. This
keeps a lock flag on each domain (on at registration, as AWS sets it where the TLD allows)
and serves it in both answers."""

from __future__ import annotations

import json
from typing import Any

from moto.route53domains.responses import Route53DomainsResponse

LOCKED = "clientTransferProhibited"


def _locked(domain: Any) -> bool:
    return getattr(domain, "vigil_transfer_lock", True)


def _set_lock(self: Route53DomainsResponse, locked: bool) -> str:
    domain = self.route53domains_backend.get_domain(domain_name=self._get_param("DomainName"))
    domain.vigil_transfer_lock = locked
    return json.dumps({"OperationId": f"vigil-lock-{domain.domain_name}"})


def _enable(self: Route53DomainsResponse) -> str:
    return _set_lock(self, True)


def _disable(self: Route53DomainsResponse) -> str:
    return _set_lock(self, False)


def _get_domain_detail(self: Route53DomainsResponse) -> str:
    domain = self.route53domains_backend.get_domain(domain_name=self._get_param("DomainName"))
    detail = domain.to_json()
    statuses = [s for s in detail.get("StatusList") or [] if s != LOCKED]
    detail["StatusList"] = statuses + ([LOCKED] if _locked(domain) else [])
    return json.dumps(detail)


def _map_domain(domain: Any) -> dict[str, Any]:
    return {
        "DomainName": domain.domain_name,
        "AutoRenew": domain.auto_renew,
        "Expiry": domain.expiration_date.timestamp(),
        "TransferLock": _locked(domain),
    }


def install() -> None:
    """Add the lock operations and serve the flag (idempotent)."""
    cls = Route53DomainsResponse
    cls.enable_domain_transfer_lock = _enable  # type: ignore[attr-defined]
    cls.disable_domain_transfer_lock = _disable  # type: ignore[attr-defined]
    cls.get_domain_detail = _get_domain_detail  # type: ignore[method-assign]
    # moto's private helper behind ListDomains (name-mangled).
    cls._Route53DomainsResponse__map_domains_to_info = staticmethod(_map_domain)  # type: ignore[attr-defined]
