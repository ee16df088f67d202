"""`spec.charts`: pinned Helm charts, expanded into objects render, plan and policy see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.section import Data, Section, SummaryEntry

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


def _describe(chart: Data) -> str:
    source = (
        chart.get("path") or f"{chart.get('repository')} {chart.get('chart') or chart.get('name')}"
    )
    return f"`{source}` {chart.get('version')}"


class ChartsSection(Section):
    name = "charts"
    key = "charts"
    # After every section a chart may `dependsOn` (and after the manifests, whose CRDs a
    # chart's objects may need).
    compose_after: ClassVar[tuple[str, ...]] = (
        "cluster",
        "postgres",
        "cache",
        "object_store",
        "events",
        "analytics",
        "ray",
        "gateway",
        "models",
        "manifests",
    )
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "charts"), "Helm chart", "name", _describe),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        from shipyard.sections.charts.checks import check_charts

        return check_charts(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.charts.compose import compose_charts

        compose_charts(platform, composed, inputs)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if not composed.charts:
            return {}
        return {
            "charts": {
                name: {"secretNames": chart.secret_names} for name, chart in composed.charts.items()
            }
        }

    use_kind = "chart"

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.charts.binding import check_chart_use

        return check_chart_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.charts.binding import bind_chart

        return bind_chart(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.charts.binding import chart_grants

        return chart_grants(dict(use))

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.charts.graph import charts_graph

        return charts_graph(platform)


SECTION = ChartsSection()
