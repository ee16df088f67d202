"""A blueprint model turned into the vLLM component's arguments (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import Autoscaling, LoraAdapter, ModelCache, VllmServiceArgs
from shipyard.blueprint.platform import Platform
from shipyard.sections.models.model import ModelSpec
from shipyard.sections.models.routing_args import router_pod_labels
from shipyard.sections.models.weights import staged_weights
from shipyard.sections.node_pools.scheduling import pool_scheduling

if TYPE_CHECKING:
    from shipyard.sections.models.placements import Placement


def vllm_args(
    platform: Platform,
    model: ModelSpec,
    placement: Placement | None = None,
    kv_transfer_config: str | None = None,
    kv_peer_pod_labels: dict[str, str] | None = None,
) -> VllmServiceArgs:
    """The component arguments for one blueprint model, or for one of its roles with
    `placement` (pure; the pool must exist)."""
    pool_name = placement.node_pool if placement else model.node_pool
    pool = platform.pool(pool_name)
    if pool is None:  # load_blueprint has already rejected this
        raise ValueError(f"model `{model.name}` names unknown pool `{pool_name}`")
    optional: dict[str, object] = {}
    if model.image is not None:
        optional["image"] = model.image
    resources = placement.resources if placement else model.resources
    if resources is not None:
        optional["cpu_request"] = resources.cpu
        optional["memory_request"] = resources.memory
    return VllmServiceArgs(
        namespace=platform.namespace,
        model=model.model,
        served_model_name=model.served_name,
        scheduling=pool_scheduling(pool),
        replicas=placement.at_start if placement else model.replicas,
        tensor_parallel_size=(
            placement.tensor_parallel_size if placement else model.tensor_parallel_size
        ),
        max_model_len=model.max_model_len,
        gpu_memory_utilization=model.gpu_memory_utilization,
        dtype=model.dtype,
        quantization=model.quantization,
        max_num_seqs=model.max_num_seqs,
        enable_prefix_caching=model.prefix_caching,
        lora_adapters=tuple(
            LoraAdapter(name=adapter.name, path=adapter.path) for adapter in model.lora_adapters
        ),
        hf_token_secret=(
            SecretKeyRef(name=model.hf_token_secret.name, key=model.hf_token_secret.key)
            if model.hf_token_secret
            else None
        ),
        cache=(
            ModelCache(
                size=model.cache.size,
                storage_class=model.cache.storage_class,
                access_mode=model.cache.access_mode,
            )
            if model.cache
            else None
        ),
        extra_args=dict(model.extra_args),
        autoscaling=(
            Autoscaling(
                min_replicas=model.autoscaling.min_replicas,
                max_replicas=model.autoscaling.max_replicas,
                queue_target=model.autoscaling.queue_target,
                prometheus_url=model.autoscaling.prometheus_url,
            )
            if model.autoscaling
            else None
        ),
        weights=staged_weights(platform, model),
        router_pod_labels=router_pod_labels(model),
        kv_transfer_config=kv_transfer_config,
        kv_peer_pod_labels=kv_peer_pod_labels,
        # The router's cache-aware policy tokenizes each prompt through the servers'
        # renderer endpoints, which vLLM 0.33 serves only with `--enable-scale-out`.
        enable_render_endpoints=model.routing is not None
        and model.routing.strategy == "prefixAware",
        **optional,
    )
