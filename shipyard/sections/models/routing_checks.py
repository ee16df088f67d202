"""Checks of `spec.models[].routing`: a declared pool for the router, a strategy the chosen
router has, and prefix caching on the servers when the router routes by prefix."""

from __future__ import annotations

from collections.abc import Iterator

from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform


def check_routing(platform: Platform) -> Iterator[Finding]:
    pool_names = [pool.name for pool in platform.spec.node_pools]
    for index, model in enumerate(platform.spec.models):
        routing = model.routing
        if routing is None:
            continue
        path: Path = ("spec", "models", index, "routing")
        if routing.node_pool is not None and platform.pool(routing.node_pool) is None:
            yield (
                (*path, "nodePool"),
                f"no node pool named `{routing.node_pool}`"
                f"{did_you_mean(routing.node_pool, pool_names)}; declared pools: "
                f"{', '.join(pool_names) or 'none'}",
            )
        if routing.strategy == "prefixAware" and not model.prefix_caching:
            yield (
                (*path, "strategy"),
                "`prefixAware` sends a request where its prefix is cached, but "
                "`prefixCaching: false` keeps vLLM from caching it; turn `prefixCaching` on "
                "or use `roundRobin`",
            )
        if routing.strategy == "kvAware" and routing.via == "router":
            yield (
                (*path, "strategy"),
                "`kvAware` scores replicas by the KV-cache events each server publishes, and "
                "the router takes those only from statically listed servers, not from the "
                "pods it discovers; use `prefixAware` (the router's own prefix tree of the "
                "prompts it has sent), which needs no events",
            )
