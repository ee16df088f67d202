"""`NodePool`: one EKS node pool, as a managed node group or as Karpenter resources.

pool = NodePool("gpu", NodePoolArgs(scheduling=..., instance_type="g5.xlarge",
                min_size=1, max_size=4, desired_size=1), target=cluster.target)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.node_pool.args import NodePoolArgs
from components.node_pool.config import (
    ami_type,
    efa_launch_template,
    node_group_taints,
    node_labels,
    render_karpenter_node_class,
    render_karpenter_node_pool,
    scaling_config,
)

TYPE_TOKEN = "shipyard:aws:NodePool"


@dataclass(frozen=True)
class ClusterTarget:
    """What a node pool needs from its cluster."""

    cluster_name: str
    node_role_arn: pulumi.Input[str]
    node_role_name: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    kubernetes_provider: k8s.Provider | None = None
    """Needed only by Karpenter pools, whose NodePool is a Kubernetes object."""


class NodePool(pulumi.ComponentResource):
    """A managed node group (with a launch template and placement group for EFA), or a
    Karpenter NodePool and EC2NodeClass."""

    node_group_name: pulumi.Output[str]
    """The managed node group's name; empty for Karpenter pools."""
    instance_type: pulumi.Output[str]
    """The pool's EC2 instance type."""

    def __init__(
        self,
        name: str,
        args: NodePoolArgs,
        *,
        target: ClusterTarget,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if args.provisioner == "karpenter" and target.kubernetes_provider is None:
            raise pulumi.InputPropertiesError(
                "Invalid NodePool",
                [
                    {
                        "property_path": "target.kubernetes_provider",
                        "reason": "a Karpenter pool needs the cluster's Kubernetes provider",
                    }
                ],
            )
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.node_group: aws.eks.NodeGroup | None = None
        if args.provisioner == "karpenter":
            self._karpenter(name, args, target)
            self.node_group_name = pulumi.Output.from_input("")
        else:
            self.node_group = self._node_group(name, args, target, child)
            self.node_group_name = self.node_group.node_group_name
        self.instance_type = pulumi.Output.from_input(args.instance_type)
        self.register_outputs(
            {"node_group_name": self.node_group_name, "instance_type": self.instance_type}
        )

    def _node_group(
        self,
        name: str,
        args: NodePoolArgs,
        target: ClusterTarget,
        child: pulumi.ResourceOptions,
    ) -> aws.eks.NodeGroup:
        launch_template: aws.eks.NodeGroupLaunchTemplateArgs | None = None
        if args.efa:
            group_name = f"{target.cluster_name}-{name}"
            group = aws.ec2.PlacementGroup(name, name=group_name, strategy="cluster", opts=child)
            template = aws.ec2.LaunchTemplate(
                name,
                **efa_launch_template(args, group_name),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[group]),
            )
            launch_template = aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            )
        return aws.eks.NodeGroup(
            name,
            cluster_name=target.cluster_name,
            node_group_name=name,
            node_role_arn=target.node_role_arn,
            subnet_ids=target.subnet_ids,
            instance_types=[args.instance_type],
            ami_type=ami_type(args),
            capacity_type=args.capacity_type,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(**scaling_config(args)),
            disk_size=None if args.efa else args.disk_size_gib,
            launch_template=launch_template,
            labels=node_labels(args),
            taints=[aws.eks.NodeGroupTaintArgs(**taint) for taint in node_group_taints(args)],
            # Pulumi must not fight the cluster autoscaler over the live node count.
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(ignore_changes=["scalingConfig.desiredSize"])
            ),
        )

    def _karpenter(self, name: str, args: NodePoolArgs, target: ClusterTarget) -> None:
        on_cluster = pulumi.ResourceOptions(parent=self, provider=target.kubernetes_provider)
        node_class = pulumi.Output.from_input(target.node_role_name).apply(
            lambda role: render_karpenter_node_class(name, args, target.cluster_name, role)
        )
        k8s.apiextensions.CustomResource(
            f"{name}-node-class",
            api_version="karpenter.k8s.aws/v1",
            kind="EC2NodeClass",
            metadata={"name": name},
            spec=node_class.apply(lambda manifest: manifest["spec"]),
            opts=on_cluster,
        )
        pool = render_karpenter_node_pool(name, args)
        k8s.apiextensions.CustomResource(
            f"{name}-node-pool",
            api_version=pool["apiVersion"],
            kind=pool["kind"],
            metadata=pool["metadata"],
            spec=pool["spec"],
            opts=on_cluster,
        )
