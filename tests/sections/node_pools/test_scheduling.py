"""`pool_scheduling`: the one place a node pool becomes a selector and taints."""

from __future__ import annotations

from components.shared.scheduling import PoolScheduling, Taint
from shipyard.sections.node_pools.model import NodePool
from shipyard.sections.node_pools.scheduling import pool_scheduling


def pool(**fields: object) -> NodePool:
    return NodePool.model_validate({"name": "gpu-a", **fields})


def test_gpu_pool_defaults_to_pool_label_and_gpu_taint() -> None:
    assert pool_scheduling(pool(gpu={"type": "nvidia-l4", "count": 2})) == PoolScheduling(
        pool="gpu-a",
        node_selector={"shipyard.dev/pool": "gpu-a"},
        taints=(Taint(key="nvidia.com/gpu", value="present", effect="NoSchedule"),),
        gpus_per_node=2,
    )


def test_cpu_pool_has_no_taints_and_no_gpus() -> None:
    scheduling = pool_scheduling(pool(name="system"))
    assert scheduling.node_selector == {"shipyard.dev/pool": "system"}
    assert scheduling.taints == ()
    assert scheduling.gpus_per_node == 0


def test_explicit_selector_and_taints_replace_the_defaults() -> None:
    scheduling = pool_scheduling(
        pool(
            gpu={"type": "nvidia-a10g", "count": 1},
            nodeSelector={"node.kubernetes.io/instance-type": "g5.xlarge"},
            taints=[
                {"key": "dedicated", "value": "llm", "effect": "NoExecute"},
                {"key": "nvidia.com/gpu"},
            ],
        )
    )
    assert scheduling.node_selector == {"node.kubernetes.io/instance-type": "g5.xlarge"}
    assert scheduling.taints == (
        Taint(key="dedicated", value="llm", effect="NoExecute"),
        Taint(key="nvidia.com/gpu", value=None, effect="NoSchedule"),
    )


def test_an_empty_taint_list_means_untainted_gpu_nodes() -> None:
    assert pool_scheduling(pool(gpu={"type": "nvidia-l4", "count": 1}, taints=[])).taints == ()


def test_node_labels_do_not_change_the_selector() -> None:
    scheduling = pool_scheduling(
        pool(gpu={"type": "nvidia-l4", "count": 1}, labels={"accelerator": "l4"})
    )
    assert scheduling.node_selector == {"shipyard.dev/pool": "gpu-a"}
