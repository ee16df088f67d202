"""The monitoring component, when the blueprint declares `spec.monitoring`."""

from __future__ import annotations

from components.monitoring.component import Monitoring
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform
from shipyard.sections.monitoring.args import monitoring_args


def compose_monitoring(platform: Platform, composed: ComposedPlatform) -> None:
    args = monitoring_args(platform)
    if args is not None:
        composed.monitoring = Monitoring("monitoring", args, opts=composed.in_namespace())
