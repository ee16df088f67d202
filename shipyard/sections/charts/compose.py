"""Each chart as a `PinnedChart`, after the sections and charts it depends on."""

from __future__ import annotations

import pulumi

from components.helm_chart.component import PinnedChart
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.charts.args import chart_args
from shipyard.sections.charts.checks import DEPENDABLE_SECTIONS
from shipyard.sections.charts.model import ChartSpec


def _section_resources(composed: ComposedPlatform, key: str) -> list[pulumi.Resource]:
    attribute = DEPENDABLE_SECTIONS[key]
    if key == "objectStore":
        found: object = composed.object_store or composed.minio
    else:
        found = getattr(composed, attribute, None)
    if isinstance(found, dict):
        return list(found.values())
    return [found] if isinstance(found, pulumi.Resource) else []


def _ordered(charts: list[ChartSpec]) -> list[ChartSpec]:
    """Charts after the charts they depend on (the checks refused cycles)."""
    names = {chart.name for chart in charts}
    done: set[str] = set()
    ordered: list[ChartSpec] = []
    while len(ordered) < len(charts):
        for chart in charts:
            if chart.name not in done and all(
                d in done or d not in names for d in chart.depends_on
            ):
                ordered.append(chart)
                done.add(chart.name)
                break
        else:
            raise ValueError("charts depend on each other in a cycle")
    return ordered


def compose_charts(platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs) -> None:
    for spec in _ordered(list(platform.spec.charts)):
        waits: list[pulumi.Resource] = []
        for name in spec.depends_on:
            if name in composed.charts:
                waits.append(composed.charts[name])
            elif name in DEPENDABLE_SECTIONS:
                waits += _section_resources(composed, name)
        composed.charts[spec.name] = PinnedChart(
            spec.name,
            chart_args(platform, spec),
            opts=composed.in_namespace(*waits),
            credentials=inputs.credentials,
        )
