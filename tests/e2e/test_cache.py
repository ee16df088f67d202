"""The in-cluster cache through the real engine: its objects accepted by a real API server
that has cert-manager's real CRDs; the Valkey pods (OrderedReady, one volume each) and
HAProxy run on kwok nodes. An app bound to the cache gets its ACL user's Secret, the Valkey
pods mount it, the NetworkPolicies admit the app on both sides, its pod becomes Ready with
every Secret key it reads present (cert-manager's CA written by the test, as the
controller would), and a second `up` changes nothing.

kwok runs no containers, so nothing here speaks to Valkey (tests/components/cache/
test_config.py runs the rendered configs on a real server). The password comes from stack
config (`shipyard:credentials`): the random provider's plugin cannot be built here."""

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
from secret_keys import changes, missing_keys, referenced_keys

from shipyard.blueprint import load_blueprint

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = Path(__file__).parent / "blueprints" / "cache.yaml"
STACK_PROGRAM = REPO_ROOT / "stacks" / "__main__.py"
PODS = 3


@pytest.fixture
def cert_manager_crds(kube_api: Any) -> Iterator[list[str]]:
    names = apply_crds(kube_api, crd_files("cert-manager"))
    try:
        yield names
    finally:
        delete_crds(kube_api, names)


@pytest.fixture
def volumes(kube_api: Any) -> Iterator[None]:
    """A PersistentVolume per Valkey pod: the local cluster has no provisioner."""
    core = client.CoreV1Api(kube_api)
    names = [f"e2e-cache-{index}" for index in range(PODS)]
    for name in names:
        core.create_persistent_volume(
            {
                "metadata": {"name": name},
                "spec": {
                    "capacity": {"storage": "1Gi"},
                    "accessModes": ["ReadWriteOnce"],
                    "persistentVolumeReclaimPolicy": "Delete",
                    "storageClassName": "",
                    "hostPath": {"path": f"/tmp/{name}"},
                },
            }
        )
    try:
        yield
    finally:
        for name in names:
            try:
                core.delete_persistent_volume(name)
            except ApiException as error:
                if error.status != 404:
                    raise


def test_the_cache_is_accepted_and_runs_on_the_cluster(
    monkeypatch: pytest.MonkeyPatch,
    kube_cluster: str,
    kube_api: Any,
    pulumi_stack: Any,
    cert_manager_crds: list[str],
    volumes: None,
) -> None:
    assert {"certificates.cert-manager.io", "issuers.cert-manager.io"} <= set(cert_manager_crds)
    platform = load_blueprint(BLUEPRINT)
    namespace = platform.namespace
    password = "e2e" + secrets.token_hex(16)
    worker_password = "e2e" + secrets.token_hex(16)
    monkeypatch.setenv("KUBECONFIG", kube_cluster)
    stack = pulumi_stack(
        "shipyard-cache",
        STACK_PROGRAM,
        config={
            "shipyard:blueprint": str(BLUEPRINT),
            "shipyard:credentials": auto.ConfigValue(
                value=json.dumps(
                    {"cache-password": password, "cache-worker-password": worker_password}
                ),
                secret=True,
            ),
        },
        stack="cache",
    )
    up = stack.up(on_output=print)
    assert up.summary.result == "succeeded"
    outputs = {key: value.value for key, value in up.outputs.items()}
    assert outputs["cache"] == {
        "host": f"cache.{namespace}.svc",
        "port": 6379,
        "passwordSecretName": "cache-auth",
    }

    apps = client.AppsV1Api(kube_api)
    server = apps.read_namespaced_stateful_set("cache", namespace)
    assert server.status.ready_replicas == PODS
    assert server.spec.pod_management_policy == "OrderedReady"
    assert server.spec.persistent_volume_claim_retention_policy.when_deleted == "Retain"
    pod = server.spec.template.spec
    assert pod.security_context.run_as_non_root is True and pod.security_context.run_as_user == 999
    assert [c.name for c in pod.containers] == ["valkey", "sentinel"]
    claims = client.CoreV1Api(kube_api).list_namespaced_persistent_volume_claim(namespace).items
    assert sorted((c.metadata.name, c.status.phase) for c in claims) == [
        (f"data-cache-{index}", "Bound") for index in range(PODS)
    ]
    proxy = apps.read_namespaced_deployment("cache-proxy", namespace)
    assert proxy.status.available_replicas == 2

    custom = client.CustomObjectsApi(kube_api)
    certificates = {
        item["metadata"]["name"]: item["spec"]
        for item in custom.list_namespaced_custom_object(
            "cert-manager.io", "v1", namespace, "certificates"
        )["items"]
    }
    assert certificates["cache-ca"]["isCA"] is True
    assert f"cache.{namespace}.svc" in certificates["cache"]["dnsNames"]
    issuers = {
        item["metadata"]["name"]
        for item in custom.list_namespaced_custom_object(
            "cert-manager.io", "v1", namespace, "issuers"
        )["items"]
    }
    assert issuers == {"cache-selfsigned", "cache-ca"}

    policies = {
        p.metadata.name: p.spec
        for p in client.NetworkingV1Api(kube_api).list_namespaced_network_policy(namespace).items
    }
    assert set(policies) == {"cache", "cache-proxy", "worker"}
    [admitted] = policies["cache-proxy"].ingress
    assert [peer.pod_selector.match_labels for peer in admitted._from] == [
        {"app.kubernetes.io/name": "search-api"},
        {"shipyard.dev/app": "worker"},
    ]
    proxy_pods = {
        "app.kubernetes.io/name": "valkey",
        "app.kubernetes.io/instance": "cache",
        "app.kubernetes.io/component": "cache-proxy",
    }
    assert any(
        peer.pod_selector is not None and peer.pod_selector.match_labels == proxy_pods
        for rule in policies["worker"].egress
        for peer in rule.to or []
    )

    # The bound app: its user's Secret, mounted by the Valkey pods' init container.
    core = client.CoreV1Api(kube_api)
    user = core.read_namespaced_secret("cache-worker-credentials", namespace)
    assert set(user.data) == {"username", "password", "uri"}
    [users] = [v for v in pod.volumes if v.name == "users"]
    assert [s.secret.name for s in users.projected.sources] == ["cache-worker-credentials"]
    assert "shipyard.dev/users-sha256" in server.spec.template.metadata.annotations
    worker = apps.read_namespaced_deployment("worker", namespace)
    assert worker.status.ready_replicas == 1
    referenced = referenced_keys(worker.spec.template.spec)
    assert ("cache-worker-credentials", "uri") in referenced
    # Only cert-manager's CA is missing: the controller does not run here.
    assert missing_keys(core, namespace, referenced) == {("cache-tls", "ca.crt")}
    core.create_namespaced_secret(
        namespace,
        {"metadata": {"name": "cache-tls"}, "type": "Opaque", "stringData": {"ca.crt": "e2e"}},
    )
    assert missing_keys(core, namespace, referenced) == set()

    again = stack.up(on_output=print)
    assert changes(again.summary.resource_changes) == {}, again.summary.resource_changes

    # The password is in its Secret and nowhere in the state in plain text.
    state = json.dumps(stack.export_stack().deployment)
    assert password not in state and worker_password not in state

    destroyed = stack.destroy(on_output=print)
    assert destroyed.summary.result == "succeeded"
