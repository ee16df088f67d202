"""Semantic checks: rules that span fields, run on a structurally valid blueprint.

Each check yields `(path, message)`; the loader adds file positions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from components.vllm.args import tensor_parallel_problem
from shipyard.blueprint.analytics_checks import check_analytics
from shipyard.blueprint.eks_checks import check_budget, check_eks, check_instances
from shipyard.blueprint.errors import Path, did_you_mean
from shipyard.blueprint.events_checks import check_events
from shipyard.blueprint.gitops_checks import check_gitops
from shipyard.blueprint.models import ModelSpec
from shipyard.blueprint.node_pools import NodePool
from shipyard.blueprint.object_store_checks import check_object_store
from shipyard.blueprint.platform import Platform
from shipyard.blueprint.postgres_checks import check_postgres
from shipyard.blueprint.scheduling import pool_scheduling
from shipyard.blueprint.serving_checks import check_gateway, check_ray, ray_gpus_wanted
from shipyard.facts.gpus import GPU_MEMORY_GIB
from shipyard.facts.models import ModelSize, lookup_model
from shipyard.sizing import (
    FitInput,
    gib,
    gpu_fit,
    gpu_types_that_fit,
    smallest_tensor_parallel,
)

Finding = tuple[Path, str]


def _unique(names: list[str], section: str, field: str) -> Iterator[Finding]:
    counts = Counter(names)
    seen: set[str] = set()
    for index, name in enumerate(names):
        if counts[name] > 1 and name in seen:
            yield (("spec", section, index, field), f"`{name}` is used more than once")
        seen.add(name)


def gpu_memory_gib(pool: NodePool) -> float | None:
    if pool.gpu is None:
        return None
    if pool.gpu.memory_gib is not None:
        return pool.gpu.memory_gib
    return GPU_MEMORY_GIB.get(pool.gpu.type)


def check_pools(platform: Platform) -> Iterator[Finding]:
    pools = platform.spec.node_pools
    yield from _unique([pool.name for pool in pools], "nodePools", "name")
    for index, pool in enumerate(pools):
        if pool.gpu is not None and gpu_memory_gib(pool) is None:
            yield (
                ("spec", "nodePools", index, "gpu", "type"),
                f"unknown GPU type `{pool.gpu.type}`"
                f"{did_you_mean(pool.gpu.type, GPU_MEMORY_GIB)}; "
                f"use one of {', '.join(sorted(GPU_MEMORY_GIB))} or set `gpu.memoryGiB`",
            )


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
    yield from _unique([model.name for model in models], "models", "name")
    yield from _unique([model.served_name for model in models], "models", "servedModelName")
    pool_names = [pool.name for pool in platform.spec.node_pools]
    gpus_wanted: Counter[str] = Counter()
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
        tp_problem = tensor_parallel_problem(model.tensor_parallel_size, pool_scheduling(pool))
        if tp_problem:
            yield ((*path, "tensorParallelSize"), tp_problem)
            continue
        if model.cache and model.cache.access_mode == "ReadWriteOnce" and model.most_replicas > 1:
            yield (
                (*path, "cache", "accessMode"),
                f"ReadWriteOnce cannot be shared by {model.most_replicas} replicas; "
                "use ReadWriteMany storage or no cache",
            )
        gpus_wanted[pool.name] += model.most_replicas * model.tensor_parallel_size
        yield from _fit_findings(index, model, pool)
    yield from _pool_capacity(platform, gpus_wanted, ray_gpus_wanted(platform))


def _pool_capacity(
    platform: Platform, model_gpus: Counter[str], ray_gpus: Counter[str]
) -> Iterator[Finding]:
    """Models (replicas x TP) and Ray GPU worker groups (maxReplicas x gpusPerWorker)
    together against each pool's GPUs (size.max x GPUs per node)."""
    for pool_index, pool in enumerate(platform.spec.node_pools):
        capacity = pool.size.max * pool.gpus_per_node
        models, ray = model_gpus[pool.name], ray_gpus[pool.name]
        if models + ray <= capacity:
            continue
        if models and ray:
            who = f"models and Ray worker groups on pool `{pool.name}` need up to {models + ray} "
            who += f"GPUs (models {models}, Ray worker groups {ray})"
        elif models:
            who = f"models on pool `{pool.name}` need up to {models} GPUs"
        else:
            who = f"Ray worker groups on pool `{pool.name}` need up to {ray} GPUs"
        yield (
            ("spec", "nodePools", pool_index, "size", "max"),
            f"{who} but the pool holds at most {capacity} "
            f"({pool.size.max} node(s) x {pool.gpus_per_node})",
        )


def check_platform(platform: Platform, *, enforce_budget: bool = True) -> list[Finding]:
    """Every cross-field problem of a blueprint, in document order.

    `enforce_budget=False` leaves out the budget check, for `shipyard cost`, which
    must show the breakdown of an estimate that is over budget."""
    budget = check_budget(platform) if enforce_budget else iter(())
    return [
        *check_pools(platform),
        *check_models(platform),
        *check_gateway(platform),
        *check_ray(platform),
        *check_instances(platform),
        *check_eks(platform),
        *check_object_store(platform),
        *check_postgres(platform),
        *check_analytics(platform),
        *check_events(platform),
        *check_gitops(platform),
        *budget,
    ]
