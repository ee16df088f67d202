"""Semantic checks: rules that span fields, run on a structurally valid blueprint.

Each section checks its own part (`shipyard/sections/<section>/checks.py`); this runs
them all. Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from shipyard.blueprint.errors import Finding
from shipyard.blueprint.platform import Platform
from shipyard.sections.registry import BUDGET, SECTIONS


def check_platform(platform: Platform, *, enforce_budget: bool = True) -> list[Finding]:
    """Every cross-field problem of a blueprint, section by section.

    `enforce_budget=False` leaves out the budget check, for `shipyard cost`, which
    must show the breakdown of an estimate that is over budget."""
    findings: list[Finding] = []
    for section in SECTIONS:
        if section is BUDGET and not enforce_budget:
            continue
        findings += section.check(platform)
    return findings


def advise_platform(platform: Platform) -> list[Finding]:
    """Every section's advisories on a valid blueprint: warnings, never errors."""
    return [finding for section in SECTIONS for finding in section.advise(platform)]
