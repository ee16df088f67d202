"""The data layer through the real engine: Postgres, MinIO and Kafka's objects accepted by
a real API server that has CloudNativePG's, Strimzi's and cert-manager's real CRDs.

The operators do not run (their charts are out of reach here), so the custom resources are
checked as the API server stores them; MinIO's StatefulSet and setup Job run on kwok nodes,
its volume bound to a PersistentVolume the test provides. Generated secrets come from stack
config (`shipyard:credentials`, `shipyard:postgresPassword`): the random provider's plugin
cannot be built here."""

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
from shipyard.render import render_blueprint

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = Path(__file__).parent / "blueprints" / "data-services.yaml"
STACK_PROGRAM = REPO_ROOT / "stacks" / "__main__.py"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"


@pytest.fixture
def data_crds(kube_api: Any) -> Iterator[list[str]]:
    names = apply_crds(kube_api, crd_files("cloudnative-pg", "strimzi", "cert-manager"))
    try:
        yield names
    finally:
        delete_crds(kube_api, names)


@pytest.fixture
def volumes(kube_api: Any) -> Iterator[None]:
    """PersistentVolumes for MinIO's claim: the local cluster has no provisioner."""
    core = client.CoreV1Api(kube_api)
    names = [f"e2e-data-{index}" for index in range(2)]
    for name in names:
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
        for name in names:
            try:
                core.delete_persistent_volume(name)
            except ApiException as error:
                if error.status != 404:
                    raise


def generated_secret_names(blueprint: Path) -> list[str]:
    """The names of the passwords the program would generate, from an offline render."""
    rendered = render_blueprint(blueprint, REPO_ROOT, "e2e")
    return sorted(r.name for r in rendered if r.type == RANDOM_PASSWORD)


def test_data_services_are_accepted_by_the_api_server(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kube_cluster: str,
    kube_api: Any,
    pulumi_stack: Any,
    data_crds: list[str],
    volumes: None,
) -> None:
    assert {"clusters.postgresql.cnpg.io", "kafkas.kafka.strimzi.io"} <= set(data_crds)
    assert "certificates.cert-manager.io" in data_crds
    platform = load_blueprint(BLUEPRINT)
    assert platform.spec.postgres and platform.spec.events and platform.spec.object_store
    namespace = platform.namespace

    generated = generated_secret_names(BLUEPRINT)
    assert "postgres-owner-password" in generated and "minio-root-password" in generated
    values = {name: "e2e" + secrets.token_hex(16) for name in generated}
    credentials = {k: v for k, v in values.items() if k != "postgres-owner-password"}
    monkeypatch.setenv("KUBECONFIG", kube_cluster)
    stack = pulumi_stack(
        "shipyard-data",
        STACK_PROGRAM,
        config={
            "shipyard:blueprint": str(BLUEPRINT),
            "shipyard:postgresPassword": auto.ConfigValue(
                value=values["postgres-owner-password"], secret=True
            ),
            "shipyard:credentials": auto.ConfigValue(value=json.dumps(credentials), secret=True),
        },
        stack="data",
    )
    up = stack.up(on_output=print)
    assert up.summary.result == "succeeded"
    outputs = {key: value.value for key, value in up.outputs.items()}
    assert outputs["objectStore"]["endpoint"] == f"https://minio.{namespace}.svc:9000"
    assert outputs["events"]["bootstrapServers"] == f"events-kafka-bootstrap.{namespace}.svc:9093"
    assert outputs["postgres"]["host"] == f"postgres-rw.{namespace}.svc"

    custom = client.CustomObjectsApi(kube_api)

    def get(group: str, version: str, plural: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = custom.get_namespaced_custom_object(
            group, version, namespace, plural, name
        )
        return found

    # Postgres: the Cluster backs up to MinIO over TLS with the backup user's keys.
    cluster = get("postgresql.cnpg.io", "v1", "clusters", "postgres")
    assert cluster["spec"]["instances"] == 1
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["endpointURL"] == f"https://minio.{namespace}.svc:9000"
    assert store["destinationPath"] == "s3://pg-backups/postgres/postgres"
    assert store["endpointCA"] == {"name": "minio-tls", "key": "ca.crt"}
    assert get("postgresql.cnpg.io", "v1", "databases", "postgres-app")["spec"]["extensions"]
    assert get("postgresql.cnpg.io", "v1", "scheduledbackups", "postgres")["spec"]["cluster"] == {
        "name": "postgres"
    }

    # Kafka: KRaft node pools, a TLS listener with SCRAM, the topic and the user's ACLs.
    kafka = get("kafka.strimzi.io", "v1", "kafkas", "events")
    [listener] = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True and listener["authentication"]["type"] == "scram-sha-512"
    assert listener["networkPolicyPeers"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "worker"}}}
    ]
    pools = {
        name: get("kafka.strimzi.io", "v1", "kafkanodepools", name)["spec"]["roles"]
        for name in ("broker", "controller")
    }
    assert pools == {"broker": ["broker"], "controller": ["controller"]}
    topic = get("kafka.strimzi.io", "v1", "kafkatopics", "tasks")
    assert topic["spec"]["partitions"] == 3 and topic["spec"]["replicas"] == 1
    user = get("kafka.strimzi.io", "v1", "kafkausers", "worker")
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    assert {acl["resource"]["name"] for acl in user["spec"]["authorization"]["acls"]} == {"tasks"}

    # MinIO: a certificate for its names, the server running, the setup Job done.
    certificate = get("cert-manager.io", "v1", "certificates", "minio")
    assert f"minio.{namespace}.svc" in certificate["spec"]["dnsNames"]
    apps, batch = client.AppsV1Api(kube_api), client.BatchV1Api(kube_api)
    server = apps.read_namespaced_stateful_set("minio", namespace)
    assert server.status.ready_replicas == 1
    assert server.spec.template.spec.security_context.run_as_non_root is True
    jobs = batch.list_namespaced_job(namespace).items
    assert [job.status.succeeded for job in jobs] == [1]
    policies = {
        p.metadata.name
        for p in client.NetworkingV1Api(kube_api).list_namespaced_network_policy(namespace).items
    }
    assert {"postgres", "minio"} <= policies

    # No generated value is in the state in plain text.
    state = json.dumps(stack.export_stack().deployment)
    assert [name for name, value in values.items() if value in state] == []

    destroyed = stack.destroy(on_output=print)
    assert destroyed.summary.result == "succeeded"
