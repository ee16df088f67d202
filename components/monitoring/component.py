"""`Monitoring`: scrape objects, alert rules and Grafana dashboards for one platform.

Usable on its own from a hand-written Pulumi program:

    from components.monitoring import Monitoring, MonitoringArgs, ScrapeTarget, ServedModel

    Monitoring("monitoring", MonitoringArgs(
        namespace="llm",
        platform="acme",
        targets=(ScrapeTarget(name="vllm", title="vLLM", exporter="vllm",
                              selector={"app.kubernetes.io/name": "vllm"}, port="http"),),
        models=(ServedModel(name="llama-8b", served_name="llama-3.1-8b",
                            ttft_p95_seconds=0.8),),
    ))

With `prometheus="operator"` the PodMonitors, ServiceMonitors and PrometheusRule need the
Prometheus Operator's CRDs (`monitoring.coreos.com/v1`) on the cluster.
"""

from __future__ import annotations

import pulumi

from components.monitoring.args import (
    AlertThresholds,
    MonitoringArgs,
    ScrapeTarget,
    ServedModel,
)
from components.monitoring.manifests import render_objects
from components.shared.k8s_objects import create_object

__all__ = ["AlertThresholds", "Monitoring", "MonitoringArgs", "ScrapeTarget", "ServedModel"]

TYPE_TOKEN = "shipyard:observability:Monitoring"


class Monitoring(pulumi.ComponentResource):
    """PodMonitors/ServiceMonitors and a PrometheusRule (or one plain scrape-config
    ConfigMap), NetworkPolicies that admit the scraper, and dashboard ConfigMaps."""

    monitors: pulumi.Output[list[str]]
    """The PodMonitors and ServiceMonitors (empty with a plain Prometheus)."""
    rules: pulumi.Output[list[str]]
    """The PrometheusRule, or the plain ConfigMap holding `rules.yaml`."""
    dashboards: pulumi.Output[list[str]]
    """The dashboard ConfigMaps the Grafana sidecar loads."""

    def __init__(
        self,
        name: str,
        args: MonitoringArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        monitors, rules, dashboards = [], [], []
        for manifest in render_objects(args):
            object_name = manifest["metadata"]["name"]
            create_object(f"{name}-{object_name}", manifest, child)
            kind = manifest["kind"]
            if kind in ("PodMonitor", "ServiceMonitor"):
                monitors.append(object_name)
            elif kind == "PrometheusRule" or (
                kind == "ConfigMap" and "grafana_dashboard" not in manifest["metadata"]["labels"]
            ):
                rules.append(object_name)
            elif kind == "ConfigMap":
                dashboards.append(object_name)
        self.monitors = pulumi.Output.from_input(monitors)
        self.rules = pulumi.Output.from_input(rules)
        self.dashboards = pulumi.Output.from_input(dashboards)
        self.register_outputs(
            {"monitors": self.monitors, "rules": self.rules, "dashboards": self.dashboards}
        )
