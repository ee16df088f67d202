"""The vLLM router: prefix-cache-aware, session-affine or round-robin routing across one
model's replicas, and prefill/decode disaggregation.

The Args load eagerly; the component loads on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.vllm_router.args import PrefillDecode, VllmRouterArgs

if TYPE_CHECKING:
    from components.vllm_router.component import VllmRouter

_LAZY = {"VllmRouter": "components.vllm_router.component"}

__all__ = ["PrefillDecode", "VllmRouter", "VllmRouterArgs"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
