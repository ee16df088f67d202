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

import math
import re
from collections import Counter
from dataclasses import dataclass

from shipyard.blueprint.platform import Platform
from shipyard.facts.instances import PRICE_REGION, lookup_instance

HOURS_PER_MONTH = 730
# Amazon EBS pricing page, gp3 storage, us-east-1, read 2026-11 (IOPS/throughput at baseline).
EBS_GP3_USD_PER_GB_MONTH = 0.08

_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?")
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
    match = _QUANTITY.fullmatch(quantity)
    if match is None:
        raise ValueError(f"`{quantity}` is not a storage quantity")
    return float(match.group(1)) * _GIB_PER_UNIT[match.group(2)]


def gpus_at_start(platform: Platform) -> Counter[str]:
    """Pool name -> GPUs every section's workloads hold as deployed (before autoscaling)."""
    from shipyard.sections.registry import SECTIONS

    wanted: Counter[str] = Counter()
    for section in SECTIONS:
        demand = section.gpu_demand(platform)
        if demand is not None:
            wanted.update(demand.at_start)
    return wanted


def requests_at_start(platform: Platform) -> tuple[dict[str, float], dict[str, float]]:
    """Pool name -> CPU cores and memory GiB every section's workloads request as deployed."""
    from shipyard.sections.registry import SECTIONS

    cpu: dict[str, float] = {}
    memory: dict[str, float] = {}
    for section in SECTIONS:
        demand = section.gpu_demand(platform)
        if demand is None:
            continue
        for totals, part in ((cpu, demand.cpu_at_start), (memory, demand.memory_at_start)):
            for pool, amount in part.items():
                totals[pool] = totals.get(pool, 0.0) + amount
    return cpu, memory


def node_counts(platform: Platform) -> dict[str, Sizes]:
    """Nodes per pool. The desired count is at least what the deployed workloads need (their
    GPUs, and where the instance type is known their CPU and memory requests), so a pool
    declared `desired: 0` but hosting a model or apps is not priced at zero."""
    from shipyard.sections.node_pools.fit import node_allocatable

    counts = {}
    gpus = gpus_at_start(platform)
    cpu, memory = requests_at_start(platform)
    for pool in platform.spec.node_pools:
        desired = pool.size.min if pool.size.desired is None else pool.size.desired
        needed = 0
        if pool.gpus_per_node:
            needed = -(-gpus.get(pool.name, 0) // pool.gpus_per_node)
        room = node_allocatable(pool)
        if room is not None:
            for wanted, per_node in (
                (cpu.get(pool.name, 0.0), room.cpu),
                (memory.get(pool.name, 0.0), room.memory_gib),
            ):
                needed = max(needed, math.ceil(wanted / per_node - 1e-9) if per_node > 0 else 0)
        desired = min(max(desired, needed), pool.size.max)
        counts[pool.name] = Sizes(pool.size.min, desired, pool.size.max)
    return counts


def estimate_pools(platform: Platform) -> list[PoolEstimate]:
    estimates = []
    counts = node_counts(platform)
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
    """The data services' persistent volumes: (service, claims, GiB per claim), as every
    section declares them."""
    from shipyard.sections.registry import SECTIONS

    return [
        (volume.service, volume.claims, volume.gib)
        for section in SECTIONS
        for volume in section.volumes(platform)
    ]


def _data_volumes_item(platform: Platform) -> list[LineItem]:
    volumes = data_volumes(platform)
    if not volumes:
        return []
    claims = sum(count for _, count, _ in volumes)
    size = sum(count * gib for _, count, gib in volumes)
    names = ", ".join(f"{name} {count} x {gib:g} GiB" for name, count, gib in volumes)
    return [
        LineItem(
            "data volumes",
            f"{claims} PVC(s) ({names}), {size:g} GiB at ${EBS_GP3_USD_PER_GB_MONTH}/GB-month",
            Sizes.flat(size * EBS_GP3_USD_PER_GB_MONTH),
        )
    ]


def estimate_platform(platform: Platform) -> Estimate:
    """The monthly estimate of every pool, and of what each section adds: data volumes,
    caches, node disks, control plane and NAT."""
    from shipyard.sections.registry import SECTIONS

    items = _data_volumes_item(platform)
    assumptions = [
        f"{HOURS_PER_MONTH} hours a month; on-demand Linux list prices in {PRICE_REGION}",
        "spot pools are priced at on-demand (an upper bound)",
        "model caches and data volumes are priced as gp3 whatever their StorageClass",
    ]
    for section in SECTIONS:
        items += section.cost_items(platform)
        assumptions += section.cost_assumptions(platform)
    return Estimate(PRICE_REGION, estimate_pools(platform), items, assumptions)
