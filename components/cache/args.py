"""Arguments of the cache components: Valkey in the cluster (`ValkeyCacheArgs`), or Amazon
ElastiCache for Valkey on EKS (`ManagedCacheArgs`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.cache.users import CacheUser
from components.shared.args import ComponentArgs, StorageSize
from components.shared.aws_values import AwsTags
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage

# Valkey 9.0.8 (2026-11-18), the official image (valkey.io/download/releases/v9-0-8); it
# runs as the `valkey` user, uid and gid 999.
VALKEY_IMAGE = "valkey/valkey:9.0.8"
VALKEY_USER = 999
# HAProxy 3.2, the LTS branch (supported to 2030-04, endoflife.date/haproxy); the
# official image runs as the `haproxy` user, uid 99 (www.haproxy.org/download/3.2/src/).
PROXY_IMAGE = "haproxy:3.2.25"
PROXY_USER = 99
# redis_exporter v1.80.1 (github.com/oliver006/redis_exporter/releases), which supports
# Valkey 7 to 9; a static binary, so it runs as the Valkey pod's user.
EXPORTER_IMAGE = "oliver006/redis_exporter:v1.80.1"
EXPORTER_PORT = 9121
VALKEY_PORT = 6379
SENTINEL_PORT = 26379
DEFAULT_REPLICAS = 3
DEFAULT_PROXY_REPLICAS = 2
DEFAULT_CPU_REQUEST = "250m"
DEFAULT_MEMORY_REQUEST = "1Gi"
DEFAULT_CLUSTER_DOMAIN = "cluster.local"
Persistence = Literal["aof", "rdb", "none"]
DEFAULT_PERSISTENCE: Persistence = "aof"
EvictionPolicy = Literal[
    "noeviction", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "volatile-ttl"
]
DEFAULT_EVICTION: EvictionPolicy = "allkeys-lru"
IssuerKind = Literal["Issuer", "ClusterIssuer"]
DEFAULT_ISSUER_KIND: IssuerKind = "ClusterIssuer"
# Sentinel: a primary is failed over after this long without answering.
DEFAULT_DOWN_AFTER_MS = 5000
# The share of the memory limit Valkey may fill; the rest is for replication buffers,
# the AOF rewrite's fork and the allocator.
MAXMEMORY_SHARE = 0.7

# ElastiCache for Valkey.
DEFAULT_NODE_TYPE = "cache.t4g.medium"
DEFAULT_ENGINE_VERSION = "8.0"
DEFAULT_SNAPSHOT_RETENTION_DAYS = 7


class CacheIssuer(ComponentArgs):
    """A cert-manager issuer that signs the cache's certificate."""

    name: Annotated[str, Field(min_length=1, description="Issuer name.")]
    kind: Annotated[
        IssuerKind, Field(description=f"Issuer kind; default `{DEFAULT_ISSUER_KIND}`.")
    ] = DEFAULT_ISSUER_KIND


class CacheTls(ComponentArgs):
    """At most one of an issuer or an existing Secret; neither: a CA of the cache's own,
    made by cert-manager (a self-signed issuer signs it, it signs the server's)."""

    issuer: Annotated[
        CacheIssuer | None, Field(description="A cert-manager issuer signs the certificate.")
    ] = None
    secret_name: Annotated[
        Dns1123Label | None,
        Field(description="An existing kubernetes.io/tls Secret with `ca.crt`."),
    ] = None

    @model_validator(mode="after")
    def _one_source(self) -> CacheTls:
        if self.issuer is not None and self.secret_name is not None:
            raise ValueError("set at most one of `issuer` or `secret_name`")
        return self


