"""Semantic checks: rules that span fields, run on a structurally valid blueprint.

Each section checks its own part (`shipyard/sections/<section>/checks.py`); this runs
them all. Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from pydantic import ValidationError

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
        try:
            findings += section.check(platform)
        except (ValueError, ArithmeticError, ValidationError) as error:
            # A later check (the budget's cost, a pool's fit) may parse a value an earlier
            # check has already refused; that finding explains it. Without one, the
            # failure is Shipyard's: it is shown at the section, without a traceback.
            if not findings:
                first = str(error).splitlines()[0] if str(error) else type(error).__name__
                findings.append(
                    (
                        ("spec", section.key),
                        f"cannot check this section ({first}); "
                        "this is a Shipyard bug, please report it with the blueprint",
                    )
                )
    return findings


def advise_platform(platform: Platform) -> list[Finding]:
    """Every section's advisories on a valid blueprint: warnings, never errors."""
    return [finding for section in SECTIONS for finding in section.advise(platform)]
