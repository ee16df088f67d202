"""Arguments of the Postgres (CloudNativePG + pgvector) component, and pgvector's limits."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.shared.args import (
    ComponentArgs,
    StorageSize,
    problem_validator,
)
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage

# CloudNativePG: the operator release whose CRDs the tests validate against
# (`scripts/operator-crds cloudnative-pg`), and the Helm chart that ships it. The chart's
# minor is one behind the operator's (chart 0.28.x carries operator 1.29.x).
CNPG_VERSION = "1.29.0"
CNPG_CHART = "cloudnative-pg"
CNPG_CHART_VERSION = "0.28.0"
CNPG_CHART_REPO = "https://cloudnative-pg.github.io/charts"
# The operator's default operand image for 1.29.0 (pkg/versions in its module), pinned
# here so an operator upgrade never changes the database's major version. The `system`
# images carry pgvector and barman-cloud, which the in-tree backup method needs.
POSTGRES_IMAGE = "ghcr.io/cloudnative-pg/postgresql:18.3-system-trixie"
POSTGRES_PORT = 5432
# The instance manager's status port, which the operator polls.
INSTANCE_STATUS_PORT = 8000
DEFAULT_INSTANCES = 3
DEFAULT_CPU_REQUEST = "1"
DEFAULT_MEMORY_REQUEST = "2Gi"
DEFAULT_DATABASE = "app"
DEFAULT_OWNER = "app"
AntiAffinity = Literal["required", "preferred"]
DEFAULT_ANTI_AFFINITY: AntiAffinity = "required"
DEFAULT_TOPOLOGY_KEY = "kubernetes.io/hostname"
DEFAULT_RETENTION = "30d"
# CloudNativePG schedules take six fields, seconds first: every day at 03:00:00.
DEFAULT_BACKUP_SCHEDULE = "0 0 3 * * *"
# The keys of a backup credentials Secret (the names AWS SDKs read from the environment),
# and of the CA in a kubernetes.io/tls Secret.
ACCESS_KEY_ID_KEY = "AWS_ACCESS_KEY_ID"
SECRET_ACCESS_KEY_KEY = "AWS_SECRET_ACCESS_KEY"
CA_CERT_KEY = "ca.crt"

# pgvector limits (src/hnsw.h, and README "Indexing": "vector - up to 2,000 dimensions"
# for HNSW; https://github.com/pgvector/pgvector#hnsw). A `vector` column holds up to
# 16,000 dimensions, but only 2,000 can be indexed with HNSW.
VECTOR_MAX_INDEX_DIMENSIONS = 2000
HNSW_MIN_M, HNSW_MAX_M, HNSW_DEFAULT_M = 2, 100, 16
HNSW_MIN_EF_CONSTRUCTION, HNSW_MAX_EF_CONSTRUCTION = 4, 1000
HNSW_DEFAULT_EF_CONSTRUCTION = 64
Distance = Literal["cosine", "l2", "inner_product"]
DEFAULT_DISTANCE: Distance = "cosine"

# Lowercase so the name needs no quoting and means the same quoted or not.
_SQL_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_RETENTION = re.compile(r"^[1-9][0-9]*[dwm]$")


def sql_identifier_problem(name: str) -> str | None:
    """Why `name` is not a plain lowercase SQL identifier, or None."""
    if _SQL_IDENTIFIER.match(name):
        return None
    return (
        f"`{name}` is not a valid identifier; use 1 to 63 lowercase letters, digits and `_`, "
        "starting with a letter or `_`"
    )


def dimension_problem(dimension: int) -> str | None:
    """Why pgvector cannot HNSW-index a `vector` of `dimension`, or None."""
    if dimension < 1:
        return f"dimension must be at least 1, got {dimension}"
    if dimension > VECTOR_MAX_INDEX_DIMENSIONS:
        return (
            f"pgvector's HNSW index takes `vector` columns of at most "
            f"{VECTOR_MAX_INDEX_DIMENSIONS} dimensions, got {dimension}; reduce the embedding "
            "dimension"
        )
    return None


def hnsw_problem(m: int, ef_construction: int) -> str | None:
    """Why pgvector refuses these HNSW build parameters, or None."""
    if not HNSW_MIN_M <= m <= HNSW_MAX_M:
        return f"`m` must be {HNSW_MIN_M} to {HNSW_MAX_M}, got {m}"
    if not HNSW_MIN_EF_CONSTRUCTION <= ef_construction <= HNSW_MAX_EF_CONSTRUCTION:
        return (
            f"`efConstruction` must be {HNSW_MIN_EF_CONSTRUCTION} to "
            f"{HNSW_MAX_EF_CONSTRUCTION}, got {ef_construction}"
        )
    if ef_construction < 2 * m:
        return f"`efConstruction` must be at least 2 x `m` ({2 * m}), got {ef_construction}"
    return None


def retention_problem(retention: str) -> str | None:
    if _RETENTION.match(retention):
        return None
    return f"`{retention}` is not a retention policy; use a number and d, w or m, e.g. `30d`"


def schedule_problem(schedule: str) -> str | None:
    """CloudNativePG's cron takes six fields (seconds first) or a `@` descriptor."""
    if schedule.startswith("@") or len(schedule.split()) == 6:
        return None
    return (
        f"`{schedule}` is not a CloudNativePG schedule; use six fields, seconds first, "
        "e.g. `0 0 3 * * *`"
    )


