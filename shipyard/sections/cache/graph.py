"""The cache in the platform's picture: one cylinder in the data layer (its pods collapsed,
or the managed replication group), the gateway's edge to it when it keeps its shared
limits (and, with `responseCache`, its answers) there, and an edge from each app bound to
it saying what its user may do (`readWrite worker:*`; on ElastiCache, the shared token)."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id, replicas_text
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.graph import app_node_id
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.cache.binding import key_prefix
from shipyard.sections.cache.model import CacheUse, ElastiCacheSpec, ValkeyCacheSpec
from shipyard.sections.gateway.graph import gateway_node_id

CACHE_KIND = "cache"


def cache_node_id(name: str) -> str:
    return node_id(CACHE_KIND, name)


def cache_details(spec: ValkeyCacheSpec | ElastiCacheSpec) -> tuple[str, ...]:
    if isinstance(spec, ElastiCacheSpec):
        return (f"ElastiCache for Valkey · {spec.node_type} {replicas_text(1 + spec.replicas)}",)
    lines = [f"Valkey {replicas_text(spec.replicas)}"]
    if spec.replicas >= 3:
        lines.append("Sentinel failover")
    if spec.persistence != "none" and spec.storage is not None:
        lines.append(f"{spec.persistence} on {spec.storage.size} each")
    return tuple(lines)


def gateway_label(platform: Platform) -> str:
    """What the gateway keeps in the cache: its limits, and its answers when asked to."""
    gateway = platform.spec.gateway
    assert gateway is not None
    return "limits, answers" if gateway.response_cache is not None else "limits"


def use_label(app: AppSpec, use: CacheUse, spec: ValkeyCacheSpec | ElastiCacheSpec) -> str:
    """`readWrite worker:*`, `read backend:*`; ElastiCache: `shared token`."""
    if isinstance(spec, ElastiCacheSpec):
        return "shared token"
    return f"{use.access} {key_prefix(app, use)}*"


def cache_graph(platform: Platform) -> GraphPart:
    spec = platform.spec.cache
    if spec is None:
        return GraphPart()
    me = cache_node_id(spec.name)
    part = GraphPart(
        nodes=[
            Node(
                me,
                CACHE_KIND,
                spec.name,
                "data",
                cache_details(spec),
                "cylinder",
                digest=digest(spec),
            )
        ]
    )
    if platform.spec.gateway is not None:
        gateway = gateway_node_id(platform.spec.gateway.name)
        part.edges.append(Edge(gateway, me, "cache", gateway_label(platform)))
    for app, use in uses_of(platform, "cache"):
        assert isinstance(use, CacheUse)
        part.edges.append(Edge(app_node_id(app.name), me, "cache", use_label(app, use, spec)))
    return part
