"""Apps bound to Postgres, Kafka and MinIO through the real engine and stack program, on a
real API server with CloudNativePG's, Strimzi's and cert-manager's real CRDs.

The API server accepts the per-app CNPG managed role and Database, the KafkaUsers with
their ACLs, MinIO's per-app user and the generated Secrets; the apps' pods become Ready on
kwok nodes; every Secret key they read exists; a second `up` changes nothing.

The operators do not run here, so two Secrets an operator writes are written by the test
as that operator would: Strimzi's cluster CA (`events-cluster-ca-cert`, `ca.crt`) and
cert-manager's certificate Secret for MinIO (`minio-tls`). The test first checks that
these are the only referenced keys missing after `up`: every Secret Shipyard owns (roles'
and users' passwords, MinIO keys) is there from the start. Generated secrets come from
stack config: the random provider's plugin cannot be built here."""

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
from shipyard.render import render_blueprint

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = Path(__file__).parent / "blueprints" / "apps.yaml"
STACK_PROGRAM = REPO_ROOT / "stacks" / "__main__.py"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
OPERATOR_SECRETS = {
    ("events-cluster-ca-cert", "ca.crt"): "Strimzi's Cluster Operator",
    ("minio-tls", "ca.crt"): "cert-manager",
}


@pytest.fixture
def data_crds(kube_api: Any) -> Iterator[list[str]]:
    names = apply_crds(kube_api, crd_files("cloudnative-pg", "strimzi", "cert-manager"))
    try:
        yield names
    finally:
        delete_crds(kube_api, names)