SqlIdentifier = Annotated[str, problem_validator(sql_identifier_problem)]

# Roles CloudNativePG and PostgreSQL keep for themselves.
RESERVED_ROLES = frozenset({"postgres", "streaming_replica", "cnpg_pooler_pgbouncer"})


def role_name_problem(name: str, owner: str) -> str | None:
    """Why an app's role cannot be `name`, or None."""
    problem = sql_identifier_problem(name)
    if problem:
        return f"role {problem}"
    if name in RESERVED_ROLES or name.startswith("pg_"):
        return f"role `{name}` is reserved by PostgreSQL or CloudNativePG"
    if name == owner:
        return f"role `{name}` is the database owner's; an app gets a role of its own"
    if name == "owner":
        return "role `owner` would share the owner's Secret (`<cluster>-owner-credentials`)"
    return None


class AppRole(ComponentArgs):
    """A login role for one app, managed by CloudNativePG (`spec.managed.roles`), with a
    generated password, admitted by pg_hba.conf to one database only: its own (a
    `Database` it owns) or the cluster's application database (as a member of the
    owner role)."""

    name: Annotated[SqlIdentifier, Field(description="Role name.")]
    database: Annotated[SqlIdentifier, Field(description="The only database it may connect to.")]
    own_database: Annotated[
        bool, Field(description="Create `database`, owned by this role; false: the shared one.")
    ]
    pod_labels: Annotated[
        Labels, Field(min_length=1, description="The app's pods, admitted on 5432.")
    ]


class VectorStore(ComponentArgs):
    """A table of embeddings with an HNSW index."""

    table: Annotated[SqlIdentifier, Field(description="Table name.")]
    dimension: Annotated[
        int,
        Field(description=f"Embedding dimension, 1 to {VECTOR_MAX_INDEX_DIMENSIONS}."),
    ]
    distance: Annotated[
        Distance,
        Field(description=f"`cosine`, `l2` or `inner_product`; default `{DEFAULT_DISTANCE}`."),
    ] = DEFAULT_DISTANCE
    m: Annotated[
        int, Field(description=f"HNSW connections per layer; default `{HNSW_DEFAULT_M}`.")
    ] = HNSW_DEFAULT_M
    ef_construction: Annotated[
        int,
        Field(
            description=f"HNSW build candidate list size, at least 2 x `m`; default "
            f"`{HNSW_DEFAULT_EF_CONSTRUCTION}`."
        ),
    ] = HNSW_DEFAULT_EF_CONSTRUCTION

    @model_validator(mode="after")
    def _limits(self) -> VectorStore:
        problem = dimension_problem(self.dimension) or hnsw_problem(self.m, self.ef_construction)
        if problem:
            raise ValueError(problem)
        return self


class PostgresBackup(ComponentArgs):
    """Base backups and WAL archiving to S3 with barman-cloud, on a schedule: to AWS S3
    through the pods' IAM role, or to an S3-compatible endpoint (MinIO) with keys."""

    destination_path: Annotated[
        str,
        Field(
            pattern=r"^s3://[a-z0-9][a-z0-9.-]+[a-z0-9](/.*)?$", description="`s3://bucket/prefix`."
        ),
    ]
    retention: Annotated[
        str,
        problem_validator(retention_problem),
        Field(description=f"Default `{DEFAULT_RETENTION}`."),
    ] = DEFAULT_RETENTION
    schedule: Annotated[
        str,
        problem_validator(schedule_problem),
        Field(description=f"Six-field cron, seconds first; default `{DEFAULT_BACKUP_SCHEDULE}`."),
    ] = DEFAULT_BACKUP_SCHEDULE
    endpoint_url: Annotated[
        str | None,
        Field(
            pattern=r"^https://[^/\s]+$",
            description="An S3-compatible endpoint (https); none is AWS S3.",
        ),
    ] = None
    credentials_secret: Annotated[
        Dns1123Label | None,
        Field(
            description=f"Secret with `{ACCESS_KEY_ID_KEY}` and `{SECRET_ACCESS_KEY_KEY}`; "
            "none uses the pods' IAM role (IRSA)."
        ),
    ] = None
    endpoint_ca_secret: Annotated[
        Dns1123Label | None,
        Field(description=f"Secret whose `{CA_CERT_KEY}` signs the endpoint's certificate."),
    ] = None


