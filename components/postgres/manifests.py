"""Pure functions that turn `PostgresArgs` into CloudNativePG and Kubernetes manifests.

The owner's password never passes through here: the component creates the Secret that
holds it, and these manifests only name that Secret.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from components.postgres.args import (
    ACCESS_KEY_ID_KEY,
    CA_CERT_KEY,
    DEFAULT_TOPOLOGY_KEY,
    INSTANCE_STATUS_PORT,
    POSTGRES_PORT,
    SECRET_ACCESS_KEY_KEY,
    AppRole,
    PostgresArgs,
)
from components.postgres.pgvector_sql import bootstrap_sql
from components.shared.labels import recommended_labels

Manifest = dict[str, Any]

CNPG_API_VERSION = "postgresql.cnpg.io/v1"
# The label CloudNativePG puts on every instance pod of a cluster.
CLUSTER_LABEL = "cnpg.io/cluster"
# The operator pods' label in the cloudnative-pg chart.
OPERATOR_POD_LABELS = {"app.kubernetes.io/name": "cloudnative-pg"}
BOOTSTRAP_SQL_KEY = "vector-stores.sql"
# The tables and the WAL are the data; protected unless `allow_data_loss`.
DATABASE_DATA_LABELS = {"shipyard.dev/data": "database"}


def render_labels(name: str) -> dict[str, str]:
    return recommended_labels("postgres", name, "database")


def _metadata(name: str, args: PostgresArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def credentials_secret_name(name: str) -> str:
    """The kubernetes.io/basic-auth Secret with the owner's `username` and `password`, and
    the connection URL under `uri`."""
    return f"{name}-owner-credentials"


URI_KEY = "uri"
"""The credentials Secret's key holding `postgresql://owner:password@host:port/database`."""


def connection_uri(
    name: str, args: PostgresArgs, password: str, role: AppRole | None = None
) -> str:
    """The owner's (or an app role's) connection URL to the primary, TLS required
    (CloudNativePG serves TLS). User and password are percent-encoded: a password
    brought in may hold `@` or `/`."""
    user = quote(role.name if role else args.owner, safe="")
    secret = quote(password, safe="")
    host = read_write_host(name, args.namespace)
    database = role.database if role else args.database
    return f"postgresql://{user}:{secret}@{host}:{POSTGRES_PORT}/{database}?sslmode=require"


def app_role_secret_name(name: str, role: str) -> str:
    """The kubernetes.io/basic-auth Secret of an app's role: `username`, `password`, and
    the connection URL under `uri`."""
    return f"{name}-{role.replace('_', '-')}-credentials"


def render_managed_roles(name: str, args: PostgresArgs) -> list[Manifest]:
    """`spec.managed.roles`: one login role per app, its password from its Secret; a role
    sharing the application database joins the owner role."""
    roles = []
    for role in args.app_roles:
        rendered: Manifest = {
            "name": role.name,
            "ensure": "present",
            "login": True,
            "passwordSecret": {"name": app_role_secret_name(name, role.name)},
        }
        if not role.own_database:
            rendered["inRoles"] = [args.owner]
        roles.append(rendered)
    return roles


def render_pg_hba(args: PostgresArgs) -> list[str]:
    """pg_hba.conf lines (CloudNativePG puts them before its catch-all rule): each app role
    connects over TLS to its one database, and is rejected everywhere else."""
    lines: list[str] = []
    for role in args.app_roles:
        lines.append(f"hostssl {role.database} {role.name} all scram-sha-256")
        lines.append(f"host all {role.name} all reject")
    return lines


def render_app_databases(name: str, args: PostgresArgs) -> list[Manifest]:
    """A `Database` per app that owns one, retained when the CR goes."""
    return [
        {
            "apiVersion": CNPG_API_VERSION,
            "kind": "Database",
            "metadata": {
                **_metadata(name, args),
                "name": f"{name}-{role.database.replace('_', '-')}",
            },
            "spec": {
                "cluster": {"name": name},
                "name": role.database,
                "owner": role.name,
                "ensure": "present",
                "databaseReclaimPolicy": "retain",
            },
        }
        for role in args.app_roles
        if role.own_database
    ]


def bootstrap_config_map_name(name: str) -> str:
    return f"{name}-bootstrap-sql"


def read_write_host(name: str, namespace: str) -> str:
    """The Service CloudNativePG points at the current primary."""
    return f"{name}-rw.{namespace}.svc"


def render_bootstrap_config_map(name: str, args: PostgresArgs) -> Manifest | None:
    """The vector stores' SQL, or None without vector stores (the Database CR still
    enables the extension)."""
    if not args.vector_stores:
        return None
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {**_metadata(name, args), "name": bootstrap_config_map_name(name)},
        "data": {BOOTSTRAP_SQL_KEY: bootstrap_sql(args.vector_stores, args.owner)},
    }


