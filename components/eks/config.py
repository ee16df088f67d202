"""Pure functions behind `EksCluster`: subnet plan, IAM documents, kubeconfig, manifests."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from components.eks.args import STORAGE_CLASS, EksClusterArgs, NewVpc
from components.node_pool.args import NodePoolArgs
from components.shared.scheduling import render_tolerations

Manifest = dict[str, Any]

CORE_ADDONS = ("vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver")
"""Add-ons every cluster gets; CoreDNS and the EBS CSI driver wait for nodes."""
ADDONS_BEFORE_NODES = ("vpc-cni", "kube-proxy")
EBS_CSI_SERVICE_ACCOUNT = ("kube-system", "ebs-csi-controller-sa")
CLUSTER_POLICIES = ("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",)
NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
)
EBS_CSI_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
# Private subnets get the larger half: pods take their IPs from them (VPC CNI).
_SUBNET_PREFIX_STEP = 3


def subnet_plan(vpc: NewVpc) -> list[tuple[str, str, str]]:
    """`(zone, private CIDR, public CIDR)` per zone: /19s of a /16, private first."""
    network = ipaddress.ip_network(vpc.cidr)
    slices = list(network.subnets(prefixlen_diff=_SUBNET_PREFIX_STEP))
    zones = vpc.availability_zones
    return [
        (zone, str(slices[index]), str(slices[len(zones) + index]))
        for index, zone in enumerate(zones)
    ]


def _json(document: Manifest) -> str:
    return json.dumps(document, sort_keys=True)


def assume_role_policy(service: str) -> str:
    """A trust policy letting an AWS service (`eks.amazonaws.com`) assume the role."""
    return _json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def irsa_trust_policy(provider_arn: str, issuer_url: str, namespace: str, account: str) -> str:
    """A trust policy for exactly one Kubernetes service account (IRSA)."""
    issuer = issuer_url.removeprefix("https://")
    return _json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{account}",
                            f"{issuer}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    )


def endpoint_access(args: EksClusterArgs) -> dict[str, Any]:
    """`vpc_config` access flags: private always, public only with an allow-list."""
    access: dict[str, Any] = {
        "endpoint_private_access": True,
        "endpoint_public_access": args.endpoint_public_access,
    }
    if args.endpoint_public_access:
        access["public_access_cidrs"] = list(args.public_access_cidrs)
    return access


def render_kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig that authenticates with `aws eks get-token` (the AWS CLI)."""
    return _json(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {"server": endpoint, "certificate-authority-data": ca_data},
                }
            ],
            "contexts": [
                {"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}
            ],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster_name,
                                "--region",
                                region,
                            ],
                        }
                    },
                }
            ],
        }
    )


def render_storage_class() -> Manifest:
    """The default StorageClass: encrypted gp3 volumes bound on first consumer."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": STORAGE_CLASS,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3", "encrypted": "true"},
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def render_device_plugin_values(gpu_pools: dict[str, NodePoolArgs]) -> Manifest:
    """Helm values: run on every GPU pool's nodes and tolerate every GPU pool's taints."""
    tolerations: list[Manifest] = []
    for pool in gpu_pools.values():
        for toleration in render_tolerations(pool.scheduling):
            if toleration not in tolerations:
                tolerations.append(toleration)
    terms = [
        {
            "matchExpressions": [
                {"key": key, "operator": "In", "values": [value]}
                for key, value in sorted(pool.scheduling.node_selector.items())
            ]
        }
        for _, pool in sorted(gpu_pools.items())
    ]
    return {
        "tolerations": tolerations,
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}
            }
        },
    }
