"""A model's `routing` turned into the router component's arguments, and the endpoint the
gateway sends the model's requests to (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from components.vllm.args import VLLM_PORT
from components.vllm.manifests import selector_labels as server_selector_labels
from components.vllm.manifests import service_url
from components.vllm_router.args import ROUTER_PORT, PrefillDecode, VllmRouterArgs
from components.vllm_router.manifests import router_name, router_url
from components.vllm_router.manifests import selector_labels as router_selector_labels
from shipyard.blueprint.platform import Platform
from shipyard.sections.models.model import ModelSpec
from shipyard.sections.models.routing import ROUTER_POLICIES
from shipyard.sections.node_pools.scheduling import pool_scheduling


@dataclass(frozen=True)
class ModelEndpoint:
    """Where the gateway sends a model's requests, and which pods its egress admits."""

    url: str
    pod_labels: dict[str, str]
    port: int


def model_endpoint(platform: Platform, model: ModelSpec) -> ModelEndpoint:
    """The model's router when it has `routing`, else its Service."""
    if model.routing is not None:
        name = router_name(model.name)
        return ModelEndpoint(
            router_url(name, platform.namespace), router_selector_labels(name), ROUTER_PORT
        )
    return ModelEndpoint(
        service_url(model.name, platform.namespace), server_selector_labels(model.name), VLLM_PORT
    )


def router_pod_labels(model: ModelSpec) -> dict[str, str] | None:
    """The labels of the model's router's pods, which its servers admit; None without one."""
    if model.routing is None:
        return None
    return router_selector_labels(router_name(model.name))


def router_args(platform: Platform, model: ModelSpec) -> VllmRouterArgs | None:
    """The router's arguments; None without `routing` (checks have run: the pool exists and
    the strategy is one the router has)."""
    routing = model.routing
    if routing is None:
        return None
    pool = platform.pool(routing.node_pool or model.node_pool)
    if pool is None:  # check_routing has already rejected this
        raise ValueError(f"model `{model.name}` routing names an unknown pool")
    optional: dict[str, object] = {}
    if routing.image is not None:
        optional["image"] = routing.image
    if routing.resources is not None:
        optional["cpu_request"] = routing.resources.cpu
        optional["memory_request"] = routing.resources.memory
    if model.roles is not None:
        optional["prefill_decode"] = PrefillDecode(
            prefill_selector=server_selector_labels(f"{model.name}-prefill"),
            decode_selector=server_selector_labels(f"{model.name}-decode"),
        )
    else:
        optional["worker_selector"] = server_selector_labels(model.name)
    return VllmRouterArgs(
        namespace=platform.namespace,
        served_model_name=model.served_name,
        scheduling=pool_scheduling(pool),
        policy=ROUTER_POLICIES[routing.strategy],
        worker_port=VLLM_PORT,
        replicas=routing.replicas,
        **optional,
    )
