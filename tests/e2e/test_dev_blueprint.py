"""The dev blueprint through the real engine: `pulumi up` of stacks/__main__.py onto a
real API server, a no-op second `up`, a one-field edit previewed and applied, and a
clean destroy."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from operator_crds import apply_crds, crd_files, delete_crds
from pulumi import automation as auto

from shipyard.blueprint import load_blueprint
from shipyard.sections.node_pools.scheduling import pool_scheduling

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_BLUEPRINT = REPO_ROOT / "blueprints" / "dev.yaml"
STACK_PROGRAM = REPO_ROOT / "stacks" / "__main__.py"
DEPLOY_TIMEOUT = 180.0


def _wait(predicate: Any, what: str, timeout: float = DEPLOY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _namespace_absent(core: client.CoreV1Api, name: str) -> bool:
    try:
        core.read_namespace(name)
    except ApiException as error:
        if error.status == 404:
            return True
        raise
    return False


def _pre_events(events: list[Any]) -> list[Any]:
    return [e.resource_pre_event.metadata for e in events if e.resource_pre_event is not None]


def e2e_blueprint_text() -> str:
    """dev.yaml as the e2e cluster can take it.

    The KubeRay operator is not installed (its Helm chart repository is out of
    reach; `kuberay_crds` puts the real CRDs in place instead, and the operator
    need not run)."""
    text = DEV_BLUEPRINT.read_text()
    assert "    installOperator: true\n" in text
    return text.replace("    installOperator: true\n", "    installOperator: false\n")


@pytest.fixture
def kuberay_crds(kube_api: Any) -> Iterator[list[str]]:
    """The real KubeRay CRDs from the operator's Go module, applied for one test."""
    names = apply_crds(kube_api, crd_files("kuberay"))
    try:
        yield names
    finally:
        delete_crds(kube_api, names)


