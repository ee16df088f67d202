"""What Prometheus scrapes of `spec.gitops`: the reconciler's `/metrics`
(shipyard/gitops/metrics.py) on its `http` port."""

from __future__ import annotations

from components.gitops_reconciler.manifests import selector_labels
from components.monitoring.args import ScrapeTarget
from shipyard.blueprint.platform import Platform


def gitops_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    gitops = platform.spec.gitops
    if gitops is None:
        return []
    return [
        ScrapeTarget(
            name=gitops.name,
            title="GitOps reconciler",
            exporter="shipyard-reconciler",
            selector=selector_labels(gitops.name),
            port="http",
            isolated=True,
            # ReconcilerNoLeader fires when no replica is up, with more to say.
            down_severity=None,
        )
    ]
