"""What Prometheus scrapes of `spec.postgres`: each CloudNativePG instance's exporter on
its `metrics` port (9187). Shipyard renders the PodMonitor itself: the Cluster's
`spec.monitoring.enablePodMonitor` is deprecated in CloudNativePG 1.29
(api/v1/cluster_types.go: "create a PodMonitor manually")."""

from __future__ import annotations

from components.monitoring.args import ScrapeTarget
from components.postgres.manifests import CLUSTER_LABEL
from shipyard.blueprint.platform import Platform

# The labels CloudNativePG's own PodMonitor selects (pkg/specs/podmonitor.go).
INSTANCE_ROLE = {"cnpg.io/podRole": "instance"}


def postgres_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    postgres = platform.spec.postgres
    if postgres is None:
        return []
    return [
        ScrapeTarget(
            name=postgres.name,
            title="PostgreSQL",
            exporter="cnpg",
            selector={CLUSTER_LABEL: postgres.name, **INSTANCE_ROLE},
            port="metrics",
            # Shipyard's NetworkPolicy admits only consumers and the operator.
            isolated=True,
            down_impact="Virtual keys, spend and the vector stores are unavailable.",
        )
    ]
