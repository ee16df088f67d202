"""Policies over a blueprint without the engine: render under mocks, then run every rule."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import Platform
from shipyard.policy.config import PolicySettings
from shipyard.policy.runner import Finding, evaluate, resources_from_render
from shipyard.render import render_blueprint


def blueprint_findings(
    blueprint: Path, platform: Platform, project_root: Path, settings: PolicySettings | None = None
) -> list[Finding]:
    """Render `blueprint` (already loaded as `platform`) offline and return every violation."""
    stack = platform.metadata.environment
    rendered = render_blueprint(blueprint, project_root, stack)
    return evaluate(resources_from_render(rendered), settings, stack=stack)
