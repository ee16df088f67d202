"""The logs schema's delivery: a ConfigMap with the DDL and a Job that runs it (pure).

The ClickHouseInstallation has no hook for application DDL (the operator only copies
existing tables onto hosts it adds), so a Job runs `clickhouse-client` from the same
pinned server image, as the `admin` user, against the installation's Service. Every
statement is `IF NOT EXISTS`, so a rerun is harmless; the Job's name carries the DDL's
hash, so a schema change replaces it and runs again.
"""

from __future__ import annotations

import hashlib

from components.clickhouse.args import ADMIN_USER, NATIVE_PORT, RUN_AS_USER, ClickHouseArgs
from components.clickhouse.manifests import (
    PASSWORD_KEY,
    Manifest,
    bootstrap_pod_labels,
    credentials_secret_name,
    render_labels,
    service_host,
)
from components.clickhouse.schema import LogsSchema, schema_sql
from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)

SCHEMA_KEY = "schema.sql"
SCHEMA_DIR = "/schema"
PASSWORD_ENV = "CLICKHOUSE_PASSWORD"
# The Job starts with the installation; it waits this long for the server to answer.
WAIT_ATTEMPTS = 120
WAIT_SECONDS = 5
BACKOFF_LIMIT = 6
JOB_CPU_REQUEST = "100m"
JOB_MEMORY = "256Mi"


def logs_schema(args: ClickHouseArgs) -> LogsSchema:
    return LogsSchema(
        database=args.database,
        retention_days=args.retention_days,
        usage_retention_days=args.usage_retention_days,
        replicated=args.replicated,
        sharded=args.shards > 1,
    )


def schema_config_map_name(name: str) -> str:
    return f"{name}-schema"


def schema_job_name(name: str, args: ClickHouseArgs) -> str:
    digest = hashlib.sha256(schema_sql(logs_schema(args)).encode()).hexdigest()[:10]
    return f"{name}-schema-{digest}"


def render_schema_config_map(name: str, args: ClickHouseArgs) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": schema_config_map_name(name),
            "namespace": args.namespace,
            "labels": render_labels(name),
        },
        "data": {SCHEMA_KEY: schema_sql(logs_schema(args))},
    }


def client_script(name: str, args: ClickHouseArgs) -> str:
    """Wait for the server, then run the DDL. The password comes from the environment."""
    client = (
        f"clickhouse-client --host {service_host(name, args.namespace)} --port {NATIVE_PORT} "
        f'--user {ADMIN_USER} --password "${PASSWORD_ENV}"'
    )
    return (
        f"i=0; until {client} --query 'SELECT 1' >/dev/null; do "
        f"i=$((i+1)); [ $i -ge {WAIT_ATTEMPTS} ] && exit 1; sleep {WAIT_SECONDS}; done; "
        f"exec {client} --multiquery --queries-file {SCHEMA_DIR}/{SCHEMA_KEY}"
    )


def render_schema_job(name: str, args: ClickHouseArgs) -> Manifest:
    labels = {**render_labels(name), **bootstrap_pod_labels(name)}
    container: Manifest = {
        "name": "schema",
        "image": args.image,
        "command": ["sh", "-c", client_script(name, args)],
        "env": [
            {"name": "HOME", "value": "/tmp"},
            {
                "name": PASSWORD_ENV,
                "valueFrom": {
                    "secretKeyRef": {
                        "name": credentials_secret_name(name, ADMIN_USER),
                        "key": PASSWORD_KEY,
                    }
                },
            },
        ],
        "resources": {
            "requests": {"cpu": JOB_CPU_REQUEST, "memory": JOB_MEMORY},
            "limits": {"memory": JOB_MEMORY},
        },
        "securityContext": restricted_container_security_context(RUN_AS_USER),
        "volumeMounts": [
            {"name": "schema", "mountPath": SCHEMA_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": schema_job_name(name, args),
            "namespace": args.namespace,
            "labels": labels,
        },
        "spec": {
            "backoffLimit": BACKOFF_LIMIT,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": False,
                    "securityContext": restricted_pod_security_context(RUN_AS_USER),
                    "containers": [container],
                    "volumes": [
                        {
                            "name": "schema",
                            "configMap": {"name": schema_config_map_name(name)},
                        },
                        {"name": "tmp", "emptyDir": {}},
                    ],
                },
            },
        },
    }
