"""ClickHouse in the platform's picture: one cylinder in the data layer (shards and replicas
collapsed), the gateway's request logs into it, and the apps that read (or also write) it."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id
from shipyard.sections.analytics.checks import gateway_logs_wired
from shipyard.sections.analytics.model import AnalyticsSpec, AnalyticsUse
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.graph import app_node_id
from shipyard.sections.gateway.graph import gateway_node_id

ANALYTICS_KIND = "analytics"


def analytics_node_id(name: str) -> str:
    return node_id(ANALYTICS_KIND, name)


def _details(spec: AnalyticsSpec) -> tuple[str, ...]:
    lines = [f"ClickHouse {spec.shards} shard x {spec.replicas} · {spec.storage.size} each"]
    if spec.keeper is not None:
        lines.append(f"Keeper x{spec.keeper.replicas}")
    return tuple(lines)


def analytics_graph(platform: Platform) -> GraphPart:
    spec = platform.spec.analytics
    if spec is None:
        return GraphPart()
    me = analytics_node_id(spec.name)
    part = GraphPart(
        nodes=[
            Node(
                me,
                ANALYTICS_KIND,
                spec.name,
                "data",
                _details(spec),
                "cylinder",
                digest=digest(spec),
            )
        ]
    )
    gateway = platform.spec.gateway
    if gateway is not None and gateway_logs_wired(platform):
        part.edges.append(Edge(gateway_node_id(gateway.name), me, "logs", "logs"))
    readonly: dict[str, bool] = {}
    for app, use in uses_of(platform, "analytics"):
        assert isinstance(use, AnalyticsUse)
        readonly[app.name] = readonly.get(app.name, True) and use.readonly
    for name, only_reads in readonly.items():
        part.edges.append(
            Edge(app_node_id(name), me, "analytics", "read" if only_reads else "readWrite")
        )
    return part
