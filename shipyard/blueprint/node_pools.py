"""`spec.nodePools`: groups of identical nodes, with or without GPUs."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from components.names import Dns1123Label
from components.scheduling import GPU_RESOURCE, TaintEffect
from shipyard.blueprint.base import BlueprintModel

POOL_LABEL = "shipyard.dev/pool"
"""The label that identifies a pool's nodes unless `nodeSelector` says otherwise."""
DEFAULT_GPU_TAINT_VALUE = "present"


class GpuSpec(BlueprintModel):
    type: Annotated[
        str,
        Field(min_length=1, description="GPU type, e.g. `nvidia-a10g`, `nvidia-h100-80gb`."),
    ]
    count: Annotated[int, Field(ge=1, le=16, description="GPUs per node.")]
    memory_gib: Annotated[
        float | None,
        Field(
            alias="memoryGiB",
            gt=0,
            description="Memory per GPU in GiB; only needed for a type Shipyard does not know.",
        ),
    ] = None


class Taint(BlueprintModel):
    key: Annotated[str, Field(min_length=1, description="Taint key.")]
    value: Annotated[str | None, Field(description="Taint value.")] = None
    effect: Annotated[TaintEffect, Field(description="Taint effect.")] = "NoSchedule"


class PoolSize(BlueprintModel):
    min: Annotated[int, Field(ge=0, description="Fewest nodes.")] = 1
    max: Annotated[int, Field(ge=1, description="Most nodes.")] = 1
    desired: Annotated[int | None, Field(ge=0, description="Nodes to start with.")] = None

    @model_validator(mode="after")
    def _ordered(self) -> PoolSize:
        desired = self.min if self.desired is None else self.desired
        if not self.min <= desired <= self.max:
            raise ValueError(
                f"need min <= desired <= max, got min {self.min}, desired {desired}, max {self.max}"
            )
        return self


class NodePool(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="Pool name, unique in the blueprint.")]
    instance_type: Annotated[
        str | None, Field(description="Cloud instance type, e.g. `g5.xlarge` (managed clusters).")
    ] = None
    node_selector: Annotated[
        dict[str, str] | None,
        Field(
            description=f"Labels that select this pool's existing nodes; "
            f"default `{POOL_LABEL}: <name>`."
        ),
    ] = None
    gpu: Annotated[GpuSpec | None, Field(description="GPUs on each node; none for CPU pools.")] = (
        None
    )
    labels: Annotated[
        dict[str, str], Field(description="Extra labels Shipyard puts on nodes it creates.")
    ] = {}
    taints: Annotated[
        list[Taint] | None,
        Field(
            description=f"Taints the pool's nodes carry; default for GPU pools "
            f"`{GPU_RESOURCE}={DEFAULT_GPU_TAINT_VALUE}:NoSchedule`, none otherwise."
        ),
    ] = None
    size: Annotated[PoolSize, Field(description="Node counts.")] = PoolSize()

    @property
    def gpus_per_node(self) -> int:
        return self.gpu.count if self.gpu else 0

    @property
    def selector(self) -> dict[str, str]:
        return dict(self.node_selector) if self.node_selector else {POOL_LABEL: self.name}

    @property
    def effective_taints(self) -> list[Taint]:
        if self.taints is not None:
            return list(self.taints)
        if self.gpu is None:
            return []
        return [Taint(key=GPU_RESOURCE, value=DEFAULT_GPU_TAINT_VALUE, effect="NoSchedule")]
