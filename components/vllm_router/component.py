"""`VllmRouter`: the vLLM project's router in front of one model's servers.

Usable on its own from a hand-written Pulumi program:

    from components.shared.scheduling import PoolScheduling
    from components.vllm_router import VllmRouter, VllmRouterArgs

    VllmRouter("llama-70b-router", VllmRouterArgs(
        namespace="llm",
        served_model_name="llama-70b",
        scheduling=PoolScheduling(pool="system", node_selector={"pool": "system"}),
        policy="cache_aware",
        worker_selector={"app.kubernetes.io/instance": "llama-70b"},
    ))
"""

from __future__ import annotations

import pulumi

from components.shared.k8s_objects import create_object
from components.shared.names import require_component_name, service_name_problem
from components.vllm_router.args import VllmRouterArgs
from components.vllm_router.manifests import (
    render_deployment,
    render_network_policy,
    render_pod_disruption_budget,
    render_role,
    render_role_binding,
    render_service,
    render_service_account,
    router_url,
)

TYPE_TOKEN = "shipyard:serving:VllmRouter"


class VllmRouter(pulumi.ComponentResource):
    """A ServiceAccount with a pod-reading Role, a Deployment, Service, PDB and
    NetworkPolicy: the router that picks a model server per request."""

    service_name: pulumi.Output[str]
    """Name of the router's ClusterIP Service."""
    url: pulumi.Output[str]
    """In-cluster base URL of the OpenAI-compatible API, ending in `/v1`."""

    def __init__(
        self,
        name: str,
        args: VllmRouterArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        require_component_name("VllmRouter", name, service_name_problem(name))
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = create_object(name, render_service_account(name, args), child)
        role = create_object(name, render_role(name, args), child)
        binding = create_object(
            name,
            render_role_binding(name, args),
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[role])),
        )
        create_object(
            name,
            render_deployment(name, args),
            pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[account, binding])
            ),
        )
        service = create_object(name, render_service(name, args), child)
        create_object(name, render_pod_disruption_budget(name, args), child)
        create_object(name, render_network_policy(name, args), child)
        self.service_name = service.id.apply(lambda _: name)
        self.url = pulumi.Output.from_input(router_url(name, args.namespace))
        self.register_outputs({"service_name": self.service_name, "url": self.url})
