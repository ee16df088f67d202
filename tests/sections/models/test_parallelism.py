"""Tensor parallelism must split a model's heads as vLLM splits them."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.facts.model_heads import ATTENTION_HEADS
from shipyard.facts.models import MODEL_SIZES
from shipyard.sections.models.parallelism import heads_problem
from tests.blueprint.located import load_problems, located_at
from tests.blueprint.test_loader import BASE, edit


def test_every_model_in_the_size_table_has_its_heads() -> None:
    assert sorted(ATTENTION_HEADS) == sorted(MODEL_SIZES)
    for model, heads in ATTENTION_HEADS.items():
        # Grouped-query attention: the query heads are a multiple of the KV heads.
        assert heads % MODEL_SIZES[model].kv_heads == 0, model


@pytest.mark.parametrize(
    ("model", "size"),
    [
        ("Qwen/Qwen2.5-0.5B-Instruct", 1),
        ("Qwen/Qwen2.5-0.5B-Instruct", 2),
        ("meta-llama/Llama-3.1-70B-Instruct", 8),
        ("meta-llama/Llama-3.1-8B-Instruct", 16),  # 8 KV heads, replicated twice
        ("some/unknown-model", 3),
    ],
)
def test_sizes_vllm_takes(model: str, size: int) -> None:
    assert heads_problem(model, size) is None


def test_a_size_that_does_not_divide_the_heads() -> None:
    assert heads_problem("Qwen/Qwen2.5-0.5B-Instruct", 4) == (
        "`Qwen/Qwen2.5-0.5B-Instruct` has 14 attention heads, which tensor-parallel size 4 "
        "does not divide; use one of 1, 2, 7, 14"
    )


def test_a_size_that_splits_the_kv_heads_unevenly() -> None:
    # Llama 3.2 3B: 12 divides its 24 heads but is neither a divisor nor a multiple of its
    # 8 KV heads.
    assert heads_problem("meta-llama/Llama-3.2-3B-Instruct", 12) == (
        "`meta-llama/Llama-3.2-3B-Instruct` has 8 KV heads: tensor-parallel size 12 must "
        "divide them or be a multiple of them"
    )


def test_the_blueprint_check_names_the_field(tmp_path: Path) -> None:
    text = edit(
        BASE,
        "      nodePool: gpu-small\n      replicas: 1\n",
        "      nodePool: gpu-quad\n      tensorParallelSize: 4\n      replicas: 1\n",
    )
    problems = load_problems("bp.yaml", tmp_path, text)
    assert (
        f"{located_at('bp.yaml', text, 'tensorParallelSize')}: "
        "spec.models[0].tensorParallelSize: `Qwen/Qwen2.5-0.5B-Instruct` has 14 attention "
        "heads, which tensor-parallel size 4 does not divide; use one of 1, 2, 7, 14"
    ) in problems
