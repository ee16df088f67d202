"""`build_graph`: a validated platform's picture, from every section's part."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, Graph, Group, Node


class GraphError(Exception):
    """A section drew something inconsistent: a bug in Shipyard, not in the blueprint."""


def _merge_nodes(nodes: list[Node]) -> list[Node]:
    """One node per id. Two sections may draw the same node (two exposures on one host):
    they must agree on what it is; their details are joined."""
    merged: dict[str, Node] = {}
    for node in nodes:
        seen = merged.get(node.id)
        if seen is None:
            merged[node.id] = node
            continue
        if (seen.kind, seen.layer, seen.group) != (node.kind, node.layer, node.group):
            raise GraphError(f"node `{node.id}` is drawn as two different things")
        details = seen.details + tuple(d for d in node.details if d not in seen.details)
        combined = "+".join(sorted({seen.digest, node.digest}))
        merged[node.id] = Node(
            node.id, node.kind, node.label, node.layer, details, seen.shape, seen.group, combined
        )
    return list(merged.values())


def _merge_edges(edges: list[Edge]) -> list[Edge]:
    """One edge per source, target and kind: two bindings of one app to one thing (two
    `events` bindings producing one topic) are one edge, their labels joined."""
    merged: dict[tuple[str, str, str], Edge] = {}
    for edge in edges:
        seen = merged.get(edge.key)
        if seen is None:
            merged[edge.key] = edge
        elif edge.label and edge.label not in seen.label.split(", "):
            label = f"{seen.label}, {edge.label}" if seen.label else edge.label
            merged[edge.key] = Edge(edge.source, edge.target, edge.kind, label, seen.style)
    return list(merged.values())


def assemble(title: str, nodes: list[Node], groups: list[Group], edges: list[Edge]) -> Graph:
    """A `Graph` of these parts, refusing edges to nowhere."""
    nodes = _merge_nodes(nodes)
    ids = {node.id for node in nodes}
    group_ids = {group.id for group in groups}
    if len(group_ids) != len(groups):
        raise GraphError("two groups share an id")
    for node in nodes:
        if node.group is not None and node.group not in group_ids:
            raise GraphError(f"node `{node.id}` is in an undeclared group `{node.group}`")
    edges = _merge_edges(edges)
    for edge in edges:
        missing = [end for end in (edge.source, edge.target) if end not in ids]
        if missing:
            raise GraphError(f"edge {edge.key} ends on no node: {', '.join(missing)}")
    return Graph.of(title, nodes, groups, edges)


def graph_title(platform: Platform) -> str:
    return f"{platform.metadata.name} ({platform.metadata.environment})"


def build_graph(platform: Platform) -> Graph:
    """Every section's nodes, groups and edges (`Section.graph`), checked and sorted."""
    from shipyard.sections.registry import SECTIONS

    nodes: list[Node] = []
    groups: list[Group] = []
    edges: list[Edge] = []
    for section in SECTIONS:
        part = section.graph(platform)
        nodes += part.nodes
        groups += part.groups
        edges += part.edges
    return assemble(graph_title(platform), nodes, groups, edges)
