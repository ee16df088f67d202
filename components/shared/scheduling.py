"""Where a workload lands: node selectors and tolerations derived from one pool.

The pool is declared once; every workload that runs on it (vLLM, Ray workers)
gets its selector and tolerations from these functions, so the two can never
drift apart.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from components.shared.args import ComponentArgs
from components.shared.k8s_values import Labels, TaintKey, TaintValue

GPU_RESOURCE = "nvidia.com/gpu"
"""The extended resource the NVIDIA device plugin advertises."""

TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class Taint(ComponentArgs):
    """A node taint, as carried by every node of a pool."""

    key: Annotated[TaintKey, Field(min_length=1, description="Taint key, e.g. `nvidia.com/gpu`.")]
    value: Annotated[
        TaintValue | None, Field(description="Taint value; none means the taint has only a key.")
    ] = None
    effect: Annotated[TaintEffect, Field(description="Taint effect.")] = "NoSchedule"


class PoolScheduling(ComponentArgs):
    """The scheduling facts of one node pool."""

    pool: Annotated[str, Field(min_length=1, description="Name of the node pool.")]
    node_selector: Annotated[
        Labels,
        Field(min_length=1, description="Labels every node of the pool carries."),
    ]
    taints: Annotated[
        tuple[Taint, ...], Field(description="Taints every node of the pool carries.")
    ] = ()
    gpus_per_node: Annotated[int, Field(ge=0, description="GPUs on each node of the pool.")] = 0


def render_node_selector(scheduling: PoolScheduling) -> dict[str, str]:
    """The pod `nodeSelector` that pins a workload to the pool."""
    return dict(sorted(scheduling.node_selector.items()))


def render_tolerations(scheduling: PoolScheduling) -> list[dict[str, Any]]:
    """One toleration per pool taint, matching key, value and effect exactly."""
    tolerations: list[dict[str, Any]] = []
    for taint in scheduling.taints:
        toleration: dict[str, Any] = {"key": taint.key, "effect": taint.effect}
        if taint.value is None:
            toleration["operator"] = "Exists"
        else:
            toleration["operator"] = "Equal"
            toleration["value"] = taint.value
        tolerations.append(toleration)
    return tolerations
