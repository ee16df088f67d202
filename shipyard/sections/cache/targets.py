"""What Prometheus scrapes of `spec.cache`: redis_exporter beside each Valkey pod, on its
`metrics` port (9121), which the cache renders when the blueprint declares
`spec.monitoring`. ElastiCache reports to CloudWatch instead, and has no target here."""

from __future__ import annotations

from components.cache.manifests import selector_labels
from components.monitoring.args import ScrapeTarget
from shipyard.blueprint.platform import Platform
from shipyard.sections.cache.model import ValkeyCacheSpec


def cache_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    cache = platform.spec.cache
    if not isinstance(cache, ValkeyCacheSpec):
        return []
    return [
        ScrapeTarget(
            name=cache.name,
            title="Cache",
            exporter="redis",
            selector=selector_labels(cache.name),
            port="metrics",
            # The Valkey pods admit only each other and HAProxy: Prometheus needs a rule.
            isolated=True,
            down_severity="critical",
            down_impact=(
                "The gateway's shared rate limits, key budgets and cooldowns are gone, and "
                "the apps bound to the cache lose it."
            ),
        )
    ]
