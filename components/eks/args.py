"""Arguments of the EKS cluster component."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.node_pool.args import NodePoolArgs
from components.shared.args import ComponentArgs
from components.shared.aws_values import AwsTags

KUBERNETES_VERSION = "1.33"
"""The pinned EKS Kubernetes minor version."""
DEFAULT_VPC_CIDR = "10.0.0.0/16"
MAX_AVAILABILITY_ZONES = 4
LogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]
DEFAULT_LOG_TYPES: tuple[LogType, ...] = (
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
)
NatGateways = Literal["single", "per-az"]
DEFAULT_NAT_GATEWAYS: NatGateways = "single"
STORAGE_CLASS = "gp3"
"""The default StorageClass the component creates (EBS CSI, gp3, encrypted)."""
NVIDIA_DEVICE_PLUGIN_VERSION = "0.17.1"
NVIDIA_DEVICE_PLUGIN_CHART = "nvidia-device-plugin"
NVIDIA_DEVICE_PLUGIN_REPO = "https://nvidia.github.io/k8s-device-plugin"


class NewVpc(ComponentArgs):
    """A VPC the component creates: a public and a private subnet per zone, and NAT."""

    cidr: Annotated[str, Field(description=f"VPC CIDR; default `{DEFAULT_VPC_CIDR}`.")] = (
        DEFAULT_VPC_CIDR
    )
    availability_zones: Annotated[
        tuple[str, ...],
        Field(
            min_length=2,
            max_length=MAX_AVAILABILITY_ZONES,
            description="Zones to spread subnets over, at least 2.",
        ),
    ]
    nat_gateways: Annotated[
        NatGateways,
        Field(description=f"One NAT gateway, or one per zone; default `{DEFAULT_NAT_GATEWAYS}`."),
    ] = DEFAULT_NAT_GATEWAYS


class EksClusterArgs(ComponentArgs):
    region: Annotated[str, Field(min_length=1, description="AWS region, e.g. `us-east-1`.")]
    kubernetes_version: Annotated[
        str, Field(description=f"Kubernetes version; default `{KUBERNETES_VERSION}`.")
    ] = KUBERNETES_VERSION
    vpc: Annotated[
        NewVpc | None, Field(description="Create a VPC; conflicts with `subnet_ids`.")
    ] = None
    subnet_ids: Annotated[
        tuple[str, ...],
        Field(description="Existing private subnets (2+ zones); conflicts with `vpc`."),
    ] = ()
    endpoint_public_access: Annotated[
        bool,
        Field(description="Expose the API endpoint publicly (needs `public_access_cidrs`)."),
    ] = False
    public_access_cidrs: Annotated[
        tuple[str, ...], Field(description="CIDRs allowed to reach a public endpoint.")
    ] = ()
    log_types: Annotated[
        tuple[LogType, ...],
        Field(min_length=1, description="Control-plane log types; default all five."),
    ] = DEFAULT_LOG_TYPES
    kms_key_arn: Annotated[
        str | None,
        Field(description="KMS key for secrets encryption; none creates one with rotation."),
    ] = None
    allow_data_loss: Annotated[
        bool,
        Field(
            description="Let Pulumi replace or delete the cluster and its Secrets key "
            "(every Secret in it becomes unreadable); default `false` protects both."
        ),
    ] = False
    node_pools: Annotated[dict[str, NodePoolArgs], Field(description="Node pools by name.")] = {}
    nvidia_device_plugin_version: Annotated[
        str,
        Field(description=f"NVIDIA device plugin chart; default `{NVIDIA_DEVICE_PLUGIN_VERSION}`."),
    ] = NVIDIA_DEVICE_PLUGIN_VERSION
    nvidia_device_plugin_repository: Annotated[
        str,
        Field(
            min_length=1,
            description="Its chart repository (a mirror when air-gapped); "
            f"default `{NVIDIA_DEVICE_PLUGIN_REPO}`.",
        ),
    ] = NVIDIA_DEVICE_PLUGIN_REPO
    tags: Annotated[AwsTags, Field(description="Tags on every AWS resource.")] = {}

    @model_validator(mode="after")
    def _consistent(self) -> EksClusterArgs:
        problems = []
        if (self.vpc is None) == (not self.subnet_ids):
            problems.append("set exactly one of `vpc` and `subnet_ids`")
        elif self.subnet_ids and len(self.subnet_ids) < 2:
            problems.append("`subnet_ids` needs subnets in at least 2 availability zones")
        if self.endpoint_public_access and not self.public_access_cidrs:
            problems.append("a public endpoint needs `public_access_cidrs`")
        if self.public_access_cidrs and not self.endpoint_public_access:
            problems.append("`public_access_cidrs` needs `endpoint_public_access`")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def gpu_pools(self) -> dict[str, NodePoolArgs]:
        return {name: pool for name, pool in self.node_pools.items() if pool.has_gpus}
