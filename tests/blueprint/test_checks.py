"""Semantic checks as plain functions: findings are `(path, message)` in document order."""

from __future__ import annotations

from shipyard.blueprint.checks import check_platform
from shipyard.blueprint.platform import Platform
from shipyard.facts.models import ModelSize
from shipyard.sections.models.checks import model_size
from shipyard.sections.models.model import ModelSpec
from shipyard.sections.node_pools.checks import gpu_memory_gib
from shipyard.sections.node_pools.model import NodePool


def platform(pools: list[dict[str, object]], models: list[dict[str, object]]) -> Platform:
    return Platform.model_validate(
        {
            "apiVersion": "shipyard.dev/v1alpha1",
            "kind": "Platform",
            "metadata": {"name": "p", "environment": "test"},
            "spec": {"cluster": {"kind": "local"}, "nodePools": pools, "models": models},
        }
    )


QWEN = {"model": "Qwen/Qwen2.5-0.5B-Instruct", "maxModelLen": 4096}


def test_valid_platform_has_no_findings() -> None:
    pools = [{"name": "gpu", "gpu": {"type": "nvidia-l4", "count": 1}}]
    assert check_platform(platform(pools, [{"name": "m", "nodePool": "gpu", **QWEN}])) == []


def test_findings_come_pools_first_then_models_with_paths() -> None:
    pools = [
        {"name": "gpu", "gpu": {"type": "nvidia-x", "count": 1}},
        {"name": "gpu", "gpu": {"type": "nvidia-l4", "count": 1}},
    ]
    models = [{"name": "m", "nodePool": "nope", **QWEN}]
    findings = check_platform(platform(pools, models))
    assert [path for path, _ in findings] == [
        ("spec", "nodePools", 1, "name"),
        ("spec", "nodePools", 0, "gpu", "type"),
        ("spec", "models", 0, "nodePool"),
    ]
    assert findings[2][1] == "no node pool named `nope`; declared pools: gpu, gpu"


def test_gpu_memory_prefers_the_override() -> None:
    assert gpu_memory_gib(NodePool(name="a", gpu={"type": "nvidia-l4", "count": 1})) == 24
    override = NodePool(name="a", gpu={"type": "nvidia-l4", "count": 1, "memoryGiB": 20})
    assert gpu_memory_gib(override) == 20
    assert gpu_memory_gib(NodePool(name="a", gpu={"type": "unknown", "count": 1})) is None
    assert gpu_memory_gib(NodePool(name="a")) is None


def test_model_size_from_facts_wins_over_the_table() -> None:
    facts = {
        "parametersBillion": 1.0,
        "layers": 2,
        "kvHeads": 3,
        "headDim": 4,
        "maxContextLength": 5,
    }
    spec = ModelSpec.model_validate({"name": "m", "nodePool": "p", **QWEN, "modelFacts": facts})
    assert model_size(spec) == ModelSize(1.0, 2, 3, 4, 5)
    table = ModelSpec.model_validate({"name": "m", "nodePool": "p", **QWEN})
    assert model_size(table) == ModelSize(0.49, 24, 2, 64, 32768)
