"""Semantic checks of `spec.models`: unique names, a declared GPU pool, tensor parallelism
that fits a node, a cache the replicas can share, and GPU memory fit.

Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from components.vllm.args import tensor_parallel_problem
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.facts.models import ModelSize, lookup_model
from shipyard.sections.models.model import ModelSpec
from shipyard.sections.models.parallelism import heads_problem
from shipyard.sections.models.sizing import (
    FitInput,
    gib,
    gpu_fit,
    gpu_types_that_fit,
    smallest_tensor_parallel,
)
from shipyard.sections.node_pools.checks import gpu_memory_gib, unique_names
from shipyard.sections.node_pools.model import NodePool
from shipyard.sections.node_pools.scheduling import pool_scheduling


def model_size(model: ModelSpec) -> ModelSize | None:
    if model.model_facts is not None:
        facts = model.model_facts
        return ModelSize(
            facts.parameters_billion,
            facts.layers,
            facts.kv_heads,
            facts.head_dim,
            facts.max_context_length,
        )
    return lookup_model(model.model)


def _fit_findings(index: int, model: ModelSpec, pool: NodePool) -> Iterator[Finding]:
    path: Path = ("spec", "models", index)
    size = model_size(model)
    if size is None:
        yield (
            (*path, "model"),
            f"Shipyard has no size figures for `{model.model}`; add `modelFacts` "
            "(parametersBillion, layers, kvHeads, headDim, maxContextLength) from its config.json",
        )
        return
    if model.max_model_len is not None and model.max_model_len > size.max_context_length:
        yield (
            (*path, "maxModelLen"),
            f"{model.max_model_len} exceeds the model's context length "
            f"of {size.max_context_length}",
        )
        return
    memory = gpu_memory_gib(pool)
    if memory is None or pool.gpu is None:
        return
    kv_dtype = model.extra_args.get("kv-cache-dtype")
    item = FitInput(
        size=size,
        dtype=model.dtype,
        quantization=model.quantization,
        kv_cache_dtype=str(kv_dtype) if kv_dtype is not None else None,
        max_model_len=model.max_model_len or size.max_context_length,
        gpu_memory_utilization=model.gpu_memory_utilization,
    )
    fit = gpu_fit(item, memory, model.tensor_parallel_size)
    if fit.fits:
        return
    hints = []
    smallest = smallest_tensor_parallel(item, memory)
    if smallest is not None and smallest <= pool.gpus_per_node:
        hints.append(f"`tensorParallelSize: {smallest}` fits on this pool")
    elif smallest is not None:
        hints.append(
            f"`tensorParallelSize: {smallest}` would fit, but pool `{pool.name}` has only "
            f"{pool.gpus_per_node} GPU(s) per node"
        )
    types = gpu_types_that_fit(item, model.tensor_parallel_size)
    if types:
        hints.append(
            f"at tensorParallelSize {model.tensor_parallel_size} it fits on {types[0]} or larger"
        )
    hints.append("or lower `maxModelLen`, or quantize")
    yield (
        (*path, "tensorParallelSize"),
        f"`{model.model}` needs {gib(fit.required_bytes)} (weights {gib(fit.weights_bytes)} + "
        f"KV cache {gib(fit.kv_cache_bytes)} for {item.max_model_len} tokens) but "
        f"{model.tensor_parallel_size} x {pool.gpu.type} at gpuMemoryUtilization "
        f"{model.gpu_memory_utilization} gives {gib(fit.budget_bytes)}; " + "; ".join(hints),
    )


def check_models(platform: Platform) -> Iterator[Finding]:
    models = platform.spec.models
    yield from unique_names([model.name for model in models], "models", "name")
    yield from unique_names([model.served_name for model in models], "models", "servedModelName")
    pool_names = [pool.name for pool in platform.spec.node_pools]
    for index, model in enumerate(models):
        path: Path = ("spec", "models", index)
        pool = platform.pool(model.node_pool)
        if pool is None:
            declared = ", ".join(pool_names) or "none"
            yield (
                (*path, "nodePool"),
                f"no node pool named `{model.node_pool}`"
                f"{did_you_mean(model.node_pool, pool_names)}; declared pools: {declared}",
            )
            continue
        if pool.gpu is None:
            yield (
                (*path, "nodePool"),
                f"pool `{pool.name}` has no GPUs; vLLM models need a pool with `gpu` set",
            )
            continue
        tp_problem = tensor_parallel_problem(
            model.tensor_parallel_size, pool_scheduling(pool)
        ) or heads_problem(model.model, model.tensor_parallel_size)
        if tp_problem:
            yield ((*path, "tensorParallelSize"), tp_problem)
            continue
        if model.cache and model.cache.access_mode == "ReadWriteOnce" and model.most_replicas > 1:
            yield (
                (*path, "cache", "accessMode"),
                f"ReadWriteOnce cannot be shared by {model.most_replicas} replicas; "
                "use ReadWriteMany storage or no cache",
            )
        yield from _fit_findings(index, model, pool)


def model_gpus_wanted(platform: Platform) -> Counter[str]:
    """Pool name -> the GPUs its models can take at most (replicas x tensorParallelSize),
    counting only models `check_models` places on a GPU pool."""
    wanted: Counter[str] = Counter()
    for model in platform.spec.models:
        pool = platform.pool(model.node_pool)
        if pool is None or pool.gpu is None:
            continue
        if tensor_parallel_problem(model.tensor_parallel_size, pool_scheduling(pool)):
            continue
        wanted[pool.name] += model.most_replicas * model.tensor_parallel_size
    return wanted
