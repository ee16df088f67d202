"""What tells Prometheus to scrape each target (pure): PodMonitors and ServiceMonitors for
the Prometheus Operator, or `scrape_configs` for a Prometheus configured by hand; and the
NetworkPolicies that let the scraper in.

Both forms add the same labels to every series: `namespace`, `pod` and
`shipyard_target`, which the panels and rules match on.
"""

from __future__ import annotations

import re
from typing import Any

from components.monitoring.args import MonitoringArgs, ScrapeTarget
from components.monitoring.promql import TARGET_LABEL
from components.shared.labels import recommended_labels

Manifest = dict[str, Any]
MONITORING_API_VERSION = "monitoring.coreos.com/v1"
PLAIN_CONFIG_MAP = "shipyard-prometheus"
SCRAPE_CONFIGS_KEY = "scrape-configs.yaml"
RULES_KEY = "rules.yaml"
_NOT_LABEL_CHAR = re.compile(r"[^a-zA-Z0-9_]")


def monitor_name(target: ScrapeTarget) -> str:
    return f"{target.name}-metrics"


def labels(args: MonitoringArgs, component: str) -> dict[str, str]:
    """Shipyard's labels, plus those the Prometheus selects its monitors and rules by."""
    return {
        **recommended_labels("shipyard-monitoring", args.platform, component),
        **args.selector_labels,
    }


def _target_relabeling(target: ScrapeTarget) -> Manifest:
    return {"action": "replace", "targetLabel": TARGET_LABEL, "replacement": target.name}


def render_monitor(target: ScrapeTarget, args: MonitoringArgs) -> Manifest:
    """A PodMonitor (or ServiceMonitor) for one target."""
    endpoint: Manifest = {
        "port": target.port,
        "path": target.path,
        "interval": args.scrape_interval,
        "relabelings": [_target_relabeling(target)],
    }
    spec: Manifest = {"selector": {"matchLabels": dict(target.selector)}}
    if target.namespace is not None and target.namespace != args.namespace:
        spec["namespaceSelector"] = {"matchNames": [target.namespace]}
    if target.kind == "pod":
        kind, spec["podMetricsEndpoints"] = "PodMonitor", [endpoint]
    else:
        kind, spec["endpoints"] = "ServiceMonitor", [endpoint]
    return {
        "apiVersion": MONITORING_API_VERSION,
        "kind": kind,
        "metadata": {
            "name": monitor_name(target),
            "namespace": args.namespace,
            "labels": labels(args, "scrape"),
        },
        "spec": spec,
    }


def render_network_policy(target: ScrapeTarget, args: MonitoringArgs) -> Manifest | None:
    """Admit the Prometheus namespace on the metrics port of pods that a Shipyard
    NetworkPolicy already isolates (policies add up; this one opens only that port)."""
    if not target.isolated:
        return None
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": monitor_name(target),
            "namespace": args.namespace,
            "labels": recommended_labels("shipyard-monitoring", args.platform, "scrape"),
        },
        "spec": {
            "podSelector": {"matchLabels": dict(target.pod_selector or target.selector)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {
                                    "kubernetes.io/metadata.name": args.prometheus_namespace
                                }
                            }
                        }
                    ],
                    "ports": [{"port": target.port, "protocol": "TCP"}],
                }
            ],
        },
    }


def _meta_label(prefix: str, name: str) -> str:
    """Kubernetes service discovery's name for a label: `__meta_kubernetes_pod_label_` and
    the label with every character outside [a-zA-Z0-9_] made `_`."""
    return prefix + _NOT_LABEL_CHAR.sub("_", name)


def render_scrape_config(target: ScrapeTarget, args: MonitoringArgs) -> Manifest:
    """One `scrape_configs` job: Kubernetes service discovery kept to the target's pods
    (or Service endpoints) and port, with the labels the operator's monitors add."""
    role = "pod" if target.kind == "pod" else "endpoints"
    owner = "pod" if target.kind == "pod" else "service"
    port_label = (
        "__meta_kubernetes_pod_container_port_name"
        if target.kind == "pod"
        else "__meta_kubernetes_endpoint_port_name"
    )
    keep = [
        {
            "action": "keep",
            "source_labels": [_meta_label(f"__meta_kubernetes_{owner}_label_", key)],
            "regex": re.escape(value),
        }
        for key, value in sorted(target.selector.items())
    ]
    namespace = target.namespace or args.namespace
    return {
        "job_name": f"{namespace}/{target.name}",
        "scrape_interval": args.scrape_interval,
        "metrics_path": target.path,
        "kubernetes_sd_configs": [{"role": role, "namespaces": {"names": [namespace]}}],
        "relabel_configs": [
            *keep,
            {"action": "keep", "source_labels": [port_label], "regex": re.escape(target.port)},
            {
                "action": "replace",
                "source_labels": ["__meta_kubernetes_namespace"],
                "target_label": "namespace",
            },
            {
                "action": "replace",
                "source_labels": ["__meta_kubernetes_pod_name"],
                "target_label": "pod",
            },
            {"action": "replace", "target_label": TARGET_LABEL, "replacement": target.name},
        ],
    }
