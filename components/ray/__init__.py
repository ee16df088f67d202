"""Ray on KubeRay: `RayCluster` (a RayCluster or RayService) and `KubeRayOperator`.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.ray.args import (
    GcsFaultTolerance,
    RayClient,
    RayClusterArgs,
    RayHead,
    Resources,
    ServeApplication,
    WorkerGroup,
)

if TYPE_CHECKING:
    from components.ray.component import RayCluster
    from components.ray.operator import KubeRayOperator, KubeRayOperatorArgs

_LAZY = {
    "KubeRayOperator": "components.ray.operator",
    "KubeRayOperatorArgs": "components.ray.operator",
    "RayCluster": "components.ray.component",
}

__all__ = [
    "GcsFaultTolerance",
    "KubeRayOperator",
    "KubeRayOperatorArgs",
    "RayClient",
    "RayCluster",
    "RayClusterArgs",
    "RayHead",
    "Resources",
    "ServeApplication",
    "WorkerGroup",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
