"""Semantic checks of `spec.nodePools`: unique names, known GPU types, and capacity: the
GPUs that models, Ray worker groups and other sections may take at most must fit each pool.

Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from shipyard.blueprint.errors import Finding, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.facts.gpus import GPU_MEMORY_GIB
from shipyard.sections.node_pools.model import NodePool
from shipyard.sections.section import PoolDemand


def unique_names(names: list[str], section: str, field: str) -> Iterator[Finding]:
    """A finding on every repeat of a name in the list `spec.<section>[].<field>`."""
    counts = Counter(names)
    seen: set[str] = set()
    for index, name in enumerate(names):
        if counts[name] > 1 and name in seen:
            yield (("spec", section, index, field), f"`{name}` is used more than once")
        seen.add(name)


def gpu_memory_gib(pool: NodePool) -> float | None:
    if pool.gpu is None:
        return None
    if pool.gpu.memory_gib is not None:
        return pool.gpu.memory_gib
    return GPU_MEMORY_GIB.get(pool.gpu.type)


def check_pools(platform: Platform) -> Iterator[Finding]:
    pools = platform.spec.node_pools
    yield from unique_names([pool.name for pool in pools], "nodePools", "name")
    for index, pool in enumerate(pools):
        if pool.gpu is not None and gpu_memory_gib(pool) is None:
            yield (
                ("spec", "nodePools", index, "gpu", "type"),
                f"unknown GPU type `{pool.gpu.type}`"
                f"{did_you_mean(pool.gpu.type, GPU_MEMORY_GIB)}; "
                f"use one of {', '.join(sorted(GPU_MEMORY_GIB))} or set `gpu.memoryGiB`",
            )


def check_pool_capacity(platform: Platform, demands: Iterable[PoolDemand]) -> Iterator[Finding]:
    """Every section's GPU demand together against each pool's GPUs (size.max x GPUs per
    node): models (replicas x TP) and Ray GPU worker groups (maxReplicas x gpusPerWorker)."""
    wanted = [demand for demand in demands if demand.most]
    for pool_index, pool in enumerate(platform.spec.node_pools):
        capacity = pool.size.max * pool.gpus_per_node
        parts = [(demand.label, demand.most[pool.name]) for demand in wanted]
        parts = [(label, gpus) for label, gpus in parts if gpus]
        total = sum(gpus for _, gpus in parts)
        if total <= capacity:
            continue
        labels = [label for label, _ in parts]
        who = f"{' and '.join(labels)} on pool `{pool.name}` need up to {total} GPUs"
        if len(parts) > 1:
            who += f" ({', '.join(f'{label} {gpus}' for label, gpus in parts)})"
        yield (
            ("spec", "nodePools", pool_index, "size", "max"),
            f"{who} but the pool holds at most {capacity} "
            f"({pool.size.max} node(s) x {pool.gpus_per_node})",
        )


def check_pool_requests(platform: Platform, demands: Iterable[PoolDemand]) -> Iterator[Finding]:
    """CPU and memory requested at most by every section's workloads together (models,
    Ray worker groups, apps) against what the pool's nodes give pods (size.max x one
    node's allocatable), for pools whose instance type Shipyard knows."""
    from shipyard.sections.node_pools.fit import node_allocatable

    listed = list(demands)
    for pool_index, pool in enumerate(platform.spec.node_pools):
        room = node_allocatable(pool)
        if room is None:
            continue
        for resource, unit, per_node in (
            ("cpu", "cores", room.cpu),
            ("memory", "GiB", room.memory_gib),
        ):
            parts = [
                (demand.label, getattr(demand, f"{resource}_most")[pool.name]) for demand in listed
            ]
            parts = [(label, amount) for label, amount in parts if amount]
            total = sum(amount for _, amount in parts)
            capacity = pool.size.max * per_node
            if total <= capacity:
                continue
            who = " and ".join(label for label, _ in parts)
            detail = ", ".join(f"{label} {amount:g}" for label, amount in parts)
            yield (
                ("spec", "nodePools", pool_index, "size", "max"),
                f"{who} on pool `{pool.name}` request up to {total:g} {unit} of {resource} "
                f"({detail}) but {pool.size.max} `{room.instance_type}` node(s) give pods "
                f"{capacity:.1f}; raise `size.max` or lower the requests",
            )
