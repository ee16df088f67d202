"""The offline runner: the pack's rule functions over rendered resources, no engine.

`shipyard validate --policies` uses it today and `shipyard plan` can reuse it: render, then

    findings = evaluate(resources_from_render(rendered), settings, stack="prod")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shipyard.policy.config import PolicySettings
from shipyard.policy.model import EnforcementLevel, Resource, Rule
from shipyard.policy.rules import RULES

STACK_TYPE = "pulumi:pulumi:Stack"


class Rendered(Protocol):
    """What the runner needs of `shipyard.render.RenderedResource` (kept structural so this
    module does not import Pulumi)."""

    @property
    def urn(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def property_dependencies(self) -> Mapping[str, Sequence[str]]: ...


@dataclass(frozen=True)
class Finding:
    policy: str
    level: EnforcementLevel
    resource_type: str
    resource_name: str
    message: str

    @property
    def mandatory(self) -> bool:
        return self.level == "mandatory"

    def render(self, file: str) -> str:
        """`FILE: policy-name (level): resource-type name: message`."""
        return (
            f"{file}: {self.policy} ({self.level}): "
            f"{self.resource_type} {self.resource_name}: {self.message}"
        )


def resources_from_render(rendered: Iterable[Rendered]) -> list[Resource]:
    return [
        Resource(
            type=r.type,
            name=r.name,
            props=r.inputs,
            urn=r.urn,
            protect=r.protect,
            property_dependencies=r.property_dependencies,
        )
        for r in rendered
    ]


def evaluate(
    resources: Sequence[Resource],
    settings: PolicySettings | None = None,
    rules: Sequence[Rule] = RULES,
    stack: str = "stack",
) -> list[Finding]:
    """Every violation of every enabled rule, mandatory ones first, then in rule order."""
    settings = settings or PolicySettings()
    findings = []
    for rule in rules:
        level = settings.level(rule)
        if level == "disabled":
            continue
        for resource, message in rule.evaluate(resources, settings.config(rule)):
            findings.append(
                Finding(
                    policy=rule.name,
                    level=level,
                    resource_type=resource.type if resource else STACK_TYPE,
                    resource_name=resource.name if resource else stack,
                    message=message,
                )
            )
    return sorted(findings, key=lambda finding: not finding.mandatory)
