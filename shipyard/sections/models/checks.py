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
from shipyard.sections.models.placements import placements
from shipyard.sections.models.roles import ROLE_NAMES
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


def _fit_findings(
    index: int, model: ModelSpec, pool: NodePool, tensor_parallel_size: int, tp_path: Path
) -> Iterator[Finding]:
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
    fit = gpu_fit(item, memory, tensor_parallel_size)
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
    types = gpu_types_that_fit(item, tensor_parallel_size)
    if types:
        hints.append(
            f"at tensorParallelSize {tensor_parallel_size} it fits on {types[0]} or larger"
        )
    hints.append("or lower `maxModelLen`, or quantize")
    yield (
        tp_path,
        f"`{model.model}` needs {gib(fit.required_bytes)} (weights {gib(fit.weights_bytes)} + "
        f"KV cache {gib(fit.kv_cache_bytes)} for {item.max_model_len} tokens) but "
        f"{tensor_parallel_size} x {pool.gpu.type} at gpuMemoryUtilization "
        f"{model.gpu_memory_utilization} gives {gib(fit.budget_bytes)}; " + "; ".join(hints),
    )


def check_models(platform: Platform) -> Iterator[Finding]:
    models = platform.spec.models
    yield from unique_names([model.name for model in models], "models", "name")
    yield from unique_names([model.served_name for model in models], "models", "servedModelName")
    served = {model.served_name for model in models}
    adapters: set[str] = set()
    for index, model in enumerate(models):
        for position, adapter in enumerate(model.lora_adapters):
            if adapter.name in served or adapter.name in adapters:
                yield (
                    ("spec", "models", index, "loraAdapters", position, "name"),
                    f"`{adapter.name}` is already a model name clients request; the gateway "
                    "routes each adapter as a model of its own, so give it a name of its own",
                )
            adapters.add(adapter.name)
    pool_names = [pool.name for pool in platform.spec.node_pools]
    for index, model in enumerate(models):
        path: Path = ("spec", "models", index)
        for placement in placements(index, model):
            role = getattr(model.roles, placement.role) if placement.role else None
            pool_path: Path = (
                (*placement.path, "nodePool")
                if role is not None and role.node_pool is not None
                else (*path, "nodePool")
            )
            where = f"{placement.role} servers: " if placement.role else ""
            pool = platform.pool(placement.node_pool)
            if pool is None:
                if role is not None and role.node_pool is None:
                    continue  # the model's own pool, reported once below
                declared = ", ".join(pool_names) or "none"
                yield (
                    pool_path,
                    f"no node pool named `{placement.node_pool}`"
                    f"{did_you_mean(placement.node_pool, pool_names)}; declared pools: {declared}",
                )
                continue
            if pool.gpu is None:
                yield (
                    pool_path,
                    f"{where}pool `{pool.name}` has no GPUs; vLLM models need a pool with "
                    "`gpu` set",
                )
                continue
            tp_path: Path = (*placement.path, "tensorParallelSize")
            tp_problem = tensor_parallel_problem(
                placement.tensor_parallel_size, pool_scheduling(pool)
            ) or heads_problem(model.model, placement.tensor_parallel_size)
            if tp_problem:
                yield (tp_path, f"{where}{tp_problem}")
                continue
            if (
                model.cache
                and model.cache.access_mode == "ReadWriteOnce"
                and placement.most_replicas > 1
            ):
                yield (
                    (*path, "cache", "accessMode"),
                    f"{where}ReadWriteOnce cannot be shared by {placement.most_replicas} "
                    "replicas; use ReadWriteMany storage or no cache",
                )
            for problem_path, message in _fit_findings(
                index, model, pool, placement.tensor_parallel_size, tp_path
            ):
                yield (problem_path, f"{where}{message}")
        if model.roles is not None and platform.pool(model.node_pool) is None:
            if all(getattr(model.roles, name).node_pool for name in ROLE_NAMES):
                continue
            declared = ", ".join(pool_names) or "none"
            yield (
                (*path, "nodePool"),
                f"no node pool named `{model.node_pool}`"
                f"{did_you_mean(model.node_pool, pool_names)}; declared pools: {declared}",
            )


def model_gpus_wanted(platform: Platform) -> Counter[str]:
    """Pool name -> the GPUs its models can take at most (replicas x tensorParallelSize, per
    role with prefill/decode), counting only servers `check_models` places on a GPU pool."""
    wanted: Counter[str] = Counter()
    for index, model in enumerate(platform.spec.models):
        for placement in placements(index, model):
            pool = platform.pool(placement.node_pool)
            if pool is None or pool.gpu is None:
                continue
            if tensor_parallel_problem(placement.tensor_parallel_size, pool_scheduling(pool)):
                continue
            wanted[pool.name] += placement.most_replicas * placement.tensor_parallel_size
    return wanted