def test_dev_blueprint_up_noop_edit_and_destroy(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kube_cluster: str,
    kube_api: Any,
    pulumi_stack: Any,
    kuberay_crds: list[str],
) -> None:
    blueprint = tmp_path / "dev.yaml"
    blueprint.write_text(e2e_blueprint_text())
    platform = load_blueprint(blueprint)
    model = platform.spec.models[0]
    pool = platform.pool(model.node_pool)
    assert pool is not None and model.replicas == 1
    scheduling = pool_scheduling(pool)
    namespace = platform.namespace

    # The blueprint's cluster is `kind: local` with no context: the provider
    # uses $KUBECONFIG, exactly as a user's `pulumi up` would.
    monkeypatch.setenv("KUBECONFIG", kube_cluster)
    # The e2e toolchain has no pulumi-random plugin (the Go proxy does not serve
    # it), so the gateway's master key comes from secret stack config instead.
    master_key = "sk-e2e-" + uuid.uuid4().hex
    stack = pulumi_stack(
        "shipyard",
        STACK_PROGRAM,
        config={
            "shipyard:blueprint": str(blueprint),
            "shipyard:gatewayMasterKey": auto.ConfigValue(value=master_key, secret=True),
        },
        stack="dev",
    )

    up = stack.up(on_output=print)
    assert up.summary.result == "succeeded"
    assert up.outputs["namespace"].value == namespace
    served = up.outputs["models"].value[model.name]
    assert served["servedModelName"] == model.served_name
    assert served["url"] == f"http://{model.name}.{namespace}.svc.cluster.local:8000/v1"

    apps, core = client.AppsV1Api(kube_api), client.CoreV1Api(kube_api)
    networking = client.NetworkingV1Api(kube_api)
    deployment = apps.read_namespaced_deployment(model.name, namespace)
    assert deployment.status.available_replicas == 1
    pods = core.list_namespaced_pod(
        namespace, label_selector=f"app.kubernetes.io/instance={model.name}"
    ).items
    assert len(pods) == 1
    node = core.read_node(pods[0].spec.node_name)
    for key, value in scheduling.node_selector.items():
        assert node.metadata.labels[key] == value
    assert node.status.capacity["nvidia.com/gpu"] == str(scheduling.gpus_per_node)
    assert pods[0].spec.containers[0].resources.limits["nvidia.com/gpu"] == "1"
    assert core.read_namespaced_service(model.name, namespace).spec.ports[0].port == 8000
    policy = networking.read_namespaced_network_policy(model.name, namespace)
    assert policy.spec.policy_types == ["Ingress"]
    assert (
        core.read_namespace(namespace).metadata.labels["pod-security.kubernetes.io/enforce"]
        == "restricted"
    )

    # The gateway: a Deployment whose pods carry the label vLLM's NetworkPolicy admits.
    assert platform.spec.gateway is not None and platform.spec.ray is not None
    gateway = apps.read_namespaced_deployment(platform.spec.gateway.name, namespace)
    assert gateway.status.available_replicas == platform.spec.gateway.replicas
    labels = gateway.spec.template.metadata.labels
    assert labels["app.kubernetes.io/component"] == "ai-gateway"
    key_secret = core.read_namespaced_secret(f"{platform.spec.gateway.name}-master-key", namespace)
    assert base64.b64decode(key_secret.data["master-key"]).decode() == master_key
    # The key is a Pulumi secret everywhere: no resource in the state holds it in plain text.
    leaks = [
        (resource["urn"], [k for k, v in resource.items() if master_key in json.dumps(v)])
        for resource in stack.export_stack().deployment["resources"]
        if master_key in json.dumps(resource)
    ]
    assert leaks == []
    config = core.read_namespaced_config_map(f"{platform.spec.gateway.name}-config", namespace)
    assert (
        f"http://{model.name}.{namespace}.svc.cluster.local:8000/v1" in config.data["config.yaml"]
    )
    # The RayCluster, accepted by the API server against the real CRD.
    assert "rayclusters.ray.io" in kuberay_crds
    ray_cluster = client.CustomObjectsApi(kube_api).get_namespaced_custom_object(
        "ray.io", "v1", namespace, "rayclusters", platform.spec.ray.name
    )
    [group] = ray_cluster["spec"]["workerGroupSpecs"]
    assert group["template"]["spec"]["nodeSelector"] == scheduling.node_selector
    assert (
        group["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    )
    assert ray_cluster["spec"]["autoscalerOptions"]["version"] == "v2"

    again = stack.up(on_output=print)
    changes = {k: v for k, v in (again.summary.resource_changes or {}).items() if k != "same"}
    assert changes == {}, f"a second up with no change changed {changes}"

    blueprint.write_text(blueprint.read_text().replace("replicas: 1", "replicas: 2", 1))
    events: list[Any] = []
    preview = stack.preview(on_event=events.append, diff=True)
    assert {k: v for k, v in preview.change_summary.items() if k != "same"} == {"update": 1}
    updates = [m for m in _pre_events(events) if m.op.value == "update"]
    assert [m.type for m in updates] == ["kubernetes:apps/v1:Deployment"]
    # The provider reports field-level changes in `detailed_diff`, not `diffs`.
    assert set(updates[0].detailed_diff) == {"spec.replicas"}

    applied = stack.up(on_output=print)
    assert {k: v for k, v in applied.summary.resource_changes.items() if k != "same"} == {
        "update": 1
    }
    deployment = apps.read_namespaced_deployment(model.name, namespace)
    assert deployment.spec.replicas == 2
    assert deployment.status.available_replicas == 2
    pods = core.list_namespaced_pod(
        namespace, label_selector=f"app.kubernetes.io/instance={model.name}"
    ).items
    # One GPU per node and one GPU per replica: the replicas must be on different nodes.
    assert len({pod.spec.node_name for pod in pods}) == 2

    destroyed = stack.destroy(on_output=print)
    assert destroyed.summary.result == "succeeded"
    _wait(lambda: _namespace_absent(core, namespace), f"namespace {namespace} to be deleted")
    assert (
        apps.list_deployment_for_all_namespaces(
            label_selector=f"app.kubernetes.io/instance={model.name}"
        ).items
        == []
    )
