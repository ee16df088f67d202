"""Every `spec` key is a registered section, named as the user writes it."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint.platform import PlatformSpec
from shipyard.sections.registry import BY_NAME, SECTIONS

# `spec.namespace` and `spec.chartMirrors` are plain settings, not sections.
NOT_SECTIONS = {"namespace", "chart_mirrors"}


def test_every_spec_field_is_a_section() -> None:
    fields = set(PlatformSpec.model_fields) - NOT_SECTIONS
    assert {section.name for section in SECTIONS} == fields


def test_section_keys_are_the_blueprint_keys() -> None:
    for name, field in PlatformSpec.model_fields.items():
        if name in NOT_SECTIONS:
            continue
        assert BY_NAME[name].key == field.alias, name


def test_section_packages_are_named_after_their_field() -> None:
    for section in SECTIONS:
        assert type(section).__module__ == f"shipyard.sections.{section.name}.section"


def test_summary_entries_sit_under_their_own_key() -> None:
    for section in SECTIONS:
        for entry in section.summary:
            assert entry.path[:2] == ("spec", section.key), entry


def test_every_use_kind_has_the_section_that_binds_it() -> None:
    import typing

    from shipyard.sections.apps.uses import Use
    from shipyard.sections.registry import BINDABLE
    from shipyard.sections.section import Section

    union = typing.get_args(Use)[0]
    kinds = {
        typing.get_args(model.model_fields["kind"].annotation)[0]
        for model in typing.get_args(union)
    }
    assert (
        kinds
        == set(BINDABLE)
        == {"postgres", "events", "objectStore", "analytics", "gateway", "cache", "app", "chart"}
    )
    for kind, section in BINDABLE.items():
        assert type(section).bind is not Section.bind, kind


DRAW_NOTHING = {"cluster", "budget", "monitoring"}
"""Sections with nothing of their own in the picture: the cluster holds it all, a budget is
a number, and monitoring watches every workload (an edge to each would double the edges;
the plan names its changes in words)."""


def test_every_section_draws_itself(tmp_path: Path) -> None:
    """Each section, in the blueprint with every section (tests/graph/everything.py), adds
    its nodes to the picture; every bindable section draws its apps' bindings as edges."""
    from shipyard.sections.registry import BINDABLE
    from tests.graph.everything import everything

    platform = everything(tmp_path)
    for section in SECTIONS:
        part = section.graph(platform)
        if section.name in DRAW_NOTHING:
            assert (part.nodes, part.groups, part.edges) == ([], [], []), section.name
            continue
        assert part.nodes, (
            f"section `{section.key}` draws nothing: declare it in tests/graph/everything.py "
            "and implement `Section.graph` in its package (see shipyard/graph/model.py)"
        )
    for kind, section in BINDABLE.items():
        from_apps = [e for e in section.graph(platform).edges if e.source.startswith("app/")]
        assert from_apps, f"the `{kind}` bindings of apps are not drawn"
