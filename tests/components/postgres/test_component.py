"""`Postgres` under Pulumi mocks: children, ordering, protection, secrets, outputs."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from components.postgres.args import CNPG_CHART_VERSION, POSTGRES_IMAGE
from components.postgres.component import (
    TYPE_TOKEN,
    Postgres,
    PostgresArgs,
    PostgresBackup,
    VectorStore,
)
from components.postgres.manifests import connection_uri
from tests.components.pulumi_recorder import PASSWORD, Recorder

SECRET = "kubernetes:core/v1:Secret"
CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster"
DATABASE = "kubernetes:postgresql.cnpg.io/v1:Database"
SCHEDULED_BACKUP = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"
GATEWAY_PODS = {"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": "gateway"}
GIVEN_PASSWORD = "correct-horse-battery-staple-42"

ARGS = PostgresArgs(
    namespace="llm",
    storage_size="50Gi",
    storage_class="gp3",
    instances=3,
    cpu_request="2",
    memory_request="8Gi",
    vector_stores=(VectorStore(table="documents", dimension=1024),),
    backup=PostgresBackup(destination_path="s3://acme-models/postgres/pg", retention="14d"),
    consumer_pod_labels=(GATEWAY_PODS,),
)


def deploy(
    args: PostgresArgs, *, password: str | None = None, role_arn: str | None = None
) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        db = Postgres("pg", args, owner_password=password, backup_role_arn=role_arn)
        names = ["cluster", "host", "port", "database", "owner", "secret", "password"]

        def keep(values: list[Any]) -> None:
            outputs.update(zip(names, values, strict=True))

        return pulumi.Output.all(
            db.cluster_name,
            db.host,
            db.port,
            db.database,
            db.owner,
            db.secret_name,
            db.owner_password,
        ).apply(keep)

    program()
    return outputs


def test_children_outputs_and_the_generated_password(monitor: Recorder) -> None:
    outputs = deploy(ARGS)
    component = monitor.one(TYPE_TOKEN)
    assert sorted(r.type for r in monitor.recorded if r.parent == component.urn) == sorted(
        [CLUSTER, CONFIG_MAP, DATABASE, RELEASE, SECRET, NETWORK_POLICY, SCHEDULED_BACKUP, PASSWORD]
    )
    password = monitor.one(PASSWORD)
    assert password.inputs["length"] == 32 and password.inputs["special"] is False
    assert outputs == {
        "cluster": "pg",
        "host": "pg-rw.llm.svc",
        "port": 5432,
        "database": "app",
        "owner": "app",
        "secret": "pg-owner-credentials",
        "password": "x" * 32,
    }


def test_the_operator_is_a_pinned_release_the_cluster_waits_for(monitor: Recorder) -> None:
    deploy(ARGS)
    release = monitor.one(RELEASE)
    assert release.inputs["chart"] == "cloudnative-pg"
    assert release.inputs["version"] == CNPG_CHART_VERSION == "0.28.0"
    assert release.inputs["repositoryOpts"] == {"repo": "https://cloudnative-pg.github.io/charts"}
    assert release.inputs["namespace"] == "llm"
    assert release.inputs["values"] == {"crds": {"create": True}}
    cluster = monitor.one(CLUSTER)
    assert release.urn in cluster.dependencies
    assert monitor.one(SECRET).urn in cluster.dependencies
    assert monitor.one(CONFIG_MAP).urn in cluster.dependencies
    for kind in (DATABASE, SCHEDULED_BACKUP):
        assert cluster.urn in monitor.one(kind).dependencies


def test_without_install_operator_there_is_no_release(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"install_operator": False}))
    assert monitor.of_type(RELEASE) == []
    assert set(monitor.one(CLUSTER).dependencies) == {
        monitor.one(SECRET).urn,
        monitor.one(CONFIG_MAP).urn,
    }


def test_the_cluster_spec(monitor: Recorder) -> None:
    deploy(ARGS)
    cluster = monitor.one(CLUSTER)
    spec = cluster.manifest()["spec"]
    assert spec["instances"] == 3
    assert spec["imageName"] == POSTGRES_IMAGE
    assert spec["storage"] == {"size": "50Gi", "storageClass": "gp3"}
    assert spec["resources"] == {
        "requests": {"cpu": "2", "memory": "8Gi"},
        "limits": {"memory": "8Gi"},
    }
    assert spec["affinity"] == {
        "enablePodAntiAffinity": True,
        "topologyKey": "kubernetes.io/hostname",
        "podAntiAffinityType": "required",
    }
    assert spec["enableSuperuserAccess"] is False
    # Non-root is CloudNativePG's default; nothing here may weaken it.
    assert "postgresUID" not in spec and "securityContext" not in spec
    assert spec["bootstrap"]["initdb"] == {
        "database": "app",
        "owner": "app",
        "secret": {"name": "pg-owner-credentials"},
        "dataChecksums": True,
        "postInitApplicationSQLRefs": {
            "configMapRefs": [{"name": "pg-bootstrap-sql", "key": "vector-stores.sql"}]
        },
    }
    assert spec["backup"] == {
        "retentionPolicy": "14d",
        "barmanObjectStore": {
            "destinationPath": "s3://acme-models/postgres/pg",
            "s3Credentials": {"inheritFromIAMRole": True},
            "data": {"compression": "gzip"},
            "wal": {"compression": "gzip"},
        },
    }
    sql = monitor.one(CONFIG_MAP).inputs["data"]["vector-stores.sql"]
    assert sql.startswith("CREATE EXTENSION IF NOT EXISTS vector;\n")
    assert "embedding vector(1024)" in sql and "USING hnsw (embedding vector_cosine_ops)" in sql


def test_the_cluster_is_protected_unless_data_loss_is_allowed(monitor: Recorder) -> None:
    deploy(ARGS)
    assert monitor.one(CLUSTER).protect is True


def test_allow_data_loss_leaves_it_unprotected(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"allow_data_loss": True}))
    assert monitor.one(CLUSTER).protect is False


def test_the_backup_role_annotates_the_service_account(monitor: Recorder) -> None:
    role = "arn:aws:iam::123456789012:role/pg-backups"
    deploy(ARGS, role_arn=role)
    spec = monitor.one(CLUSTER).manifest()["spec"]
    assert spec["serviceAccountTemplate"] == {
        "metadata": {"annotations": {"eks.amazonaws.com/role-arn": role}}
    }
    scheduled = monitor.one(SCHEDULED_BACKUP).manifest()["spec"]
    assert scheduled == {
        "cluster": {"name": "pg"},
        "schedule": "0 0 3 * * *",
        "method": "barmanObjectStore",
        "immediate": True,
        "backupOwnerReference": "self",
    }


def test_the_database_enables_vector_and_is_retained(monitor: Recorder) -> None:
    deploy(ARGS)
    database = monitor.one(DATABASE).manifest()
    assert database["metadata"]["name"] == "pg-app"
    assert database["spec"] == {
        "cluster": {"name": "pg"},
        "name": "app",
        "owner": "app",
        "ensure": "present",
        "databaseReclaimPolicy": "retain",
        "extensions": [{"name": "vector", "ensure": "present"}],
    }


def test_the_network_policy_admits_only_consumers_peers_and_the_operator(
    monitor: Recorder,
) -> None:
    deploy(ARGS.model_copy(update={"operator_namespace": "cnpg-system"}))
    spec = monitor.one(NETWORK_POLICY).manifest()["spec"]
    assert spec["podSelector"] == {"matchLabels": {"cnpg.io/cluster": "pg"}}
    assert spec["policyTypes"] == ["Ingress"]
    tcp_5432 = {"port": 5432, "protocol": "TCP"}
    assert spec["ingress"] == [
        {"from": [{"podSelector": {"matchLabels": GATEWAY_PODS}}], "ports": [tcp_5432]},
        {
            "from": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "pg"}}}],
            "ports": [tcp_5432],
        },
        {
            "from": [
                {
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "cloudnative-pg"}},
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}
                    },
                }
            ],
            "ports": [tcp_5432, {"port": 8000, "protocol": "TCP"}],
        },
    ]


def test_the_secret_is_basic_auth_and_the_password_never_leaks(monitor: Recorder) -> None:
    outputs = deploy(ARGS, password=GIVEN_PASSWORD)
    assert monitor.of_type(PASSWORD) == []
    assert outputs["password"] == GIVEN_PASSWORD
    secret = monitor.one(SECRET)
    assert secret.inputs["type"] == "kubernetes.io/basic-auth"
    string_data = secret.inputs["stringData"]
    assert string_data[rpc._special_sig_key] == rpc._special_secret_sig
    assert string_data["value"] == {
        "username": "app",
        "password": GIVEN_PASSWORD,
        "uri": connection_uri("pg", ARGS, GIVEN_PASSWORD),
    }
    # Everything else names the Secret and never holds the value.
    others = [r for r in monitor.recorded if r.urn != secret.urn]
    assert others and all(GIVEN_PASSWORD not in json.dumps(r.inputs, default=str) for r in others)
    assert all(GIVEN_PASSWORD not in json.dumps(r.manifest(), default=str) for r in others)
    [registered] = [o for o in monitor.registered_outputs if "pg-rw.llm.svc" in o]
    assert "pg-owner-credentials" in registered and GIVEN_PASSWORD not in registered
    assert all(GIVEN_PASSWORD not in o for o in monitor.registered_outputs)


def test_an_invalid_name_is_an_input_error(monitor: Recorder) -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid Postgres name"):
        Postgres("1pg", ARGS)


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"storage_size": "50GB"}, r"`50GB` is not a storage quantity"),
        ({"instances": 0}, r"greater than or equal to 1"),
        ({"database": "App-DB"}, r"`App-DB` is not a valid identifier"),
        ({"consumer_pod_labels": ({},)}, r"empty selector, which admits every pod"),
    ],
)
def test_args_refuse_bad_values(update: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PostgresArgs.model_validate({**ARGS.model_dump(), **update})


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ({"dimension": 0}, "dimension must be at least 1, got 0"),
        ({"dimension": 2001}, "at most 2000 dimensions, got 2001"),
        ({"m": 1}, r"`m` must be 2 to 100, got 1"),
        ({"m": 32, "ef_construction": 40}, r"at least 2 x `m` \(64\), got 40"),
        ({"table": "docs; drop"}, "is not a valid identifier"),
    ],
)
def test_vector_stores_refuse_what_pgvector_would(store: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VectorStore.model_validate({"table": "docs", "dimension": 8, **store})


def test_a_backup_to_minio_names_its_endpoint_keys_and_ca(monitor: Recorder) -> None:
    backup = PostgresBackup(
        destination_path="s3://pg-backups/postgres/pg",
        endpoint_url="https://minio.llm.svc:9000",
        credentials_secret="minio-pg-backup-credentials",
        endpoint_ca_secret="minio-tls",
    )
    deploy(ARGS.model_copy(update={"backup": backup}))
    spec = monitor.one(CLUSTER).manifest()["spec"]
    assert spec["backup"]["barmanObjectStore"] == {
        "destinationPath": "s3://pg-backups/postgres/pg",
        "endpointURL": "https://minio.llm.svc:9000",
        "endpointCA": {"name": "minio-tls", "key": "ca.crt"},
        "s3Credentials": {
            "accessKeyId": {"name": "minio-pg-backup-credentials", "key": "AWS_ACCESS_KEY_ID"},
            "secretAccessKey": {
                "name": "minio-pg-backup-credentials",
                "key": "AWS_SECRET_ACCESS_KEY",
            },
        },
        "data": {"compression": "gzip"},
        "wal": {"compression": "gzip"},
    }
    assert "serviceAccountTemplate" not in spec


def test_a_backup_endpoint_must_be_https() -> None:
    with pytest.raises(ValueError, match="String should match pattern"):
        PostgresBackup(
            destination_path="s3://pg-backups/pg", endpoint_url="http://minio.llm.svc:9000"
        )


def test_the_connection_uri_encodes_the_password_and_requires_tls() -> None:
    uri = connection_uri("pg", ARGS, "p@ss/w:rd")
    assert uri == "postgresql://app:p%40ss%2Fw%3Ard@pg-rw.llm.svc:5432/app?sslmode=require"
