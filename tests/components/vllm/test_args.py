"""`VllmServiceArgs`: defaults, and every input problem named with its field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.shared.scheduling import PoolScheduling
from components.vllm.args import (
    ALLOWED_EXTRA_ARGS,
    DEFAULT_STARTUP_TIMEOUT_SECONDS,
    VLLM_IMAGE,
    Autoscaling,
    ModelCache,
    VllmServiceArgs,
)

ONE_GPU = PoolScheduling(
    pool="gpu-a", node_selector={"shipyard.dev/pool": "gpu-a"}, gpus_per_node=1
)


def make_args(**overrides: Any) -> VllmServiceArgs:
    fields: dict[str, Any] = {
        "namespace": "llm",
        "model": "Qwen/Qwen2.5-0.5B-Instruct",
        "served_model_name": "qwen",
        "scheduling": ONE_GPU,
    }
    return VllmServiceArgs(**{**fields, **overrides})


def errors(**overrides: Any) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        make_args(**overrides)
    return [(tuple(error["loc"]), error["msg"]) for error in raised.value.errors()]


def test_defaults() -> None:
    args = make_args()
    assert args.image == VLLM_IMAGE == "vllm/vllm-openai:v0.33.0"
    assert (args.replicas, args.tensor_parallel_size, args.gpus_per_replica) == (1, 1, 1)
    assert (args.gpu_memory_utilization, args.dtype, args.enable_prefix_caching) == (
        0.9,
        "auto",
        True,
    )
    assert (args.cpu_request, args.memory_request, args.shm_size) == ("4", "16Gi", "4Gi")
    assert args.startup_timeout_seconds == DEFAULT_STARTUP_TIMEOUT_SECONDS == 1800
    assert args.gateway_pod_labels == {"app.kubernetes.io/component": "ai-gateway"}
    assert args.metrics_namespace_labels == {"kubernetes.io/metadata.name": "monitoring"}
    assert (args.cache, args.autoscaling, args.hf_token_secret) == (None, None, None)


def test_args_are_frozen() -> None:
    with pytest.raises(ValidationError, match="Instance is frozen"):
        make_args().replicas = 3  # type: ignore[misc]


def test_unknown_argument_is_rejected() -> None:
    assert errors(replica=2) == [(("replica",), "Extra inputs are not permitted")]


def test_latest_image_is_rejected() -> None:
    assert errors(image="vllm/vllm-openai:latest") == [
        (
            ("image",),
            "Value error, 'vllm/vllm-openai:latest' uses `latest`; pin a version tag or digest",
        )
    ]


def test_untagged_image_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"'vllm/vllm-openai' has no tag; pin a version tag"):
        make_args(image="vllm/vllm-openai")


def test_tensor_parallel_larger_than_the_pool_node() -> None:
    assert errors(tensor_parallel_size=2) == [
        (
            (),
            "Value error, `tensor_parallel_size`: tensor-parallel size 2 exceeds the 1 GPU(s) "
            "per node of pool `gpu-a`",
        )
    ]


def test_read_write_once_cache_with_two_replicas() -> None:
    assert errors(replicas=2, cache=ModelCache(size="10Gi")) == [
        (
            (),
            "Value error, `cache.access_mode` ReadWriteOnce cannot be shared by 2 replicas; "
            "use ReadWriteMany storage or no cache",
        )
    ]


def test_read_write_once_cache_counts_the_autoscaling_maximum() -> None:
    scaling = Autoscaling(min_replicas=1, max_replicas=3, prometheus_url="http://prom:9090")
    with pytest.raises(ValidationError, match=r"ReadWriteOnce cannot be shared by 3 replicas"):
        make_args(cache=ModelCache(size="10Gi"), autoscaling=scaling)


def test_read_write_many_cache_may_be_shared() -> None:
    args = make_args(replicas=3, cache=ModelCache(size="10Gi", access_mode="ReadWriteMany"))
    assert args.cache is not None and args.cache.access_mode == "ReadWriteMany"


def test_cross_field_problems_are_reported_together() -> None:
    assert errors(tensor_parallel_size=2, replicas=3, cache=ModelCache(size="10Gi")) == [
        (
            (),
            "Value error, `tensor_parallel_size`: tensor-parallel size 2 exceeds the 1 GPU(s) "
            "per node of pool `gpu-a`; `cache.access_mode` ReadWriteOnce cannot be shared by "
            "3 replicas; use ReadWriteMany storage or no cache",
        )
    ]


def test_extra_args_outside_the_allow_list() -> None:
    assert errors(extra_args={"trust-remote-code": True, "port": 1, "seed": 1}) == [
        (
            ("extra_args",),
            "Value error, engine flag(s) port, trust-remote-code not allowed; use the typed field "
            f"if there is one, otherwise one of: {', '.join(sorted(ALLOWED_EXTRA_ARGS))}",
        )
    ]


def test_allow_list_leaves_out_flags_typed_fields_or_the_pod_own() -> None:
    for flag in (
        "tensor-parallel-size",
        "port",
        "host",
        "trust-remote-code",
        "served-model-name",
        "max-model-len",
        "quantization",
    ):
        assert flag not in ALLOWED_EXTRA_ARGS


def test_invalid_namespace() -> None:
    assert errors(namespace="LLM") == [
        (
            ("namespace",),
            "Value error, 'LLM' is not a DNS-1123 label: use lowercase letters, digits and '-', "
            "starting and ending with a letter or digit",
        )
    ]


def test_startup_budget_has_a_floor() -> None:
    assert errors(startup_timeout_seconds=30) == [
        (("startup_timeout_seconds",), "Input should be greater than or equal to 60")
    ]


def test_autoscaling_bounds() -> None:
    with pytest.raises(ValidationError, match=r"`min_replicas` must not exceed `max_replicas`"):
        Autoscaling(min_replicas=3, max_replicas=2, prometheus_url="http://prom:9090")


def test_cache_size_must_be_a_binary_quantity() -> None:
    with pytest.raises(
        ValidationError, match=r"String should match pattern '\^\[0-9\]\+\(Mi\|Gi\|Ti\)\$'"
    ):
        ModelCache(size="100GB")
