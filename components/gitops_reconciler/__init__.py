"""The GitOps reconciler in the cluster: `GitopsReconciler`, leader-elected replicas.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.gitops_reconciler.args import GitopsReconcilerArgs, PulumiBackend, TrafficSource

if TYPE_CHECKING:
    from components.gitops_reconciler.component import GitopsReconciler

_LAZY = {
    "GitopsReconciler": "components.gitops_reconciler.component",
}

__all__ = [
    "GitopsReconciler",
    "GitopsReconcilerArgs",
    "PulumiBackend",
    "TrafficSource",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
