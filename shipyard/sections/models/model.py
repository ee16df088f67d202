"""`spec.models`: the models served by vLLM."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from components.shared.names import PinnedImage, ServiceName
from components.vllm.args import (
    DEFAULT_CACHE_ACCESS_MODE,
    DEFAULT_GPU_MEMORY_UTILIZATION,
    DEFAULT_QUEUE_TARGET,
    DEFAULT_REPLICAS,
    DEFAULT_TENSOR_PARALLEL_SIZE,
    VLLM_IMAGE,
    AccessMode,
    Dtype,
    ExtraArgValue,
    Quantization,
    check_extra_args,
)
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import Resources, SecretRef


class ModelFacts(BlueprintModel):
    """Size figures for a model that is not in Shipyard's table (see its `config.json`)."""

    parameters_billion: Annotated[float, Field(gt=0, description="Parameters, in billions.")]
    layers: Annotated[int, Field(ge=1, description="`num_hidden_layers`.")]
    kv_heads: Annotated[int, Field(ge=1, description="`num_key_value_heads`.")]
    head_dim: Annotated[int, Field(ge=1, description="`head_dim`, or hidden size / heads.")]
    max_context_length: Annotated[int, Field(ge=1, description="`max_position_embeddings`.")]


class LoraAdapter(BlueprintModel):
    name: Annotated[str, Field(min_length=1, description="Name clients request.")]
    path: Annotated[str, Field(min_length=1, description="Hugging Face id or path.")]


class ModelCache(BlueprintModel):
    size: Annotated[
        str, Field(pattern=r"^[0-9]+(Mi|Gi|Ti)$", description="PVC size, e.g. `100Gi`.")
    ]
    storage_class: Annotated[str | None, Field(description="StorageClass name.")] = None
    access_mode: Annotated[
        AccessMode,
        Field(description=f"Access mode; default `{DEFAULT_CACHE_ACCESS_MODE}`."),
    ] = DEFAULT_CACHE_ACCESS_MODE


class Autoscaling(BlueprintModel):
    min_replicas: Annotated[int, Field(ge=0, description="Fewest replicas.")] = 1
    max_replicas: Annotated[int, Field(ge=1, description="Most replicas.")]
    queue_target: Annotated[
        int,
        Field(ge=1, description=f"Waiting requests per replica; default `{DEFAULT_QUEUE_TARGET}`."),
    ] = DEFAULT_QUEUE_TARGET
    prometheus_url: Annotated[str, Field(min_length=1, description="Prometheus server URL.")]

    @model_validator(mode="after")
    def _bounds(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError("`minReplicas` must not exceed `maxReplicas`")
        return self


class ModelSlo(BlueprintModel):
    """Service level objectives that `spec.monitoring` alerts on when broken."""

    ttft_p95_ms: Annotated[
        float | None, Field(gt=0, description="Time to first token at p95, in milliseconds.")
    ] = None
    itl_p95_ms: Annotated[
        float | None, Field(gt=0, description="Inter-token latency at p95, in milliseconds.")
    ] = None


class ModelSpec(BlueprintModel):
    name: Annotated[ServiceName, Field(description="Names its Deployment and Service; unique.")]
    model: Annotated[str, Field(min_length=1, description="Hugging Face model id or path.")]
    served_model_name: Annotated[
        str | None, Field(description="Name clients request; default the `name`.")
    ] = None
    node_pool: Annotated[str, Field(min_length=1, description="The GPU pool it runs on.")]
    replicas: Annotated[
        int, Field(ge=0, description=f"Replicas; default `{DEFAULT_REPLICAS}`.")
    ] = DEFAULT_REPLICAS
    tensor_parallel_size: Annotated[
        int,
        Field(ge=1, description=f"GPUs per replica; default `{DEFAULT_TENSOR_PARALLEL_SIZE}`."),
    ] = DEFAULT_TENSOR_PARALLEL_SIZE
    max_model_len: Annotated[
        int | None, Field(ge=1, description="Context length; default the model's own.")
    ] = None
    gpu_memory_utilization: Annotated[
        float,
        Field(gt=0, le=1, description=f"Default `{DEFAULT_GPU_MEMORY_UTILIZATION}`."),
    ] = DEFAULT_GPU_MEMORY_UTILIZATION
    dtype: Annotated[Dtype, Field(description="Weight dtype; default `auto`.")] = "auto"
    quantization: Annotated[Quantization | None, Field(description="Quantization.")] = None
    max_num_seqs: Annotated[int | None, Field(ge=1, description="Most sequences per batch.")] = None
    prefix_caching: Annotated[bool, Field(description="Automatic prefix caching.")] = True
    lora_adapters: Annotated[list[LoraAdapter], Field(description="LoRA adapters.")] = []
    hf_token_secret: Annotated[
        SecretRef | None, Field(description="Secret with the Hugging Face token.")
    ] = None
    cache: Annotated[ModelCache | None, Field(description="Persistent model cache.")] = None
    extra_args: Annotated[
        dict[str, ExtraArgValue],
        Field(description="Allow-listed vLLM engine flags, without leading dashes."),
    ] = {}
    autoscaling: Annotated[Autoscaling | None, Field(description="KEDA autoscaling.")] = None
    model_facts: Annotated[
        ModelFacts | None, Field(description="Size figures for a model not in the table.")
    ] = None
    image: Annotated[
        PinnedImage | None, Field(description=f"vLLM image; default `{VLLM_IMAGE}`.")
    ] = None
    resources: Annotated[Resources | None, Field(description="CPU and memory requests.")] = None
    slo: Annotated[
        ModelSlo | None, Field(description="SLOs the alerts watch; needs `spec.monitoring`.")
    ] = None

    _extra_args = field_validator("extra_args")(check_extra_args)

    @property
    def served_name(self) -> str:
        return self.served_model_name or self.name

    @property
    def most_replicas(self) -> int:
        return self.autoscaling.max_replicas if self.autoscaling else self.replicas
