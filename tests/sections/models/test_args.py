"""`vllm_args`: every blueprint model field lands on the matching component argument."""

from __future__ import annotations

from typing import Any

import pytest

from components.shared.scheduling import PoolScheduling, Taint
from components.shared.secret_refs import SecretKeyRef
from components.vllm.args import (
    DEFAULT_CPU_REQUEST,
    DEFAULT_MEMORY_REQUEST,
    VLLM_IMAGE,
    Autoscaling,
    LoraAdapter,
    ModelCache,
    VllmServiceArgs,
)
from shipyard.blueprint.platform import Platform
from shipyard.sections.models.args import vllm_args
from shipyard.sections.node_pools.scheduling import pool_scheduling

POOLS = [
    {
        "name": "gpu-h100",
        "gpu": {"type": "nvidia-h100-80gb", "count": 8},
        "nodeSelector": {"node.kubernetes.io/instance-type": "p5.48xlarge"},
        "taints": [
            {"key": "nvidia.com/gpu", "value": "present"},
            {"key": "dedicated", "effect": "NoExecute"},
        ],
        "size": {"min": 1, "max": 2},
    },
    {"name": "gpu-l4", "gpu": {"type": "nvidia-l4", "count": 1}},
]

FULL = {
    "name": "llama-70b",
    "model": "meta-llama/Llama-3.3-70B-Instruct",
    "servedModelName": "llama-3.3-70b-instruct",
    "nodePool": "gpu-h100",
    "replicas": 3,
    "tensorParallelSize": 4,
    "maxModelLen": 32768,
    "gpuMemoryUtilization": 0.92,
    "dtype": "bfloat16",
    "quantization": "fp8",
    "maxNumSeqs": 128,
    "prefixCaching": False,
    "loraAdapters": [{"name": "support", "path": "acme/support-lora"}],
    "hfTokenSecret": {"name": "hf-token", "key": "hf"},
    "cache": {"size": "400Gi", "storageClass": "efs-sc", "accessMode": "ReadWriteMany"},
    "extraArgs": {"max-lora-rank": 64, "enforce-eager": True},
    "autoscaling": {
        "minReplicas": 2,
        "maxReplicas": 4,
        "queueTarget": 8,
        "prometheusUrl": "http://prometheus.monitoring.svc:9090",
    },
    "image": "vllm/vllm-openai:v0.9.0",
    "resources": {"cpu": "16", "memory": "200Gi"},
}
MINIMAL = {"name": "small", "model": "Qwen/Qwen2.5-0.5B-Instruct", "nodePool": "gpu-l4"}


def platform(*models: dict[str, Any], namespace: str | None = "llm") -> Platform:
    spec: dict[str, Any] = {
        "cluster": {"kind": "local"},
        "nodePools": POOLS,
        "models": list(models),
    }
    if namespace is not None:
        spec["namespace"] = namespace
    return Platform.model_validate(
        {
            "apiVersion": "shipyard.dev/v1alpha1",
            "kind": "Platform",
            "metadata": {"name": "shipyard-prod", "environment": "prod"},
            "spec": spec,
        }
    )


def test_every_field_is_mapped() -> None:
    blueprint = platform(FULL)
    assert vllm_args(blueprint, blueprint.spec.models[0]) == VllmServiceArgs(
        namespace="llm",
        model="meta-llama/Llama-3.3-70B-Instruct",
        served_model_name="llama-3.3-70b-instruct",
        scheduling=PoolScheduling(
            pool="gpu-h100",
            node_selector={"node.kubernetes.io/instance-type": "p5.48xlarge"},
            taints=(
                Taint(key="nvidia.com/gpu", value="present", effect="NoSchedule"),
                Taint(key="dedicated", value=None, effect="NoExecute"),
            ),
            gpus_per_node=8,
        ),
        image="vllm/vllm-openai:v0.9.0",
        replicas=3,
        tensor_parallel_size=4,
        max_model_len=32768,
        gpu_memory_utilization=0.92,
        dtype="bfloat16",
        quantization="fp8",
        max_num_seqs=128,
        enable_prefix_caching=False,
        lora_adapters=(LoraAdapter(name="support", path="acme/support-lora"),),
        hf_token_secret=SecretKeyRef(name="hf-token", key="hf"),
        cache=ModelCache(size="400Gi", storage_class="efs-sc", access_mode="ReadWriteMany"),
        extra_args={"max-lora-rank": 64, "enforce-eager": True},
        autoscaling=Autoscaling(
            min_replicas=2,
            max_replicas=4,
            queue_target=8,
            prometheus_url="http://prometheus.monitoring.svc:9090",
        ),
        cpu_request="16",
        memory_request="200Gi",
    )


def test_scheduling_comes_from_the_pool_declaration() -> None:
    blueprint = platform(FULL, MINIMAL)
    for model in blueprint.spec.models:
        pool = blueprint.pool(model.node_pool)
        assert pool is not None
        assert vllm_args(blueprint, model).scheduling == pool_scheduling(pool)


def test_defaults_fill_what_the_blueprint_leaves_out() -> None:
    blueprint = platform(MINIMAL)
    args = vllm_args(blueprint, blueprint.spec.models[0])
    assert args.served_model_name == "small"
    assert args.image == VLLM_IMAGE
    assert (args.cpu_request, args.memory_request) == (DEFAULT_CPU_REQUEST, DEFAULT_MEMORY_REQUEST)
    assert args.scheduling == PoolScheduling(
        pool="gpu-l4",
        node_selector={"shipyard.dev/pool": "gpu-l4"},
        taints=(Taint(key="nvidia.com/gpu", value="present", effect="NoSchedule"),),
        gpus_per_node=1,
    )
    assert (args.replicas, args.tensor_parallel_size, args.max_model_len) == (1, 1, None)
    assert (args.hf_token_secret, args.cache, args.autoscaling) == (None, None, None)
    assert (args.lora_adapters, args.extra_args) == ((), {})
    assert args.enable_prefix_caching is True


def test_hf_token_key_defaults_to_token() -> None:
    blueprint = platform({**MINIMAL, "hfTokenSecret": {"name": "hf"}})
    assert vllm_args(blueprint, blueprint.spec.models[0]).hf_token_secret == SecretKeyRef(
        name="hf", key="token"
    )


def test_namespace_defaults_to_the_platform_name() -> None:
    blueprint = platform(MINIMAL, namespace=None)
    assert vllm_args(blueprint, blueprint.spec.models[0]).namespace == "shipyard-prod"


def test_unknown_pool_is_refused() -> None:
    # load_blueprint rejects this first; the model alone does not.
    blueprint = platform({**MINIMAL, "nodePool": "missing"})
    with pytest.raises(ValueError, match=r"^model `small` names unknown pool `missing`$"):
        vllm_args(blueprint, blueprint.spec.models[0])
