"""One `VllmService` per blueprint model, and a `VllmRouter` in front of it with `routing`."""

from __future__ import annotations

from components.vllm.component import VllmService
from components.vllm_router.component import VllmRouter
from components.vllm_router.manifests import router_name
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.models.args import vllm_args
from shipyard.sections.models.routing_args import router_args


def compose_models(platform: Platform, composed: ComposedPlatform) -> None:
    for model in platform.spec.models:
        composed.models[model.name] = VllmService(
            model.name, vllm_args(platform, model), opts=composed.in_namespace()
        )
        routing = router_args(platform, model)
        if routing is not None:
            name = router_name(model.name)
            composed.routers[model.name] = VllmRouter(name, routing, opts=composed.in_namespace())
