"""A node pool's declaration turned into the scheduling facts workloads use."""

from __future__ import annotations

from components.shared.scheduling import PoolScheduling, Taint
from shipyard.sections.node_pools.model import NodePool


def pool_scheduling(pool: NodePool) -> PoolScheduling:
    """The one place where a pool becomes node selectors and taints."""
    return PoolScheduling(
        pool=pool.name,
        node_selector=pool.selector,
        taints=tuple(
            Taint(key=taint.key, value=taint.value, effect=taint.effect)
            for taint in pool.effective_taints
        ),
        gpus_per_node=pool.gpus_per_node,
    )
