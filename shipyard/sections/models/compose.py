"""One `VllmService` per blueprint model."""

from __future__ import annotations

from components.vllm.component import VllmService
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.models.args import vllm_args


def compose_models(platform: Platform, composed: ComposedPlatform) -> None:
    for model in platform.spec.models:
        composed.models[model.name] = VllmService(
            model.name, vllm_args(platform, model), opts=composed.in_namespace()
        )