def _backup(args: PostgresArgs) -> Manifest | None:
    backup = args.backup
    if backup is None:
        return None
    # IRSA: the pods' service account carries the bucket role (see the component).
    credentials: Manifest = {"inheritFromIAMRole": True}
    if backup.credentials_secret is not None:
        credentials = {
            "accessKeyId": {"name": backup.credentials_secret, "key": ACCESS_KEY_ID_KEY},
            "secretAccessKey": {"name": backup.credentials_secret, "key": SECRET_ACCESS_KEY_KEY},
        }
    store: Manifest = {
        "destinationPath": backup.destination_path,
        "s3Credentials": credentials,
        "data": {"compression": "gzip"},
        "wal": {"compression": "gzip"},
    }
    if backup.endpoint_url is not None:
        store["endpointURL"] = backup.endpoint_url
    if backup.endpoint_ca_secret is not None:
        store["endpointCA"] = {"name": backup.endpoint_ca_secret, "key": CA_CERT_KEY}
    return {"retentionPolicy": backup.retention, "barmanObjectStore": store}


def render_cluster(name: str, args: PostgresArgs) -> Manifest:
    """The CloudNativePG `Cluster`: instances on different nodes, the database and owner
    from initdb with our Secret, vector stores from the bootstrap ConfigMap."""
    initdb: Manifest = {
        "database": args.database,
        "owner": args.owner,
        "secret": {"name": credentials_secret_name(name)},
        "dataChecksums": True,
    }
    if args.vector_stores:
        initdb["postInitApplicationSQLRefs"] = {
            "configMapRefs": [{"name": bootstrap_config_map_name(name), "key": BOOTSTRAP_SQL_KEY}]
        }
    storage: Manifest = {"size": args.storage_size}
    if args.storage_class is not None:
        storage["storageClass"] = args.storage_class
    spec: Manifest = {
        "instances": args.instances,
        "imageName": args.image,
        # CloudNativePG runs postgres as UID 26, non-root, no privilege escalation, all
        # capabilities dropped, read-only root filesystem, seccomp RuntimeDefault
        # (pkg/specs/containers.go in its module); left at those defaults on purpose.
        "enableSuperuserAccess": False,
        "storage": storage,
        "resources": {
            "requests": {"cpu": args.cpu_request, "memory": args.memory_request},
            "limits": {"memory": args.memory_request},
        },
        "affinity": {
            "enablePodAntiAffinity": True,
            "topologyKey": DEFAULT_TOPOLOGY_KEY,
            "podAntiAffinityType": args.anti_affinity,
        },
        "inheritedMetadata": {"labels": {**render_labels(name), **DATABASE_DATA_LABELS}},
        "bootstrap": {"initdb": initdb},
    }
    backup = _backup(args)
    if backup is not None:
        spec["backup"] = backup
    if args.app_roles:
        spec["managed"] = {"roles": render_managed_roles(name, args)}
        spec["postgresql"] = {"pg_hba": render_pg_hba(args)}
    return {
        "apiVersion": CNPG_API_VERSION,
        "kind": "Cluster",
        "metadata": {
            **_metadata(name, args),
            "labels": {**render_labels(name), **DATABASE_DATA_LABELS},
        },
        "spec": spec,
    }


def render_database(name: str, args: PostgresArgs) -> Manifest:
    """The declarative `Database`: adopts initdb's database and keeps `vector` enabled."""
    return {
        "apiVersion": CNPG_API_VERSION,
        "kind": "Database",
        "metadata": {**_metadata(name, args), "name": f"{name}-{args.database.replace('_', '-')}"},
        "spec": {
            "cluster": {"name": name},
            "name": args.database,
            "owner": args.owner,
            "ensure": "present",
            # Deleting the CR must never drop the database.
            "databaseReclaimPolicy": "retain",
            "extensions": [{"name": "vector", "ensure": "present"}],
        },
    }


def render_scheduled_backup(name: str, args: PostgresArgs) -> Manifest | None:
    if args.backup is None:
        return None
    return {
        "apiVersion": CNPG_API_VERSION,
        "kind": "ScheduledBackup",
        "metadata": _metadata(name, args),
        "spec": {
            "cluster": {"name": name},
            "schedule": args.backup.schedule,
            "method": "barmanObjectStore",
            # A first base backup right away, so WAL archiving has something to follow.
            "immediate": True,
            "backupOwnerReference": "self",
        },
    }


def render_network_policy(name: str, args: PostgresArgs) -> Manifest:
    """Admit the declared consumers and the cluster's own instances on 5432, and the
    operator on 5432 and the instance manager's status port."""
    operator_peer: Manifest = {"podSelector": {"matchLabels": dict(OPERATOR_POD_LABELS)}}
    if args.operator_ns != args.namespace:
        operator_peer["namespaceSelector"] = {
            "matchLabels": {"kubernetes.io/metadata.name": args.operator_ns}
        }
    postgres_port = [{"port": POSTGRES_PORT, "protocol": "TCP"}]
    ingress: list[Manifest] = [
        {
            "from": [{"podSelector": {"matchLabels": {CLUSTER_LABEL: name}}}],
            "ports": postgres_port,
        },
        {
            "from": [operator_peer],
            "ports": [*postgres_port, {"port": INSTANCE_STATUS_PORT, "protocol": "TCP"}],
        },
    ]
    consumers = [*args.consumer_pod_labels, *(role.pod_labels for role in args.app_roles)]
    if consumers:
        ingress.insert(
            0,
            {
                "from": [{"podSelector": {"matchLabels": dict(labels)}} for labels in consumers],
                "ports": postgres_port,
            },
        )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": {CLUSTER_LABEL: name}},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def render_operator_values() -> Manifest:
    """Helm values of the cloudnative-pg chart: its CRDs come with the release."""
    return {"crds": {"create": True}}
