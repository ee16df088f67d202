"""What each binding kind creates and hands over: the Postgres role and its database, the
KafkaUser and its ACLs, the MinIO user and its policy, the S3 role, the ClickHouse user,
the gateway key reference, and the NetworkPolicies on both sides."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from components.app.network import render_network_policy
from components.kafka.args import KafkaAcl
from components.kafka.manifests import render_kafka
from components.minio.setup import render_policy
from components.postgres.args import AppRole
from components.postgres.manifests import render_cluster
from components.postgres.manifests import render_network_policy as pg_policy
from components.s3.args import AppAccess, ServiceAccount
from shipyard.blueprint import load_blueprint
from shipyard.sections.analytics.args import clickhouse_args
from shipyard.sections.apps.args import app_service_args
from shipyard.sections.events.args import events_args
from shipyard.sections.object_store.args import minio_args, s3_bucket_args
from shipyard.sections.postgres.args import postgres_args
from tests.blueprint.located import load_text
from tests.sections.apps.base import BASE, FILE

load = partial(load_text, FILE)
EXAMPLES = Path(__file__).resolve().parents[3] / "blueprints" / "examples"
BACKEND_PODS = {"shipyard.dev/app": "backend"}


def values(binding: object) -> dict[str, object]:
    return {
        value.key: value.value if value.value is not None else (value.secret.name, value.secret.key)
        for value in binding.values  # type: ignore[attr-defined]
    }


def test_postgres_a_role_and_its_own_database(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    args = postgres_args(platform)
    assert args is not None
    assert args.app_roles == (
        AppRole(name="backend", database="backend", own_database=True, pod_labels=BACKEND_PODS),
    )
    cluster = render_cluster("postgres", args)["spec"]
    assert cluster["managed"]["roles"] == [
        {
            "name": "backend",
            "ensure": "present",
            "login": True,
            "passwordSecret": {"name": "postgres-backend-credentials"},
        }
    ]
    assert cluster["postgresql"]["pg_hba"] == [
        "hostssl backend backend all scram-sha-256",
        "host all backend all reject",
    ]
    ingress = pg_policy("postgres", args)["spec"]["ingress"][0]
    assert {"podSelector": {"matchLabels": BACKEND_PODS}} in ingress["from"]
    [binding] = [
        b
        for b in app_service_args(platform, platform.spec.apps[0]).bindings
        if b.name == "postgres"
    ]
    assert values(binding) == {
        "host": "postgres-rw.acme.svc",
        "port": "5432",
        "database": "backend",
        "username": "backend",
        "password": ("postgres-backend-credentials", "password"),
        "uri": ("postgres-backend-credentials", "uri"),
        "sslmode": "require",
    }
    assert binding.aliases == {"DATABASE_URL": "uri"}


def test_postgres_shared_database_joins_the_owner_role(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE.replace("          database: backend\n", ""))
    args = postgres_args(platform)
    assert args is not None
    [role] = args.app_roles
    assert (role.database, role.own_database) == ("acme", False)
    assert render_cluster("postgres", args)["spec"]["managed"]["roles"][0]["inRoles"] == ["acme"]


def test_events_users_acls_and_the_listener(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    args = events_args(platform)
    assert args is not None
    users = {user.name: user for user in args.users}
    assert users["backend"].acls == (
        KafkaAcl(resource_type="topic", name="tasks", operations=("Write", "Describe")),
        KafkaAcl(resource_type="topic", name="results", operations=("Read", "Describe")),
        KafkaAcl(resource_type="group", name="backend", operations=("Read",)),
    )
    assert users["worker"].generate_password is True
    assert users["worker"].pod_labels == {"shipyard.dev/app": "worker"}
    peers = render_kafka("events", args)["spec"]["kafka"]["listeners"][0]["networkPolicyPeers"]
    assert peers == [
        {"podSelector": {"matchLabels": BACKEND_PODS}},
        {"podSelector": {"matchLabels": {"shipyard.dev/app": "worker"}}},
        # The worker scales on its lag: KEDA's operator reads it with the worker's user.
        {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "keda-operator"}},
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}},
        },
    ]
    worker = app_service_args(platform, platform.spec.apps[1])
    kafka = worker.bindings[0]
    assert values(kafka) == {
        "bootstrap-servers": "events-kafka-bootstrap.acme.svc:9093",
        "ca.crt": ("events-cluster-ca-cert", "ca.crt"),
        "username": "worker",
        "security-protocol": "SASL_SSL",
        "sasl-mechanism": "SCRAM-SHA-512",
        "password": ("worker-scram-password", "password"),
        "consumer-group": "worker",
        "consume-topics": "tasks",
        "produce-topics": "results",
    }
    assert worker.autoscaling is not None and worker.autoscaling.kafka_lag is not None
    assert worker.autoscaling.kafka_lag.consumer_group == "worker"
    assert worker.autoscaling.kafka_lag.password is not None
    assert worker.autoscaling.kafka_lag.password.name == "worker-scram-password"


def test_minio_a_user_scoped_to_its_buckets(tmp_path: Path) -> None:
    text = BASE.replace(
        "            - {name: raw-logs, access: read}\n",
        "            - {name: raw-logs, access: readWrite}\n            - {name: datasets}\n",
    )
    args = minio_args(load(tmp_path, text))
    assert args is not None
    [user] = [user for user in args.users if user.name == "backend"]
    assert (user.buckets, user.read_buckets) == (("raw-logs",), ("datasets",))
    statements = render_policy(user)["Statement"]
    assert statements[1] == {
        "Effect": "Allow",
        "Action": [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        ],
        "Resource": ["arn:aws:s3:::raw-logs/*"],
    }
    assert statements[3] == {
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": ["arn:aws:s3:::datasets/*"],
    }


def test_clickhouse_a_readonly_user(tmp_path: Path) -> None:
    args = clickhouse_args(load(tmp_path, BASE))
    assert args is not None
    assert [(u.name, u.readonly) for u in args.users] == [("backend", True)]
    assert BACKEND_PODS in args.consumer_pod_labels


def test_app_to_app_both_network_policies(tmp_path: Path) -> None:
    platform = load(tmp_path, BASE)
    backend = app_service_args(platform, platform.spec.apps[0])
    worker = app_service_args(platform, platform.spec.apps[1])
    ingress = render_network_policy("backend", backend)["spec"]["ingress"]
    assert ingress == [
        {
            "from": [{"podSelector": {"matchLabels": {"shipyard.dev/app": "worker"}}}],
            "ports": [{"port": 8080, "protocol": "TCP"}],
        }
    ]
    egress = render_network_policy("worker", worker)["spec"]["egress"]
    assert {
        "to": [{"podSelector": {"matchLabels": BACKEND_PODS}}],
        "ports": [{"port": 8080, "protocol": "TCP"}],
    } in egress
    assert values(worker.bindings[1]) == {
        "host": "backend.acme.svc.cluster.local",
        "port": "8080",
        "url": "http://backend.acme.svc.cluster.local:8080",
    }


def test_s3_an_irsa_role_per_app_and_the_gateway_key() -> None:
    platform = load_blueprint(EXAMPLES / "portkey.yaml")
    args = s3_bucket_args(platform)
    assert args is not None
    assert args.app_access == (
        AppAccess(service_account=ServiceAccount(namespace="portkey", name="exports"), write=True),
    )
    exports = app_service_args(platform, next(a for a in platform.spec.apps if a.name == "exports"))
    s3 = next(b for b in exports.bindings if b.name == "s3")
    assert values(s3) == {
        "bucket": "acme-portkey-raw-logs",
        "region": "us-west-2",
        "access": "readWrite",
    }
    assert [(rule.cidr, rule.ports) for rule in s3.external_egress] == [("0.0.0.0/0", (443,))]
    backend = app_service_args(platform, next(a for a in platform.spec.apps if a.name == "backend"))
    gateway = next(b for b in backend.bindings if b.name == "gateway")
    # Both from the one Secret the gateway component generates and its key Job registers.
    assert values(gateway) == {
        "url": ("ai-gateway-backend-key", "base-url"),
        "api-key": ("ai-gateway-backend-key", "api-key"),
    }
    assert gateway.aliases == {"OPENAI_BASE_URL": "url", "OPENAI_API_KEY": "api-key"}
    # Never the master key.
    assert all(
        value.secret is None or "master-key" not in value.secret.name
        for binding in backend.bindings
        for value in binding.values
    )
