"""`spec.postgres`: PostgreSQL with pgvector, run by CloudNativePG.

Limits that need a friendly message (storage quantity, vector dimension, HNSW
parameters, backup target) are checked in `postgres_checks`, so they come out with
FILE:LINE and a fix.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.postgres.args import (
    DEFAULT_ANTI_AFFINITY,
    DEFAULT_BACKUP_SCHEDULE,
    DEFAULT_CPU_REQUEST,
    DEFAULT_DATABASE,
    DEFAULT_DISTANCE,
    DEFAULT_INSTANCES,
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_OWNER,
    DEFAULT_RETENTION,
    HNSW_DEFAULT_EF_CONSTRUCTION,
    HNSW_DEFAULT_M,
    POSTGRES_IMAGE,
    VECTOR_MAX_INDEX_DIMENSIONS,
    AntiAffinity,
    Distance,
)
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import UseBase

DEFAULT_NAME = "postgres"


class PostgresStorage(BlueprintModel):
    size: Annotated[str, Field(description="Volume size per instance, e.g. `50Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class PostgresResources(BlueprintModel):
    cpu: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`."),
    ] = DEFAULT_CPU_REQUEST
    memory: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_MEMORY_REQUEST


class PostgresBackupSpec(BlueprintModel):
    """Base backups and WAL archiving into the declared object store's bucket."""

    bucket: Annotated[
        str, Field(description="The bucket of `spec.objectStore`; it must be declared there.")
    ]
    path: Annotated[
        str | None,
        Field(description="Key prefix in the bucket; default `postgres/<name>`."),
    ] = None
    retention: Annotated[
        str, Field(description=f"How long backups are kept; default `{DEFAULT_RETENTION}`.")
    ] = DEFAULT_RETENTION
    schedule: Annotated[
        str,
        Field(
            description="Six-field cron, seconds first (CloudNativePG); default "
            f"`{DEFAULT_BACKUP_SCHEDULE}`."
        ),
    ] = DEFAULT_BACKUP_SCHEDULE


class VectorStoreSpec(BlueprintModel):
    """A table of embeddings with an HNSW index, created at bootstrap."""

    table: Annotated[str, Field(description="Table name: lowercase letters, digits and `_`.")]
    dimension: Annotated[
        int, Field(description=f"Embedding dimension, 1 to {VECTOR_MAX_INDEX_DIMENSIONS}.")
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
            description="HNSW build candidate list, at least 2 x `m`; default "
            f"`{HNSW_DEFAULT_EF_CONSTRUCTION}`."
        ),
    ] = HNSW_DEFAULT_EF_CONSTRUCTION


class PostgresConsumer(BlueprintModel):
    """Pods admitted to the database on port 5432."""

    pod_labels: Annotated[Labels, Field(min_length=1, description="Labels the client pods carry.")]


class PostgresSpec(BlueprintModel):
    """A CloudNativePG cluster with pgvector. Its credentials are generated."""

    name: Annotated[
        ServiceName,
        Field(
            description=f"Cluster name, which names its Services (`<name>-rw`); default "
            f"`{DEFAULT_NAME}`."
        ),
    ] = DEFAULT_NAME
    instances: Annotated[
        int, Field(ge=1, description=f"Primary plus replicas; default `{DEFAULT_INSTANCES}`.")
    ] = DEFAULT_INSTANCES
    storage: Annotated[PostgresStorage, Field(description="Each instance's volume.")]
    resources: Annotated[
        PostgresResources, Field(description="Each instance's CPU and memory.")
    ] = PostgresResources()
    image: Annotated[
        PinnedImage | None, Field(description=f"PostgreSQL image; default `{POSTGRES_IMAGE}`.")
    ] = None
    database: Annotated[
        str, Field(description=f"Application database; default `{DEFAULT_DATABASE}`.")
    ] = DEFAULT_DATABASE
    owner: Annotated[
        str, Field(description=f"The database's owner role; default `{DEFAULT_OWNER}`.")
    ] = DEFAULT_OWNER
    anti_affinity: Annotated[
        AntiAffinity,
        Field(
            description="Instances must (`required`) or should (`preferred`) run on different "
            f"nodes; default `{DEFAULT_ANTI_AFFINITY}`."
        ),
    ] = DEFAULT_ANTI_AFFINITY
    install_operator: Annotated[
        bool,
        Field(description="Install the CloudNativePG operator; false uses the cluster's one."),
    ] = True
    allow_data_loss: Annotated[
        bool, Field(description="Do not protect the cluster from deletion; default false.")
    ] = False
    backup: Annotated[
        PostgresBackupSpec | None, Field(description="Scheduled backups; none takes none.")
    ] = None
    vector_stores: Annotated[
        list[VectorStoreSpec], Field(description="Embedding tables with HNSW indexes.")
    ] = []
    consumers: Annotated[
        list[PostgresConsumer],
        Field(description="Pods admitted on port 5432 besides the gateway's."),
    ] = []


class PostgresUse(UseBase):
    """An app's binding to `spec.postgres`: a login role of its own (CloudNativePG managed
    role, generated password) admitted to one database."""

    kind: Annotated[Literal["postgres"], Field(description="`postgres`.")]
    database: Annotated[
        str | None,
        Field(
            description="A database of its own, created and owned by its role; none (or "
            "`spec.postgres.database`): the shared application database."
        ),
    ] = None
