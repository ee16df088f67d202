"""vLLM model serving: `VllmService`, a Deployment of the OpenAI-compatible server per model.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.vllm.args import Autoscaling, LoraAdapter, ModelCache, VllmServiceArgs

if TYPE_CHECKING:
    from components.vllm.component import VllmService

_LAZY = {
    "VllmService": "components.vllm.component",
}

__all__ = [
    "Autoscaling",
    "LoraAdapter",
    "ModelCache",
    "VllmService",
    "VllmServiceArgs",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
