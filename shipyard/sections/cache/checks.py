"""Semantic checks of `spec.cache`: failover is possible, storage matches persistence,
ElastiCache only beside EKS, TLS names one source."""

from __future__ import annotations

from collections.abc import Iterator

from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform
from shipyard.sections.cache.model import ElastiCacheSpec, ValkeyCacheSpec
from shipyard.sections.cluster.eks import EksCluster


def check_cache(platform: Platform) -> Iterator[Finding]:
    spec = platform.spec.cache
    if spec is None:
        return
    base: Path = ("spec", "cache")
    gateway = platform.spec.gateway
    if gateway is not None and gateway.name == spec.name:
        yield ((*base, "name"), f"`{spec.name}` is already the gateway's name; choose another")
    if isinstance(spec, ElastiCacheSpec):
        if not isinstance(platform.spec.cluster, EksCluster):
            yield (
                (*base, "provider"),
                "ElastiCache needs `cluster.kind: eks`; use `provider: valkey` on this cluster",
            )
        if platform.is_production and spec.replicas == 0:
            yield (
                (*base, "replicas"),
                "a production cache needs a replica to fail over to; set `replicas: 1`",
            )
        return
    yield from _check_valkey(platform, spec, base)


def _check_valkey(platform: Platform, spec: ValkeyCacheSpec, base: Path) -> Iterator[Finding]:
    if spec.replicas == 2:
        yield (
            (*base, "replicas"),
            "2 pods cannot fail over: when the primary's pod is gone, its Sentinel is too, "
            "and one Sentinel is not a majority; use 3 (or 1, without failover)",
        )
    elif spec.replicas == 1 and platform.is_production:
        yield (
            (*base, "replicas"),
            "a production cache needs failover: use 3 pods (a primary and two replicas)",
        )
    if spec.persistence != "none" and spec.storage is None:
        yield (
            (*base, "storage"),
            f"`{spec.persistence}` persistence needs `storage` (a volume per pod); "
            "or set `persistence: none` to keep the data in memory only",
        )
    if spec.persistence == "none" and spec.storage is not None:
        yield ((*base, "storage"), "`persistence: none` keeps nothing on a volume; remove it")
    tls = spec.tls
    if tls.cert_manager_issuer is not None and tls.secret_name is not None:
        yield ((*base, "tls"), "set at most one of `certManagerIssuer` or `secretName`")
