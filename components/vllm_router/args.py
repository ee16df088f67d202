"""Arguments of the vLLM router: one router Deployment in front of one model's servers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs
from components.shared.names import Dns1123Label, PinnedImage
from components.shared.scheduling import PoolScheduling

# The vLLM project's router (github.com/vllm-project/router; PyPI `vllm-router`). Its
# release pipeline publishes wheels only; Docker Hub's `vllm/vllm-router` carries dated
# nightlies (`nightly-<date>-<commit>`), and this one is pinned. The rendered flags are
# checked against vllm-router 0.1.17's own parser (tests/components/vllm_router/).
ROUTER_IMAGE = "vllm/vllm-router:nightly-20260710-b93cbcb"
ROUTER_PORT = 8000
# The router serves Prometheus metrics on a port of its own.
ROUTER_METRICS_PORT = 29000
DEFAULT_ROUTER_REPLICAS = 1
DEFAULT_ROUTER_CPU_REQUEST = "500m"
DEFAULT_ROUTER_MEMORY_REQUEST = "1Gi"
DEFAULT_WORKER_PORT = 8000
DEFAULT_GATEWAY_POD_LABELS = {"app.kubernetes.io/component": "ai-gateway"}
DEFAULT_METRICS_NAMESPACE_LABELS = {"kubernetes.io/metadata.name": "monitoring"}

# The router's `--policy` values (vllm_router/router_args.py).
Policy = Literal["round_robin", "cache_aware", "consistent_hash", "power_of_two"]
DEFAULT_POLICY: Policy = "round_robin"
# The router's `--kv-connector` values for prefill/decode disaggregation.
KvConnector = Literal["nixl", "mooncake"]
DEFAULT_KV_CONNECTOR: KvConnector = "nixl"


class PrefillDecode(ComponentArgs):
    """Prefill/decode disaggregation: the router sends each request to a prefill server,
    then to a decode server that pulls the KV cache from it."""

    prefill_selector: Annotated[
        dict[str, str], Field(min_length=1, description="Labels of the prefill servers' pods.")
    ]
    decode_selector: Annotated[
        dict[str, str], Field(min_length=1, description="Labels of the decode servers' pods.")
    ]
    kv_connector: Annotated[
        KvConnector,
        Field(description=f"KV transfer protocol; default `{DEFAULT_KV_CONNECTOR}`."),
    ] = DEFAULT_KV_CONNECTOR


class VllmRouterArgs(ComponentArgs):
    """Everything the router needs: the pods it discovers, its policy and its pool."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace of the router and servers.")]
    served_model_name: Annotated[
        str, Field(min_length=1, description="The model the servers serve, for labels and docs.")
    ]
    scheduling: Annotated[PoolScheduling, Field(description="The node pool the router runs on.")]
    policy: Annotated[
        Policy, Field(description=f"Load-balancing policy; default `{DEFAULT_POLICY}`.")
    ] = DEFAULT_POLICY
    worker_selector: Annotated[
        dict[str, str],
        Field(description="Labels of the model servers' pods (without prefill/decode)."),
    ] = {}
    prefill_decode: Annotated[
        PrefillDecode | None, Field(description="Prefill/decode disaggregation; none: regular.")
    ] = None
    worker_port: Annotated[
        int, Field(ge=1, le=65535, description=f"Servers' port; default `{DEFAULT_WORKER_PORT}`.")
    ] = DEFAULT_WORKER_PORT
    image: Annotated[PinnedImage, Field(description=f"Router image; default `{ROUTER_IMAGE}`.")] = (
        ROUTER_IMAGE
    )
    replicas: Annotated[
        int, Field(ge=1, description=f"Router replicas; default `{DEFAULT_ROUTER_REPLICAS}`.")
    ] = DEFAULT_ROUTER_REPLICAS
    cpu_request: Annotated[
        str, Field(description=f"CPU request; default `{DEFAULT_ROUTER_CPU_REQUEST}`.")
    ] = DEFAULT_ROUTER_CPU_REQUEST
    memory_request: Annotated[
        str,
        Field(description=f"Memory request and limit; default `{DEFAULT_ROUTER_MEMORY_REQUEST}`."),
    ] = DEFAULT_ROUTER_MEMORY_REQUEST
    gateway_pod_labels: Annotated[
        dict[str, str],
        Field(description="Labels of the gateway pods (same namespace) allowed to connect."),
    ] = DEFAULT_GATEWAY_POD_LABELS
    metrics_namespace_labels: Annotated[
        dict[str, str],
        Field(description="Labels of the namespace whose scrapers may read the metrics port."),
    ] = DEFAULT_METRICS_NAMESPACE_LABELS

    @model_validator(mode="after")
    def _one_mode(self) -> VllmRouterArgs:
        if bool(self.worker_selector) == (self.prefill_decode is not None):
            raise ValueError(
                "give exactly one of `worker_selector` (regular servers) and `prefill_decode`"
            )
        return self
