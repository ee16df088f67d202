"""Fake nodes for a blueprint's pools, for the kwok-managed local cluster.

Each pool gets `size.max` nodes carrying exactly the selector labels and
taints Shipyard derives for its workloads, so a test can prove they land.

    python tests/e2e/blueprint_nodes.py blueprints/dev.yaml > nodes.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shipyard.blueprint import Platform, load_blueprint
from shipyard.sections.node_pools.scheduling import pool_scheduling

GPU_RESOURCE = "nvidia.com/gpu"
NODE_CPU = "32"
NODE_MEMORY = "128Gi"


def blueprint_nodes(platform: Platform) -> list[dict[str, Any]]:
    nodes = []
    for pool in platform.spec.node_pools:
        scheduling = pool_scheduling(pool)
        capacity = {"cpu": NODE_CPU, "memory": NODE_MEMORY, "pods": "110"}
        if scheduling.gpus_per_node:
            capacity[GPU_RESOURCE] = str(scheduling.gpus_per_node)
        for index in range(pool.size.max):
            nodes.append(
                {
                    "name": f"kwok-{pool.name}-{index}",
                    "labels": {**pool.labels, **scheduling.node_selector},
                    "taints": [
                        {"key": t.key, "value": t.value or "", "effect": t.effect}
                        for t in scheduling.taints
                    ],
                    "capacity": capacity,
                }
            )
    return nodes


if __name__ == "__main__":
    print(json.dumps(blueprint_nodes(load_blueprint(Path(sys.argv[1]))), indent=2))
