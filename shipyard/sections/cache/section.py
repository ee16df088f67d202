"""`spec.cache`: Valkey (in the cluster, or ElastiCache on EKS) for the gateway's shared
limits and response cache, and for apps that bind to it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.cache.checks import check_cache
from shipyard.sections.section import Data, Section, SummaryEntry, Volume

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.cost import LineItem
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


def _describe(item: Data) -> str:
    """ "Valkey in the cluster, 3 pods (Sentinel failover), aof on 10Gi each"."""
    if item.get("provider") == "elasticache":
        replicas = int(item.get("replicas", 1))
        return (
            f"ElastiCache for Valkey, {item.get('nodeType')} x {1 + replicas}"
            f"{', Multi-AZ failover' if replicas else ', no failover'}, TLS and auth token"
        )
    pods = int(item.get("replicas", 3))
    storage = item.get("storage") or {}
    persistence = item.get("persistence", "aof")
    kept = (
        f"{persistence} on {storage.get('size')} each" if persistence != "none" else "memory only"
    )
    failover = "Sentinel failover" if pods >= 3 else "no failover"
    return f"Valkey in the cluster, {pods} pod(s) ({failover}), {kept}, TLS and a password"


class CacheSection(Section):
    name = "cache"
    key = "cache"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "cache"), "cache", describe=_describe),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_cache(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.cache.compose import compose_cache

        compose_cache(platform, composed, inputs)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.cache is None:
            return {}
        cache = composed.cache
        # Where it is and which Secret holds the password; never the password.
        return {
            "cache": {
                "host": cache.host,
                "port": cache.port,
                "passwordSecretName": cache.password_secret_name,
            }
        }

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.cache.graph import cache_graph

        return cache_graph(platform)

    def volumes(self, platform: Platform) -> list[Volume]:
        from shipyard.cost import quantity_gib
        from shipyard.sections.cache.model import ValkeyCacheSpec

        spec = platform.spec.cache
        if not isinstance(spec, ValkeyCacheSpec) or spec.storage is None:
            return []
        return [Volume("cache", spec.replicas, quantity_gib(spec.storage.size))]

    def cost_items(self, platform: Platform) -> list[LineItem]:
        from shipyard.sections.cache.cost import elasticache_items

        return elasticache_items(platform)

    def cost_assumptions(self, platform: Platform) -> list[str]:
        from shipyard.sections.cache.cost import cache_assumptions

        return cache_assumptions(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.cache.targets import cache_scrape_targets

        return cache_scrape_targets(platform)

    use_kind = "cache"

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.cache.binding import check_cache_use

        return check_cache_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.cache.binding import bind_cache

        return bind_cache(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.cache.binding import cache_grants

        return cache_grants(dict(use))


SECTION = CacheSection()
