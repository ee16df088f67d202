"""Checks of `spec.models[].roles`: prefill/decode needs the router, and sizes are set per
role, not on the model as well. Pools, tensor parallelism, GPU memory fit and capacity
are checked per role by `check_models` and the node-pools section."""

from __future__ import annotations

from collections.abc import Iterator

from shipyard.blueprint.errors import Finding, Path
from shipyard.blueprint.platform import Platform

# Model fields that each role sets for itself.
PER_ROLE_FIELDS = {
    "replicas": "replicas",
    "tensor_parallel_size": "tensorParallelSize",
    "autoscaling": "autoscaling",
}


def check_roles(platform: Platform) -> Iterator[Finding]:
    for index, model in enumerate(platform.spec.models):
        if model.roles is None:
            continue
        path: Path = ("spec", "models", index)
        if model.routing is None:
            yield (
                (*path, "roles"),
                "prefill/decode needs `routing` (say `routing: {strategy: prefixAware}`): the "
                "router sends each request to a prefill server, then to a decode server",
            )
        for field, key in PER_ROLE_FIELDS.items():
            if field in model.model_fields_set:
                yield (
                    (*path, key),
                    f"with `roles`, set `{key}` per role (`roles.prefill`, `roles.decode`)"
                    + (", which scale by their `replicas`" if key == "autoscaling" else ""),
                )
