"""ElastiCache for Valkey node types and their on-demand price.

Source: the Amazon ElastiCache pricing page (aws.amazon.com/elasticache/pricing),
node-based clusters, region `us-east-1`, read 2026-11. ElastiCache prices Valkey nodes
20% below the same Redis OSS nodes (AWS announcement "Amazon ElastiCache for Valkey",
2024-10-08); the figures below are the Redis OSS list prices x 0.8, rounded to 0.1 cent.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICE_REGION = "us-east-1"
SOURCE = "Amazon ElastiCache pricing page, node-based Valkey, us-east-1, read 2026-11"


@dataclass(frozen=True)
class CacheNode:
    vcpu: int
    memory_gib: float
    on_demand_usd_per_hour: float
    source: str = SOURCE


CACHE_NODES: dict[str, CacheNode] = {
    "cache.t4g.micro": CacheNode(2, 0.5, 0.0128),
    "cache.t4g.small": CacheNode(2, 1.37, 0.0256),
    "cache.t4g.medium": CacheNode(2, 3.09, 0.0520),
    "cache.m7g.large": CacheNode(2, 6.38, 0.1264),
    "cache.m7g.xlarge": CacheNode(4, 12.93, 0.2528),
    "cache.r7g.large": CacheNode(2, 13.07, 0.1752),
    "cache.r7g.xlarge": CacheNode(4, 26.32, 0.3496),
    "cache.r7g.2xlarge": CacheNode(8, 52.82, 0.6992),
}


def lookup_cache_node(node_type: str) -> CacheNode | None:
    return CACHE_NODES.get(node_type)
