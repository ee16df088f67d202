"""What Prometheus scrapes of `spec.analytics`: ClickHouse's own `<prometheus>` endpoint,
which the installation turns on with `spec.monitoring` (container port `metrics`)."""

from __future__ import annotations

from components.clickhouse.manifests import CHI_POD_LABEL, METRICS_PORT_NAME
from components.monitoring.args import ScrapeTarget
from shipyard.blueprint.platform import Platform


def analytics_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    analytics = platform.spec.analytics
    if analytics is None:
        return []
    return [
        ScrapeTarget(
            name=analytics.name,
            title="ClickHouse",
            exporter="clickhouse",
            selector={CHI_POD_LABEL: analytics.name},
            port=METRICS_PORT_NAME,
            isolated=True,
            down_impact="The gateway's request logs are not written.",
        )
    ]
