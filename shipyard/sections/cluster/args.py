"""Blueprint `spec.cluster` (`kind: eks`) and `spec.nodePools` turned into `EksClusterArgs`."""

from __future__ import annotations

from components.eks.args import NVIDIA_DEVICE_PLUGIN_REPO, EksClusterArgs, NewVpc
from components.node_pool.args import NodePoolArgs
from shipyard.blueprint.platform import Platform
from shipyard.facts.instances import lookup_instance
from shipyard.sections.charts.mirrors import mirrored
from shipyard.sections.cluster.eks import EksCluster
from shipyard.sections.node_pools.model import NodePool
from shipyard.sections.node_pools.scheduling import pool_scheduling


def node_pool_args(pool: NodePool) -> NodePoolArgs:
    """One pool's node group arguments; labels and taints from `pool_scheduling`, as for
    every workload on the pool."""
    if pool.instance_type is None:  # load_blueprint has already rejected this on EKS
        raise ValueError(f"pool `{pool.name}` has no `instanceType`")
    facts = lookup_instance(pool.instance_type)
    desired = pool.size.min if pool.size.desired is None else pool.size.desired
    return NodePoolArgs(
        scheduling=pool_scheduling(pool),
        instance_type=pool.instance_type,
        min_size=pool.size.min,
        max_size=pool.size.max,
        desired_size=desired,
        capacity_type="SPOT" if pool.capacity == "spot" else "ON_DEMAND",
        disk_size_gib=pool.disk_size_gib,
        labels=dict(pool.labels),
        efa=pool.efa,
        provisioner=pool.provisioner,
        vcpu_per_node=facts.vcpu if facts else None,
        ami_alias=pool.ami_alias,
    )


def eks_cluster_args(platform: Platform) -> EksClusterArgs | None:
    """The cluster component's arguments, or None for a `local` cluster."""
    cluster = platform.spec.cluster
    if not isinstance(cluster, EksCluster):
        return None
    vpc = None
    if cluster.creates_vpc:
        spec = cluster.vpc
        vpc = NewVpc(
            availability_zones=tuple(cluster.availability_zones),
            **({"cidr": spec.cidr, "nat_gateways": spec.nat_gateways} if spec else {}),
        )
    return EksClusterArgs(
        region=cluster.region,
        kubernetes_version=cluster.kubernetes_version,
        vpc=vpc,
        subnet_ids=tuple(cluster.subnet_ids),
        endpoint_public_access=cluster.endpoint.public,
        public_access_cidrs=tuple(cluster.endpoint.public_access_cidrs),
        log_types=tuple(cluster.logging),
        kms_key_arn=cluster.kms_key_arn,
        allow_data_loss=cluster.allow_data_loss,
        nvidia_device_plugin_repository=mirrored(
            platform.spec.chart_mirrors, NVIDIA_DEVICE_PLUGIN_REPO
        ),
        node_pools={pool.name: node_pool_args(pool) for pool in platform.spec.node_pools},
        tags={**platform.metadata.labels, **cluster.tags},
    )
