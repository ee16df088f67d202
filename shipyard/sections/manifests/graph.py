"""Manifests in the platform's picture: one node per file in the apps layer, with the
kinds it holds (read from the file; a file that cannot be read shows none)."""

from __future__ import annotations

from collections import Counter

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import GraphPart, Node, digest, node_id

MANIFEST_KIND = "manifest"


def manifests_graph(platform: Platform) -> GraphPart:
    from shipyard.sections.manifests.load import load_manifests

    if not platform.spec.manifests:
        return GraphPart()
    loaded = load_manifests(platform)
    part = GraphPart()
    for index, spec in enumerate(platform.spec.manifests):
        kinds = Counter(o.manifest["kind"] for o in loaded.objects if o.index == index)
        details = tuple(
            f"{kind} x{count}" if count > 1 else kind for kind, count in sorted(kinds.items())
        )
        part.nodes.append(
            Node(
                node_id(MANIFEST_KIND, spec.path),
                MANIFEST_KIND,
                spec.path,
                "apps",
                details,
                "lean",
                digest=digest(spec),
            )
        )
    return part
