"""`spec.cluster` with `kind: eks`: an EKS cluster Shipyard creates, with its network."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.eks.args import (
    DEFAULT_LOG_TYPES,
    DEFAULT_NAT_GATEWAYS,
    DEFAULT_VPC_CIDR,
    KUBERNETES_VERSION,
    MAX_AVAILABILITY_ZONES,
    LogType,
    NatGateways,
)
from components.shared.aws_values import AwsTags
from shipyard.blueprint.base import BlueprintModel

DEFAULT_ZONE_SUFFIXES = ("a", "b")
"""Without `availabilityZones`, subnets go to `<region>a` and `<region>b`."""


class EksVpc(BlueprintModel):
    """A new VPC: a public and a private subnet per zone; nodes run in the private ones."""

    cidr: Annotated[str, Field(description=f"VPC CIDR; default `{DEFAULT_VPC_CIDR}`.")] = (
        DEFAULT_VPC_CIDR
    )
    availability_zones: Annotated[
        list[str] | None,
        Field(
            min_length=2,
            max_length=MAX_AVAILABILITY_ZONES,
            description="At least 2 zones of the region; default `<region>a`, `<region>b`.",
        ),
    ] = None
    nat_gateways: Annotated[
        NatGateways,
        Field(
            description=f"`single` (cheaper) or `per-az` (zone-resilient); "
            f"default `{DEFAULT_NAT_GATEWAYS}`."
        ),
    ] = DEFAULT_NAT_GATEWAYS


class EksEndpoint(BlueprintModel):
    """API server access. The private endpoint is always on."""

    public: Annotated[bool, Field(description="Also expose a public endpoint; default false.")] = (
        False
    )
    public_access_cidrs: Annotated[
        list[str],
        Field(description="CIDRs allowed to reach the public endpoint; required with `public`."),
    ] = []


class EksCluster(BlueprintModel):
    """An EKS cluster Shipyard creates: VPC (or existing subnets), control plane, node groups."""

    kind: Annotated[Literal["eks"], Field(description="`eks`: a cluster Shipyard creates.")]
    region: Annotated[str, Field(min_length=1, description="AWS region, e.g. `us-east-1`.")]
    kubernetes_version: Annotated[
        str, Field(description=f"Kubernetes version, pinned; default `{KUBERNETES_VERSION}`.")
    ] = KUBERNETES_VERSION
    vpc: Annotated[
        EksVpc | None,
        Field(description="Create a VPC (the default when `subnetIds` is empty)."),
    ] = None
    subnet_ids: Annotated[
        list[str],
        Field(description="Existing private subnets in 2+ zones instead of a new VPC."),
    ] = []
    endpoint: Annotated[EksEndpoint, Field(description="API endpoint access.")] = EksEndpoint()
    logging: Annotated[
        list[LogType],
        Field(min_length=1, description="Control-plane log types; default all five."),
    ] = list(DEFAULT_LOG_TYPES)
    kms_key_arn: Annotated[
        str | None,
        Field(description="KMS key for Secrets encryption; none creates a key with rotation."),
    ] = None
    allow_data_loss: Annotated[
        bool,
        Field(
            description="Let Pulumi replace or delete the cluster and its Secrets key; "
            "default `false` protects both."
        ),
    ] = False
    tags: Annotated[AwsTags, Field(description="Tags on every AWS resource.")] = {}

    @property
    def creates_vpc(self) -> bool:
        return not self.subnet_ids

    @property
    def availability_zones(self) -> list[str]:
        vpc = self.vpc or EksVpc()
        if vpc.availability_zones:
            return list(vpc.availability_zones)
        return [f"{self.region}{suffix}" for suffix in DEFAULT_ZONE_SUFFIXES]

    @property
    def nat_gateway_count(self) -> int:
        if not self.creates_vpc:
            return 0
        vpc = self.vpc or EksVpc()
        return len(self.availability_zones) if vpc.nat_gateways == "per-az" else 1
