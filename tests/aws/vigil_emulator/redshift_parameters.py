"""Redshift parameter groups that keep their parameters: moto 5.2.5 has no
`ModifyClusterParameterGroup` and answers `DescribeClusterParameters` with the engine
defaults for every group (`require_ssl` always `false`), so a cluster whose parameter group
requires SSL would read as one that does not. This adds the modify call (the values are kept
on the group) and serves a group's values over the defaults, as AWS does (`Source: user`)."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.redshift import models, responses
from moto.redshift.exceptions import ClusterParameterGroupNotFoundError

_original_describe = models.RedshiftBackend.describe_cluster_parameters


def _group(backend: Any, name: str) -> Any:
    if name not in backend.parameter_groups:
        raise ClusterParameterGroupNotFoundError(name)
    return backend.parameter_groups[name]


def _describe(self: Any, parameter_group_name: str) -> list[dict[str, Any]]:
    params = _original_describe(self, parameter_group_name)
    values = getattr(_group(self, parameter_group_name), "vigil_values", {})
    for p in params:
        if p["ParameterName"] in values:
            p["ParameterValue"] = values[p["ParameterName"]]
            p["Source"] = "user"
    return params


def _modify(self: Any) -> ActionResult:
    name = self._get_param("ParameterGroupName")
    group = _group(self.redshift_backend, name)
    values = group.__dict__.setdefault("vigil_values", {})
    for p in self._get_param("Parameters", []):
        values[p["ParameterName"]] = p["ParameterValue"]
    return ActionResult(
        {
            "ParameterGroupName": name,
            "ParameterGroupStatus": "Your parameter group has been updated.",
        }
    )


def install() -> None:
    """Add the call and wrap the describe (idempotent)."""
    if models.RedshiftBackend.describe_cluster_parameters is not _describe:
        models.RedshiftBackend.describe_cluster_parameters = _describe  # type: ignore[method-assign]
        responses.RedshiftResponse.modify_cluster_parameter_group = _modify  # type: ignore[attr-defined]
