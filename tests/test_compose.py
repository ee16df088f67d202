"""The order `compose_platform` creates sections in."""

from __future__ import annotations

from typing import ClassVar

import pytest

from shipyard.compose import compose_order
from shipyard.sections.registry import SECTIONS
from shipyard.sections.section import Section


def test_each_section_composes_after_what_it_needs() -> None:
    order = [section.name for section in compose_order(SECTIONS)]
    assert order[0] == "cluster"
    assert sorted(order) == sorted(section.name for section in SECTIONS)
    for position, section in enumerate(compose_order(SECTIONS)):
        for needed in section.compose_after:
            assert order.index(needed) < position, (section.name, needed)
    # The gateway logs to ClickHouse and routes to the models; Postgres backs up to MinIO.
    assert order.index("analytics") < order.index("gateway")
    assert order.index("models") < order.index("gateway")
    assert order.index("object_store") < order.index("postgres")


def _section(name: str, after: tuple[str, ...]) -> Section:
    class Named(Section):
        compose_after: ClassVar[tuple[str, ...]] = after

    Named.name = name
    return Named()


def test_the_declared_order_is_kept_where_nothing_is_needed() -> None:
    sections = [_section("a", ()), _section("b", ("c",)), _section("c", ()), _section("d", ())]
    assert [s.name for s in compose_order(sections)] == ["a", "c", "b", "d"]


def test_a_cycle_is_refused() -> None:
    sections = [_section("a", ("b",)), _section("b", ("a",))]
    with pytest.raises(ValueError, match=r"sections \['a', 'b'\] compose after each other"):
        compose_order(sections)
