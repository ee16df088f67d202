"""`spec.cache`: a Redis-protocol store the gateway's replicas share and apps may bind to.

A discriminated union on `provider`: `valkey` (Valkey in the cluster: a primary and
replicas with Sentinel failover behind HAProxy; docs/cache.md) or `elasticache`
(Amazon ElastiCache for Valkey beside an EKS cluster).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.cache import args as cache
from components.cache.users import KEY_PREFIX_PATTERN
from components.shared.aws_values import AwsTags
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import UseBase
from shipyard.sections.gateway.model import CertManagerIssuer

DEFAULT_NAME = "cache"


class CacheStorage(BlueprintModel):
    size: Annotated[str, Field(description="Volume size per Valkey pod, e.g. `10Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class CacheResources(BlueprintModel):
    cpu: Annotated[
        CpuQuantity,
        Field(min_length=1, description=f"CPU request; default `{cache.DEFAULT_CPU_REQUEST}`."),
    ] = cache.DEFAULT_CPU_REQUEST
    memory: Annotated[
        MemoryQuantity,
        Field(
            min_length=1,
            description=f"Memory request and limit; default `{cache.DEFAULT_MEMORY_REQUEST}`; "
            f"Valkey fills {int(cache.MAXMEMORY_SHARE * 100)}% of it.",
        ),
    ] = cache.DEFAULT_MEMORY_REQUEST


class CacheTlsSpec(BlueprintModel):
    """At most one of `certManagerIssuer` or `secretName`; neither: a CA of the cache's own
    (cert-manager must run in the cluster either way, except with `secretName`)."""

    cert_manager_issuer: Annotated[
        CertManagerIssuer | None, Field(description="A cert-manager issuer signs it.")
    ] = None
    secret_name: Annotated[
        Dns1123Label | None,
        Field(description="An existing kubernetes.io/tls Secret that also holds `ca.crt`."),
    ] = None


class CacheClient(BlueprintModel):
    """Pods admitted to the cache besides the gateway's."""

    pod_labels: Annotated[Labels, Field(min_length=1, description="Labels the client pods carry.")]


class ValkeyCacheSpec(BlueprintModel):
    """Valkey in the cluster. The password is generated; TLS is always on."""

    provider: Annotated[Literal["valkey"], Field(description="`valkey`: in the cluster.")]
    name: Annotated[
        ServiceName,
        Field(description=f"Names its Service (`<name>`) and pods; default `{DEFAULT_NAME}`."),
    ] = DEFAULT_NAME
    replicas: Annotated[
        int,
        Field(
            ge=1,
            description=f"Valkey pods, one primary and the rest replicas, each with a "
            f"Sentinel; default `{cache.DEFAULT_REPLICAS}`. Failover needs 3 or more.",
        ),
    ] = cache.DEFAULT_REPLICAS
    proxy_replicas: Annotated[
        int,
        Field(
            ge=1, description=f"HAProxy pods in front; default `{cache.DEFAULT_PROXY_REPLICAS}`."
        ),
    ] = cache.DEFAULT_PROXY_REPLICAS
    image: Annotated[
        PinnedImage | None, Field(description=f"Valkey image; default `{cache.VALKEY_IMAGE}`.")
    ] = None
    proxy_image: Annotated[
        PinnedImage | None, Field(description=f"HAProxy image; default `{cache.PROXY_IMAGE}`.")
    ] = None
    persistence: Annotated[
        cache.Persistence,
        Field(
            description="`aof` (every write, fsync each second), `rdb` (snapshots) or `none` "
            f"(memory only); default `{cache.DEFAULT_PERSISTENCE}`."
        ),
    ] = cache.DEFAULT_PERSISTENCE
    storage: Annotated[
        CacheStorage | None, Field(description="Each pod's volume; required unless `none`.")
    ] = None
    resources: Annotated[CacheResources, Field(description="Each Valkey pod's CPU and memory.")] = (
        CacheResources()
    )
    eviction: Annotated[
        cache.EvictionPolicy,
        Field(description=f"What goes when full; default `{cache.DEFAULT_EVICTION}`."),
    ] = cache.DEFAULT_EVICTION
    tls: Annotated[
        CacheTlsSpec, Field(description="The certificate; default: a CA of its own.")
    ] = CacheTlsSpec()
    clients: Annotated[
        list[CacheClient], Field(description="Pods admitted besides the gateway's.")
    ] = []
    allow_data_loss: Annotated[
        bool, Field(description="Do not protect the data from deletion; default false.")
    ] = False


class ElastiCacheSpec(BlueprintModel):
    """ElastiCache for Valkey in the EKS cluster's VPC: TLS, a generated auth token,
    encryption at rest, Multi-AZ failover with a replica."""

    provider: Annotated[
        Literal["elasticache"], Field(description="`elasticache`: managed, on EKS.")
    ]
    name: Annotated[
        Dns1123Label,
        Field(description=f"The replication group's id; default `{DEFAULT_NAME}`."),
    ] = DEFAULT_NAME
    node_type: Annotated[
        str, Field(description=f"Node type; default `{cache.DEFAULT_NODE_TYPE}`.")
    ] = cache.DEFAULT_NODE_TYPE
    replicas: Annotated[
        int,
        Field(ge=0, le=5, description="Replicas besides the primary; default `1` (failover)."),
    ] = 1
    engine_version: Annotated[
        str, Field(description=f"Valkey version; default `{cache.DEFAULT_ENGINE_VERSION}`.")
    ] = cache.DEFAULT_ENGINE_VERSION
    snapshot_retention_days: Annotated[
        int,
        Field(
            ge=0,
            le=35,
            description=f"Daily snapshots kept; default `{cache.DEFAULT_SNAPSHOT_RETENTION_DAYS}`.",
        ),
    ] = cache.DEFAULT_SNAPSHOT_RETENTION_DAYS
    allow_data_loss: Annotated[
        bool, Field(description="No protection, no final snapshot; default false.")
    ] = False
    tags: Annotated[AwsTags, Field(description="Tags on its AWS resources.")] = {}


CacheSpec = Annotated[ValkeyCacheSpec | ElastiCacheSpec, Field(discriminator="provider")]


CacheAccess = Literal["read", "readWrite"]
DEFAULT_CACHE_ACCESS: CacheAccess = "readWrite"


class CacheUse(UseBase):
    """An app's binding to `spec.cache`: in the cluster, a Valkey ACL user of its own,
    limited to its keys' prefix; on ElastiCache, the shared auth token."""

    kind: Annotated[Literal["cache"], Field(description="`cache`.")]
    access: Annotated[
        CacheAccess,
        Field(description=f"`read` or `readWrite` on its keys; default `{DEFAULT_CACHE_ACCESS}`."),
    ] = DEFAULT_CACHE_ACCESS
    key_prefix: Annotated[
        str | None,
        Field(
            pattern=KEY_PREFIX_PATTERN,
            description="Its keys and Pub/Sub channels start with this; default `<app>:`.",
        ),
    ] = None
