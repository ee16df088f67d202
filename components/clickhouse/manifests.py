"""Pure functions that turn `ClickHouseArgs` into Altinity operator and Kubernetes manifests.

No password passes through here: the component creates the Secrets that hold them, and
these manifests only name those Secrets (the operator's `valueFrom.secretKeyRef` form,
which it turns into an environment variable and a `from_env` reference in users.xml).
"""

from __future__ import annotations

from typing import Any

from components.clickhouse.args import (
    ADMIN_USER,
    HTTP_PORT,
    INTERSERVER_PORT,
    KEEPER_PORT,
    KEEPER_RAFT_PORT,
    NATIVE_PORT,
    OPERATOR_RUN_AS_USER,
    OPERATOR_USER,
    PROMETHEUS_PORT,
    RUN_AS_USER,
    ClickHouseArgs,
    ClickHouseUser,
    KeeperArgs,
)
from components.shared.labels import recommended_labels
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)

Manifest = dict[str, Any]

CHI_API_VERSION = "clickhouse.altinity.com/v1"
CHK_API_VERSION = "clickhouse-keeper.altinity.com/v1"
# The labels the operator puts on the pods of an installation
# (pkg/model/chi/tags/labeler/list.go and pkg/model/chk/tags/labeler/list.go).
CHI_POD_LABEL = "clickhouse.altinity.com/chi"
CHK_POD_LABEL = "clickhouse-keeper.altinity.com/chk"
# The operator's pods in the altinity-clickhouse-operator chart (`selectorLabels`).
OPERATOR_POD_LABELS = {"app.kubernetes.io/name": "altinity-clickhouse-operator"}
CLUSTER_NAME = "main"
KEEPER_CLUSTER_NAME = "keeper"
POD_TEMPLATE = "clickhouse"
KEEPER_POD_TEMPLATE = "keeper"
DATA_VOLUME = "data"
# The containers the operator looks for in the pod templates.
CLICKHOUSE_CONTAINER = "clickhouse"
KEEPER_CONTAINER = "clickhouse-keeper"
PASSWORD_KEY = "password"
# `Name=value,Name=value`: ClickHouse's HTTP authentication headers, in the form LiteLLM's
# GENERIC_LOGGER_HEADERS takes.
HTTP_HEADERS_KEY = "http-headers"
DATABASE_DATA_LABELS = {"shipyard.dev/data": "database"}
BOOTSTRAP_COMPONENT = "analytics-schema"
METRICS_PORT_NAME = "metrics"
# system.metrics, system.events and system.asynchronous_metrics, as
# `ClickHouseMetrics_*`, `ClickHouseProfileEvents_*` and `ClickHouseAsyncMetrics_*`.
PROMETHEUS_SETTINGS: Manifest = {
    "prometheus/endpoint": "/metrics",
    "prometheus/port": PROMETHEUS_PORT,
    "prometheus/metrics": "true",
    "prometheus/events": "true",
    "prometheus/asynchronous_metrics": "true",
}
OPERATOR_CPU_REQUEST = "100m"
OPERATOR_MEMORY = "256Mi"


def render_labels(name: str, component: str = "analytics") -> dict[str, str]:
    return recommended_labels("clickhouse", name, component)


def _metadata(name: str, args: ClickHouseArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def bootstrap_pod_labels(name: str) -> dict[str, str]:
    """The schema Job's pods; the NetworkPolicy admits them on the native port."""
    return {"app.kubernetes.io/instance": name, "app.kubernetes.io/component": BOOTSTRAP_COMPONENT}


def keeper_name(name: str) -> str:
    return f"{name}-keeper"


def service_host(name: str, namespace: str) -> str:
    """The Service the operator puts in front of every host of the installation."""
    return f"clickhouse-{name}.{namespace}.svc.cluster.local"


def keeper_service(name: str) -> str:
    """The Service of the Keeper installation (`keeper-<chk name>`)."""
    return f"keeper-{keeper_name(name)}"


def credentials_secret_name(name: str, user: str) -> str:
    """The kubernetes.io/basic-auth Secret of `user`: `username`, `password`, and
    `http-headers`."""
    return f"{name}-{user.replace('_', '-')}-credentials"


def _password_ref(name: str, user: str) -> Manifest:
    return {
        "valueFrom": {
            "secretKeyRef": {"name": credentials_secret_name(name, user), "key": PASSWORD_KEY}
        }
    }


def grants(user: ClickHouseUser, database: str) -> list[str]:
    rights = "SELECT" if user.readonly else "SELECT, INSERT"
    return [f"GRANT {rights} ON {database}.*"]


def render_users(name: str, args: ClickHouseArgs) -> Manifest:
    """`spec.configuration.users`: every password from its Secret. `default` keeps the
    operator's network rule (the installation's own pods and localhost only); the others
    are reachable from pods the NetworkPolicy admits."""
    users: Manifest = {
        "default/password": _password_ref(name, "default"),
        f"{ADMIN_USER}/password": _password_ref(name, ADMIN_USER),
        f"{ADMIN_USER}/access_management": 1,
        f"{ADMIN_USER}/networks/ip": ["::/0"],
    }
    for user in args.users:
        users[f"{user.name}/password"] = _password_ref(name, user.name)
        users[f"{user.name}/networks/ip"] = ["::/0"]
        users[f"{user.name}/grants/query"] = grants(user, args.database)
    return users


def _container_security_context() -> Manifest:
    """Restricted, but with a writable root filesystem: the server writes its logs and
    preprocessed configuration under its own directories."""
    return {**restricted_container_security_context(RUN_AS_USER), "readOnlyRootFilesystem": False}


def _resources(cpu: str, memory: str) -> Manifest:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}


