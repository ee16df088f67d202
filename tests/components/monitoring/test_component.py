"""`Monitoring` under Pulumi mocks: one child per rendered object, and its outputs."""

from __future__ import annotations

from typing import Any

import pulumi

from components.monitoring.component import TYPE_TOKEN, Monitoring
from components.monitoring.manifests import render_objects
from tests.components.monitoring.conftest import FULL
from tests.components.pulumi_recorder import Recorder


def deploy(args: Any) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        monitoring = Monitoring("monitoring", args)

        def keep(values: list[Any]) -> None:
            outputs.update(zip(["monitors", "rules", "dashboards"], values, strict=True))

        return pulumi.Output.all(
            monitoring.monitors, monitoring.rules, monitoring.dashboards
        ).apply(keep)

    program()
    return outputs


def test_children_are_the_rendered_objects(monitor: Recorder) -> None:
    outputs = deploy(FULL)
    component = monitor.one(TYPE_TOKEN)
    children = [r for r in monitor.recorded if r.parent == component.urn]
    assert sorted((r.type, r.name) for r in children) == sorted(
        (
            {
                "PodMonitor": "kubernetes:monitoring.coreos.com/v1:PodMonitor",
                "ServiceMonitor": "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
                "PrometheusRule": "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
                "NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                "ConfigMap": "kubernetes:core/v1:ConfigMap",
            }[o["kind"]],
            f"monitoring-{o['metadata']['name']}",
        )
        for o in render_objects(FULL)
    )
    rule = monitor.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert rule.inputs["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert next(g["name"] for g in rule.inputs["spec"]["groups"]) == "shipyard-acme-serving"
    assert outputs == {
        "monitors": [
            "vllm-metrics",
            "ai-gateway-metrics",
            "postgres-metrics",
            "kafka-exporter-metrics",
            "clickhouse-metrics",
            "ray-metrics",
            "reconciler-metrics",
            "cache-metrics",
        ],
        "rules": ["shipyard-alerts"],
        "dashboards": [
            "shipyard-dashboard-serving",
            "shipyard-dashboard-gateway",
            "shipyard-dashboard-data",
            "shipyard-dashboard-platform",
        ],
    }


def test_a_plain_prometheus_gets_the_config_map(monitor: Recorder) -> None:
    outputs = deploy(FULL.model_copy(update={"prometheus": "plain"}))
    assert outputs["monitors"] == []
    assert outputs["rules"] == ["shipyard-prometheus"]
    assert not [r for r in monitor.recorded if "monitoring.coreos.com" in r.type]
