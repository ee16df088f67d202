"""Observability: `Monitoring`, the scrape objects, alert rules and Grafana dashboards of
a platform, generated from what each part of it exposes.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.monitoring.args import AlertThresholds, MonitoringArgs, ScrapeTarget, ServedModel

if TYPE_CHECKING:
    from components.monitoring.component import Monitoring

_LAZY = {
    "Monitoring": "components.monitoring.component",
}

__all__ = [
    "AlertThresholds",
    "Monitoring",
    "MonitoringArgs",
    "ScrapeTarget",
    "ServedModel",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
