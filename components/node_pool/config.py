"""Pure functions from `NodePoolArgs` to node group settings and Karpenter manifests.

The labels and taints here are the pool's `PoolScheduling`, so the nodes carry
exactly what `render_node_selector` and `render_tolerations` select and tolerate.
"""

from __future__ import annotations

from typing import Any

from components.node_pool.args import (
    CPU_AMI_TYPE,
    GPU_AMI_TYPE,
    NodePoolArgs,
)
from components.shared.scheduling import GPU_RESOURCE

Manifest = dict[str, Any]

GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
"""The label the NVIDIA device plugin's default affinity looks for."""
ROOT_DEVICE = "/dev/xvda"
KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery"
EKS_CLUSTER_TAG = "aws:eks:cluster-name"
"""EKS tags its cluster security group with this."""

_EKS_EFFECTS = {
    "NoSchedule": "NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
}


def node_labels(args: NodePoolArgs) -> dict[str, str]:
    """Selector labels, extra labels, and the GPU marker on GPU pools; sorted."""
    labels = {**args.labels, **args.scheduling.node_selector}
    if args.has_gpus:
        labels[GPU_PRESENT_LABEL] = "true"
    return dict(sorted(labels.items()))


def node_group_taints(args: NodePoolArgs) -> list[dict[str, str]]:
    """The pool's taints in the EKS API's spelling (`NO_SCHEDULE`)."""
    taints = []
    for taint in args.scheduling.taints:
        rendered = {"key": taint.key, "effect": _EKS_EFFECTS[taint.effect]}
        if taint.value is not None:
            rendered["value"] = taint.value
        taints.append(rendered)
    return taints


def ami_type(args: NodePoolArgs) -> str:
    return GPU_AMI_TYPE if args.has_gpus else CPU_AMI_TYPE


def scaling_config(args: NodePoolArgs) -> dict[str, int]:
    """`scaling_config` of the node group (Pulumi's snake_case input keys)."""
    return {"min_size": args.min_size, "max_size": args.max_size, "desired_size": args.desired_size}


def efa_launch_template(args: NodePoolArgs, placement_group: str) -> Manifest:
    """Launch template inputs for an EFA pool (Pulumi's snake_case keys): the root volume,
    one EFA interface and the cluster placement group. EKS refuses `disk_size` together
    with a launch template, so the disk moves here."""
    return {
        "block_device_mappings": [
            {
                "device_name": ROOT_DEVICE,
                "ebs": {
                    "volume_size": args.disk_size_gib,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "delete_on_termination": "true",
                },
            }
        ],
        "network_interfaces": [{"device_index": 0, "interface_type": "efa"}],
        "placement": {"group_name": placement_group},
    }


def karpenter_limits(args: NodePoolArgs) -> dict[str, str]:
    """The most the pool may grow to: GPUs (and vCPUs when known) of `max_size` nodes."""
    limits = {}
    if args.has_gpus:
        limits[GPU_RESOURCE] = str(args.max_size * args.scheduling.gpus_per_node)
    if args.vcpu_per_node is not None:
        limits["cpu"] = str(args.max_size * args.vcpu_per_node)
    return limits


def render_karpenter_node_pool(name: str, args: NodePoolArgs) -> Manifest:
    """A `karpenter.sh/v1` NodePool pinned to the pool's instance and capacity type."""
    capacity = "spot" if args.capacity_type == "SPOT" else "on-demand"
    taints = [
        {k: v for k, v in (("key", t.key), ("value", t.value), ("effect", t.effect)) if v}
        for t in args.scheduling.taints
    ]
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "metadata": {"labels": node_labels(args)},
                "spec": {
                    "nodeClassRef": {
                        "group": "karpenter.k8s.aws",
                        "kind": "EC2NodeClass",
                        "name": name,
                    },
                    "requirements": [
                        {
                            "key": "node.kubernetes.io/instance-type",
                            "operator": "In",
                            "values": [args.instance_type],
                        },
                        {
                            "key": "karpenter.sh/capacity-type",
                            "operator": "In",
                            "values": [capacity],
                        },
                    ],
                    "taints": taints,
                },
            },
            "limits": karpenter_limits(args),
            "disruption": karpenter_disruption(args),
        },
    }


# A GPU node with a model loaded takes minutes to replace (image pull, weights download), so
# GPU pools give back only empty nodes, and only after they stayed empty a while; CPU pools
# keep Karpenter's default of also consolidating underused nodes.
GPU_CONSOLIDATE_AFTER = "10m"
CPU_CONSOLIDATE_AFTER = "1m"


def karpenter_disruption(args: NodePoolArgs) -> Manifest:
    """The NodePool's `spec.disruption` (karpenter.sh/v1 field names)."""
    if args.scheduling.gpus_per_node:
        return {"consolidationPolicy": "WhenEmpty", "consolidateAfter": GPU_CONSOLIDATE_AFTER}
    return {
        "consolidationPolicy": "WhenEmptyOrUnderutilized",
        "consolidateAfter": CPU_CONSOLIDATE_AFTER,
    }


def render_karpenter_node_class(
    name: str, args: NodePoolArgs, cluster_name: str, node_role: str
) -> Manifest:
    """A `karpenter.k8s.aws/v1` EC2NodeClass on the cluster's tagged subnets, booting the
    pool's pinned AMI alias (Karpenter picks the NVIDIA variant for GPU instance types)."""
    if args.ami_alias is None:  # NodePoolArgs requires it on Karpenter pools
        raise ValueError(f"pool `{name}` has no `ami_alias`")
    return {
        "apiVersion": "karpenter.k8s.aws/v1",
        "kind": "EC2NodeClass",
        "metadata": {"name": name},
        "spec": {
            "role": node_role,
            "amiSelectorTerms": [{"alias": args.ami_alias}],
            "subnetSelectorTerms": [{"tags": {KARPENTER_DISCOVERY_TAG: cluster_name}}],
            "securityGroupSelectorTerms": [{"tags": {EKS_CLUSTER_TAG: cluster_name}}],
            "blockDeviceMappings": [
                {
                    "deviceName": ROOT_DEVICE,
                    "ebs": {
                        "volumeSize": f"{args.disk_size_gib}Gi",
                        "volumeType": "gp3",
                        "encrypted": True,
                    },
                }
            ],
        },
    }
