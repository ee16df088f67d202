"""Arguments of the ClickHouse component (Altinity clickhouse-operator), and its limits."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs, StorageSize, problem_validator
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage

# Altinity clickhouse-operator: the release whose Helm chart installs it (chart and app
# versions are the same; deploy/helm/clickhouse-operator/Chart.yaml at release-0.25.6).
CHOP_VERSION = "0.25.6"
CHOP_CHART = "altinity-clickhouse-operator"
CHOP_CHART_VERSION = "0.25.6"
CHOP_CHART_REPO = "https://helm.altinity.com"
# The user the operator connects as; its password is generated (the chart's default is
# a fixed string).
OPERATOR_USER = "clickhouse_operator"
# The operator image runs as `nobody` (dockerfile/operator/Dockerfile, `USER nobody`).
OPERATOR_RUN_AS_USER = 65534
# ClickHouse 25.8 LTS; server and Keeper share the version. Both images run as the
# `clickhouse` user, uid 101.
CLICKHOUSE_IMAGE = "clickhouse/clickhouse-server:25.8.29.51"
KEEPER_IMAGE = "clickhouse/clickhouse-keeper:25.8.29.51"
RUN_AS_USER = 101
# Ports (pkg/apis/clickhouse.altinity.com/v1/type_host.go in the operator's module).
HTTP_PORT = 8123
NATIVE_PORT = 9000
INTERSERVER_PORT = 9009
KEEPER_PORT = 2181
KEEPER_RAFT_PORT = 9444
# The `<prometheus>` endpoint of the server config (ClickHouse docs, "Prometheus
# protocols"); 9363 is the port the documentation and the default config use.
PROMETHEUS_PORT = 9363

DEFAULT_SHARDS = 1
DEFAULT_REPLICAS = 1
DEFAULT_CPU_REQUEST = "1"
DEFAULT_MEMORY_REQUEST = "4Gi"
DEFAULT_KEEPER_REPLICAS = 3
KEEPER_REPLICA_CHOICES = (1, 3, 5)
DEFAULT_KEEPER_STORAGE = "5Gi"
DEFAULT_KEEPER_CPU_REQUEST = "250m"
DEFAULT_KEEPER_MEMORY_REQUEST = "512Mi"
DEFAULT_DATABASE = "llm_logs"
DEFAULT_RETENTION_DAYS = 30
DEFAULT_USAGE_RETENTION_DAYS = 365
# Users Shipyard creates itself: `default` gets a generated password and stays limited
# to the cluster's own pods; `admin` runs the schema bootstrap.
ADMIN_USER = "admin"
RESERVED_USERS = frozenset({"default", ADMIN_USER, OPERATOR_USER})

_USER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def user_name_problem(name: str) -> str | None:
    """Why `name` cannot name a ClickHouse user here, or None. The operator writes users
    as XML elements, so the name is kept to lowercase letters, digits and `_`."""
    if not _USER_NAME.match(name):
        return (
            f"`{name}` is not a valid user name; use 1 to 63 lowercase letters, digits and "
            "`_`, starting with a letter"
        )
    if name in RESERVED_USERS:
        return f"`{name}` is reserved by Shipyard or the operator; choose another name"
    return None


def database_problem(name: str) -> str | None:
    if _IDENTIFIER.match(name):
        return None
    return (
        f"`{name}` is not a valid database name; use 1 to 63 lowercase letters, digits and "
        "`_`, starting with a letter or `_`"
    )


def keeper_replicas_problem(replicas: int) -> str | None:
    if replicas in KEEPER_REPLICA_CHOICES:
        return None
    return f"Keeper needs an odd quorum of 1, 3 or 5 replicas, got {replicas}"


def keeper_required_problem(shards: int, replicas: int, has_keeper: bool) -> str | None:
    """Replicated tables and ON CLUSTER DDL (every multi-host layout) need Keeper."""
    if has_keeper or (shards == 1 and replicas == 1):
        return None
    return (
        f"{shards} shard(s) x {replicas} replica(s) need ClickHouse Keeper for replication "
        "and ON CLUSTER DDL; add `keeper`"
    )


def retention_days_problem(days: int) -> str | None:
    if days > 0:
        return None
    return f"retention must be at least 1 day, got {days}"


UserName = Annotated[str, problem_validator(user_name_problem)]
DatabaseName = Annotated[str, problem_validator(database_problem)]


class ClickHouseUser(ComponentArgs):
    """A ClickHouse user with a generated password, limited to the logs database."""

    name: Annotated[UserName, Field(description="User name: lowercase letters, digits, `_`.")]
    readonly: Annotated[
        bool, Field(description="Only `SELECT` on the logs database; default false (also INSERT).")
    ] = False


class KeeperArgs(ComponentArgs):
    """A ClickHouseKeeperInstallation that coordinates replication and ON CLUSTER DDL."""

    replicas: Annotated[
        int,
        problem_validator(keeper_replicas_problem),
        Field(description=f"1, 3 or 5; default `{DEFAULT_KEEPER_REPLICAS}`."),
    ] = DEFAULT_KEEPER_REPLICAS
    storage_size: Annotated[
        StorageSize, Field(description=f"PVC size per replica; default `{DEFAULT_KEEPER_STORAGE}`.")
    ] = DEFAULT_KEEPER_STORAGE
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None
    cpu_request: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{DEFAULT_KEEPER_CPU_REQUEST}`."),
    ] = DEFAULT_KEEPER_CPU_REQUEST
    memory_request: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{DEFAULT_KEEPER_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_KEEPER_MEMORY_REQUEST
    image: Annotated[PinnedImage, Field(description=f"Keeper image; default `{KEEPER_IMAGE}`.")] = (
        KEEPER_IMAGE
    )


class ClickHouseArgs(ComponentArgs):
    """A ClickHouseInstallation (shards x replicas), its Keeper, users and logs schema."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    shards: Annotated[int, Field(ge=1, description=f"Shards; default `{DEFAULT_SHARDS}`.")] = (
        DEFAULT_SHARDS
    )
    replicas: Annotated[
        int, Field(ge=1, description=f"Replicas per shard; default `{DEFAULT_REPLICAS}`.")
    ] = DEFAULT_REPLICAS
    keeper: Annotated[
        KeeperArgs | None,
        Field(description="Keeper; required with more than one shard or replica."),
    ] = None
    storage_size: Annotated[StorageSize, Field(description="PVC size per host, e.g. `100Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None
    cpu_request: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`."),
    ] = DEFAULT_CPU_REQUEST
    memory_request: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_MEMORY_REQUEST
    image: Annotated[
        PinnedImage, Field(description=f"ClickHouse server image; default `{CLICKHOUSE_IMAGE}`.")
    ] = CLICKHOUSE_IMAGE
    database: Annotated[
        DatabaseName, Field(description=f"The logs database; default `{DEFAULT_DATABASE}`.")
    ] = DEFAULT_DATABASE
    retention_days: Annotated[
        int,
        problem_validator(retention_days_problem),
        Field(description=f"Days request logs are kept; default `{DEFAULT_RETENTION_DAYS}`."),
    ] = DEFAULT_RETENTION_DAYS
    usage_retention_days: Annotated[
        int,
        problem_validator(retention_days_problem),
        Field(
            description="Days the daily usage totals are kept; default "
            f"`{DEFAULT_USAGE_RETENTION_DAYS}`."
        ),
    ] = DEFAULT_USAGE_RETENTION_DAYS
    users: Annotated[
        tuple[ClickHouseUser, ...], Field(description="Users, each with a generated password.")
    ] = ()
    install_operator: Annotated[
        bool, Field(description="Install the Altinity clickhouse-operator; default true.")
    ] = True
    operator_namespace: Annotated[
        Dns1123Label | None, Field(description="The operator's namespace; default `namespace`.")
    ] = None
    chart_version: Annotated[
        str, Field(min_length=1, description=f"Chart version; default `{CHOP_CHART_VERSION}`.")
    ] = CHOP_CHART_VERSION
    chart_repository: Annotated[
        str,
        Field(
            min_length=1,
            description="The operator chart's repository (a mirror when air-gapped); "
            f"default `{CHOP_CHART_REPO}`.",
        ),
    ] = CHOP_CHART_REPO
    allow_data_loss: Annotated[
        bool,
        Field(description="Leave the installations unprotected, PVCs deleted; default false."),
    ] = False
    consumer_pod_labels: Annotated[
        tuple[Labels, ...],
        Field(description="Pod label selectors admitted on 8123 and 9000; none admits none."),
    ] = ()

    prometheus_endpoint: Annotated[
        bool,
        Field(
            description="Serve ClickHouse's own Prometheus endpoint on container port "
            f"`metrics` ({PROMETHEUS_PORT}); default false."
        ),
    ] = False

    @model_validator(mode="after")
    def _consistent(self) -> ClickHouseArgs:
        problems: list[str] = []
        names = [user.name for user in self.users]
        if len(set(names)) != len(names):
            problems.append("`users` names a user twice")
        problem = keeper_required_problem(self.shards, self.replicas, self.keeper is not None)
        if problem:
            problems.append(f"`keeper`: {problem}")
        if any(not labels for labels in self.consumer_pod_labels):
            problems.append("`consumer_pod_labels` has an empty selector, which admits every pod")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def operator_ns(self) -> str:
        return self.operator_namespace or self.namespace

    @property
    def replicated(self) -> bool:
        """Tables are replicated (ReplicatedMergeTree) with more than one replica."""
        return self.replicas > 1

    @property
    def clustered(self) -> bool:
        """DDL runs ON CLUSTER whenever there is more than one host."""
        return self.shards > 1 or self.replicas > 1
