"""Blueprint `spec.cache` turned into the cache components' arguments, and what a client
of the cache (the gateway, a bound app) is given to reach it (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from components.cache import args as cache
from components.cache.manifests import (
    CA_KEY,
    HOST_KEY,
    PASSWORD_KEY,
    PROXY_COMPONENT,
    password_secret_name,
    selector_labels,
    service_host,
)
from components.cache.manifests import certificate_secret_name as cache_certificate_secret
from components.gateway.manifests import selector_labels as gateway_selector_labels
from components.shared.secret_refs import SecretKeyRef
from shipyard.blueprint.platform import Platform
from shipyard.sections.cache.model import ElastiCacheSpec, ValkeyCacheSpec
from shipyard.sections.cluster.eks import EksCluster, EksVpc

PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


@dataclass(frozen=True)
class CacheBinding:
    """What a client of the cache receives: where it is, how to trust it, its password."""

    host: str | None
    """The host name; None when it is only known at deploy time (`host_secret`)."""
    host_secret: SecretKeyRef | None
    port: int
    tls: bool
    ca_secret: SecretKeyRef | None
    """The CA to verify the server with; None: the system trust store (ElastiCache)."""
    password_secret: SecretKeyRef
    admit_pod_labels: dict[str, str] | None
    """The cache pods a client's NetworkPolicy must let it reach (in-cluster), on `port`."""
    admit_cidrs: tuple[str, ...]
    """Or the addresses it must let it reach (ElastiCache in the VPC), on `port`."""


def cache_binding(platform: Platform) -> CacheBinding | None:
    """How a client reaches `spec.cache`; None without one. The client's pods must also be
    admitted by the cache: see `cache_client_pod_labels`."""
    spec = platform.spec.cache
    if spec is None:
        return None
    password = SecretKeyRef(name=password_secret_name(spec.name), key=PASSWORD_KEY)
    if isinstance(spec, ElastiCacheSpec):
        cluster = platform.spec.cluster
        vpc = (
            (cluster.vpc or EksVpc())
            if isinstance(cluster, EksCluster) and cluster.creates_vpc
            else None
        )
        return CacheBinding(
            host=None,
            host_secret=SecretKeyRef(name=password_secret_name(spec.name), key=HOST_KEY),
            port=cache.VALKEY_PORT,
            tls=True,
            ca_secret=None,
            password_secret=password,
            admit_pod_labels=None,
            admit_cidrs=(vpc.cidr,) if vpc is not None else PRIVATE_RANGES,
        )
    return CacheBinding(
        host=service_host(spec.name, platform.namespace),
        host_secret=None,
        port=cache.VALKEY_PORT,
        tls=True,
        ca_secret=SecretKeyRef(name=_ca_secret(spec), key=CA_KEY),
        password_secret=password,
        admit_pod_labels=selector_labels(spec.name, PROXY_COMPONENT),
        admit_cidrs=(),
    )


def _ca_secret(spec: ValkeyCacheSpec) -> str:
    return spec.tls.secret_name or cache_certificate_secret(spec.name)


def cache_client_pod_labels(platform: Platform) -> list[dict[str, str]]:
    """The pods the cache admits: the gateway's, then `clients`, then the apps bound to
    it (each once)."""
    from shipyard.sections.apps.bound import app_pods, uses_of

    spec = platform.spec.cache
    labels: list[dict[str, str]] = []
    if platform.spec.gateway is not None:
        labels.append(gateway_selector_labels(platform.spec.gateway.name))
    if isinstance(spec, ValkeyCacheSpec):
        labels += [dict(client.pod_labels) for client in spec.clients]
    for app, _ in uses_of(platform, "cache"):
        pods = app_pods(app.name)
        if pods not in labels:
            labels.append(pods)
    return labels


def valkey_cache_args(platform: Platform) -> cache.ValkeyCacheArgs | None:
    from shipyard.sections.cache.binding import cache_users

    spec = platform.spec.cache
    if not isinstance(spec, ValkeyCacheSpec):
        return None
    optional: dict[str, object] = {}
    if spec.image is not None:
        optional["image"] = spec.image
    if spec.proxy_image is not None:
        optional["proxy_image"] = spec.proxy_image
    issuer = spec.tls.cert_manager_issuer
    return cache.ValkeyCacheArgs(
        namespace=platform.namespace,
        replicas=spec.replicas,
        proxy_replicas=spec.proxy_replicas,
        persistence=spec.persistence,
        storage_size=spec.storage.size if spec.storage else None,
        storage_class=spec.storage.storage_class if spec.storage else None,
        cpu_request=spec.resources.cpu,
        memory_request=spec.resources.memory,
        eviction=spec.eviction,
        tls=cache.CacheTls(
            issuer=cache.CacheIssuer(name=issuer.name, kind=issuer.kind) if issuer else None,
            secret_name=spec.tls.secret_name,
        ),
        client_pod_labels=tuple(cache_client_pod_labels(platform)),
        users=cache_users(platform),
        metrics=platform.spec.monitoring is not None,
        allow_data_loss=spec.allow_data_loss,
        **optional,
    )


def managed_cache_args(platform: Platform) -> cache.ManagedCacheArgs | None:
    spec = platform.spec.cache
    if not isinstance(spec, ElastiCacheSpec):
        return None
    return cache.ManagedCacheArgs(
        namespace=platform.namespace,
        node_type=spec.node_type,
        replicas=spec.replicas,
        engine_version=spec.engine_version,
        snapshot_retention_days=spec.snapshot_retention_days,
        allow_data_loss=spec.allow_data_loss,
        tags={**platform.metadata.labels, **spec.tags},
    )
