"""GPU memory fit: weights + one full sequence of KV cache against the GPU budget."""

from __future__ import annotations

import pytest

from shipyard.facts.models import ModelSize, lookup_model
from shipyard.sections.models.sizing import (
    GIB,
    Fit,
    FitInput,
    gib,
    gpu_fit,
    gpu_types_that_fit,
    kv_bytes_per_token,
    smallest_tensor_parallel,
    weight_bytes_per_parameter,
)

QWEN_05B = ModelSize(0.49, 24, 2, 64, 32768)
LLAMA_70B = ModelSize(70.6, 80, 8, 128, 131072)


def fit_input(
    size: ModelSize = QWEN_05B,
    dtype: str = "auto",
    quantization: str | None = None,
    kv_cache_dtype: str | None = None,
    max_model_len: int = 8192,
    gpu_memory_utilization: float = 0.9,
) -> FitInput:
    return FitInput(
        size, dtype, quantization, kv_cache_dtype, max_model_len, gpu_memory_utilization
    )


@pytest.mark.parametrize(
    ("dtype", "quantization", "expected"),
    [
        ("auto", None, 2.0),
        ("bfloat16", None, 2.0),
        ("float16", None, 2.0),
        ("half", None, 2.0),
        ("float32", None, 4.0),
        ("float", None, 4.0),
        ("bfloat16", "fp8", 1.0),
        ("auto", "awq", 0.5),
        ("auto", "awq_marlin", 0.5),
        ("float16", "gptq", 0.5),
        ("auto", "gptq_marlin", 0.5),
        ("auto", "bitsandbytes", 0.5),
        # Quantization decides the weight size whatever the activation dtype.
        ("float32", "awq", 0.5),
    ],
)
def test_weight_bytes_per_parameter(dtype: str, quantization: str | None, expected: float) -> None:
    assert weight_bytes_per_parameter(dtype, quantization) == expected


def test_kv_bytes_per_token_for_qwen_05b() -> None:
    # 2 (K and V) x 24 layers x 2 KV heads x 64 head dim x 2 bytes (bfloat16).
    assert kv_bytes_per_token(fit_input(dtype="bfloat16")) == 2 * 24 * 2 * 64 * 2 == 12288


def test_kv_bytes_per_token_follows_the_kv_cache_dtype() -> None:
    assert kv_bytes_per_token(fit_input(dtype="float32")) == 24576
    assert kv_bytes_per_token(fit_input(kv_cache_dtype="fp8")) == 6144
    assert kv_bytes_per_token(fit_input(kv_cache_dtype="fp8_e5m2")) == 6144
    # Quantized weights keep a 16-bit KV cache.
    assert kv_bytes_per_token(fit_input(quantization="awq")) == 12288


def test_kv_bytes_per_token_for_llama_70b() -> None:
    assert kv_bytes_per_token(fit_input(LLAMA_70B)) == 2 * 80 * 8 * 128 * 2 == 327680


def test_fit_of_the_dev_model_on_an_a10g() -> None:
    item = fit_input(dtype="bfloat16", max_model_len=8192, gpu_memory_utilization=0.85)
    fit = gpu_fit(item, 24, 1)
    assert fit == Fit(
        weights_bytes=0.49e9 * 2,
        kv_cache_bytes=12288 * 8192,
        budget_bytes=0.85 * 24 * GIB,
    )
    assert fit.required_bytes == 980_000_000 + 100_663_296
    assert fit.fits


def test_fit_budget_scales_with_tensor_parallel_size() -> None:
    item = fit_input(LLAMA_70B)
    one, four = gpu_fit(item, 80, 1), gpu_fit(item, 80, 4)
    assert four.budget_bytes == 4 * one.budget_bytes == 0.9 * 80 * GIB * 4
    assert (one.weights_bytes, one.kv_cache_bytes) == (four.weights_bytes, four.kv_cache_bytes)
    assert (one.fits, four.fits) == (False, True)


def test_fit_is_exact_at_the_boundary() -> None:
    item = fit_input(ModelSize(1.0, 1, 1, 1, 1), max_model_len=1, gpu_memory_utilization=1.0)
    needed = gpu_fit(item, 1, 1).required_bytes
    assert gpu_fit(item, needed / GIB, 1).fits
    assert not gpu_fit(item, needed / GIB * 0.999, 1).fits


@pytest.mark.parametrize(
    ("gpu_memory_gib", "expected"),
    [(80, 2), (48, 4), (24, 8), (16, None)],
)
def test_smallest_tensor_parallel_for_llama_70b(
    gpu_memory_gib: float, expected: int | None
) -> None:
    assert smallest_tensor_parallel(fit_input(LLAMA_70B), gpu_memory_gib) == expected


def test_smallest_tensor_parallel_is_one_when_it_fits_alone() -> None:
    assert smallest_tensor_parallel(fit_input(), 16) == 1


def test_gpu_types_that_fit_are_sorted_by_memory() -> None:
    item = fit_input(LLAMA_70B)
    assert gpu_types_that_fit(item, 1) == ["nvidia-b200"]
    assert gpu_types_that_fit(item, 2) == [
        "nvidia-a100-80gb",
        "nvidia-h100-80gb",
        "nvidia-h200",
        "nvidia-b200",
    ]
    assert gpu_types_that_fit(fit_input(LLAMA_70B, max_model_len=131072, dtype="float32"), 1) == []


def test_gpu_types_that_fit_a_small_model_start_with_the_smallest() -> None:
    assert gpu_types_that_fit(fit_input(), 1)[:2] == ["nvidia-t4", "nvidia-v100-16gb"]


def test_lookup_feeds_the_same_figures() -> None:
    assert lookup_model("meta-llama/Llama-3.1-70B-Instruct") == LLAMA_70B
    assert lookup_model("Qwen/Qwen2.5-0.5B-Instruct") == QWEN_05B


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0.0 GiB"), (GIB, "1.0 GiB"), (1.5 * GIB, "1.5 GiB"), (134.04 * GIB, "134.0 GiB")],
)
def test_gib_formats_one_decimal(value: float, text: str) -> None:
    assert gib(value) == text
