"""`Minio` under Pulumi mocks: children, protection, credentials, TLS, network policy,
the bucket-setup Job and the registered outputs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from components.minio.args import BucketRetention
from components.minio.component import (
    TYPE_TOKEN,
    Bucket,
    IssuerRef,
    Minio,
    MinioArgs,
    MinioTls,
    ServiceUser,
)
from tests.components.pulumi_recorder import (
    PASSWORD,
    DistinctPasswords,
    Recorder,
    recording_monitor,
)

SECRET = "kubernetes:core/v1:Secret"
SERVICE = "kubernetes:core/v1:Service"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
JOB = "kubernetes:batch/v1:Job"
CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SERVER_PODS = {
    "app.kubernetes.io/name": "minio",
    "app.kubernetes.io/instance": "store",
    "app.kubernetes.io/component": "object-store",
}
TRAINER_PODS = {"app.kubernetes.io/name": "trainer"}

ARGS = MinioArgs(
    namespace="llm",
    servers=4,
    drives_per_server=2,
    storage_size="100Gi",
    storage_class="gp3",
    tls=MinioTls(issuer=IssuerRef(name="cluster-ca", kind="ClusterIssuer")),
    buckets=(
        Bucket(name="datasets", versioning=True),
        Bucket(
            name="audit",
            versioning=True,
            object_lock=True,
            retention=BucketRetention(mode="compliance", days=30),
        ),
    ),
    users=(
        ServiceUser(name="trainer", buckets=("datasets",), pod_labels=TRAINER_PODS),
        ServiceUser(
            name="auditor",
            buckets=("audit",),
            access="readonly",
            pod_labels={"app": "auditor"},
            namespace="compliance",
        ),
    ),
)


@pytest.fixture
def monitor() -> Iterator[Recorder]:
    """Every RandomPassword gets its own recognisable value, so a leak can be found."""
    yield from recording_monitor(DistinctPasswords("Leak{}Value"))


def deploy(args: MinioArgs, credentials: dict[str, str] | None = None) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        store = Minio("store", args, credentials=credentials)
        names = ["endpoint", "host", "port", "buckets", "tls", "root", "users"]
        return pulumi.Output.all(
            store.endpoint,
            store.host,
            store.port,
            store.buckets,
            store.tls_secret_name,
            store.root_secret_name,
            store.user_secret_names,
        ).apply(lambda values: outputs.update(zip(names, values, strict=True)))

    program()
    return outputs


def test_children_and_outputs(monitor: Recorder) -> None:
    outputs = deploy(ARGS)
    component = monitor.one(TYPE_TOKEN)
    children = sorted(r.type for r in monitor.recorded if r.parent == component.urn)
    assert children == sorted(
        [CERTIFICATE, JOB, NETWORK_POLICY, NETWORK_POLICY, PDB, STATEFUL_SET, SERVICE, SERVICE]
        + [SECRET] * 3
        + [PASSWORD] * 4
    )
    assert outputs == {
        "endpoint": "https://store.llm.svc:9000",
        "host": "store.llm.svc",
        "port": 9000,
        "buckets": ["datasets", "audit"],
        "tls": "store-tls",
        "root": "store-root-credentials",
        "users": {
            "trainer": "store-trainer-credentials",
            "auditor": "store-auditor-credentials",
        },
    }


def test_passwords_are_generated_secrets_that_never_leak(monitor: Recorder) -> None:
    deploy(ARGS)
    passwords = monitor.of_type(PASSWORD)
    assert sorted((p.name, p.inputs["length"], p.inputs["special"]) for p in passwords) == [
        ("store-auditor-secret-key", 40, False),
        ("store-root-password", 40, False),
        ("store-root-user", 20, False),
        ("store-trainer-secret-key", 40, False),
    ]
    values = [f"Leak{p.name}Value".replace("-", "") for p in passwords]
    secrets = {s.name: s for s in monitor.of_type(SECRET)}
    root = secrets["store-root-credentials"].inputs["stringData"]
    assert root[rpc._special_sig_key] == rpc._special_secret_sig
    assert root["value"] == {
        "MINIO_ROOT_USER": "LeakstorerootuserValue",
        "MINIO_ROOT_PASSWORD": "LeakstorerootpasswordValue",
    }
    trainer = secrets["store-trainer-credentials"].inputs["stringData"]["value"]
    assert trainer == {
        "AWS_ACCESS_KEY_ID": "trainer",
        "AWS_SECRET_ACCESS_KEY": "LeakstoretrainersecretkeyValue",
    }
    # No other resource, no manifest and no registered output holds a generated value.
    others = [r for r in monitor.recorded if r.type not in (SECRET, PASSWORD)]
    for value in values:
        assert all(value not in json.dumps(r.inputs, default=str) for r in others)
        assert all(value not in json.dumps(r.manifest(), default=str) for r in others)
        assert all(value not in o for o in monitor.registered_outputs)
    assert "minio123" not in json.dumps([r.inputs for r in monitor.recorded], default=str)


def test_given_credentials_replace_generated_ones(monitor: Recorder) -> None:
    deploy(ARGS, {"store-root-password": "GivenRootPassword0123456789", "unrelated": "x"})
    names = sorted(p.name for p in monitor.of_type(PASSWORD))
    assert names == ["store-auditor-secret-key", "store-root-user", "store-trainer-secret-key"]
    root = next(s for s in monitor.of_type(SECRET) if s.name == "store-root-credentials")
    assert root.inputs["stringData"][rpc._special_sig_key] == rpc._special_secret_sig
    assert root.inputs["stringData"]["value"]["MINIO_ROOT_PASSWORD"] == (
        "GivenRootPassword0123456789"
    )


def test_the_stateful_set_is_protected_and_retained(monitor: Recorder) -> None:
    deploy(ARGS)
    stateful_set = monitor.one(STATEFUL_SET)
    assert stateful_set.protect is True
    spec = stateful_set.manifest()["spec"]
    assert spec["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    assert (spec["replicas"], spec["podManagementPolicy"], spec["serviceName"]) == (
        4,
        "Parallel",
        "store-hl",
    )
    claims = spec["volumeClaimTemplates"]
    assert [c["metadata"]["name"] for c in claims] == ["data0", "data1"]
    assert claims[0]["metadata"]["labels"]["shipyard.dev/data"] == "objects"
    assert claims[0]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "100Gi"}},
        "storageClassName": "gp3",
    }


def test_allow_data_loss_unprotects_and_deletes_claims(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"allow_data_loss": True}))
    stateful_set = monitor.one(STATEFUL_SET)
    assert stateful_set.protect is False
    policy = stateful_set.manifest()["spec"]["persistentVolumeClaimRetentionPolicy"]
    assert policy["whenDeleted"] == "Delete"


def test_the_server_runs_distributed_with_tls_non_root(monitor: Recorder) -> None:
    deploy(ARGS)
    pod = monitor.one(STATEFUL_SET).manifest()["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == "minio/minio:RELEASE.2025-09-07T16-13-09Z"
    assert container["args"] == [
        "server",
        "--certs-dir",
        "/etc/minio/certs",
        "--address",
        ":9000",
        "https://store-{0...3}.store-hl.llm.svc.cluster.local:9000/data{0...1}",
    ]
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "2Gi"},
        "limits": {"memory": "2Gi"},
    }
    assert container["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
    env = {e["name"]: e for e in container["env"]}
    assert env["MINIO_ROOT_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "store-root-credentials", "key": "MINIO_ROOT_PASSWORD"}
    }
    assert env["MINIO_BROWSER"]["value"] == "false"
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["securityContext"]["runAsUser"] == 1000
    certs = next(v for v in pod["volumes"] if v["name"] == "certs")["projected"]["sources"]
    assert certs[0]["secret"]["name"] == "store-tls"
    assert [i["path"] for i in certs[0]["secret"]["items"]] == [
        "public.crt",
        "private.key",
        "CAs/server.crt",
    ]
    assert certs[1]["secret"] == {
        "name": "store-tls",
        "items": [{"key": "ca.crt", "path": "CAs/ca.crt"}],
        "optional": True,
    }


def test_the_certificate_names_the_service_and_every_pod(monitor: Recorder) -> None:
    deploy(ARGS)
    certificate = monitor.one(CERTIFICATE)
    spec = certificate.manifest()["spec"]
    assert certificate.urn in monitor.one(STATEFUL_SET).dependencies
    assert spec["secretName"] == "store-tls"
    assert spec["issuerRef"] == {
        "name": "cluster-ca",
        "kind": "ClusterIssuer",
        "group": "cert-manager.io",
    }
    assert spec["dnsNames"] == [
        "store",
        "store.llm",
        "store.llm.svc",
        "store.llm.svc.cluster.local",
        "*.store-hl.llm.svc",
        "*.store-hl.llm.svc.cluster.local",
    ]


def test_an_existing_tls_secret_renders_no_certificate(monitor: Recorder) -> None:
    outputs = deploy(ARGS.model_copy(update={"tls": MinioTls(secret_name="wildcard-tls")}))
    assert monitor.of_type(CERTIFICATE) == []
    assert outputs["tls"] == "wildcard-tls"
    pod = monitor.one(STATEFUL_SET).manifest()["spec"]["template"]["spec"]
    certs = next(v for v in pod["volumes"] if v["name"] == "certs")["projected"]["sources"]
    assert {source["secret"]["name"] for source in certs} == {"wildcard-tls"}


def test_the_network_policy_admits_consumers_peers_and_setup_only(
    monitor: Recorder,
) -> None:
    deploy(ARGS)
    [server, setup] = sorted(
        (r for r in monitor.recorded if r.type == NETWORK_POLICY), key=lambda r: r.name
    )
    # The setup Job serves nothing: its pods admit nobody.
    assert setup.name == "store-setup"
    assert setup.manifest()["spec"]["ingress"] == []
    spec = server.manifest()["spec"]
    assert spec["podSelector"] == {"matchLabels": SERVER_PODS}
    assert spec["policyTypes"] == ["Ingress"]
    assert spec["ingress"] == [
        {
            "from": [
                {"podSelector": {"matchLabels": TRAINER_PODS}},
                {
                    "podSelector": {"matchLabels": {"app": "auditor"}},
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "compliance"}
                    },
                },
                {"podSelector": {"matchLabels": SERVER_PODS}},
                {
                    "podSelector": {
                        "matchLabels": {
                            **SERVER_PODS,
                            "app.kubernetes.io/component": "bucket-setup",
                        }
                    }
                },
            ],
            "ports": [{"port": 9000, "protocol": "TCP"}],
        }
    ]


def test_services_and_disruption_budget(monitor: Recorder) -> None:
    deploy(ARGS)
    services = {s.name: s.manifest()["spec"] for s in monitor.of_type(SERVICE)}
    assert services["store"]["selector"] == SERVER_PODS
    assert services["store"]["ports"] == [
        {"name": "s3", "port": 9000, "targetPort": 9000, "protocol": "TCP"}
    ]
    assert services["store-hl"]["clusterIP"] == "None"
    assert services["store-hl"]["publishNotReadyAddresses"] is True
    assert monitor.one(PDB).manifest()["spec"]["maxUnavailable"] == 1


def test_one_server_is_standalone_without_a_disruption_budget(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"servers": 1, "drives_per_server": 1}))
    assert monitor.of_type(PDB) == []
    [container] = monitor.one(STATEFUL_SET).manifest()["spec"]["template"]["spec"]["containers"]
    assert container["args"][-1] == "/data0"


def test_an_invalid_name_is_an_input_error(monitor: Recorder) -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid Minio name"):
        Minio("9store", ARGS)