class PostgresArgs(ComponentArgs):
    """A CloudNativePG cluster with pgvector, its database, backups and network policy."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    database: Annotated[
        SqlIdentifier, Field(description=f"Application database; default `{DEFAULT_DATABASE}`.")
    ] = DEFAULT_DATABASE
    owner: Annotated[
        SqlIdentifier, Field(description=f"Its owner role; default `{DEFAULT_OWNER}`.")
    ] = DEFAULT_OWNER
    instances: Annotated[
        int, Field(ge=1, description=f"Primary plus replicas; default `{DEFAULT_INSTANCES}`.")
    ] = DEFAULT_INSTANCES
    storage_size: Annotated[StorageSize, Field(description="PVC size per instance, e.g. `20Gi`.")]
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
            description=f"Memory request, also the limit; default `{DEFAULT_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_MEMORY_REQUEST
    image: Annotated[
        PinnedImage, Field(description=f"PostgreSQL image; default `{POSTGRES_IMAGE}`.")
    ] = POSTGRES_IMAGE
    anti_affinity: Annotated[
        AntiAffinity,
        Field(
            description="Whether instances must (`required`) or should (`preferred`) run on "
            f"different nodes; default `{DEFAULT_ANTI_AFFINITY}`."
        ),
    ] = DEFAULT_ANTI_AFFINITY
    install_operator: Annotated[
        bool, Field(description="Install the CloudNativePG operator; default true.")
    ] = True
    operator_namespace: Annotated[
        Dns1123Label | None,
        Field(description="The operator's namespace; default `namespace`."),
    ] = None
    chart_version: Annotated[
        str, Field(min_length=1, description=f"Chart version; default `{CNPG_CHART_VERSION}`.")
    ] = CNPG_CHART_VERSION
    chart_repository: Annotated[
        str,
        Field(
            min_length=1,
            description="The operator chart's repository (a mirror when air-gapped); "
            f"default `{CNPG_CHART_REPO}`.",
        ),
    ] = CNPG_CHART_REPO
    allow_data_loss: Annotated[
        bool,
        Field(description="Leave the cluster unprotected from deletion; default false."),
    ] = False
    backup: Annotated[
        PostgresBackup | None, Field(description="Scheduled backups; none takes none.")
    ] = None
    vector_stores: Annotated[
        tuple[VectorStore, ...], Field(description="Embedding tables created at bootstrap.")
    ] = ()
    consumer_pod_labels: Annotated[
        tuple[Labels, ...],
        Field(description="Pod label selectors admitted on port 5432; none admits no client."),
    ] = ()
    app_roles: Annotated[
        tuple[AppRole, ...], Field(description="A role (and maybe a database) per app.")
    ] = ()

    @model_validator(mode="after")
    def _consistent(self) -> PostgresArgs:
        tables = [store.table for store in self.vector_stores]
        if len(set(tables)) != len(tables):
            raise ValueError("`vector_stores` names a table twice")
        if any(not labels for labels in self.consumer_pod_labels):
            raise ValueError("`consumer_pod_labels` has an empty selector, which admits every pod")
        problems = _role_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def operator_ns(self) -> str:
        return self.operator_namespace or self.namespace


def _role_problems(args: PostgresArgs) -> list[str]:
    problems = [
        problem for role in args.app_roles if (problem := role_name_problem(role.name, args.owner))
    ]
    names = [role.name for role in args.app_roles]
    if len(set(names)) != len(names):
        problems.append("`app_roles` names a role twice")
    owned = [role.database for role in args.app_roles if role.own_database]
    if len(set(owned)) != len(owned):
        problems.append("`app_roles`: two roles own one database")
    for role in args.app_roles:
        if role.own_database and role.database == args.database:
            problems.append(f"role `{role.name}` cannot own the application database")
        if not role.own_database and role.database != args.database:
            problems.append(
                f"role `{role.name}` shares `{role.database}`, which is not the application "
                "database; set `own_database`"
            )
    return problems
