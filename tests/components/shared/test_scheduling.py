"""Node selector and tolerations rendered from a pool's scheduling facts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.shared.scheduling import (
    GPU_RESOURCE,
    PoolScheduling,
    Taint,
    render_node_selector,
    render_tolerations,
)


def test_gpu_resource_is_the_nvidia_device_plugin_name() -> None:
    assert GPU_RESOURCE == "nvidia.com/gpu"


def test_tolerations_use_equal_with_a_value_and_exists_without() -> None:
    scheduling = PoolScheduling(
        pool="gpu",
        node_selector={"shipyard.dev/pool": "gpu"},
        taints=(
            Taint(key="nvidia.com/gpu", value="present"),
            Taint(key="dedicated", effect="NoExecute"),
            Taint(key="spot", value="true", effect="PreferNoSchedule"),
        ),
        gpus_per_node=1,
    )
    assert render_tolerations(scheduling) == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"},
        {"key": "dedicated", "effect": "NoExecute", "operator": "Exists"},
        {"key": "spot", "effect": "PreferNoSchedule", "operator": "Equal", "value": "true"},
    ]


def test_no_taints_means_no_tolerations() -> None:
    assert render_tolerations(PoolScheduling(pool="cpu", node_selector={"a": "b"})) == []


def test_node_selector_is_the_pool_selector_with_sorted_keys() -> None:
    scheduling = PoolScheduling(
        pool="gpu", node_selector={"zone": "a", "shipyard.dev/pool": "gpu", "arch": "amd64"}
    )
    selector = render_node_selector(scheduling)
    assert selector == {"arch": "amd64", "shipyard.dev/pool": "gpu", "zone": "a"}
    assert list(selector) == ["arch", "shipyard.dev/pool", "zone"]
    # A copy: changing it leaves the pool's facts alone.
    selector["zone"] = "b"
    assert scheduling.node_selector["zone"] == "a"


def test_a_pool_needs_a_selector() -> None:
    with pytest.raises(
        ValidationError, match=r"node_selector\n  Value should have at least 1 item"
    ):
        PoolScheduling(pool="gpu", node_selector={})


def test_taint_effect_is_checked() -> None:
    with pytest.raises(
        ValidationError, match=r"Input should be 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'"
    ):
        Taint(key="a", effect="NoRun")  # type: ignore[arg-type]
