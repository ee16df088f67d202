"""Staged weights and monitoring through the real engine, on a real API server with the
Prometheus Operator's real CRDs (v0.85.0, from its Go module).

The blueprint (tests/e2e/blueprints/observability.yaml) stages a model's weights on a
shared volume: the staging Job runs on a kwok node (kwok completes its pod; no download
happens here), Pulumi waits for it, and only then creates the model's Deployment. The
PodMonitor, ServiceMonitor, PrometheusRule, NetworkPolicies and dashboard ConfigMaps are
read back as the API server stored them."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from operator_crds import apply_crds, crd_files, delete_crds
from pulumi import automation as auto

from shipyard.blueprint import load_blueprint

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = Path(__file__).parent / "blueprints" / "observability.yaml"
STACK_PROGRAM = REPO_ROOT / "stacks" / "__main__.py"
MONITORING_CRDS = {
    "monitoring.coreos.com_podmonitors.yaml",
    "monitoring.coreos.com_servicemonitors.yaml",
    "monitoring.coreos.com_prometheusrules.yaml",
}
PV = "e2e-obs-weights"


@pytest.fixture
def monitoring_crds(kube_api: Any) -> Iterator[list[str]]:
    paths = [p for p in crd_files("prometheus-operator") if p.name in MONITORING_CRDS]
    names = apply_crds(kube_api, paths)
    try:
        yield names
    finally:
        delete_crds(kube_api, names)


@pytest.fixture
def weights_volume(kube_api: Any) -> Iterator[None]:
    """A ReadWriteMany PersistentVolume for the weights claim (no provisioner here)."""
    core = client.CoreV1Api(kube_api)
    core.create_persistent_volume(
        {
            "metadata": {"name": PV},
            "spec": {
                "capacity": {"storage": "2Gi"},
                "accessModes": ["ReadWriteMany"],
                "persistentVolumeReclaimPolicy": "Delete",
                "storageClassName": "",
                "hostPath": {"path": f"/tmp/{PV}"},
            },
        }
    )
    try:
        yield
    finally:
        try:
            core.delete_persistent_volume(PV)
        except ApiException as error:
            if error.status != 404:
                raise


def test_staged_weights_and_monitoring_are_accepted_by_the_api_server(
    monkeypatch: pytest.MonkeyPatch,
    kube_cluster: str,
    kube_api: Any,
    pulumi_stack: Any,
    monitoring_crds: list[str],
    weights_volume: None,
) -> None:
    assert sorted(monitoring_crds) == [
        "podmonitors.monitoring.coreos.com",
        "prometheusrules.monitoring.coreos.com",
        "servicemonitors.monitoring.coreos.com",
    ]
    platform = load_blueprint(BLUEPRINT)
    namespace = platform.namespace
    monkeypatch.setenv("KUBECONFIG", kube_cluster)
    stack = pulumi_stack(
        "shipyard-observability",
        STACK_PROGRAM,
        config={
            "shipyard:blueprint": str(BLUEPRINT),
            "shipyard:gatewayMasterKey": auto.ConfigValue(
                value="sk-" + secrets.token_hex(16), secret=True
            ),
        },
        stack="obs",
    )
    up = stack.up(on_output=print)
    assert up.summary.result == "succeeded"
    outputs = {key: value.value for key, value in up.outputs.items()}
    assert outputs["monitoring"] == {
        "monitors": ["vllm-metrics", "ai-gateway-metrics"],
        "rules": ["shipyard-alerts"],
        "dashboards": ["shipyard-dashboard-serving", "shipyard-dashboard-gateway"],
    }

    # The staging Job completed before the Deployment was created.
    batch, apps = client.BatchV1Api(kube_api), client.AppsV1Api(kube_api)
    [job] = [
        j
        for j in batch.list_namespaced_job(namespace).items
        if j.metadata.name.startswith("qwen-small-weights-")
    ]
    assert job.status.succeeded == 1
    deployment = apps.read_namespaced_deployment("qwen-small", namespace)
    completed = job.status.completion_time
    assert completed is not None and completed <= deployment.metadata.creation_timestamp
    [container] = deployment.spec.template.spec.containers
    assert container.args[0] == (
        "/weights/Qwen--Qwen2.5-0.5B-Instruct/7ae557604adf67be50417f59c2c2f167def9a775"
    )
    assert container.args[-4:] == [
        "--load-format",
        "runai_streamer",
        "--model-loader-extra-config",
        '{"concurrency": 16}',
    ]
    env = {e.name: e.value for e in container.env}
    assert env["HF_HUB_OFFLINE"] == "1" and "HF_TOKEN" not in env
    claim = client.CoreV1Api(kube_api).read_namespaced_persistent_volume_claim(
        "qwen-small-weights", namespace
    )
    assert claim.spec.access_modes == ["ReadWriteMany"]
    assert claim.spec.volume_name == PV
    script = client.CoreV1Api(kube_api).read_namespaced_config_map(
        "qwen-small-weights-script", namespace
    )
    assert "def stage(" in script.data["stage_weights.py"]

    custom = client.CustomObjectsApi(kube_api)

    def get(plural: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = custom.get_namespaced_custom_object(
            "monitoring.coreos.com", "v1", namespace, plural, name
        )
        return found

    pod_monitor = get("podmonitors", "vllm-metrics")
    assert pod_monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    [endpoint] = pod_monitor["spec"]["podMetricsEndpoints"]
    assert (endpoint["port"], endpoint["path"], endpoint["interval"]) == ("http", "/metrics", "30s")
    assert endpoint["relabelings"] == [
        {"action": "replace", "replacement": "vllm", "targetLabel": "shipyard_target"}
    ]
    service_monitor = get("servicemonitors", "ai-gateway-metrics")
    assert service_monitor["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "litellm",
        "app.kubernetes.io/instance": "ai-gateway",
    }
    rule = get("prometheusrules", "shipyard-alerts")
    alerts = {r["alert"] for group in rule["spec"]["groups"] for r in group["rules"]}
    assert {"ModelTtftSloBreached", "ModelItlSloBreached", "GatewayErrorRate"} <= alerts
    assert {"ModelDown", "ModelQueueSaturated", "AiGatewayDown"} <= alerts

    core = client.CoreV1Api(kube_api)
    serving = core.read_namespaced_config_map("shipyard-dashboard-serving", namespace)
    assert serving.metadata.labels["grafana_dashboard"] == "1"
    dashboard = json.loads(serving.data["obs-e2e-serving.json"])
    assert dashboard["uid"] == "shipyard-obs-e2e-serving"
    networking = client.NetworkingV1Api(kube_api)
    policy = networking.read_namespaced_network_policy("vllm-metrics", namespace)
    [rule_in] = policy.spec.ingress
    assert rule_in.ports[0].port == "http"
    assert rule_in._from[0].namespace_selector.match_labels == {
        "kubernetes.io/metadata.name": "monitoring"
    }

    # Nothing left to do on a second run: the Job is not run again.
    second = stack.up(on_output=print)
    assert second.summary.result == "succeeded"
    assert {k: v for k, v in (second.summary.resource_changes or {}).items() if k != "same"} == {}
