"""Ray in the platform's picture: one node in the serving layer (a RayService when it has
Serve applications), on the pools of its head and of each worker group (the group's name and
its workers collapsed, with the GPUs each takes)."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id
from shipyard.sections.node_pools.graph import pool_node_id
from shipyard.sections.ray.model import RaySpec, WorkerGroupSpec

RAY_KIND = "ray"


def _details(spec: RaySpec) -> tuple[str, ...]:
    kind = "RayService" if spec.serve_applications else "RayCluster"
    lines = [f"{kind} · Ray {spec.ray_version}"]
    if spec.serve_applications:
        lines.append("serve: " + ", ".join(app.name for app in spec.serve_applications))
    return tuple(lines)


def group_label(group: WorkerGroupSpec) -> str:
    """`h100 x0-2 x 4 GPU`: the group, its workers, the GPUs each takes."""
    workers = (
        f"x{group.min_replicas}"
        if group.min_replicas == group.max_replicas
        else f"x{group.min_replicas}-{group.max_replicas}"
    )
    gpus = f" x {group.gpus_per_worker} GPU" if group.gpus_per_worker else ""
    return f"{group.name} {workers}{gpus}"


def ray_graph(platform: Platform) -> GraphPart:
    spec = platform.spec.ray
    if spec is None:
        return GraphPart()
    me = node_id(RAY_KIND, spec.name)
    part = GraphPart(
        nodes=[
            Node(me, RAY_KIND, spec.name, "serving", _details(spec), "round", digest=digest(spec))
        ]
    )
    # One edge per pool: a head and groups on the same pool share it, labels joined.
    labels: dict[str, list[str]] = {}
    if spec.head.node_pool is not None:
        labels.setdefault(spec.head.node_pool, []).append("head")
    for group in spec.worker_groups:
        labels.setdefault(group.node_pool, []).append(group_label(group))
    for pool, texts in labels.items():
        part.edges.append(Edge(me, pool_node_id(pool), "runsOn", ", ".join(texts)))
    return part
