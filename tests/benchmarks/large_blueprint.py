"""Large synthetic blueprints for the benchmarks: N models on N/20 GPU pools.

The shape is the dev platform's (a local cluster, one gateway in front of every model, a
dashboard row and alerts per model), multiplied: each model is a vLLM Deployment, its
Service, its monitors and a gateway route, so the resource count grows with the models
and nothing else does. 1,000 models make 50 pools, as in issue 20's measurement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MODELS_PER_POOL = 20
GPU_TYPE = "nvidia-a10g"


def large_platform(models: int, name: str = "bench") -> dict[str, Any]:
    """The blueprint (as plain data) of `models` models spread over their pools."""
    pools = max(1, models // MODELS_PER_POOL)
    node_pools = [
        {
            "name": f"gpu-{pool:03d}",
            "gpu": {"type": GPU_TYPE, "count": 1},
            "size": {"min": 1, "max": MODELS_PER_POOL + 1, "desired": 1},
        }
        for pool in range(pools)
    ]
    specs = [
        {
            "name": f"model-{index:04d}",
            "model": "Qwen/Qwen2.5-0.5B-Instruct",
            "servedModelName": f"qwen-{index:04d}",
            "nodePool": f"gpu-{index % pools:03d}",
            "replicas": 1,
            "maxModelLen": 8192,
            "resources": {"cpu": "2", "memory": "8Gi"},
        }
        for index in range(models)
    ]
    routes = [{"model": spec["name"], "limits": {"rpm": 600}} for spec in specs]
    routes[0]["aliases"] = ["default"]
    return {
        "apiVersion": "shipyard.dev/v1alpha1",
        "kind": "Platform",
        "metadata": {"name": f"{name}-{models}", "environment": "dev"},
        "spec": {
            "cluster": {"kind": "local"},
            "namespace": "llm-bench",
            "nodePools": node_pools,
            "models": specs,
            "gateway": {"replicas": 1, "routes": routes},
            "monitoring": {"prometheus": {"type": "operator", "namespace": "monitoring"}},
        },
    }


def write_large_blueprint(models: int, directory: Path) -> Path:
    """Write the `models`-model blueprint as `directory/bench-<models>.yaml`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"bench-{models}.yaml"
    path.write_text(yaml.safe_dump(large_platform(models), sort_keys=False), encoding="utf-8")
    return path
