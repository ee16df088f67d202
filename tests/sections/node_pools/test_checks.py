"""The capacity checks at their boundaries: a demand equal to what the pool holds fits,
one GPU (or a little CPU) more does not. Mutation survivors: `<=` as `<`, and a pool
counted one node larger, passed every earlier test."""

from __future__ import annotations

from collections import Counter, defaultdict
from types import SimpleNamespace
from typing import Any

from shipyard.sections.node_pools.checks import check_pool_capacity, check_pool_requests
from shipyard.sections.node_pools.fit import node_allocatable
from shipyard.sections.node_pools.model import NodePool
from shipyard.sections.section import PoolDemand

POOL = NodePool.model_validate(
    {"name": "gpu", "instanceType": "g5.12xlarge", "size": {"min": 1, "max": 2}}
)


def _platform() -> Any:
    return SimpleNamespace(spec=SimpleNamespace(node_pools=[POOL]))


def _gpus(count: int) -> PoolDemand:
    return PoolDemand("models", most=Counter({"gpu": count}))


def test_the_pool_holds_exactly_its_gpus() -> None:
    assert POOL.gpus_per_node == 4
    assert list(check_pool_capacity(_platform(), [_gpus(8)])) == []


def test_one_gpu_more_than_the_pool_holds_is_refused() -> None:
    assert list(
        check_pool_capacity(_platform(), [_gpus(5), PoolDemand("Ray", Counter(gpu=4))])
    ) == [
        (
            ("spec", "nodePools", 0, "size", "max"),
            "models and Ray on pool `gpu` need up to 9 GPUs (models 5, Ray 4) but the pool "
            "holds at most 8 (2 node(s) x 4)",
        )
    ]


def _cpu(cores: float) -> PoolDemand:
    return PoolDemand("apps", cpu_most=defaultdict(float, {"gpu": cores}))


def test_cpu_requests_equal_to_the_pools_allocatable_fit() -> None:
    room = node_allocatable(POOL)
    assert room is not None
    assert list(check_pool_requests(_platform(), [_cpu(2 * room.cpu)])) == []


def test_cpu_requests_past_the_pools_allocatable_are_refused() -> None:
    room = node_allocatable(POOL)
    assert room is not None
    (finding,) = check_pool_requests(_platform(), [_cpu(2 * room.cpu + 0.5)])
    assert finding[0] == ("spec", "nodePools", 0, "size", "max")
    assert "apps on pool `gpu` request up to" in finding[1]
    assert f"give pods {2 * room.cpu:.1f}" in finding[1]
