"""Policies over a blueprint without the engine: render under mocks, then run every rule,
the budget rule against the blueprint's cost estimate."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import Platform
from shipyard.cost import estimate_platform
from shipyard.policy.config import PolicySettings
from shipyard.policy.rules import rules_with_estimate
from shipyard.policy.rules_data import CostEstimate
from shipyard.policy.runner import Finding, evaluate, resources_from_render
from shipyard.render import render_blueprint


def blueprint_estimate(platform: Platform) -> CostEstimate:
    """The budget rule's view of `shipyard.cost`'s estimate: the total at desired sizes."""
    estimate = estimate_platform(platform)
    return CostEstimate(desired_usd=estimate.total.desired, unpriced=tuple(estimate.unpriced))


def blueprint_findings(
    blueprint: Path, platform: Platform, project_root: Path, settings: PolicySettings | None = None
) -> list[Finding]:
    """Render `blueprint` (already loaded as `platform`) offline and return every violation.

    Unlike under the engine, `monthly-cost-within-budget` checks the blueprint's estimate."""
    stack = platform.metadata.environment
    rendered = render_blueprint(blueprint, project_root, stack)
    rules = rules_with_estimate(blueprint_estimate(platform))
    return evaluate(resources_from_render(rendered), settings, rules, stack=stack)
