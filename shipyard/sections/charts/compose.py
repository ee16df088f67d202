"""Each chart as a `PinnedChart`, after the sections and charts it depends on."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.helm_chart.component import PinnedChart
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.charts.args import chart_args
from shipyard.sections.charts.checks import DEPENDABLE_SECTIONS
from shipyard.sections.charts.model import ChartSpec
from shipyard.sections.cluster.compose import POD_SECURITY


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


def _namespaces(platform: Platform, composed: ComposedPlatform) -> dict[str, k8s.core.v1.Namespace]:
    """A Namespace for each chart `namespace` other than the platform's, enforcing the
    same `restricted` Pod Security Standard; charts sharing one share it."""
    made = {}
    for spec in platform.spec.charts:
        name = spec.namespace
        if name is None or name == platform.namespace or name in made:
            continue
        made[name] = k8s.core.v1.Namespace(
            f"{platform.metadata.name}-chart-namespace-{name}",
            metadata={
                "name": name,
                "labels": {**platform.metadata.labels, **POD_SECURITY},
            },
            opts=pulumi.ResourceOptions(provider=composed.provider),
        )
    return made


def compose_charts(platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs) -> None:
    namespaces = _namespaces(platform, composed)
    for spec in _ordered(list(platform.spec.charts)):
        waits: list[pulumi.Resource] = []
        if spec.namespace in namespaces:
            waits.append(namespaces[spec.namespace])
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