@pytest.fixture
def volume(kube_api: Any) -> Iterator[None]:
    """A PersistentVolume for MinIO's claim: the local cluster has no provisioner."""
    core = client.CoreV1Api(kube_api)
    name = "e2e-apps-0"
    core.create_persistent_volume(
        {
            "metadata": {"name": name},
            "spec": {
                "capacity": {"storage": "5Gi"},
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
        try:
            core.delete_persistent_volume(name)
        except ApiException as error:
            if error.status != 404:
                raise


def test_apps_bound_to_the_data_services_go_up(
    monkeypatch: pytest.MonkeyPatch,
    kube_cluster: str,
    kube_api: Any,
    pulumi_stack: Any,
    data_crds: list[str],
    volume: None,
) -> None:
    assert {"clusters.postgresql.cnpg.io", "kafkausers.kafka.strimzi.io"} <= set(data_crds)
    platform = load_blueprint(BLUEPRINT)
    namespace = platform.namespace
    rendered = render_blueprint(BLUEPRINT, REPO_ROOT, "e2e")
    generated = sorted(r.name for r in rendered if r.type == RANDOM_PASSWORD)
    assert {"postgres-api-password", "events-worker-scram-password", "minio-api-secret-key"} <= set(
        generated
    )
    values = {name: "e2e" + secrets.token_hex(16) for name in generated}
    credentials = {k: v for k, v in values.items() if k != "postgres-owner-password"}
    monkeypatch.setenv("KUBECONFIG", kube_cluster)
    stack = pulumi_stack(
        "shipyard-apps",
        STACK_PROGRAM,
        config={
            "shipyard:blueprint": str(BLUEPRINT),
            "shipyard:postgresPassword": auto.ConfigValue(
                value=values["postgres-owner-password"], secret=True
            ),
            "shipyard:credentials": auto.ConfigValue(value=json.dumps(credentials), secret=True),
        },
        stack="apps",
    )
    up = stack.up(on_output=print)
    assert up.summary.result == "succeeded"
    outputs = {key: value.value for key, value in up.outputs.items()}
    assert outputs["apps"]["api"] == {
        "host": f"api.{namespace}.svc.cluster.local",
        "serviceAccount": "api",
    }

    custom = client.CustomObjectsApi(kube_api)

    def get(group: str, plural: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = custom.get_namespaced_custom_object(
            group, "v1", namespace, plural, name
        )
        return found

    # Postgres: the app's managed role, its own Database and its pg_hba rules.
    cluster = get("postgresql.cnpg.io", "clusters", "postgres")
    [role] = cluster["spec"]["managed"]["roles"]
    # The CRD's defaults (`connectionLimit: -1`, `inherit: true`) are filled in.
    assert {key: role[key] for key in ("name", "ensure", "login", "passwordSecret")} == {
        "name": "api",
        "ensure": "present",
        "login": True,
        "passwordSecret": {"name": "postgres-api-credentials"},
    }
    assert cluster["spec"]["postgresql"]["pg_hba"] == [
        "hostssl api api all scram-sha-256",
        "host all api all reject",
    ]
    database = get("postgresql.cnpg.io", "databases", "postgres-api")["spec"]
    assert (database["name"], database["owner"]) == ("api", "api")

    # Kafka: a user per app with exactly its ACLs, and its pods admitted to the listener.
    acls = {
        user: {
            (acl["resource"]["name"], tuple(acl["operations"]))
            for acl in get("kafka.strimzi.io", "kafkausers", user)["spec"]["authorization"]["acls"]
        }
        for user in ("api", "worker")
    }
    assert acls["worker"] == {
        ("results", ("Write", "Describe")),
        ("tasks", ("Read", "Describe")),
        ("worker", ("Read",)),
    }
    worker_user = get("kafka.strimzi.io", "kafkausers", "worker")["spec"]["authentication"]
    assert worker_user["password"]["valueFrom"]["secretKeyRef"] == {
        "name": "worker-scram-password",
        "key": "password",
    }
    [listener] = get("kafka.strimzi.io", "kafkas", "events")["spec"]["kafka"]["listeners"]
    assert {"podSelector": {"matchLabels": {"shipyard.dev/app": "api"}}} in listener[
        "networkPolicyPeers"
    ]

    # The apps: pods Ready on kwok, each as its own ServiceAccount.
    apps, core = client.AppsV1Api(kube_api), client.CoreV1Api(kube_api)
    referenced: set[tuple[str, str]] = set()
    for name, replicas in (("api", 2), ("worker", 1)):
        deployment = apps.read_namespaced_deployment(name, namespace)
        assert deployment.status.ready_replicas == replicas, name
        pod_spec = deployment.spec.template.spec
        assert pod_spec.service_account_name == name
        assert pod_spec.security_context.run_as_non_root is True
        referenced |= referenced_keys(pod_spec)
        pods = core.list_namespaced_pod(namespace, label_selector=f"shipyard.dev/app={name}")
        assert len(pods.items) == replicas
        assert all(
            any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions)
            for pod in pods.items
        )
    assert ("postgres-api-credentials", "uri") in referenced
    assert ("minio-api-credentials", "AWS_SECRET_ACCESS_KEY") in referenced

    # Every key Shipyard owns is there; only the operators' own are missing.
    missing = missing_keys(core, namespace, referenced)
    assert missing == set(OPERATOR_SECRETS), missing
    for name, key in OPERATOR_SECRETS:
        core.create_namespaced_secret(
            namespace,
            {"metadata": {"name": name}, "type": "Opaque", "stringData": {key: "e2e CA"}},
        )
    assert missing_keys(core, namespace, referenced) == set()

    policies = {
        p.metadata.name
        for p in client.NetworkingV1Api(kube_api).list_namespaced_network_policy(namespace).items
    }
    assert {"api", "worker", "postgres", "minio"} <= policies

    again = stack.up(on_output=print)
    assert changes(again.summary.resource_changes) == {}, again.summary.resource_changes

    state = json.dumps(stack.export_stack().deployment)
    assert [name for name, value in values.items() if value in state] == []

    destroyed = stack.destroy(on_output=print)
    assert destroyed.summary.result == "succeeded"
