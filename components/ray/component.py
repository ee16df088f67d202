"""`RayCluster`: a KubeRay RayCluster (or RayService) on declared node pools.

Usable on its own from a hand-written Pulumi program:

    from components.ray import RayCluster, RayClusterArgs, WorkerGroup
    from components.shared.scheduling import PoolScheduling

    RayCluster("ray", RayClusterArgs(
        namespace="llm",
        worker_groups=(WorkerGroup(
            name="gpu",
            scheduling=PoolScheduling(pool="gpu", node_selector={"pool": "gpu"}, gpus_per_node=1),
            gpus_per_worker=1,
            max_replicas=2,
        ),),
    ))
"""

from __future__ import annotations

import pulumi

from components.ray.args import (
    GcsFaultTolerance,
    RayClient,
    RayClusterArgs,
    RayHead,
    Resources,
    ServeApplication,
    WorkerGroup,
)
from components.ray.manifests import (
    head_service_name,
    render_custom_resource,
    render_network_policy,
)
from components.ray.operator import KubeRayOperator, KubeRayOperatorArgs
from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem

__all__ = [
    "GcsFaultTolerance",
    "RayClient",
    "RayCluster",
    "RayClusterArgs",
    "RayHead",
    "Resources",
    "ServeApplication",
    "WorkerGroup",
]

TYPE_TOKEN = "shipyard:compute:RayCluster"


class RayCluster(pulumi.ComponentResource):
    """The KubeRay operator (optional) and one RayCluster or RayService, created after it."""

    cluster_name: pulumi.Output[str]
    """Name of the RayCluster or RayService."""
    kind: pulumi.Output[str]
    """`RayCluster`, or `RayService` when Serve applications are declared."""
    head_service: pulumi.Output[str]
    """The head's ClusterIP Service (dashboard on 8265, client on 10001)."""

    def __init__(
        self,
        name: str,
        args: RayClusterArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        require_component_name("RayCluster", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        depends_on: list[pulumi.Resource] = []
        if args.install_operator:
            operator = KubeRayOperator(
                f"{name}-kuberay",
                KubeRayOperatorArgs(
                    namespace=args.operator_namespace or args.namespace,
                    chart_version=args.operator_chart_version,
                    chart_repo=args.operator_chart_repository,
                    chart_path=args.operator_chart_path,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            depends_on.append(operator)
        resource = render_custom_resource(name, args)
        created = create_object(
            name, resource, pulumi.ResourceOptions(parent=self, depends_on=depends_on)
        )
        create_object(
            f"{name}-network-policy",
            render_network_policy(name, args),
            pulumi.ResourceOptions(parent=self),
        )
        self.cluster_name = created.id.apply(lambda _: name)
        self.kind = pulumi.Output.from_input(str(resource["kind"]))
        self.head_service = pulumi.Output.from_input(head_service_name(name))
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "kind": self.kind,
                "head_service": self.head_service,
            }
        )
