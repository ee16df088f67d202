"""What a rule sees and what it reports, shared by the CrossGuard pack and the offline runner.

Nothing here imports Pulumi: the pack (`policies/`) adapts `pulumi_policy` arguments to these
types, and the offline runner adapts `shipyard.render` output to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

EnforcementLevel = Literal["advisory", "mandatory", "disabled"]
ENFORCEMENT_LEVELS: tuple[EnforcementLevel, ...] = ("advisory", "mandatory", "disabled")

PolicyConfig = Mapping[str, Any]
"""A rule's own settings, defaults already applied (e.g. `{"monthlyBudgetUsd": 5000}`)."""


@dataclass(frozen=True)
class Resource:
    """One resource as a rule sees it: its type token, name, inputs in wire format (camelCase),
    and the resource options the engine exposes to analyzers."""

    type: str
    name: str
    props: Mapping[str, Any]
    urn: str = ""
    protect: bool = False
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Input property name -> URNs of the resources that property's value came from."""


@dataclass(frozen=True)
class Violation:
    """A stack rule's finding; `urn` names the offending resource, or is None for the stack."""

    message: str
    urn: str | None = None


ResourceCheck = Callable[[Resource, PolicyConfig], list[str]]
StackCheck = Callable[[Sequence[Resource], PolicyConfig], list[Violation]]


@dataclass(frozen=True)
class Rule:
    """One policy: a kebab-case name, a "Requires…"/"Prohibits…" description, a default
    enforcement level, and exactly one plain check function."""

    name: str
    description: str
    enforcement_level: EnforcementLevel
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    config_schema: Mapping[str, Any] = field(default_factory=dict)
    """JSON Schema `properties` of the rule's own settings; each has a `default`."""

    def __post_init__(self) -> None:
        if (self.resource_check is None) == (self.stack_check is None):
            raise ValueError(f"rule `{self.name}` needs exactly one of resource_check, stack_check")

    @property
    def is_stack_rule(self) -> bool:
        return self.stack_check is not None

    def settings(self, configured: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The rule's settings: schema defaults overlaid with what was configured."""
        defaults = {
            key: schema["default"]
            for key, schema in self.config_schema.items()
            if "default" in schema
        }
        return {**defaults, **(configured or {})}

    def evaluate(
        self, resources: Sequence[Resource], configured: Mapping[str, Any] | None = None
    ) -> list[tuple[Resource | None, str]]:
        """Every violation of this rule over `resources`, each with its resource (or None)."""
        settings = self.settings(configured)
        if self.resource_check is not None:
            check = self.resource_check
            return [(r, message) for r in resources for message in check(r, settings)]
        assert self.stack_check is not None
        by_urn = {resource.urn: resource for resource in resources}
        return [
            (by_urn.get(v.urn) if v.urn else None, v.message)
            for v in self.stack_check(resources, settings)
        ]
