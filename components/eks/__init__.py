"""An EKS cluster: `EksCluster` with its network, add-ons and node pools.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.eks.args import EksClusterArgs, NewVpc

if TYPE_CHECKING:
    from components.eks.component import EksCluster

_LAZY = {
    "EksCluster": "components.eks.component",
}

__all__ = [
    "EksCluster",
    "EksClusterArgs",
    "NewVpc",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
