"""What `spec.cache` adds to `shipyard cost`: ElastiCache nodes (pure). In-cluster Valkey
runs on the node pools, which are priced already; its volumes are priced as data
volumes (`CacheSection.volumes`)."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.cost import HOURS_PER_MONTH, LineItem, Sizes
from shipyard.facts.cache_nodes import PRICE_REGION, lookup_cache_node
from shipyard.sections.cache.model import ElastiCacheSpec, ValkeyCacheSpec


def elasticache_items(platform: Platform) -> list[LineItem]:
    spec = platform.spec.cache
    if not isinstance(spec, ElastiCacheSpec):
        return []
    node = lookup_cache_node(spec.node_type)
    if node is None:
        return []
    nodes = 1 + spec.replicas
    return [
        LineItem(
            "cache (ElastiCache)",
            f"{nodes} x {spec.node_type} at ${node.on_demand_usd_per_hour}/h ({PRICE_REGION})",
            Sizes.flat(nodes * node.on_demand_usd_per_hour * HOURS_PER_MONTH),
        )
    ]


def cache_assumptions(platform: Platform) -> list[str]:
    spec = platform.spec.cache
    if isinstance(spec, ElastiCacheSpec):
        if lookup_cache_node(spec.node_type) is None:
            return [f"ElastiCache node type `{spec.node_type}` has no known price; not counted"]
        return ["ElastiCache snapshots beyond one per node and data transfer are not priced"]
    if isinstance(spec, ValkeyCacheSpec):
        return ["the in-cluster cache's pods run on the node pools, which are priced already"]
    return []
