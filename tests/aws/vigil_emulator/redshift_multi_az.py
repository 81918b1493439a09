"""Redshift clusters that keep `MultiAZ`: moto 5.2.5 drops the parameter of
`CreateCluster` and answers no `MultiAZ` in `DescribeClusters`, where AWS answers
`Enabled` or `Disabled`. The created cluster keeps it, and moto's serializer answers it.
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.redshift.responses import RedshiftResponse

_original_create = RedshiftResponse.create_cluster


def _create_cluster(self: RedshiftResponse) -> ActionResult:
    out = _original_create(self)
    cluster = self.redshift_backend.clusters[self._get_param("ClusterIdentifier")]
    cluster.multi_az = "Enabled" if self._get_bool_param("MultiAZ", False) else "Disabled"
    return out


def install() -> None:
    """Wrap CreateCluster (idempotent)."""
    RedshiftResponse.create_cluster = _create_cluster  # type: ignore[method-assign]
