"""Sizes of common open models, for the GPU memory fit check.

Each figure comes from the model's `config.json` on Hugging Face
(`num_hidden_layers`, `num_key_value_heads`, `head_dim` or
`hidden_size / num_attention_heads`, `max_position_embeddings`) and the
parameter count on its model card, read 2026-11.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSize:
    parameters_billion: float
    layers: int
    kv_heads: int
    head_dim: int
    max_context_length: int


MODEL_SIZES: dict[str, ModelSize] = {
    "qwen/qwen2.5-0.5b-instruct": ModelSize(0.49, 24, 2, 64, 32768),
    "qwen/qwen2.5-1.5b-instruct": ModelSize(1.54, 28, 2, 128, 32768),
    "qwen/qwen2.5-7b-instruct": ModelSize(7.62, 28, 4, 128, 32768),
    "qwen/qwen2.5-14b-instruct": ModelSize(14.7, 48, 8, 128, 32768),
    "qwen/qwen2.5-32b-instruct": ModelSize(32.5, 64, 8, 128, 32768),
    "qwen/qwen2.5-72b-instruct": ModelSize(72.7, 80, 8, 128, 32768),
    "meta-llama/llama-3.2-1b-instruct": ModelSize(1.24, 16, 8, 64, 131072),
    "meta-llama/llama-3.2-3b-instruct": ModelSize(3.21, 28, 8, 128, 131072),
    "meta-llama/llama-3.1-8b-instruct": ModelSize(8.03, 32, 8, 128, 131072),
    "meta-llama/llama-3.1-70b-instruct": ModelSize(70.6, 80, 8, 128, 131072),
    "meta-llama/llama-3.3-70b-instruct": ModelSize(70.6, 80, 8, 128, 131072),
    "mistralai/mistral-7b-instruct-v0.3": ModelSize(7.25, 32, 8, 128, 32768),
    "mistralai/mixtral-8x7b-instruct-v0.1": ModelSize(46.7, 32, 8, 128, 32768),
    "google/gemma-2-9b-it": ModelSize(9.24, 42, 8, 256, 8192),
    "google/gemma-2-27b-it": ModelSize(27.2, 46, 16, 128, 8192),
    "microsoft/phi-3-mini-4k-instruct": ModelSize(3.82, 32, 32, 96, 4096),
}


def lookup_model(model_id: str) -> ModelSize | None:
    """The table entry for a Hugging Face id, ignoring case."""
    return MODEL_SIZES.get(model_id.lower())