def _volume_claim(
    size: str, storage_class: str | None, allow_data_loss: bool, labels: dict[str, str]
) -> Manifest:
    spec: Manifest = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}},
    }
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return {
        "name": DATA_VOLUME,
        # Retain: deleting the installation (or a replica) keeps its data volume.
        "reclaimPolicy": "Delete" if allow_data_loss else "Retain",
        "metadata": {"labels": {**labels, **DATABASE_DATA_LABELS}},
        "spec": spec,
    }


def _anti_affinity(label: str, value: str) -> Manifest:
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {label: value}},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }


def render_installation(name: str, args: ClickHouseArgs) -> Manifest:
    """The `ClickHouseInstallation`: one cluster of shards x replicas, Keeper, users."""
    labels = render_labels(name)
    configuration: Manifest = {
        "users": render_users(name, args),
        "clusters": [
            {
                "name": CLUSTER_NAME,
                "layout": {"shardsCount": args.shards, "replicasCount": args.replicas},
                # Hosts authenticate distributed queries with a shared secret, not as
                # `default`, whose password is generated.
                "secret": {"auto": "true"},
            }
        ],
    }
    if args.prometheus_endpoint:
        configuration["settings"] = dict(PROMETHEUS_SETTINGS)
    if args.keeper is not None:
        configuration["zookeeper"] = {
            "nodes": [{"host": keeper_service(name), "port": KEEPER_PORT}]
        }
    pod_spec: Manifest = {
        # ClickHouse and Keeper never call the API server: no token to steal.
        "automountServiceAccountToken": False,
        "securityContext": restricted_pod_security_context(RUN_AS_USER),
        "affinity": _anti_affinity(CHI_POD_LABEL, name),
        "containers": [
            {
                "name": CLICKHOUSE_CONTAINER,
                "image": args.image,
                "resources": _resources(args.cpu_request, args.memory_request),
                "securityContext": _container_security_context(),
            }
        ],
    }
    if args.prometheus_endpoint:
        pod_spec["containers"][0]["ports"] = [
            {"name": METRICS_PORT_NAME, "containerPort": PROMETHEUS_PORT, "protocol": "TCP"}
        ]
    return {
        "apiVersion": CHI_API_VERSION,
        "kind": "ClickHouseInstallation",
        "metadata": {**_metadata(name, args), "labels": {**labels, **DATABASE_DATA_LABELS}},
        "spec": {
            "defaults": {
                "templates": {"podTemplate": POD_TEMPLATE, "dataVolumeClaimTemplate": DATA_VOLUME}
            },
            "configuration": configuration,
            "templates": {
                "podTemplates": [
                    {
                        "name": POD_TEMPLATE,
                        "metadata": {"labels": {**labels, **DATABASE_DATA_LABELS}},
                        "spec": pod_spec,
                    }
                ],
                "volumeClaimTemplates": [
                    _volume_claim(
                        args.storage_size, args.storage_class, args.allow_data_loss, labels
                    )
                ],
            },
        },
    }


