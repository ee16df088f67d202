"""`spec.models[].routing`: how requests are spread over a model's replicas.

Without it the gateway sends to the model's Service, which kube-proxy spreads at random
per connection. With it the gateway sends to a router that picks a replica per request:
the vLLM project's router as a Deployment of its own (`via: router`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.shared.names import PinnedImage
from components.vllm_router.args import DEFAULT_ROUTER_REPLICAS, ROUTER_IMAGE, Policy
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import Resources

RoutingStrategy = Literal["roundRobin", "prefixAware", "kvAware", "sessionAffinity"]
RoutingVia = Literal["router"]
DEFAULT_VIA: RoutingVia = "router"

# The router's policy for each strategy (vllm_router/router_args.py `--policy`):
# `cache_aware` keeps a prefix tree of the prompts each replica has seen and sends a
# request to the replica with the longest match, unless the load is too uneven;
# `consistent_hash` hashes the session (`X-Session-ID`, `X-User-ID`, the body's `user`).
ROUTER_POLICIES: dict[str, Policy] = {
    "roundRobin": "round_robin",
    "prefixAware": "cache_aware",
    "sessionAffinity": "consistent_hash",
}


class ModelRouting(BlueprintModel):
    """A router in front of the model's replicas; the gateway sends to it."""

    strategy: Annotated[
        RoutingStrategy,
        Field(
            description="`roundRobin`, `prefixAware` (the replica whose prefix cache holds "
            "most of the prompt), `kvAware` (KV-cache events; not with the router) or "
            "`sessionAffinity` (one replica per session or user)."
        ),
    ]
    via: Annotated[
        RoutingVia, Field(description=f"What routes; default `{DEFAULT_VIA}` (the vLLM router).")
    ] = DEFAULT_VIA
    replicas: Annotated[
        int,
        Field(
            ge=1,
            description=f"Router replicas; default `{DEFAULT_ROUTER_REPLICAS}`. Each keeps "
            "its own prefix tree.",
        ),
    ] = DEFAULT_ROUTER_REPLICAS
    node_pool: Annotated[
        str | None, Field(min_length=1, description="Pool the router runs on; default the model's.")
    ] = None
    image: Annotated[
        PinnedImage | None, Field(description=f"Router image; default `{ROUTER_IMAGE}`.")
    ] = None
    resources: Annotated[
        Resources | None, Field(description="The router's CPU and memory requests.")
    ] = None


def describe_routing(routing: ModelRouting) -> str:
    """Plain words for the plan: `prefixAware routing via router (1 replica)`."""
    count = f"{routing.replicas} replica{'' if routing.replicas == 1 else 's'}"
    return f"{routing.strategy} routing via {routing.via} ({count})"
