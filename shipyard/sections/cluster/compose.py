"""The cluster everything lands on: an EKS cluster Shipyard creates (`kind: eks`) or an
existing one (`kind: local`), its Kubernetes provider, and the platform's namespace."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.eks.component import EksCluster
from components.shared.labels import MANAGED_BY
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.cluster.args import eks_cluster_args
from shipyard.sections.cluster.model import LocalCluster

# Every workload Shipyard renders meets the `restricted` Pod Security Standard,
# so the namespace enforces it and a hand-added privileged pod is refused.
POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}


def eks_cluster(platform: Platform) -> tuple[EksCluster, aws.Provider] | None:
    """For `cluster.kind: eks`, the cluster (network, nodes, add-ons), and the AWS provider
    of its region."""
    args = eks_cluster_args(platform)
    if args is None:
        return None
    region = aws.Provider(f"{platform.metadata.name}-aws", region=args.region)
    cluster = EksCluster(
        platform.metadata.name, args, opts=pulumi.ResourceOptions(providers=[region])
    )
    return cluster, region


def cluster_provider(platform: Platform) -> k8s.Provider:
    cluster = platform.spec.cluster
    if not isinstance(cluster, LocalCluster):
        raise ValueError("an `eks` cluster's provider comes from `eks_cluster`")
    return k8s.Provider(
        f"{platform.metadata.name}-cluster",
        context=cluster.context,
        kubeconfig=cluster.kubeconfig,
    )


def compose_cluster(platform: Platform, composed: ComposedPlatform) -> None:
    aws_cluster = eks_cluster(platform)
    if aws_cluster is not None:
        composed.eks, composed.aws_region = aws_cluster
    # Every in-cluster component lands on the EKS cluster when there is one.
    provider = (
        composed.eks.kubernetes_provider if composed.eks is not None else cluster_provider(platform)
    )
    composed.provider = provider
    composed.namespace = k8s.core.v1.Namespace(
        platform.namespace,
        metadata={
            "name": platform.namespace,
            "labels": {**platform.metadata.labels, **MANAGED_BY, **POD_SECURITY},
        },
        opts=pulumi.ResourceOptions(provider=provider),
    )
