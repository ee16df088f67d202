"""`spec.models`: the models served by vLLM."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.shared.args import StorageSize
from components.shared.names import Dns1123Label, PinnedImage, ServiceName
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
from components.vllm.weights_args import DEFAULT_STREAMER_CONCURRENCY, Revision
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import Resources, SecretRef
from shipyard.sections.gateway.model import Limits
from shipyard.sections.models.roles import PrefillDecode
from shipyard.sections.models.routing import ModelRouting

DEFAULT_WEIGHTS_SERVICE_ACCOUNT = "model-loader"


class ModelFacts(BlueprintModel):
    """Size figures for a model that is not in Shipyard's table (see its `config.json`)."""

    parameters_billion: Annotated[float, Field(gt=0, description="Parameters, in billions.")]
    layers: Annotated[int, Field(ge=1, description="`num_hidden_layers`.")]
    kv_heads: Annotated[int, Field(ge=1, description="`num_key_value_heads`.")]
    head_dim: Annotated[int, Field(ge=1, description="`head_dim`, or hidden size / heads.")]
    max_context_length: Annotated[int, Field(ge=1, description="`max_position_embeddings`.")]


class LoraAdapter(BlueprintModel):
    name: Annotated[
        str,
        Field(min_length=1, description="Name clients request; the gateway routes it as a model."),
    ]
    path: Annotated[str, Field(min_length=1, description="Hugging Face id or path.")]
    limits: Annotated[
        Limits | None,
        Field(description="The gateway's rpm/tpm for this adapter, apart from its base model's."),
    ] = None


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


class BucketWeights(BlueprintModel):
    """Staged into a bucket of `spec.objectStore` once, streamed from it at every start."""

    type: Annotated[Literal["bucket"], Field(description="`bucket`: S3 or MinIO.")]
    bucket: Annotated[
        str, Field(min_length=1, description="A declared bucket: the S3 `bucket`, or a MinIO one.")
    ]
    revision: Annotated[Revision, Field(description="The Hugging Face commit staged (40 hex).")]
    prefix: Annotated[
        str | None,
        Field(
            pattern=r"^[a-z0-9][a-zA-Z0-9._/-]*[a-zA-Z0-9]$",
            description="Key prefix; default `models/<model>/<revision>`.",
        ),
    ] = None
    service_account: Annotated[
        Dns1123Label,
        Field(
            description="S3: the service account the bucket's IRSA role trusts (one of "
            f"`objectStore.consumers`); default `{DEFAULT_WEIGHTS_SERVICE_ACCOUNT}`."
        ),
    ] = DEFAULT_WEIGHTS_SERVICE_ACCOUNT
    concurrency: Annotated[
        int,
        Field(
            ge=1, le=256, description=f"Streamer threads; default `{DEFAULT_STREAMER_CONCURRENCY}`."
        ),
    ] = DEFAULT_STREAMER_CONCURRENCY


class VolumeWeights(BlueprintModel):
    """Staged once into a ReadWriteMany volume that every replica mounts read-only."""

    type: Annotated[Literal["volume"], Field(description="`volume`: a shared PVC.")]
    revision: Annotated[Revision, Field(description="The Hugging Face commit staged (40 hex).")]
    size: Annotated[StorageSize, Field(description="PVC size, e.g. `200Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="A ReadWriteMany StorageClass (EFS, say).")
    ] = None
    concurrency: Annotated[
        int,
        Field(
            ge=1, le=256, description=f"Streamer threads; default `{DEFAULT_STREAMER_CONCURRENCY}`."
        ),
    ] = DEFAULT_STREAMER_CONCURRENCY


Weights = Annotated[BucketWeights | VolumeWeights, Field(discriminator="type")]


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
    weights: Annotated[
        Weights | None,
        Field(
            description="Stage the weights once (a Job, checksums verified) into a bucket or "
            "volume and stream them from there; none: download from Hugging Face at start."
        ),
    ] = None

    routing: Annotated[
        ModelRouting | None,
        Field(
            description="A router that picks the replica per request (prefix-cache-aware, "
            "session-affine, round-robin); none: the Service spreads connections."
        ),
    ] = None

    roles: Annotated[
        PrefillDecode | None,
        Field(
            description="Prefill and decode on separate servers, each role with its own "
            "replicas, tensorParallelSize and pool; needs `routing`."
        ),
    ] = None

    _extra_args = field_validator("extra_args")(check_extra_args)

    @property
    def served_name(self) -> str:
        return self.served_model_name or self.name

    @property
    def most_replicas(self) -> int:
        return self.autoscaling.max_replicas if self.autoscaling else self.replicas
