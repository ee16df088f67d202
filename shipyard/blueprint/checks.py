"""Semantic checks: rules that span fields, run on a structurally valid blueprint.

Each section checks its own part (`shipyard/sections/<section>/checks.py`); this runs
them all. Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from shipyard.blueprint.errors import Finding, Path
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
    # A section's own uniqueness check words a repeat better; the generic one covers the
    # lists no section checks.
    reported = {path for path, _ in findings}
    findings += [
        (path, message)
        for path, message in duplicate_names(platform)
        if path not in reported and path[:-1] not in reported  # the entry, or its `name`
    ]
    return list(dict.fromkeys(findings))


def duplicate_names(model: BaseModel, path: Path = ()) -> Iterator[Finding]:
    """Every repeated `name` in any list of named entries (pools, models, adapters, routes,
    users, topics, env vars...): the second and later ones, as `unique_names` words it."""
    for field_name, field in type(model).model_fields.items():
        value: Any = getattr(model, field_name)
        key = field.alias or to_camel(field_name)
        items = list(value.values()) if isinstance(value, dict) else value
        if isinstance(value, BaseModel):
            yield from duplicate_names(value, (*path, key))
        elif isinstance(items, list | tuple) and not isinstance(value, dict):
            seen: set[str] = set()
            for index, item in enumerate(items):
                if not isinstance(item, BaseModel):
                    continue
                name = getattr(item, "name", None)
                if isinstance(name, str):
                    if name in seen:
                        yield ((*path, key, index, "name"), f"`{name}` is used more than once")
                    seen.add(name)
                yield from duplicate_names(item, (*path, key, index))


def advise_platform(platform: Platform) -> list[Finding]:
    """Every section's advisories on a valid blueprint: warnings, never errors."""
    return [finding for section in SECTIONS for finding in section.advise(platform)]