def render_keeper(name: str, args: ClickHouseArgs, keeper: KeeperArgs) -> Manifest:
    """The `ClickHouseKeeperInstallation`: an odd quorum of Keeper replicas."""
    chk = keeper_name(name)
    labels = render_labels(chk, "coordination")
    pod_spec: Manifest = {
        # ClickHouse and Keeper never call the API server: no token to steal.
        "automountServiceAccountToken": False,
        "securityContext": restricted_pod_security_context(RUN_AS_USER),
        "affinity": _anti_affinity(CHK_POD_LABEL, chk),
        "containers": [
            {
                "name": KEEPER_CONTAINER,
                "image": keeper.image,
                "resources": _resources(keeper.cpu_request, keeper.memory_request),
                "securityContext": _container_security_context(),
            }
        ],
    }
    return {
        "apiVersion": CHK_API_VERSION,
        "kind": "ClickHouseKeeperInstallation",
        "metadata": {
            "name": chk,
            "namespace": args.namespace,
            "labels": {**labels, **DATABASE_DATA_LABELS},
        },
        "spec": {
            "defaults": {
                "templates": {
                    "podTemplate": KEEPER_POD_TEMPLATE,
                    "dataVolumeClaimTemplate": DATA_VOLUME,
                }
            },
            "configuration": {
                "clusters": [
                    {"name": KEEPER_CLUSTER_NAME, "layout": {"replicasCount": keeper.replicas}}
                ]
            },
            "templates": {
                "podTemplates": [
                    {"name": KEEPER_POD_TEMPLATE, "metadata": {"labels": labels}, "spec": pod_spec}
                ],
                "volumeClaimTemplates": [
                    _volume_claim(
                        keeper.storage_size, keeper.storage_class, args.allow_data_loss, labels
                    )
                ],
            },
        },
    }


def _tcp(*ports: int) -> list[Manifest]:
    return [{"port": port, "protocol": "TCP"} for port in ports]


def _operator_peer(args: ClickHouseArgs) -> Manifest:
    peer: Manifest = {"podSelector": {"matchLabels": dict(OPERATOR_POD_LABELS)}}
    if args.operator_ns != args.namespace:
        peer["namespaceSelector"] = {
            "matchLabels": {"kubernetes.io/metadata.name": args.operator_ns}
        }
    return peer


def render_network_policy(name: str, args: ClickHouseArgs) -> Manifest:
    """ClickHouse's pods: declared consumers on HTTP and native; the schema Job on native;
    the installation's own hosts on all three; the operator on HTTP (status, schema,
    metrics)."""
    own = {"podSelector": {"matchLabels": {CHI_POD_LABEL: name}}}
    ingress: list[Manifest] = []
    if args.consumer_pod_labels:
        ingress.append(
            {
                "from": [
                    {"podSelector": {"matchLabels": dict(labels)}}
                    for labels in args.consumer_pod_labels
                ],
                "ports": _tcp(HTTP_PORT, NATIVE_PORT),
            }
        )
    ingress += [
        {
            "from": [{"podSelector": {"matchLabels": bootstrap_pod_labels(name)}}],
            "ports": _tcp(NATIVE_PORT),
        },
        {"from": [own], "ports": _tcp(HTTP_PORT, NATIVE_PORT, INTERSERVER_PORT)},
        {"from": [_operator_peer(args)], "ports": _tcp(HTTP_PORT)},
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": {CHI_POD_LABEL: name}},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def render_keeper_network_policy(name: str, args: ClickHouseArgs) -> Manifest:
    """Keeper's pods: ClickHouse and the operator on the client port, each other on Raft."""
    chk = keeper_name(name)
    own = {"podSelector": {"matchLabels": {CHK_POD_LABEL: chk}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {**_metadata(chk, args), "labels": render_labels(chk, "coordination")},
        "spec": {
            "podSelector": {"matchLabels": {CHK_POD_LABEL: chk}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {"podSelector": {"matchLabels": {CHI_POD_LABEL: name}}},
                        _operator_peer(args),
                    ],
                    "ports": _tcp(KEEPER_PORT),
                },
                {"from": [own], "ports": _tcp(KEEPER_PORT, KEEPER_RAFT_PORT)},
            ],
        },
    }


def render_operator_values() -> Manifest:
    """Helm values of the altinity-clickhouse-operator chart, without the operator's
    password (the component adds it as a Pulumi secret).

    The chart's CRD hook Job runs an unpinned kubectl image, so it is off: Helm installs
    the CRDs from the chart's `crds/` directory itself. The operator and its metrics
    exporter run restricted, with requests."""
    container = {
        "containerSecurityContext": restricted_container_security_context(OPERATOR_RUN_AS_USER),
        "resources": _resources(OPERATOR_CPU_REQUEST, OPERATOR_MEMORY),
    }
    return {
        "crdHook": {"enabled": False},
        "podSecurityContext": restricted_pod_security_context(OPERATOR_RUN_AS_USER),
        "operator": dict(container),
        "metrics": dict(container),
        "secret": {"create": True, "username": OPERATOR_USER},
    }
