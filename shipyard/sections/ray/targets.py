"""What Prometheus scrapes of `spec.ray`: every Ray node's metrics export port, which
KubeRay opens on each pod as the container port `metrics` (8080;
ray-operator controllers/ray/common/pod.go, `DefaultMetricsPort`)."""

from __future__ import annotations

from components.monitoring.args import ScrapeTarget
from shipyard.blueprint.platform import Platform

# KubeRay labels every pod of every Ray cluster `ray.io/is-ray-node: yes`; a RayService's
# clusters have generated names, so the cluster name cannot select them.
RAY_NODE_LABELS = {"ray.io/is-ray-node": "yes"}


def ray_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    if platform.spec.ray is None:
        return []
    return [
        ScrapeTarget(
            name="ray",
            title="Ray",
            exporter="ray",
            selector=RAY_NODE_LABELS,
            port="metrics",
            # Ray's NetworkPolicy admits only its own pods and the operator.
            isolated=True,
            down_impact="Batch jobs and Serve applications stop.",
        )
    ]
