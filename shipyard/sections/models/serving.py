"""The vLLM servers one blueprint model becomes: one `VllmService` for a plain model,
one per role for prefill/decode (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from components.vllm.args import VllmServiceArgs
from shipyard.blueprint.platform import Platform
from shipyard.sections.models.args import vllm_args
from shipyard.sections.models.model import ModelSpec


@dataclass(frozen=True)
class ModelServer:
    name: str
    """Names its Deployment and Service."""
    label: str
    """`<model>` or `<model>:<role>`, for messages and tests."""
    args: VllmServiceArgs


def model_servers(platform: Platform, model: ModelSpec) -> list[ModelServer]:
    return [ModelServer(model.name, model.name, vllm_args(platform, model))]
