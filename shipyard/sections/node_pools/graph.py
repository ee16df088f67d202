"""The node pools in the platform's picture: the compute layer, one box per pool with its
instance type, GPUs and node counts."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import GraphPart, Node, digest, node_id
from shipyard.sections.node_pools.model import NodePool

POOL_KIND = "nodePool"


def pool_node_id(name: str) -> str:
    return node_id(POOL_KIND, name)


def _nodes_text(pool: NodePool) -> str:
    size = pool.size
    span = f"{size.min}" if size.min == size.max else f"{size.min}-{size.max}"
    return f"{span} node{'' if span == '1' else 's'}"


def pool_details(pool: NodePool) -> tuple[str, ...]:
    """`g5.xlarge · 1x nvidia-a10g`, then `2-6 nodes · spot`."""
    what = [pool.instance_type] if pool.instance_type else []
    if pool.gpu is not None:
        what.append(f"{pool.gpu.count}x {pool.gpu.type}")
    how = [_nodes_text(pool)]
    if pool.capacity != "on-demand":
        how.append(pool.capacity)
    if pool.provisioner == "karpenter":
        how.append("karpenter")
    if pool.efa:
        how.append("EFA")
    lines = [" · ".join(what)] if what else ["no GPUs"]
    return (*lines, " · ".join(how))


def node_pools_graph(platform: Platform) -> GraphPart:
    return GraphPart(
        nodes=[
            Node(
                pool_node_id(pool.name),
                POOL_KIND,
                pool.name,
                "compute",
                pool_details(pool),
                "box",
                digest=digest(pool),
            )
            for pool in platform.spec.node_pools
        ]
    )
