"""Changed paths -> affected stacks: a pure function, so CI and tests agree on it.

A stack is `stacks/Pulumi.<stack>.yaml`; its `shipyard:blueprint` names its blueprint.

- the stack's config, or the blueprint it names: that stack;
- `components/`, `shipyard/`, `policies/`, any `stacks/*.py`, `Pulumi.yaml`, dependency
  files: every stack;
- anything else (docs, tests, README, workflows, `blueprints/schema.json`): no stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

STACKS_DIR = "stacks"
STACK_CONFIG = re.compile(r"stacks/Pulumi\.(?P<stack>[^/]+)\.ya?ml")
BLUEPRINT_CONFIG_KEY = "shipyard:blueprint"
PROMOTION_ORDER = ("dev", "staging", "prod")
"""Stacks are applied in this order; any other stack follows, alphabetically."""

PROGRAM_DIRECTORIES = ("components/", "shipyard/", "policies/")
"""Code every stack runs: a change here affects every stack."""
PROGRAM_FILES = frozenset(
    {
        "Pulumi.yaml",
        "pyproject.toml",
        "requirements.txt",
        "requirements-dev.txt",
        "uv.lock",
        "poetry.lock",
        "setup.py",
        "setup.cfg",
    }
)
"""The project file and dependency files: a change here affects every stack."""


@dataclass(frozen=True)
class Stack:
    name: str
    config_path: str
    """`stacks/Pulumi.<name>.yaml`, relative to the project root."""
    blueprint: str | None
    """The `shipyard:blueprint` value, relative to the project root; None if unset."""


@dataclass(frozen=True)
class AffectedStack:
    stack: Stack
    reasons: tuple[str, ...] = field(default=())
    """The changed paths that affect it, each `path (why)`."""


def is_program_path(path: str) -> bool:
    """Whether a change to `path` changes what every stack's program does."""
    if path in PROGRAM_FILES or path.startswith(PROGRAM_DIRECTORIES):
        return True
    return path.startswith(f"{STACKS_DIR}/") and path.endswith(".py")


def stack_name_of(path: str) -> str | None:
    """`stacks/Pulumi.dev.yaml` -> `dev`; None for any other path."""
    match = STACK_CONFIG.fullmatch(path)
    return match.group("stack") if match else None


def blueprint_of_config(text: str) -> str | None:
    """The `shipyard:blueprint` value of a stack config's text, or None if absent or unreadable."""
    try:
        data: Any = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        return None
    config = data.get("config") if isinstance(data, dict) else None
    value = config.get(BLUEPRINT_CONFIG_KEY) if isinstance(config, dict) else None
    if isinstance(value, dict):  # the long form: `shipyard:blueprint: {value: ...}`
        value = value.get("value")
    return value if isinstance(value, str) and value else None


def discover_stacks(configs: Mapping[str, str]) -> dict[str, Stack]:
    """Stacks from `{path: text}` of the files under `stacks/`; other paths are ignored."""
    stacks = {}
    for path, text in configs.items():
        name = stack_name_of(path)
        if name is not None:
            stacks[name] = Stack(name, path, blueprint_of_config(text))
    return stacks


def promotion_key(name: str) -> tuple[int, str]:
    """Sort key: dev, staging, prod, then every other stack by name."""
    if name in PROMOTION_ORDER:
        return (PROMOTION_ORDER.index(name), "")
    return (len(PROMOTION_ORDER), name)


def in_promotion_order(names: Iterable[str]) -> list[str]:
    return sorted(set(names), key=promotion_key)


def affected_stacks(changed: Iterable[str], stacks: Mapping[str, Stack]) -> list[AffectedStack]:
    """The stacks that `changed` paths (relative to the project root) affect, in promotion
    order, each with the paths that affect it."""
    reasons: dict[str, list[str]] = {}
    by_blueprint: dict[str, list[str]] = {}
    for stack in stacks.values():
        if stack.blueprint is not None:
            by_blueprint.setdefault(_normalize(stack.blueprint), []).append(stack.name)
    for path in sorted(set(changed)):
        if is_program_path(path):
            for name in stacks:
                reasons.setdefault(name, []).append(f"{path} (program)")
            continue
        configured = stack_name_of(path)
        if configured is not None and configured in stacks:
            reasons.setdefault(configured, []).append(f"{path} (stack config)")
            continue
        for name in by_blueprint.get(_normalize(path), []):
            reasons.setdefault(name, []).append(f"{path} (blueprint)")
    return [
        AffectedStack(stacks[name], tuple(reasons[name])) for name in in_promotion_order(reasons)
    ]


def _normalize(path: str) -> str:
    """`./blueprints/dev.yaml` and `blueprints//dev.yaml` -> `blueprints/dev.yaml`."""
    return "/".join(part for part in path.split("/") if part not in ("", "."))


def affected_between(
    changed: Iterable[str], base: Mapping[str, Stack], head: Mapping[str, Stack]
) -> list[AffectedStack]:
    """`affected_stacks` over the stacks of both revisions: a stack added, removed, or whose
    blueprint moved is affected by its old and its new files alike."""
    paths = list(changed)
    merged: dict[str, list[str]] = {}
    for stacks in (base, head):
        for item in affected_stacks(paths, stacks):
            merged.setdefault(item.stack.name, []).extend(item.reasons)
    return [
        AffectedStack(head.get(name) or base[name], tuple(dict.fromkeys(merged[name])))
        for name in in_promotion_order(merged)
    ]
