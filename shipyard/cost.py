"""A monthly cost estimate of a blueprint, at the pools' min, desired and max sizes (pure).

    node pools     instances x on-demand $/h x 730 h (spot is priced at on-demand: an upper bound)
    node disks     instances x root volume GiB x gp3 $/GB-month        (EKS only)
    model caches   PVC size x gp3 $/GB-month, one claim per model
    data volumes   the data services' PVCs (Postgres instances, ...) x gp3 $/GB-month
    EKS            control plane $/h x 730 h                            (EKS only)
    NAT            gateways x $/h x 730 h + assumed GB processed x $/GB (new VPC only)

S3 (`spec.objectStore`) depends on data stored and requests, which a blueprint does not
say; it is listed as an assumption, not priced.

Prices are us-east-1 list prices (see `shipyard/facts/instances.py` and the constants
below); taxes, data transfer out, load balancers and support plans are not included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shipyard.blueprint.budget import DEFAULT_NAT_DATA_GB_PER_MONTH
from shipyard.blueprint.eks import EksCluster
from shipyard.blueprint.object_store import MinioObjectStore, S3ObjectStore
from shipyard.blueprint.platform import Platform
from shipyard.facts.instances import PRICE_REGION, lookup_instance

HOURS_PER_MONTH = 730
# Amazon EBS pricing page, gp3 storage, us-east-1, read 2026-11 (IOPS/throughput at baseline).
EBS_GP3_USD_PER_GB_MONTH = 0.08
# Amazon VPC pricing page, NAT gateway hour and per GB processed, us-east-1, read 2026-11.
NAT_GATEWAY_USD_PER_HOUR = 0.045
NAT_USD_PER_GB = 0.045
# Amazon EKS pricing page, cluster on standard support, per hour, read 2026-11.
EKS_CLUSTER_USD_PER_HOUR = 0.10

_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$")
_GIB_PER_UNIT = {
    None: 1 / 1024**3,
    "Ki": 1 / 1024**2,
    "Mi": 1 / 1024,
    "Gi": 1.0,
    "Ti": 1024.0,
    "Pi": 1024.0**2,
    "K": 1e3 / 1024**3,
    "M": 1e6 / 1024**3,
    "G": 1e9 / 1024**3,
    "T": 1e12 / 1024**3,
    "P": 1e15 / 1024**3,
}


@dataclass(frozen=True)
class Sizes:
    min: float
    desired: float
    max: float

    def __add__(self, other: Sizes) -> Sizes:
        return Sizes(self.min + other.min, self.desired + other.desired, self.max + other.max)

    @staticmethod
    def flat(value: float) -> Sizes:
        return Sizes(value, value, value)


ZERO = Sizes.flat(0.0)


@dataclass(frozen=True)
class PoolEstimate:
    name: str
    instance_type: str | None
    capacity: str
    usd_per_hour: float | None
    """None: no instance type, or one without a known price; the pool is not counted."""
    nodes: Sizes
    monthly: Sizes


@dataclass(frozen=True)
class LineItem:
    name: str
    detail: str
    monthly: Sizes


@dataclass(frozen=True)
class Estimate:
    region: str
    pools: list[PoolEstimate]
    items: list[LineItem]
    """Storage, control plane and NAT."""
    assumptions: list[str]

    @property
    def unpriced(self) -> list[str]:
        return [pool.name for pool in self.pools if pool.usd_per_hour is None]

    @property
    def total(self) -> Sizes:
        total = ZERO
        for part in [*(pool.monthly for pool in self.pools), *(i.monthly for i in self.items)]:
            total = total + part
        return total


def quantity_gib(quantity: str) -> float:
    """A Kubernetes quantity (`100Gi`, `1Ti`, `500G`) in GiB."""
    match = _QUANTITY.match(quantity)
    if match is None:
        raise ValueError(f"`{quantity}` is not a storage quantity")
    return float(match.group(1)) * _GIB_PER_UNIT[match.group(2)]


def gpus_at_start(platform: Platform) -> dict[str, int]:
    """Pool name -> GPUs its models and Ray workers hold as deployed (before autoscaling)."""
    wanted: dict[str, int] = {}
    for model in platform.spec.models:
        start = model.autoscaling.min_replicas if model.autoscaling else model.replicas
        wanted[model.node_pool] = wanted.get(model.node_pool, 0) + (
            start * model.tensor_parallel_size
        )
    if platform.spec.ray is not None:
        for group in platform.spec.ray.worker_groups:
            wanted[group.node_pool] = wanted.get(group.node_pool, 0) + (
                group.min_replicas * group.gpus_per_worker
            )
    return wanted


def _node_counts(platform: Platform) -> dict[str, Sizes]:
    """Nodes per pool. The desired count is at least what the deployed workloads need,
    so a pool declared `desired: 0` but hosting a model is not priced at zero."""
    counts = {}
    gpus = gpus_at_start(platform)
    for pool in platform.spec.node_pools:
        desired = pool.size.min if pool.size.desired is None else pool.size.desired
        if pool.gpus_per_node:
            needed = -(-gpus.get(pool.name, 0) // pool.gpus_per_node)
            desired = min(max(desired, needed), pool.size.max)
        counts[pool.name] = Sizes(pool.size.min, desired, pool.size.max)
    return counts


def estimate_pools(platform: Platform) -> list[PoolEstimate]:
    estimates = []
    counts = _node_counts(platform)
    for pool in platform.spec.node_pools:
        facts = lookup_instance(pool.instance_type) if pool.instance_type else None
        price = facts.on_demand_usd_per_hour if facts else None
        nodes = counts[pool.name]
        monthly = (
            Sizes(*(n * price * HOURS_PER_MONTH for n in (nodes.min, nodes.desired, nodes.max)))
            if price is not None
            else ZERO
        )
        estimates.append(
            PoolEstimate(pool.name, pool.instance_type, pool.capacity, price, nodes, monthly)
        )
    return estimates


def data_volumes(platform: Platform) -> list[tuple[str, int, float]]:
    """The data services' persistent volumes: (service, claims, GiB per claim).

    Each data section adds its claims here, so the estimate and the docs stay one list."""
    volumes: list[tuple[str, int, float]] = []
    postgres = platform.spec.postgres
    if postgres is not None:
        volumes.append(("postgres", postgres.instances, quantity_gib(postgres.storage.size)))
    events = platform.spec.events
    if events is not None:  # a claim per broker and per KRaft controller
        for pool, nodes in (("kafka", events.brokers), ("kafka-controller", events.controllers)):
            volumes.append((pool, nodes.replicas, quantity_gib(nodes.storage.size)))
    analytics = platform.spec.analytics
    if analytics is not None:  # shards x replicas hosts, and the Keeper quorum
        hosts = analytics.shards * analytics.replicas
        volumes.append(("clickhouse", hosts, quantity_gib(analytics.storage.size)))
        if analytics.keeper is not None:
            keeper = analytics.keeper
            volumes.append(("keeper", keeper.replicas, quantity_gib(keeper.storage.size)))
    store = platform.spec.object_store
    if isinstance(store, MinioObjectStore):  # servers x drives PVCs
        drives = store.servers * store.drives_per_server
        volumes.append(("minio", drives, quantity_gib(store.storage.size)))
    return volumes


def _storage(platform: Platform, eks: bool) -> list[LineItem]:
    items = []
    volumes = data_volumes(platform)
    if volumes:
        claims = sum(count for _, count, _ in volumes)
        size = sum(count * gib for _, count, gib in volumes)
        names = ", ".join(f"{name} {count} x {gib:g} GiB" for name, count, gib in volumes)
        items.append(
            LineItem(
                "data volumes",
                f"{claims} PVC(s) ({names}), {size:g} GiB at ${EBS_GP3_USD_PER_GB_MONTH}/GB-month",
                Sizes.flat(size * EBS_GP3_USD_PER_GB_MONTH),
            )
        )
    caches = [(m.name, quantity_gib(m.cache.size)) for m in platform.spec.models if m.cache]
    if caches:
        size = sum(gib for _, gib in caches)
        items.append(
            LineItem(
                "model caches",
                f"{len(caches)} PVC(s), {size:g} GiB at ${EBS_GP3_USD_PER_GB_MONTH}/GB-month",
                Sizes.flat(size * EBS_GP3_USD_PER_GB_MONTH),
            )
        )
    if eks:
        counts = _node_counts(platform)
        disks = ZERO
        for pool in platform.spec.node_pools:
            per_node = pool.disk_size_gib * EBS_GP3_USD_PER_GB_MONTH
            nodes = counts[pool.name]
            disks = disks + Sizes(
                nodes.min * per_node, nodes.desired * per_node, nodes.max * per_node
            )
        items.append(
            LineItem(
                "node disks", f"gp3 root volumes at ${EBS_GP3_USD_PER_GB_MONTH}/GB-month", disks
            )
        )
    return items


def _eks(cluster: EksCluster, nat_gb: float) -> list[LineItem]:
    items = [
        LineItem(
            "EKS control plane",
            f"${EKS_CLUSTER_USD_PER_HOUR}/h x {HOURS_PER_MONTH} h",
            Sizes.flat(EKS_CLUSTER_USD_PER_HOUR * HOURS_PER_MONTH),
        )
    ]
    gateways = cluster.nat_gateway_count
    if gateways:
        monthly = gateways * NAT_GATEWAY_USD_PER_HOUR * HOURS_PER_MONTH + nat_gb * NAT_USD_PER_GB
        items.append(
            LineItem(
                "NAT gateways",
                f"{gateways} x ${NAT_GATEWAY_USD_PER_HOUR}/h"
                f" + {nat_gb:g} GB x ${NAT_USD_PER_GB}/GB",
                Sizes.flat(monthly),
            )
        )
    return items


def estimate_platform(platform: Platform) -> Estimate:
    """The monthly estimate of every pool, storage, control plane and NAT."""
    cluster = platform.spec.cluster
    eks = isinstance(cluster, EksCluster)
    budget = platform.spec.budget
    nat_gb = float(budget.nat_data_gb_per_month if budget else DEFAULT_NAT_DATA_GB_PER_MONTH)
    items = _storage(platform, eks)
    assumptions = [
        f"{HOURS_PER_MONTH} hours a month; on-demand Linux list prices in {PRICE_REGION}",
        "spot pools are priced at on-demand (an upper bound)",
        "model caches and data volumes are priced as gp3 whatever their StorageClass",
    ]
    if isinstance(platform.spec.object_store, S3ObjectStore):
        assumptions.append("object storage (S3 storage, requests, KMS) is not priced")
    if isinstance(cluster, EksCluster):
        items += _eks(cluster, nat_gb)
        if cluster.nat_gateway_count:
            assumptions.append(
                f"{nat_gb:g} GB a month through NAT (`spec.budget.natDataGbPerMonth`)"
            )
        if cluster.region != PRICE_REGION:
            assumptions.append(f"prices are {PRICE_REGION}'s; `{cluster.region}` may differ")
    return Estimate(PRICE_REGION, estimate_pools(platform), items, assumptions)
