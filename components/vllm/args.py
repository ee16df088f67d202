"""Arguments of the vLLM serving component."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.shared.args import ComponentArgs
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, PinnedImage
from components.shared.scheduling import PoolScheduling
from components.shared.secret_refs import SecretKeyRef
from components.vllm.weights_args import StagedWeights

# vLLM's OpenAI-compatible server image; versions from the vllm package on PyPI.
VLLM_IMAGE = "vllm/vllm-openai:v0.33.0"
VLLM_PORT = 8000
DEFAULT_REPLICAS = 1
DEFAULT_TENSOR_PARALLEL_SIZE = 1
DEFAULT_GPU_MEMORY_UTILIZATION = 0.9
DEFAULT_CPU_REQUEST = "4"
DEFAULT_MEMORY_REQUEST = "16Gi"
DEFAULT_SHM_SIZE = "4Gi"
# Large models take many minutes to download and load; the startup probe must
# not kill them before the readiness probe ever gets a chance.
DEFAULT_STARTUP_TIMEOUT_SECONDS = 1800
DEFAULT_GATEWAY_POD_LABELS = {"app.kubernetes.io/component": "ai-gateway"}
DEFAULT_METRICS_NAMESPACE_LABELS = {"kubernetes.io/metadata.name": "monitoring"}
AccessMode = Literal["ReadWriteOnce", "ReadWriteMany"]
DEFAULT_CACHE_ACCESS_MODE: AccessMode = "ReadWriteOnce"
DEFAULT_QUEUE_TARGET = 5

Dtype = Literal["auto", "half", "float16", "bfloat16", "float", "float32"]
DEFAULT_DTYPE: Dtype = "auto"
# The quantization methods Shipyard knows how to size (see shipyard/facts).
Quantization = Literal["awq", "awq_marlin", "gptq", "gptq_marlin", "fp8", "bitsandbytes"]

# Engine flags a blueprint may pass through `extra_args`. Anything that a typed
# field already covers, or that changes what the pod needs (GPUs, ports,
# remote code), is left out on purpose.
ALLOWED_EXTRA_ARGS = frozenset(
    {
        "block-size",
        "chat-template",
        "cpu-offload-gb",
        "disable-log-requests",
        "enable-auto-tool-choice",
        "enable-chunked-prefill",
        "enforce-eager",
        "generation-config",
        "kv-cache-dtype",
        "max-lora-rank",
        "max-loras",
        "max-num-batched-tokens",
        "reasoning-parser",
        "revision",
        "seed",
        "swap-space",
        "tokenizer",
        "tokenizer-mode",
        "tool-call-parser",
    }
)

ExtraArgValue = str | int | float | bool


def check_extra_args(value: dict[str, ExtraArgValue]) -> dict[str, ExtraArgValue]:
    """Reject engine flags outside the allow-list, naming what is allowed."""
    unknown = sorted(key for key in value if key not in ALLOWED_EXTRA_ARGS)
    if unknown:
        raise ValueError(
            f"engine flag(s) {', '.join(unknown)} not allowed; use the typed field if there "
            f"is one, otherwise one of: {', '.join(sorted(ALLOWED_EXTRA_ARGS))}"
        )
    return value


def tensor_parallel_problem(tensor_parallel_size: int, scheduling: PoolScheduling) -> str | None:
    """Why a replica cannot get its GPUs on one node of the pool, or None."""
    if tensor_parallel_size > scheduling.gpus_per_node:
        return (
            f"tensor-parallel size {tensor_parallel_size} exceeds the "
            f"{scheduling.gpus_per_node} GPU(s) per node of pool `{scheduling.pool}`"
        )
    return None


class LoraAdapter(ComponentArgs):
    """A LoRA adapter served next to its base model."""

    name: Annotated[str, Field(min_length=1, description="Model name clients request.")]
    path: Annotated[str, Field(min_length=1, description="Hugging Face id or local path.")]


class ModelCache(ComponentArgs):
    """A persistent volume for downloaded weights, so restarts skip the download."""

    size: Annotated[
        str, Field(pattern=r"^[0-9]+(Mi|Gi|Ti)$", description="PVC size, e.g. `100Gi`.")
    ]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None
    access_mode: Annotated[
        AccessMode,
        Field(description=f"PVC access mode; default `{DEFAULT_CACHE_ACCESS_MODE}`."),
    ] = DEFAULT_CACHE_ACCESS_MODE


class Autoscaling(ComponentArgs):
    """KEDA autoscaling on the number of requests waiting in vLLM's queue."""

    min_replicas: Annotated[int, Field(ge=0, description="Fewest replicas.")] = 1
    max_replicas: Annotated[int, Field(ge=1, description="Most replicas.")]
    queue_target: Annotated[
        int,
        Field(
            ge=1,
            description=f"Waiting requests per replica that trigger a scale-up; "
            f"default `{DEFAULT_QUEUE_TARGET}`.",
        ),
    ] = DEFAULT_QUEUE_TARGET
    prometheus_url: Annotated[
        str, Field(min_length=1, description="Prometheus server that scrapes vLLM.")
    ]

    @model_validator(mode="after")
    def _bounds(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError("`min_replicas` must not exceed `max_replicas`")
        return self


class VllmServiceArgs(ComponentArgs):
    """Everything a vLLM model server needs; the node pool is given, never retyped."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    model: Annotated[str, Field(min_length=1, description="Hugging Face model id or path.")]
    served_model_name: Annotated[
        str, Field(min_length=1, description="Name clients use in the `model` field.")
    ]
    scheduling: Annotated[PoolScheduling, Field(description="The node pool to run on.")]
    image: Annotated[
        PinnedImage, Field(description=f"vLLM server image; default `{VLLM_IMAGE}`.")
    ] = VLLM_IMAGE
    replicas: Annotated[
        int, Field(ge=0, description=f"Replicas; default `{DEFAULT_REPLICAS}`.")
    ] = DEFAULT_REPLICAS
    tensor_parallel_size: Annotated[
        int,
        Field(ge=1, description=f"GPUs per replica; default `{DEFAULT_TENSOR_PARALLEL_SIZE}`."),
    ] = DEFAULT_TENSOR_PARALLEL_SIZE
    max_model_len: Annotated[
        int | None, Field(ge=1, description="Context length; none uses the model's own.")
    ] = None
    gpu_memory_utilization: Annotated[
        float,
        Field(
            gt=0,
            le=1,
            description=f"Share of GPU memory vLLM may use; "
            f"default `{DEFAULT_GPU_MEMORY_UTILIZATION}`.",
        ),
    ] = DEFAULT_GPU_MEMORY_UTILIZATION
    dtype: Annotated[Dtype, Field(description=f"Weight dtype; default `{DEFAULT_DTYPE}`.")] = (
        DEFAULT_DTYPE
    )
    quantization: Annotated[Quantization | None, Field(description="Quantization method.")] = None
    max_num_seqs: Annotated[
        int | None, Field(ge=1, description="Most sequences per batch; none uses vLLM's.")
    ] = None
    enable_prefix_caching: Annotated[
        bool, Field(description="Reuse the KV cache of shared prompt prefixes.")
    ] = True
    enable_render_endpoints: Annotated[
        bool,
        Field(
            description="Serve vLLM's renderer endpoints (`/v1/completions/render`, "
            "`--enable-scale-out`), which a cache-aware router calls to tokenize prompts."
        ),
    ] = False
    lora_adapters: Annotated[
        tuple[LoraAdapter, ...], Field(description="LoRA adapters to serve.")
    ] = ()
    hf_token_secret: Annotated[
        SecretKeyRef | None, Field(description="Secret holding the Hugging Face token.")
    ] = None
    cache: Annotated[
        ModelCache | None, Field(description="Persistent model cache; none uses an emptyDir.")
    ] = None
    extra_args: Annotated[
        dict[str, ExtraArgValue],
        Field(description="Further engine flags, from an allow-list, without leading dashes."),
    ] = {}
    autoscaling: Annotated[
        Autoscaling | None, Field(description="KEDA autoscaling; none keeps `replicas`.")
    ] = None
    weights: Annotated[
        StagedWeights | None,
        Field(
            description="Weights staged once into a bucket or volume and streamed from it; "
            "none: vLLM downloads from Hugging Face at every start."
        ),
    ] = None
    cpu_request: Annotated[
        CpuQuantity, Field(description=f"CPU request; default `{DEFAULT_CPU_REQUEST}`.")
    ] = DEFAULT_CPU_REQUEST
    memory_request: Annotated[
        MemoryQuantity,
        Field(description=f"Memory request and limit; default `{DEFAULT_MEMORY_REQUEST}`."),
    ] = DEFAULT_MEMORY_REQUEST
    shm_size: Annotated[
        str, Field(description=f"Shared memory for NCCL; default `{DEFAULT_SHM_SIZE}`.")
    ] = DEFAULT_SHM_SIZE
    startup_timeout_seconds: Annotated[
        int,
        Field(
            ge=60,
            description=f"Time allowed to load the model; "
            f"default `{DEFAULT_STARTUP_TIMEOUT_SECONDS}`.",
        ),
    ] = DEFAULT_STARTUP_TIMEOUT_SECONDS
    gateway_pod_labels: Annotated[
        Labels,
        Field(description="Labels of the gateway pods (same namespace) allowed to connect."),
    ] = DEFAULT_GATEWAY_POD_LABELS
    metrics_namespace_labels: Annotated[
        Labels,
        Field(description="Labels of the namespace whose scrapers may read `/metrics`."),
    ] = DEFAULT_METRICS_NAMESPACE_LABELS
    router_pod_labels: Annotated[
        dict[str, str] | None,
        Field(description="Labels of the router's pods (same namespace) allowed to connect."),
    ] = None
    kv_transfer_config: Annotated[
        str | None,
        Field(
            description="vLLM's `--kv-transfer-config` JSON for prefill/decode "
            "disaggregation; none: a regular server."
        ),
    ] = None
    kv_peer_pod_labels: Annotated[
        dict[str, str] | None,
        Field(
            description="Labels of the pods the KV cache moves to and from (the other "
            "role's), admitted on every port: NIXL's side channel and UCX's own ports."
        ),
    ] = None

    _extra_args = field_validator("extra_args")(check_extra_args)

    @model_validator(mode="after")
    def _fits_pool(self) -> VllmServiceArgs:
        problems = []
        tp_problem = tensor_parallel_problem(self.tensor_parallel_size, self.scheduling)
        if tp_problem:
            problems.append(f"`tensor_parallel_size`: {tp_problem}")
        most = self.autoscaling.max_replicas if self.autoscaling else self.replicas
        if self.cache and self.cache.access_mode == "ReadWriteOnce" and most > 1:
            problems.append(
                f"`cache.access_mode` ReadWriteOnce cannot be shared by {most} replicas; "
                "use ReadWriteMany storage or no cache"
            )
        if self.weights is not None and self.cache is not None:
            problems.append(
                "`cache` and `weights` both keep the model's files; drop `cache` "
                "(the staged weights are read from where they are)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def gpus_per_replica(self) -> int:
        return self.tensor_parallel_size
