"""`shipyard plan`'s lines for apps (pure): added and removed apps, image changes as
tags, other field changes, and access gained and lost through `uses:`, each binding
kind phrased by its own section (`Section.grants`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Data = Mapping[str, Any]


def _apps(data: Data) -> dict[str, Data]:
    items = (data.get("spec") or {}).get("apps") or []
    return {str(item.get("name")): item for item in items if isinstance(item, Mapping)}


def image_change(old: str, new: str) -> str:
    """`registry/x:1.4.2`, `registry/x:1.5.0` -> "`1.4.2` -> `1.5.0`"; the whole
    reference when the repository changes too."""
    old_repo, _, old_tag = old.rpartition(":")
    new_repo, _, new_tag = new.rpartition(":")
    if old_repo == new_repo and "/" not in old_tag and "@" not in old_repo:
        return f"`{old_tag}` -> `{new_tag}`"
    return f"`{old}` -> `{new}`"


def describe_app(item: Data) -> str:
    replicas = item.get("replicas")
    scaling = item.get("autoscaling")
    if isinstance(scaling, Mapping):
        scale = f"{scaling.get('minReplicas')}-{scaling.get('maxReplicas')} replicas"
    else:
        scale = f"{replicas} replica{'' if replicas == 1 else 's'}"
    workload = item.get("workload", "deployment")
    kinds = sorted({str(use.get("kind")) for use in item.get("uses") or []})
    uses = f", uses {', '.join(kinds)}" if kinds else ""
    return f"`{item.get('image')}`, {workload}, {scale}{uses}"


def grants(item: Data) -> set[str]:
    from shipyard.sections.registry import BINDABLE

    found: set[str] = set()
    for use in item.get("uses") or []:
        section = BINDABLE.get(str(use.get("kind")))
        if section is not None:
            found |= section.grants(use)
    return found


def _field_lines(name: str, old: Data, new: Data) -> list[str]:
    from shipyard.gitops.blueprint_summary import field_changes, render_value

    skip = {"image", "uses"}
    lines = []
    if old.get("image") != new.get("image"):
        lines.append(
            f"app `{name}`: image {image_change(str(old.get('image')), str(new.get('image')))}"
        )
    before = {k: v for k, v in old.items() if k not in skip}
    after = {k: v for k, v in new.items() if k not in skip}
    for path, o, n in field_changes(before, after):
        lines.append(f"app `{name}`: {path} {render_value(o)} -> {render_value(n)}")
    return lines


def summarize_apps(before: Data, after: Data) -> list[str]:
    old, new = _apps(before), _apps(after)
    lines = [
        f"app `{name}` added ({describe_app(item)})"
        for name, item in new.items()
        if name not in old
    ]
    lines += [f"app `{name}` removed" for name in old if name not in new]
    for name, item in new.items():
        if name not in old:
            continue
        lines += _field_lines(name, old[name], item)
        had, has = grants(old[name]), grants(item)
        lines += [f"app `{name}` gains {grant}" for grant in sorted(has - had)]
        lines += [f"app `{name}` loses {grant}" for grant in sorted(had - has)]
        if had == has and old[name].get("uses") != item.get("uses"):
            lines.append(f"app `{name}`: bindings renamed or their env changed")
    return lines
