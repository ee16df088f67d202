"""A minimal Pulumi Python program goes up on a real API server, becomes Available on a kwok
node, is a no-op on a second `up`, and `destroy` leaves nothing behind."""

from __future__ import annotations

import textwrap
import time
import uuid

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

pytestmark = pytest.mark.e2e

PROGRAM = textwrap.dedent(
    """
    import pulumi
    import pulumi_kubernetes as k8s

    cfg = pulumi.Config()
    provider = k8s.Provider("local", kubeconfig=cfg.require("kubeconfig"))
    opts = pulumi.ResourceOptions(provider=provider)

    ns = k8s.core.v1.Namespace(
        "ns",
        metadata={"name": cfg.require("namespace"), "labels": {"shipyard.dev/e2e": "minimal"}},
        opts=opts,
    )
    labels = {"app": "web"}
    dep = k8s.apps.v1.Deployment(
        "web",
        metadata={"name": "web", "namespace": ns.metadata.name},
        spec={
            "replicas": 2,
            "selector": {"match_labels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "node_selector": {"type": "kwok"},
                    "containers": [{"name": "web", "image": "registry.example/shipyard/web:1.0",
                                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}],
                },
            },
        },
        opts=opts,
    )
    pulumi.export("namespace", ns.metadata.name)
    pulumi.export("deployment", dep.metadata.name)
    pulumi.export("ready_replicas", dep.status.ready_replicas)
    """
)


def _changes(summary) -> dict[str, int]:
    return {k: v for k, v in (summary or {}).items() if k != "same" and v}


def _namespace_gone(core: client.CoreV1Api, name: str, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            core.read_namespace(name)
        except ApiException as exc:
            if exc.status == 404:
                return True
            raise
        time.sleep(1)
    return False


def test_namespace_and_deployment_up_available_and_destroyed(
    tmp_path, kube_cluster, kube_api, kwok_nodes, pulumi_stack
):
    program_dir = tmp_path / "minimal"
    program_dir.mkdir()
    (program_dir / "__main__.py").write_text(PROGRAM)
    namespace = f"e2e-minimal-{uuid.uuid4().hex[:6]}"

    stack = pulumi_stack(
        "shipyard-e2e-minimal",
        program_dir,
        config={"kubeconfig": kube_cluster, "namespace": namespace},
    )

    up = stack.up(on_output=print)
    assert up.summary.result == "succeeded"
    assert _changes(up.summary.resource_changes) == {"create": 4}, up.summary.resource_changes
    assert up.outputs["namespace"].value == namespace
    assert up.outputs["ready_replicas"].value == 2

    # The Deployment is Available, its pods Running and Ready on kwok nodes.
    apps, core = client.AppsV1Api(kube_api), client.CoreV1Api(kube_api)
    dep = apps.read_namespaced_deployment("web", namespace)
    assert dep.status.available_replicas == 2
    conditions = {c.type: c.status for c in dep.status.conditions}
    assert conditions.get("Available") == "True", conditions
    pods = core.list_namespaced_pod(namespace, label_selector="app=web").items
    assert len(pods) == 2
    for pod in pods:
        assert pod.spec.node_name in kwok_nodes, (pod.metadata.name, pod.spec.node_name, kwok_nodes)
        assert pod.status.phase == "Running"
        ready = {c.type: c.status for c in pod.status.conditions}
        assert ready.get("Ready") == "True", ready

    # Pulumi state knows the real objects.
    types = sorted(r["type"] for r in stack.export_stack().deployment["resources"])
    assert "kubernetes:apps/v1:Deployment" in types and "kubernetes:core/v1:Namespace" in types

    # A second up with no change changes nothing.
    again = stack.up(on_output=print)
    assert _changes(again.summary.resource_changes) == {}, again.summary.resource_changes

    # Destroy leaves nothing behind: no resource in state, the namespace gone from the API.
    destroyed = stack.destroy(on_output=print)
    assert destroyed.summary.result == "succeeded"
    assert _changes(destroyed.summary.resource_changes) == {"delete": 4}, (
        destroyed.summary.resource_changes
    )
    assert not stack.export_stack().deployment.get("resources")
    assert _namespace_gone(core, namespace), f"namespace {namespace} still exists after destroy"
    assert not apps.list_deployment_for_all_namespaces(
        label_selector="app=web", field_selector=f"metadata.namespace={namespace}"
    ).items
