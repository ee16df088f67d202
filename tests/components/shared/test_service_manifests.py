"""The shared Service and PodDisruptionBudget shapes."""

from __future__ import annotations

from components.shared.service_manifests import http_service, pod_disruption_budget

META = {"name": "gw", "namespace": "llm"}
SELECTOR = {"app.kubernetes.io/instance": "gw"}


def test_http_service_targets_the_named_port() -> None:
    assert http_service(META, SELECTOR, 4000)["spec"] == {
        "type": "ClusterIP",
        "selector": SELECTOR,
        "ports": [{"name": "http", "port": 4000, "targetPort": "http", "protocol": "TCP"}],
    }


def test_budget_keeps_one_up_only_with_more_than_one_replica() -> None:
    assert pod_disruption_budget(META, SELECTOR, 3)["spec"]["minAvailable"] == 1
    assert pod_disruption_budget(META, SELECTOR, 1)["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": SELECTOR},
    }
    assert "minAvailable" not in pod_disruption_budget(META, SELECTOR)["spec"]
