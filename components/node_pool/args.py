"""Arguments of an EKS node pool: a managed node group, or Karpenter NodePool + EC2NodeClass."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.shared.args import ComponentArgs
from components.shared.k8s_values import Labels
from components.shared.scheduling import PoolScheduling

CapacityType = Literal["ON_DEMAND", "SPOT"]
Provisioner = Literal["managed-node-group", "karpenter"]
DEFAULT_CAPACITY_TYPE: CapacityType = "ON_DEMAND"
DEFAULT_PROVISIONER: Provisioner = "managed-node-group"
DEFAULT_DISK_SIZE_GIB = 100
MAX_DISK_SIZE_GIB = 16384
"""The largest gp3 volume (EBS volume types: 1 GiB-16 TiB); the EC2NodeClass CRD's
`volumeSize` pattern allows more, which EBS would refuse at launch."""
GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA"
"""EKS-optimized Amazon Linux 2023 with the NVIDIA driver and container toolkit."""
CPU_AMI_TYPE = "AL2023_x86_64_STANDARD"
AMI_ALIAS_DOCS = "https://karpenter.sh/docs/tasks/managing-amis/"
"""Karpenter "heavily recommends against" `@latest` outside pre-production; pin a release."""
EXAMPLE_AMI_ALIAS = "al2023@v20251016"
"""An EKS-optimized AL2023 release with Kubernetes 1.33 AMIs (awslabs/amazon-eks-ami
release v20251016, named in that repository's issue #2470)."""
# The EC2NodeClass CRD (karpenter-provider-aws pkg/apis/crds, `amiSelectorTerms[].alias`)
# accepts `^[a-zA-Z0-9]+@.+$` with family al2, al2023, bottlerocket or windows2019/2022/2025
# (windows: `latest` only), at most 30 characters. Shipyard takes the Linux families EKS
# still publishes for Kubernetes 1.33+ (karpenter-provider-aws pkg/providers/amifamily/ami.go:
# "AL2 aliases are no longer supported on EKS 1.33+"), each with its own
# release format: `al2023@v20251016`, `bottlerocket@v1.10.0`, or `@latest`.
AMI_ALIAS_VERSIONS = {"al2023": r"v\d{8}", "bottlerocket": r"v\d+\.\d+\.\d+"}
LATEST = "latest"


def check_ami_alias(alias: str) -> str:
    """`alias` if it is `<family>@<release>` or `<family>@latest` for a supported family."""
    family, _, version = alias.partition("@")
    if family not in AMI_ALIAS_VERSIONS:
        families = " or ".join(f"`{name}`" for name in AMI_ALIAS_VERSIONS)
        why = " (Karpenter refuses AL2 aliases on EKS 1.33+)" if family == "al2" else ""
        raise ValueError(
            f"`{alias}` is not an AMI alias Shipyard supports{why}; use family {families} "
            f"as `<family>@<release>`, e.g. `{EXAMPLE_AMI_ALIAS}`"
        )
    if version != LATEST and not re.fullmatch(AMI_ALIAS_VERSIONS[family], version):
        shape = "v<YYYYMMDD>" if family == "al2023" else "v<major>.<minor>.<patch>"
        raise ValueError(f"`{alias}` is neither `{family}@{shape}` nor `{family}@{LATEST}`")
    return alias


AmiAlias = Annotated[str, AfterValidator(check_ami_alias)]
"""A Karpenter `amiSelectorTerms` alias Shipyard accepts (see `check_ami_alias`)."""


def is_latest(alias: str) -> bool:
    """True for an alias that follows every new AMI release (`<family>@latest`)."""
    return alias.endswith(f"@{LATEST}")


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
        int,
        Field(
            ge=20,
            le=MAX_DISK_SIZE_GIB,
            description=f"Root volume (gp3) in GiB, at most {MAX_DISK_SIZE_GIB}; "
            f"default {DEFAULT_DISK_SIZE_GIB}.",
        ),
    ] = DEFAULT_DISK_SIZE_GIB
    labels: Annotated[
        Labels, Field(description="Extra node labels, besides the selector labels.")
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
    ami_alias: Annotated[
        AmiAlias | None,
        Field(
            description="Karpenter only, and required there: the EKS-optimized AMI release "
            f"nodes boot, `<family>@<release>` (e.g. `{EXAMPLE_AMI_ALIAS}`) or "
            f"`<family>@{LATEST}`, which Karpenter advises against in production "
            f"({AMI_ALIAS_DOCS}). No default."
        ),
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
        if self.provisioner == "karpenter" and self.ami_alias is None:
            raise ValueError(
                f"a Karpenter pool needs `ami_alias`, e.g. `{EXAMPLE_AMI_ALIAS}`; "
                f"see {AMI_ALIAS_DOCS}"
            )
        if self.provisioner != "karpenter" and self.ami_alias is not None:
            raise ValueError("`ami_alias` needs `provisioner: karpenter`")
        return self

    @property
    def has_gpus(self) -> bool:
        return self.scheduling.gpus_per_node > 0
