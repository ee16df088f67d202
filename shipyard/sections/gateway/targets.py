"""What Prometheus scrapes of `spec.gateway`: LiteLLM's `/metrics` (its `prometheus`
callback, which the gateway's config turns on with `spec.monitoring`)."""

from __future__ import annotations

from components.gateway.manifests import selector_labels
from components.monitoring.args import ScrapeTarget
from shipyard.blueprint.platform import Platform


def gateway_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    gateway = platform.spec.gateway
    if gateway is None:
        return []
    labels = selector_labels(gateway.name)
    return [
        ScrapeTarget(
            name=gateway.name,
            title="AI gateway",
            exporter="litellm",
            kind="service",
            selector=labels,
            pod_selector=labels,
            port="http",
            isolated=True,
            down_severity="critical",
            down_impact="Clients of every model get no answer.",
        )
    ]
