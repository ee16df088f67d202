"""A blueprint change in plain words: "model `llama-8b`: replicas 1 -> 2".

Works on two loaded `Platform`s, dumped with their aliases (the keys a user writes), so
it needs no knowledge of each section beyond the table of named collections below.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shipyard.blueprint import Platform

Data = Mapping[str, Any]


@dataclass(frozen=True)
class Section:
    path: tuple[str, ...]
    label: str
    key: str | None = None
    """The field naming each item of a list section; None for a single object."""


SECTIONS = (
    Section(("spec", "nodePools"), "node pool", "name"),
    Section(("spec", "models"), "model", "name"),
    Section(("spec", "gateway"), "gateway"),
    Section(("spec", "gateway", "routes"), "gateway route", "model"),
    Section(("spec", "ray"), "Ray"),
    Section(("spec", "ray", "workerGroups"), "Ray worker group", "name"),
    Section(("spec", "ray", "serveApplications"), "Ray Serve application", "name"),
    Section(("spec", "objectStore"), "object store"),
    Section(("spec", "objectStore", "buckets"), "bucket", "name"),
    Section(("spec", "objectStore", "consumers"), "object store consumer", "name"),
    Section(("spec", "postgres"), "Postgres"),
    Section(("spec", "postgres", "vectorStores"), "vector store", "table"),
    Section(("spec", "analytics"), "ClickHouse"),
    Section(("spec", "analytics", "users"), "ClickHouse user", "name"),
    Section(("spec", "events"), "Kafka"),
    Section(("spec", "events", "topics"), "Kafka topic", "name"),
    Section(("spec", "events", "users"), "Kafka user", "name"),
    Section(("spec", "gitops"), "GitOps reconciler"),
)
"""Named things a reader thinks in; everything else is reported under `platform`."""


def _describe_model(item: Data) -> str:
    replicas = item.get("replicas")
    autoscaling = item.get("autoscaling")
    if isinstance(autoscaling, Mapping):
        scale = f"{autoscaling.get('minReplicas')}-{autoscaling.get('maxReplicas')} replicas"
    else:
        scale = f"{replicas} replica{'' if replicas == 1 else 's'}"
    return f"`{item.get('model')}` on pool `{item.get('nodePool')}`, {scale}"


def _describe_pool(item: Data) -> str:
    gpu = item.get("gpu")
    kind = f"{gpu.get('count')} x {gpu.get('type')}" if isinstance(gpu, Mapping) else "no GPUs"
    size = item.get("size") or {}
    return f"{kind}, size {size.get('min')}-{size.get('max')}"


DESCRIBE: dict[str, Callable[[Data], str]] = {
    "model": _describe_model,
    "node pool": _describe_pool,
}


def summarize(base: Platform | None, head: Platform | None) -> list[str]:
    """Plain-word lines for everything that differs between two blueprints.

    `base` None means the stack is new; `head` None means it is gone."""
    before = _dump(base)
    after = _dump(head)
    if before == after:
        return []
    if not before:
        return [f"new stack: {_counts(after)}"]
    if not after:
        return [f"stack removed (had {_counts(before)})"]
    lines: list[str] = []
    for field_path, old, new in field_changes(_strip(before), _strip(after)):
        lines.append(f"platform: {field_path} {render_value(old)} -> {render_value(new)}")
    for section in SECTIONS:
        lines += _section_lines(section, _get(before, section.path), _get(after, section.path))
    return lines


def field_changes(before: Any, after: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """`(dotted.path, old, new)` for every leaf that differs; lists compare as a whole."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes = []
        for key in [*before, *(k for k in after if k not in before)]:
            path = f"{prefix}.{key}" if prefix else str(key)
            changes += field_changes(before.get(key), after.get(key), path)
        return changes
    if before == after:
        return []
    return [(prefix, before, after)]


def render_value(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def _section_lines(section: Section, before: Any, after: Any) -> list[str]:
    nested = _nested_keys(section)
    if section.key is None:
        if before is None and after is None:
            return []
        if before is None:
            return [f"{section.label} added"]
        if after is None:
            return [f"{section.label} removed"]
        changes = field_changes(_without(before, nested), _without(after, nested))
        return [
            f"{section.label}: {p} {render_value(o)} -> {render_value(n)}" for p, o, n in changes
        ]
    old = _by_key(before, section.key)
    new = _by_key(after, section.key)
    describe = DESCRIBE.get(section.label)
    lines = []
    for name, item in new.items():
        if name not in old:
            detail = f" ({describe(item)})" if describe else ""
            lines.append(f"{section.label} `{name}` added{detail}")
    for name in old:
        if name not in new:
            lines.append(f"{section.label} `{name}` removed")
    for name, item in new.items():
        if name in old:
            for path, o, n in field_changes(_without(old[name], nested), _without(item, nested)):
                lines.append(
                    f"{section.label} `{name}`: {path} {render_value(o)} -> {render_value(n)}"
                )
    return lines


def _nested_keys(section: Section) -> set[str]:
    """Keys of `section` that are sections of their own (the gateway's routes)."""
    depth = len(section.path)
    return {
        other.path[depth]
        for other in SECTIONS
        if len(other.path) == depth + 1 and other.path[:depth] == section.path
    }


def _strip(data: Data) -> dict[str, Any]:
    """The blueprint without its sections: what `platform:` lines report."""
    tops = {section.path[1] for section in SECTIONS}
    spec = {k: v for k, v in (data.get("spec") or {}).items() if k not in tops}
    return {**{k: v for k, v in data.items() if k != "spec"}, "spec": spec}


def _without(item: Any, keys: set[str]) -> Any:
    if isinstance(item, Mapping):
        return {k: v for k, v in item.items() if k not in keys}
    return item


def _by_key(items: Any, key: str) -> dict[str, Data]:
    if not isinstance(items, list):
        return {}
    return {str(item.get(key)): item for item in items if isinstance(item, Mapping)}


def _get(data: Data, path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _dump(platform: Platform | None) -> dict[str, Any]:
    return platform.model_dump(mode="json", by_alias=True) if platform is not None else {}


def _counts(data: Data) -> str:
    spec = data.get("spec") or {}
    return (
        f"{len(spec.get('nodePools') or [])} node pool(s), {len(spec.get('models') or [])} model(s)"
    )
