"""A node pool on EKS: `NodePool`, a managed node group or a Karpenter NodePool.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.node_pool.args import NodePoolArgs

if TYPE_CHECKING:
    from components.node_pool.component import ClusterTarget, NodePool

_LAZY = {
    "ClusterTarget": "components.node_pool.component",
    "NodePool": "components.node_pool.component",
}

__all__ = [
    "ClusterTarget",
    "NodePool",
    "NodePoolArgs",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
