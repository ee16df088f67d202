"""The `VllmService`s of each blueprint model, and a `VllmRouter` in front of them with
`routing`."""

from __future__ import annotations

from components.vllm.component import VllmService
from components.vllm_router.component import VllmRouter
from components.vllm_router.manifests import router_name
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.models.routing_args import router_args
from shipyard.sections.models.serving import model_servers


def compose_models(platform: Platform, composed: ComposedPlatform) -> None:
    for model in platform.spec.models:
        for server in model_servers(platform, model):
            composed.models[server.name] = VllmService(
                server.name, server.args, opts=composed.in_namespace()
            )
        routing = router_args(platform, model)
        if routing is not None:
            name = router_name(model.name)
            composed.routers[model.name] = VllmRouter(name, routing, opts=composed.in_namespace())
