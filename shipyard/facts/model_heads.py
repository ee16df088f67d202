"""Attention heads of the models in `shipyard.facts.models`, for the tensor-parallel check.

Each figure is `num_attention_heads` in the model's `config.json` on Hugging Face, read
2026-12 (the KV heads, `num_key_value_heads`, are in `MODEL_SIZES`). vLLM splits the
heads across the tensor-parallel ranks, so the size must divide them; it refuses
otherwise at start-up ("Total number of attention heads (14) must be divisible by tensor
parallel size (4)", vllm/config, `verify_with_parallel_config`).
"""

from __future__ import annotations

ATTENTION_HEADS: dict[str, int] = {
    "qwen/qwen2.5-0.5b-instruct": 14,
    "qwen/qwen2.5-1.5b-instruct": 12,
    "qwen/qwen2.5-7b-instruct": 28,
    "qwen/qwen2.5-14b-instruct": 40,
    "qwen/qwen2.5-32b-instruct": 40,
    "qwen/qwen2.5-72b-instruct": 64,
    "meta-llama/llama-3.2-1b-instruct": 32,
    "meta-llama/llama-3.2-3b-instruct": 24,
    "meta-llama/llama-3.1-8b-instruct": 32,
    "meta-llama/llama-3.1-70b-instruct": 64,
    "meta-llama/llama-3.3-70b-instruct": 64,
    "mistralai/mistral-7b-instruct-v0.3": 32,
    "mistralai/mixtral-8x7b-instruct-v0.1": 32,
    "google/gemma-2-9b-it": 16,
    "google/gemma-2-27b-it": 32,
    "microsoft/phi-3-mini-4k-instruct": 32,
}


def attention_heads(model_id: str) -> int | None:
    """`num_attention_heads` of a Hugging Face id in the table, ignoring case."""
    return ATTENTION_HEADS.get(model_id.lower())
