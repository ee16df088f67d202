"""Charts in the platform's picture: one hexagon per chart in the apps layer (its chart and
version), the charts and sections it waits for, and the apps bound to its Services."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.graph import app_node_id
from shipyard.sections.charts.model import ChartSpec, ChartUse

CHART_KIND = "chart"


def chart_node_id(name: str) -> str:
    return node_id(CHART_KIND, name)


def _details(spec: ChartSpec) -> tuple[str, ...]:
    source = spec.path or spec.chart_name
    lines = [f"Helm `{source}` {spec.version}"]
    if spec.mirror:
        lines.append(f"mirror {spec.mirror}")
    return tuple(lines)


def charts_graph(platform: Platform) -> GraphPart:
    part = GraphPart()
    names = {chart.name for chart in platform.spec.charts}
    for spec in platform.spec.charts:
        me = chart_node_id(spec.name)
        part.nodes.append(
            Node(me, CHART_KIND, spec.name, "apps", _details(spec), "hexagon", digest=digest(spec))
        )
        for other in spec.depends_on:
            if other in names:
                part.edges.append(Edge(me, chart_node_id(other), "dependsOn", "after", "dotted"))
    for app, use in uses_of(platform, CHART_KIND):
        assert isinstance(use, ChartUse)
        part.edges.append(
            Edge(app_node_id(app.name), chart_node_id(use.chart), "chart", f"port {use.port}")
        )
    return part
