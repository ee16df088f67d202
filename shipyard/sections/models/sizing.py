"""GPU memory fit: do a model's weights plus one full-length sequence of KV
cache fit in the memory vLLM is allowed to use?

    weights  = parameters x bytes per parameter (dtype or quantization)
    kv cache = 2 (K and V) x layers x kv_heads x head_dim x kv bytes x maxModelLen
    budget   = gpuMemoryUtilization x memory per GPU x tensorParallelSize

It is a lower bound: activations and CUDA graphs need more, so a model that
fails this check can never start, while one that passes still may not.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipyard.facts.gpus import GPU_MEMORY_GIB
from shipyard.facts.models import ModelSize

GIB = 1024**3
# Tensor-parallel sizes vLLM can shard attention heads over on one node.
TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)

_DTYPE_BYTES = {"float32": 4.0, "float": 4.0, "float16": 2.0, "half": 2.0, "bfloat16": 2.0}
# Models are published in 16-bit precision; `auto` keeps it.
_AUTO_BYTES = 2.0
_QUANTIZED_BYTES = {
    "awq": 0.5,
    "awq_marlin": 0.5,
    "gptq": 0.5,
    "gptq_marlin": 0.5,
    "bitsandbytes": 0.5,
    "fp8": 1.0,
}


@dataclass(frozen=True)
class FitInput:
    size: ModelSize
    dtype: str
    quantization: str | None
    kv_cache_dtype: str | None
    max_model_len: int
    gpu_memory_utilization: float


@dataclass(frozen=True)
class Fit:
    weights_bytes: float
    kv_cache_bytes: float
    budget_bytes: float

    @property
    def required_bytes(self) -> float:
        return self.weights_bytes + self.kv_cache_bytes

    @property
    def fits(self) -> bool:
        return self.required_bytes <= self.budget_bytes


def activation_bytes(dtype: str) -> float:
    return _DTYPE_BYTES.get(dtype, _AUTO_BYTES)


def weight_bytes_per_parameter(dtype: str, quantization: str | None) -> float:
    if quantization is not None:
        return _QUANTIZED_BYTES[quantization]
    return activation_bytes(dtype)


def kv_bytes_per_token(item: FitInput) -> float:
    element = 1.0 if (item.kv_cache_dtype or "").startswith("fp8") else activation_bytes(item.dtype)
    return 2 * item.size.layers * item.size.kv_heads * item.size.head_dim * element


def gpu_fit(item: FitInput, gpu_memory_gib: float, tensor_parallel_size: int) -> Fit:
    weights = (
        item.size.parameters_billion
        * 1e9
        * weight_bytes_per_parameter(item.dtype, item.quantization)
    )
    kv_cache = kv_bytes_per_token(item) * item.max_model_len
    budget = item.gpu_memory_utilization * gpu_memory_gib * GIB * tensor_parallel_size
    return Fit(weights, kv_cache, budget)


def smallest_tensor_parallel(item: FitInput, gpu_memory_gib: float) -> int | None:
    """The smallest tensor-parallel size at which the model fits, if any does."""
    for size in TENSOR_PARALLEL_SIZES:
        if gpu_fit(item, gpu_memory_gib, size).fits:
            return size
    return None


def gpu_types_that_fit(item: FitInput, tensor_parallel_size: int) -> list[str]:
    """Known GPU types, smallest memory first, that hold the model at this size."""
    fitting = [
        (memory, gpu)
        for gpu, memory in GPU_MEMORY_GIB.items()
        if gpu_fit(item, memory, tensor_parallel_size).fits
    ]
    return [gpu for _, gpu in sorted(fitting)]


def gib(value: float) -> str:
    return f"{value / GIB:.1f} GiB"
