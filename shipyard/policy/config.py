"""Policy settings in the format of `pulumi preview --policy-pack-config FILE`.

The same JSON file serves both runners:

    {
      "all": "advisory",
      "pinned-images": "disabled",
      "monthly-cost-within-budget": {"enforcementLevel": "advisory", "monthlyBudgetUsd": 5000}
    }

`all` sets every rule's level; a rule's own entry wins over it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from shipyard.policy.model import ENFORCEMENT_LEVELS, EnforcementLevel, Rule
from shipyard.policy.rules import RULES

ALL = "all"
LEVEL_KEY = "enforcementLevel"


class PolicyConfigError(ValueError):
    """A policy config that names an unknown rule or level; the message says which."""


@dataclass(frozen=True)
class PolicySettings:
    """Per-rule enforcement levels and settings; rules not named keep their defaults."""

    levels: Mapping[str, EnforcementLevel] = field(default_factory=dict)
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def level(self, rule: Rule) -> EnforcementLevel:
        return self.levels.get(rule.name, rule.enforcement_level)

    def config(self, rule: Rule) -> Mapping[str, Any]:
        return self.properties.get(rule.name, {})


def _level(value: Any, where: str) -> EnforcementLevel:
    if value not in ENFORCEMENT_LEVELS:
        raise PolicyConfigError(
            f"{where}: `{value}` is not an enforcement level; use one of "
            + ", ".join(f"`{level}`" for level in ENFORCEMENT_LEVELS)
        )
    return cast(EnforcementLevel, value)


def parse_policy_config(data: Any, rules: Sequence[Rule] = RULES) -> PolicySettings:
    if not isinstance(data, Mapping):
        raise PolicyConfigError("the policy config must be a JSON object keyed by policy name")
    known = {rule.name: rule for rule in rules}
    levels: dict[str, EnforcementLevel] = {}
    properties: dict[str, dict[str, Any]] = {}
    if ALL in data:
        value = data[ALL]
        level = value.get(LEVEL_KEY) if isinstance(value, Mapping) else value
        levels = {name: _level(level, f"`{ALL}`") for name in known}
    for name, value in data.items():
        if name == ALL:
            continue
        if name not in known:
            raise PolicyConfigError(
                f"`{name}` is not a Shipyard policy; known: {', '.join(sorted(known))}"
            )
        if isinstance(value, Mapping):
            if LEVEL_KEY in value:
                levels[name] = _level(value[LEVEL_KEY], f"`{name}.{LEVEL_KEY}`")
            settings = {k: v for k, v in value.items() if k != LEVEL_KEY}
            unknown = sorted(set(settings) - set(known[name].config_schema))
            if unknown:
                raise PolicyConfigError(
                    f"`{name}.{unknown[0]}` is not a setting of `{name}`; it takes "
                    + (", ".join(f"`{k}`" for k in known[name].config_schema) or "none")
                )
            properties[name] = settings
        else:
            levels[name] = _level(value, f"`{name}`")
    return PolicySettings(levels=levels, properties=properties)


def load_policy_config(path: Path, rules: Sequence[Rule] = RULES) -> PolicySettings:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyConfigError(
            f"{path}: cannot read the policy config: {error.strerror}"
        ) from None
    except json.JSONDecodeError as error:
        raise PolicyConfigError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
        ) from None
    try:
        return parse_policy_config(data, rules)
    except PolicyConfigError as error:
        raise PolicyConfigError(f"{path}: {error}") from None
