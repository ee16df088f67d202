"""What Prometheus scrapes of `spec.models`: every vLLM server's `/metrics`."""

from __future__ import annotations

from components.monitoring.args import ScrapeTarget
from components.vllm.manifests import model_server_labels
from shipyard.blueprint.platform import Platform

VLLM_TARGET = "vllm"


def model_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    if not platform.spec.models:
        return []
    return [
        ScrapeTarget(
            name=VLLM_TARGET,
            title="vLLM model servers",
            exporter="vllm",
            selector=model_server_labels(),
            port="http",
            # Their NetworkPolicy admits only the gateway and one metrics namespace.
            isolated=True,
            # Watched per model (ModelDown), not as one target.
            down_severity=None,
        )
    ]
