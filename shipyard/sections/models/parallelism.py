"""Tensor parallelism against a model's heads, as vLLM checks it at start-up (pure).

vLLM shards the attention heads across the ranks, so the size must divide them. Its KV
heads are sharded too when there are at least as many as ranks (the size must divide
them), and replicated when there are fewer (the size must then be a multiple of them):
vllm/model_executor/layers/linear.py, `QKVParallelLinear`.
"""

from __future__ import annotations

from shipyard.facts.model_heads import attention_heads
from shipyard.facts.models import lookup_model


def heads_problem(model_id: str, tensor_parallel_size: int) -> str | None:
    """Why vLLM would refuse `tensor_parallel_size` for the model, or None (also when the
    model is not in the facts tables)."""
    size = tensor_parallel_size
    heads = attention_heads(model_id)
    if heads is not None and heads % size:
        return (
            f"`{model_id}` has {heads} attention heads, which tensor-parallel size {size} "
            f"does not divide; use one of {', '.join(map(str, _divisors(heads)))}"
        )
    facts = lookup_model(model_id)
    if facts is None:
        return None
    kv = facts.kv_heads
    if (size <= kv and kv % size) or (size > kv and size % kv):
        return (
            f"`{model_id}` has {kv} KV heads: tensor-parallel size {size} must divide them "
            f"or be a multiple of them"
        )
    return None


def _divisors(number: int) -> list[int]:
    return [value for value in range(1, min(number, 16) + 1) if number % value == 0]
