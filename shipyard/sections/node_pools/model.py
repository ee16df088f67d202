"""`spec.nodePools`: groups of identical nodes, with or without GPUs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from components.node_pool.args import (
    AMI_ALIAS_DOCS,
    DEFAULT_DISK_SIZE_GIB,
    EXAMPLE_AMI_ALIAS,
    MAX_DISK_SIZE_GIB,
    AmiAlias,
)
from components.shared.k8s_values import Labels, TaintKey, TaintValue
from components.shared.names import Dns1123Label
from components.shared.scheduling import GPU_RESOURCE, TaintEffect
from shipyard.blueprint.base import BlueprintModel
from shipyard.facts.instances import lookup_instance

POOL_LABEL = "shipyard.dev/pool"
"""The label that identifies a pool's nodes unless `nodeSelector` says otherwise."""
DEFAULT_GPU_TAINT_VALUE = "present"
Capacity = Literal["on-demand", "spot"]
DEFAULT_CAPACITY: Capacity = "on-demand"
Provisioner = Literal["managed-node-group", "karpenter"]
DEFAULT_PROVISIONER: Provisioner = "managed-node-group"


def _gpu_from_instance(data: Any) -> Any:
    """A pool with a known GPU `instanceType` and no `gpu` block gets one from the facts."""
    if not isinstance(data, dict) or "gpu" in data:
        return data
    name = data.get("instanceType", data.get("instance_type"))
    facts = lookup_instance(name) if isinstance(name, str) else None
    if facts is None or facts.gpu_type is None:
        return data
    return {**data, "gpu": {"type": facts.gpu_type, "count": facts.gpu_count}}


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
    key: Annotated[TaintKey, Field(min_length=1, description="Taint key.")]
    value: Annotated[TaintValue | None, Field(description="Taint value.")] = None
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
        Labels | None,
        Field(
            description=f"Labels that select this pool's existing nodes; "
            f"default `{POOL_LABEL}: <name>`."
        ),
    ] = None
    gpu: Annotated[GpuSpec | None, Field(description="GPUs on each node; none for CPU pools.")] = (
        None
    )
    labels: Annotated[
        Labels, Field(description="Extra labels Shipyard puts on nodes it creates.")
    ] = {}
    taints: Annotated[
        list[Taint] | None,
        Field(
            description=f"Taints the pool's nodes carry; default for GPU pools "
            f"`{GPU_RESOURCE}={DEFAULT_GPU_TAINT_VALUE}:NoSchedule`, none otherwise."
        ),
    ] = None
    size: Annotated[PoolSize, Field(description="Node counts.")] = PoolSize()
    capacity: Annotated[
        Capacity,
        Field(description=f"EKS: `on-demand` or `spot` instances; default `{DEFAULT_CAPACITY}`."),
    ] = DEFAULT_CAPACITY
    disk_size_gib: Annotated[
        int,
        Field(
            alias="diskSizeGiB",
            ge=20,
            le=MAX_DISK_SIZE_GIB,
            description=f"EKS: root volume (gp3) per node in GiB, at most {MAX_DISK_SIZE_GIB}; "
            f"default {DEFAULT_DISK_SIZE_GIB}.",
        ),
    ] = DEFAULT_DISK_SIZE_GIB
    efa: Annotated[
        bool,
        Field(
            description="EKS: an Elastic Fabric Adapter and a cluster placement group; only "
            "for instance types that support EFA. Default false."
        ),
    ] = False
    provisioner: Annotated[
        Provisioner,
        Field(
            description=f"EKS: a managed node group, or Karpenter NodePool + EC2NodeClass "
            f"(Karpenter must be installed); default `{DEFAULT_PROVISIONER}`."
        ),
    ] = DEFAULT_PROVISIONER
    ami_alias: Annotated[
        AmiAlias | None,
        Field(
            description="EKS, `provisioner: karpenter` only, and required there: the "
            f"EKS-optimized AMI release its nodes boot, e.g. `{EXAMPLE_AMI_ALIAS}` or "
            "`bottlerocket@v1.10.0`; `<family>@latest` (not in a `prod`/`production` "
            f"environment) follows every release. See {AMI_ALIAS_DOCS}. No default."
        ),
    ] = None

    # With a known GPU instance type the `gpu` block is optional (see `_gpu_from_instance`).
    _derive_gpu = model_validator(mode="before")(_gpu_from_instance)

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
