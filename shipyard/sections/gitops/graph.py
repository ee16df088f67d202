"""The GitOps reconciler in the platform's picture: one node in the apps layer, with the
branch it applies and its replicas collapsed (one leads)."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import GraphPart, Node, digest, node_id, replicas_text

RECONCILER_KIND = "reconciler"


def gitops_graph(platform: Platform) -> GraphPart:
    spec = platform.spec.gitops
    if spec is None:
        return GraphPart()
    return GraphPart(
        nodes=[
            Node(
                node_id(RECONCILER_KIND, spec.name),
                RECONCILER_KIND,
                spec.name,
                "apps",
                (f"reconciler {replicas_text(spec.replicas)} · branch {spec.branch}",),
                "box",
                digest=digest(spec),
            )
        ]
    )
