"""Loading a blueprint: the YAML source with positions, the root `Platform` model, and
`load_blueprint`, which runs every section's checks and reports problems at FILE:LINE:COL.

The section models live in `shipyard.sections.<section>`. The names below load on first
use, so a section's model can import `shipyard.blueprint.base` without pulling in the
loader (which imports every section) first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shipyard.blueprint.errors import BlueprintError, Problem
    from shipyard.blueprint.loader import load_blueprint
    from shipyard.blueprint.platform import API_VERSION, Platform

_LAZY = {
    "API_VERSION": "shipyard.blueprint.platform",
    "BlueprintError": "shipyard.blueprint.errors",
    "Platform": "shipyard.blueprint.platform",
    "Problem": "shipyard.blueprint.errors",
    "load_blueprint": "shipyard.blueprint.loader",
}

__all__ = ["API_VERSION", "BlueprintError", "Platform", "Problem", "load_blueprint"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
