"""Every object the monitoring component creates, as plain manifests (pure).

    operator  a PodMonitor or ServiceMonitor per target, one PrometheusRule, and a
              dashboard ConfigMap per area
    plain     one ConfigMap with `scrape-configs.yaml` (jobs to paste under
              `scrape_configs`) and `rules.yaml` (a rule file), and the dashboards

Either way, a NetworkPolicy per isolated target admits the Prometheus namespace.
"""

from __future__ import annotations

import json
from typing import Any

from components.monitoring.args import MonitoringArgs
from components.monitoring.dashboards import render_dashboard_config_maps
from components.monitoring.monitors import (
    PLAIN_CONFIG_MAP,
    RULES_KEY,
    SCRAPE_CONFIGS_KEY,
    labels,
    render_monitor,
    render_network_policy,
    render_scrape_config,
)
from components.monitoring.rules import render_prometheus_rule, rule_groups

Manifest = dict[str, Any]


def _text(value: Any) -> str:
    """YAML as JSON (which YAML reads), keys sorted so previews show no spurious diffs."""
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def render_plain_config_map(args: MonitoringArgs) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": PLAIN_CONFIG_MAP,
            "namespace": args.namespace,
            "labels": labels(args, "scrape"),
        },
        "data": {
            SCRAPE_CONFIGS_KEY: _text([render_scrape_config(t, args) for t in args.targets]),
            RULES_KEY: _text({"groups": rule_groups(args)}),
        },
    }


def render_objects(args: MonitoringArgs) -> list[Manifest]:
    """Every manifest, in a stable order."""
    objects: list[Manifest] = []
    if args.prometheus == "operator":
        objects += [render_monitor(target, args) for target in args.targets]
        rule = render_prometheus_rule(args, labels(args, "alerts"))
        if rule is not None:
            objects.append(rule)
    else:
        objects.append(render_plain_config_map(args))
    objects += [
        policy for target in args.targets if (policy := render_network_policy(target, args))
    ]
    objects += render_dashboard_config_maps(args)
    return objects
