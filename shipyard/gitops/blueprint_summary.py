"""A blueprint change in plain words: "model `llama-8b`: replicas 1 -> 2".

Works on two loaded `Platform`s, dumped with their aliases (the keys a user writes), so
it needs no knowledge of each section beyond the named collections each declares in its
`summary` (`shipyard.sections.section.SummaryEntry`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shipyard.blueprint import Platform
from shipyard.sections.section import Section, SummaryEntry

Data = Mapping[str, Any]


def _entries() -> tuple[SummaryEntry, ...]:
    """Named things a reader thinks in, as every section declares them; everything else
    is reported under `platform`."""
    from shipyard.sections.registry import SECTIONS

    return tuple(entry for section in SECTIONS for entry in section.summary)


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
    entries = _entries()
    for entry in entries:
        lines += _section_lines(entry, entries, _get(before, entry.path), _get(after, entry.path))
    for section in _summarizing():
        lines += section.summarize(before, after)
    return lines


def _summarizing() -> list[Section]:
    """Sections that phrase their own changes (`Section.summarize`)."""
    from shipyard.sections.registry import SECTIONS

    return [section for section in SECTIONS if section.summarizes]


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


def _section_lines(
    section: SummaryEntry, entries: tuple[SummaryEntry, ...], before: Any, after: Any
) -> list[str]:
    nested = _nested_keys(section, entries)
    if section.key is None:
        if before is None and after is None:
            return []
        if before is None:
            detail = f" ({section.describe(after)})" if section.describe else ""
            return [f"{section.label} added{detail}"]
        if after is None:
            return [f"{section.label} removed"]
        changes = field_changes(_without(before, nested), _without(after, nested))
        return [
            f"{section.label}: {p} {render_value(o)} -> {render_value(n)}" for p, o, n in changes
        ]
    old = _by_key(before, section.key)
    new = _by_key(after, section.key)
    describe = section.describe
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


def _nested_keys(section: SummaryEntry, entries: tuple[SummaryEntry, ...]) -> set[str]:
    """Keys of `section` that are sections of their own (the gateway's routes)."""
    depth = len(section.path)
    return {
        other.path[depth]
        for other in entries
        if len(other.path) == depth + 1 and other.path[:depth] == section.path
    }


def _strip(data: Data) -> dict[str, Any]:
    """The blueprint without its sections: what `platform:` lines report."""
    tops = {entry.path[1] for entry in _entries()} | {s.key for s in _summarizing()}
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
