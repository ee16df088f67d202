"""Kubernetes objects written by hand, applied as they are: `PlainManifests`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.manifests.args import PlainManifestsArgs

if TYPE_CHECKING:
    from components.manifests.component import PlainManifests

__all__ = ["PlainManifests", "PlainManifestsArgs"]


def __getattr__(name: str) -> Any:
    if name == "PlainManifests":
        from components.manifests.component import PlainManifests

        return PlainManifests
    raise AttributeError(name)
