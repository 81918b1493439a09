"""RDS's catalogue calls, which moto 5.2.5 lacks: `DescribeDBEngineVersions` (the engine
versions RDS offers) and `DescribeCertificates` (its certificate authorities). Both answer
from fixed tables, the same for every account and region as on AWS: an instance whose
version is not listed runs a deprecated version, and an instance's CA is looked up by its
`CACertificateIdentifier`. The tables hold a few current versions per engine (moto's
default PostgreSQL 9.3.3 is not among them) and AWS's CAs with their documented expiry.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from moto.core.responses import ActionResult
from moto.rds.responses import RDSResponse

#: Engine -> (parameter group family, versions offered).
ENGINE_VERSIONS: dict[str, tuple[str, list[str]]] = {
    "postgres": ("postgres16", ["13.18", "14.15", "15.10", "16.3", "16.6", "17.2"]),
    "mysql": ("mysql8.0", ["8.0.39", "8.0.40", "8.4.3"]),
    "mariadb": ("mariadb10.11", ["10.11.10", "11.4.4"]),
    "aurora-postgresql": ("aurora-postgresql16", ["15.8", "16.4"]),
    "aurora-mysql": ("aurora-mysql8.0", ["8.0.mysql_aurora.3.08.0"]),
}


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


#: AWS's RDS certificate authorities: identifier -> (valid from, valid till).
CERTIFICATE_AUTHORITIES: dict[str, tuple[datetime, datetime]] = {
    "rds-ca-2019": (_utc(2019, 8, 22, 17, 8, 50), _utc(2024, 8, 22, 17, 8, 50)),
    "rds-ca-rsa2048-g1": (_utc(2021, 5, 26, 23, 34, 57), _utc(2061, 5, 26, 23, 34, 57)),
    "rds-ca-rsa4096-g1": (_utc(2021, 5, 26, 23, 34, 57), _utc(2121, 5, 26, 23, 34, 57)),
    "rds-ca-ecc384-g1": (_utc(2021, 5, 26, 23, 34, 57), _utc(2121, 5, 26, 23, 34, 57)),
}


def _describe_db_engine_versions(self: RDSResponse) -> ActionResult:
    engine = self._get_param("Engine")
    version = self._get_param("EngineVersion")
    out: list[dict[str, Any]] = []
    for name, (family, versions) in ENGINE_VERSIONS.items():
        if engine and engine != name:
            continue
        for v in versions:
            if version and version != v:
                continue
            out.append(
                {
                    "Engine": name,
                    "EngineVersion": v,
                    "DBParameterGroupFamily": family,
                    "DBEngineDescription": name,
                    "DBEngineVersionDescription": f"{name} {v}",
                    "Status": "available",
                }
            )
    return ActionResult({"DBEngineVersions": out})


def _describe_certificates(self: RDSResponse) -> ActionResult:
    wanted = self._get_param("CertificateIdentifier")
    out: list[dict[str, Any]] = []
    for ca, (valid_from, valid_till) in CERTIFICATE_AUTHORITIES.items():
        if wanted and wanted != ca:
            continue
        out.append(
            {
                "CertificateIdentifier": ca,
                "CertificateType": "CA",
                "Thumbprint": ca.encode().hex()[:40],
                "ValidFrom": valid_from,
                "ValidTill": valid_till,
                "CertificateArn": f"arn:aws:rds:{self.region}:{self.current_account}:cert:{ca}",
                "CustomerOverride": False,
            }
        )
    return ActionResult({"Certificates": out})


def install() -> None:
    """Add both actions to moto's RDS responses (idempotent)."""
    RDSResponse.describe_db_engine_versions = _describe_db_engine_versions  # type: ignore[attr-defined]
    RDSResponse.describe_certificates = _describe_certificates  # type: ignore[attr-defined]