class ValkeyCacheArgs(ComponentArgs):
    """Valkey in the cluster: a primary and replicas watched by Sentinel, behind HAProxy,
    which always sends clients to the current primary."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    replicas: Annotated[
        int,
        Field(
            ge=1,
            description=f"Valkey pods (one primary, the rest replicas), each with a Sentinel; "
            f"default `{DEFAULT_REPLICAS}`. Failover needs at least 3.",
        ),
    ] = DEFAULT_REPLICAS
    proxy_replicas: Annotated[
        int, Field(ge=1, description=f"HAProxy pods; default `{DEFAULT_PROXY_REPLICAS}`.")
    ] = DEFAULT_PROXY_REPLICAS
    image: Annotated[PinnedImage, Field(description=f"Valkey image; default `{VALKEY_IMAGE}`.")] = (
        VALKEY_IMAGE
    )
    proxy_image: Annotated[
        PinnedImage, Field(description=f"HAProxy image; default `{PROXY_IMAGE}`.")
    ] = PROXY_IMAGE
    persistence: Annotated[
        Persistence,
        Field(
            description="`aof` (every write, fsync each second), `rdb` (snapshots) or `none` "
            f"(memory only); default `{DEFAULT_PERSISTENCE}`."
        ),
    ] = DEFAULT_PERSISTENCE
    storage_size: Annotated[
        StorageSize | None, Field(description="Each pod's volume; required unless `none`.")
    ] = None
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None
    cpu_request: Annotated[
        CpuQuantity, Field(description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`.")
    ] = DEFAULT_CPU_REQUEST
    memory_request: Annotated[
        MemoryQuantity,
        Field(
            description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`. Valkey "
            f"fills {int(MAXMEMORY_SHARE * 100)}% of it."
        ),
    ] = DEFAULT_MEMORY_REQUEST
    eviction: Annotated[
        EvictionPolicy,
        Field(description=f"`maxmemory-policy` when full; default `{DEFAULT_EVICTION}`."),
    ] = DEFAULT_EVICTION
    tls: Annotated[CacheTls, Field(description="The certificate; default: a CA of its own.")] = (
        CacheTls()
    )
    client_pod_labels: Annotated[
        tuple[Labels, ...],
        Field(description="Pods admitted to the cache (the gateway, bound apps)."),
    ] = ()
    users: Annotated[
        tuple[CacheUser, ...],
        Field(
            description="ACL users of the clients' own (apps), each with its keys' prefix; "
            "the gateway uses the default user."
        ),
    ] = ()
    metrics: Annotated[
        bool,
        Field(
            description="Run redis_exporter beside each Valkey pod, on port `metrics` "
            f"({EXPORTER_PORT}); default false."
        ),
    ] = False
    exporter_image: Annotated[
        PinnedImage, Field(description=f"redis_exporter image; default `{EXPORTER_IMAGE}`.")
    ] = EXPORTER_IMAGE
    allow_data_loss: Annotated[
        bool, Field(description="Do not protect the data from deletion; default false.")
    ] = False
    down_after_ms: Annotated[
        int,
        Field(ge=1000, description=f"Failover after; default `{DEFAULT_DOWN_AFTER_MS}` ms."),
    ] = DEFAULT_DOWN_AFTER_MS
    cluster_domain: Annotated[
        str, Field(description=f"Cluster DNS domain; default `{DEFAULT_CLUSTER_DOMAIN}`.")
    ] = DEFAULT_CLUSTER_DOMAIN

    @model_validator(mode="after")
    def _storage(self) -> ValkeyCacheArgs:
        if self.persistence != "none" and self.storage_size is None:
            raise ValueError(f"`storage_size` is needed for `{self.persistence}` persistence")
        if self.persistence == "none" and self.storage_size is not None:
            raise ValueError("`storage_size` has no use without persistence")
        names = [user.name for user in self.users]
        if len(set(names)) != len(names):
            raise ValueError("`users` name a user more than once")
        if "default" in names:
            raise ValueError("`users`: `default` is the shared password's user; choose another")
        return self

    @property
    def quorum(self) -> int:
        """Sentinels that must agree a primary is down: a majority."""
        return self.replicas // 2 + 1


class ManagedCacheArgs(ComponentArgs):
    """An ElastiCache for Valkey replication group in the cluster's VPC: TLS in transit,
    encryption at rest, a generated auth token, Multi-AZ failover with replicas."""

    namespace: Annotated[
        Dns1123Label, Field(description="Namespace of the Secret holding the auth token.")
    ]
    node_type: Annotated[
        str, Field(min_length=1, description=f"Node type; default `{DEFAULT_NODE_TYPE}`.")
    ] = DEFAULT_NODE_TYPE
    replicas: Annotated[
        int,
        Field(ge=0, le=5, description="Replicas besides the primary; 1 or more fails over."),
    ] = 1
    engine_version: Annotated[
        str, Field(description=f"Valkey version; default `{DEFAULT_ENGINE_VERSION}`.")
    ] = DEFAULT_ENGINE_VERSION
    snapshot_retention_days: Annotated[
        int,
        Field(
            ge=0,
            le=35,
            description=f"Daily snapshots kept; default `{DEFAULT_SNAPSHOT_RETENTION_DAYS}`.",
        ),
    ] = DEFAULT_SNAPSHOT_RETENTION_DAYS
    allow_data_loss: Annotated[
        bool,
        Field(description="No protection and no final snapshot on deletion; default false."),
    ] = False
    tags: Annotated[AwsTags, Field(description="Tags on its AWS resources.")] = {}
