"""Arguments of an EKS node pool: a managed node group, or Karpenter NodePool + EC2NodeClass."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.args import ComponentArgs
from components.scheduling import PoolScheduling

CapacityType = Literal["ON_DEMAND", "SPOT"]
Provisioner = Literal["managed-node-group", "karpenter"]
DEFAULT_CAPACITY_TYPE: CapacityType = "ON_DEMAND"
DEFAULT_PROVISIONER: Provisioner = "managed-node-group"
DEFAULT_DISK_SIZE_GIB = 100
GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA"
"""EKS-optimized Amazon Linux 2023 with the NVIDIA driver and container toolkit."""
CPU_AMI_TYPE = "AL2023_x86_64_STANDARD"
KARPENTER_AMI_ALIAS = "al2023@latest"
"""The EC2NodeClass AMI family; pin a dated alias such as `al2023@v20251023` in production."""


class NodePoolArgs(ComponentArgs):
    """One pool of identical nodes. Labels and taints come from `scheduling`, the same
    object every workload on the pool derives its selector and tolerations from."""

    scheduling: Annotated[
        PoolScheduling, Field(description="Selector labels, taints and GPUs per node.")
    ]
    instance_type: Annotated[str, Field(min_length=1, description="EC2 instance type.")]
    min_size: Annotated[int, Field(ge=0, description="Fewest nodes.")]
    max_size: Annotated[int, Field(ge=1, description="Most nodes.")]
    desired_size: Annotated[int, Field(ge=0, description="Nodes to start with.")]
    capacity_type: Annotated[
        CapacityType, Field(description=f"On-demand or spot; default `{DEFAULT_CAPACITY_TYPE}`.")
    ] = DEFAULT_CAPACITY_TYPE
    disk_size_gib: Annotated[
        int, Field(ge=20, description=f"Root volume (gp3) in GiB; default {DEFAULT_DISK_SIZE_GIB}.")
    ] = DEFAULT_DISK_SIZE_GIB
    labels: Annotated[
        dict[str, str], Field(description="Extra node labels, besides the selector labels.")
    ] = {}
    efa: Annotated[
        bool,
        Field(
            description="Attach an Elastic Fabric Adapter and launch into a cluster placement "
            "group; only for instance types that support EFA. Default false."
        ),
    ] = False
    provisioner: Annotated[
        Provisioner,
        Field(description=f"Who creates the nodes; default `{DEFAULT_PROVISIONER}`."),
    ] = DEFAULT_PROVISIONER
    vcpu_per_node: Annotated[
        int | None, Field(ge=1, description="vCPUs per node; bounds Karpenter's `cpu` limit.")
    ] = None

    @model_validator(mode="after")
    def _sizes(self) -> NodePoolArgs:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"need `min_size` <= `desired_size` <= `max_size`, got {self.min_size}, "
                f"{self.desired_size}, {self.max_size}"
            )
        if self.efa and self.provisioner == "karpenter":
            raise ValueError("`efa` needs `provisioner: managed-node-group`")
        return self

    @property
    def has_gpus(self) -> bool:
        return self.scheduling.gpus_per_node > 0
