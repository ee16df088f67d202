"""`spec.analytics`: ClickHouse for the gateway's request and usage logs, run by the
Altinity clickhouse-operator.

Limits that need a friendly message (storage quantities, Keeper quorum, retention, user
names) are checked in `analytics_checks`, so they come out with FILE:LINE and a fix.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.clickhouse.args import (
    CLICKHOUSE_IMAGE,
    DEFAULT_CPU_REQUEST,
    DEFAULT_DATABASE,
    DEFAULT_KEEPER_CPU_REQUEST,
    DEFAULT_KEEPER_MEMORY_REQUEST,
    DEFAULT_KEEPER_REPLICAS,
    DEFAULT_KEEPER_STORAGE,
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_REPLICAS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SHARDS,
    DEFAULT_USAGE_RETENTION_DAYS,
    KEEPER_IMAGE,
)
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import UseBase

DEFAULT_NAME = "analytics"


class AnalyticsStorage(BlueprintModel):
    size: Annotated[str, Field(description="Volume size per host, e.g. `100Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class KeeperStorage(BlueprintModel):
    size: Annotated[
        str, Field(description=f"Volume size per replica; default `{DEFAULT_KEEPER_STORAGE}`.")
    ] = DEFAULT_KEEPER_STORAGE
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class AnalyticsResources(BlueprintModel):
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


class KeeperResources(BlueprintModel):
    cpu: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{DEFAULT_KEEPER_CPU_REQUEST}`."),
    ] = DEFAULT_KEEPER_CPU_REQUEST
    memory: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{DEFAULT_KEEPER_MEMORY_REQUEST}`.",
        ),
    ] = DEFAULT_KEEPER_MEMORY_REQUEST


class KeeperSpec(BlueprintModel):
    """A ClickHouseKeeperInstallation: coordination for replication and ON CLUSTER DDL."""

    replicas: Annotated[
        int, Field(description=f"1, 3 or 5; default `{DEFAULT_KEEPER_REPLICAS}`.")
    ] = DEFAULT_KEEPER_REPLICAS
    storage: Annotated[KeeperStorage, Field(description="Each replica's volume.")] = KeeperStorage()
    resources: Annotated[KeeperResources, Field(description="Each replica's CPU and memory.")] = (
        KeeperResources()
    )
    image: Annotated[
        PinnedImage | None, Field(description=f"Keeper image; default `{KEEPER_IMAGE}`.")
    ] = None


class AnalyticsUser(BlueprintModel):
    """A ClickHouse user with a generated password (Secret `<name>-<user>-credentials`)."""

    name: Annotated[str, Field(description="Lowercase letters, digits and `_`.")]
    readonly: Annotated[
        bool, Field(description="Only SELECT on the logs database; default false (also INSERT).")
    ] = False


class AnalyticsConsumer(BlueprintModel):
    """Pods admitted to ClickHouse on ports 8123 and 9000."""

    pod_labels: Annotated[Labels, Field(min_length=1, description="Labels the client pods carry.")]


class AnalyticsSpec(BlueprintModel):
    """ClickHouse (Altinity operator) with the gateway's request and usage logs."""

    name: Annotated[
        ServiceName,
        Field(
            description="ClickHouseInstallation name; its Service is `clickhouse-<name>`; "
            f"default `{DEFAULT_NAME}`."
        ),
    ] = DEFAULT_NAME
    shards: Annotated[int, Field(ge=1, description=f"Shards; default `{DEFAULT_SHARDS}`.")] = (
        DEFAULT_SHARDS
    )
    replicas: Annotated[
        int, Field(ge=1, description=f"Replicas per shard; default `{DEFAULT_REPLICAS}`.")
    ] = DEFAULT_REPLICAS
    keeper: Annotated[
        KeeperSpec | None,
        Field(description="ClickHouse Keeper; required with more than one shard or replica."),
    ] = None
    storage: Annotated[AnalyticsStorage, Field(description="Each host's volume.")]
    resources: Annotated[AnalyticsResources, Field(description="Each host's CPU and memory.")] = (
        AnalyticsResources()
    )
    image: Annotated[
        PinnedImage | None,
        Field(description=f"ClickHouse server image; default `{CLICKHOUSE_IMAGE}`."),
    ] = None
    database: Annotated[
        str, Field(description=f"The logs database; default `{DEFAULT_DATABASE}`.")
    ] = DEFAULT_DATABASE
    retention_days: Annotated[
        int,
        Field(description=f"Days request logs are kept (TTL); default `{DEFAULT_RETENTION_DAYS}`."),
    ] = DEFAULT_RETENTION_DAYS
    usage_retention_days: Annotated[
        int,
        Field(
            description="Days the daily usage totals are kept (TTL); default "
            f"`{DEFAULT_USAGE_RETENTION_DAYS}`."
        ),
    ] = DEFAULT_USAGE_RETENTION_DAYS
    gateway_logs: Annotated[
        bool,
        Field(
            description="With `spec.gateway`, send its request logs here (user `gateway`); "
            "default true."
        ),
    ] = True
    users: Annotated[
        list[AnalyticsUser], Field(description="More users, each with a generated password.")
    ] = []
    consumers: Annotated[
        list[AnalyticsConsumer],
        Field(description="Pods admitted on ports 8123 and 9000 besides the gateway's."),
    ] = []
    install_operator: Annotated[
        bool,
        Field(description="Install the Altinity clickhouse-operator; false uses the cluster's."),
    ] = True
    allow_data_loss: Annotated[
        bool,
        Field(description="Do not protect the installations; PVCs are deleted with them."),
    ] = False


class AnalyticsUse(UseBase):
    """An app's binding to `spec.analytics`: a ClickHouse user of its own."""

    kind: Annotated[Literal["analytics"], Field(description="`analytics`.")]
    readonly: Annotated[
        bool, Field(description="Only SELECT on the database; default true (false: INSERT too).")
    ] = True
