"""docs/reference-platforms.md against the examples: every row of every table names objects
that rendering its example produces, or says the component has no Kubernetes meaning."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from shipyard.render import RenderedResource, render_blueprint

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reference-platforms.md"
HEADING = re.compile(r"^## .+ \(`(blueprints/examples/[\w-]+\.yaml)`\)$")
NO_MEANING = "no Kubernetes meaning"


@functools.cache
def tables() -> dict[str, list[tuple[str, str, list[str]]]]:
    """Example file -> its rows: (component, how it is expressed, the objects named)."""
    found: dict[str, list[tuple[str, str, list[str]]]] = {}
    example = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            example = heading.group(1)
            found[example] = []
        elif example and line.startswith("| ") and not line.startswith(("| component", "| ---")):
            component, how, objects = (cell.strip() for cell in line.strip("|").split(" | "))
            found[example].append((component, how, re.findall(r"`([^`]+/[^`]+)`", objects)))
    return found


def rendered_names(resources: list[RenderedResource]) -> set[str]:
    """`Kind/name` of every object, `Chart/` and `Release/` of Helm, `Type/name` of the rest."""
    names = set()
    for resource in resources:
        if resource.is_kubernetes_object:
            manifest = resource.manifest()
            names.add(f"{manifest['kind']}/{manifest.get('metadata', {}).get('name')}")
        elif resource.type == "kubernetes:helm.sh/v4:Chart":
            names.add(f"Chart/{resource.name}")
        elif resource.type == "kubernetes:helm.sh/v3:Release":
            names.add(f"Release/{resource.name}")
        else:
            names.add(f"{resource.type.rsplit(':', 1)[-1]}/{resource.name}")
    return names


def test_one_table_per_example() -> None:
    examples = sorted(
        f"blueprints/examples/{p.name}" for p in (ROOT / "blueprints" / "examples").glob("*.yaml")
    )
    assert sorted(tables()) == examples
    assert all(len(rows) >= 8 for rows in tables().values())


@pytest.mark.parametrize("example", sorted(tables()))
def test_every_rows_objects_are_rendered(example: str) -> None:
    names = rendered_names(render_blueprint(ROOT / example, ROOT, "example"))
    missing = {}
    for component, how, objects in tables()[example]:
        if not objects:
            assert how.startswith(NO_MEANING), f"{component}: names no objects"
            continue
        absent = [name for name in objects if name not in names]
        if absent:
            missing[component] = absent
    assert missing == {}


@pytest.mark.parametrize("example", sorted(tables()))
def test_every_component_without_objects_is_named_in_the_examples_header(example: str) -> None:
    lines = (ROOT / example).read_text(encoding="utf-8").splitlines()[1:6]
    header = " ".join(line.removeprefix("# ") for line in lines)
    assert "No Kubernetes meaning:" in header
    said = header.split("No Kubernetes meaning:", 1)[1]
    for component, _, objects in tables()[example]:
        if not objects:
            # The header names it (its first word at least) after "No Kubernetes meaning:".
            assert component.split()[0] in said, component
