"""`spec.models[].roles`: prefill/decode disaggregation.

Prefill (the prompt, compute-bound) and decode (token by token, memory-bound) run on
separate vLLM servers, each sized and placed on its own; the router sends a request to a
prefill server, then to a decode server, which pulls the prompt's KV cache from the
prefill server through the KV connector (NIXL)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import Resources

DEFAULT_ROLE_REPLICAS = 1
DEFAULT_ROLE_TENSOR_PARALLEL_SIZE = 1
# vLLM's KV connectors for disaggregated serving (`--kv-transfer-config`'s
# `kv_connector`); NIXL moves the KV cache with UCX: RDMA (EFA) where the nodes have
# it, TCP over the pod network otherwise.
KvConnector = Literal["NixlConnector"]
DEFAULT_KV_CONNECTOR: KvConnector = "NixlConnector"
ROLE_NAMES = ("prefill", "decode")


class ServingRole(BlueprintModel):
    """One role's servers: how many, how many GPUs each, on which pool."""

    replicas: Annotated[
        int, Field(ge=1, description=f"Servers; default `{DEFAULT_ROLE_REPLICAS}`.")
    ] = DEFAULT_ROLE_REPLICAS
    tensor_parallel_size: Annotated[
        int,
        Field(ge=1, description=f"GPUs per server; default `{DEFAULT_ROLE_TENSOR_PARALLEL_SIZE}`."),
    ] = DEFAULT_ROLE_TENSOR_PARALLEL_SIZE
    node_pool: Annotated[
        str | None, Field(min_length=1, description="The GPU pool; default the model's.")
    ] = None
    resources: Annotated[
        Resources | None, Field(description="CPU and memory requests; default the model's.")
    ] = None


class PrefillDecode(BlueprintModel):
    """Separate prefill and decode servers, with the KV cache moved between them."""

    prefill: Annotated[ServingRole, Field(description="The servers that compute prompts.")]
    decode: Annotated[ServingRole, Field(description="The servers that generate tokens.")]
    kv_connector: Annotated[
        KvConnector,
        Field(description=f"How the KV cache moves; default `{DEFAULT_KV_CONNECTOR}`."),
    ] = DEFAULT_KV_CONNECTOR
