"""What a change does to the picture: the nodes, groups and edges it adds, removes or
modifies between two revisions' graphs.

A node or group is modified when what it stands for changed (its `digest`), an edge when
its label did (`read` -> `readWrite`). What the change removes stays in the drawn graph,
marked, so a reviewer sees it go.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from shipyard.graph.model import Edge, Graph

Mark = Literal["added", "modified", "removed"]
MARKS: tuple[Mark, ...] = ("added", "modified", "removed")
EdgeKey = tuple[str, str, str]


@dataclass(frozen=True)
class Changes:
    graph: Graph
    """The head's graph plus what the change removes."""
    nodes: dict[str, Mark] = field(default_factory=dict)
    """Node and group ids -> their mark; unchanged ones are absent."""
    edges: dict[EdgeKey, Mark] = field(default_factory=dict)

    def edge(self, edge: Edge) -> Mark | None:
        return self.edges.get(edge.key)

    def counts(self) -> Counter[Mark]:
        """Marked nodes, groups and edges, per mark."""
        return Counter([*self.nodes.values(), *self.edges.values()])

    @property
    def empty(self) -> bool:
        return not self.nodes and not self.edges

    def summary(self) -> str:
        """`1 node modified, 2 edges added`, or `no change`."""
        parts = []
        for what, marks in (("node", self.nodes.values()), ("edge", self.edges.values())):
            counts = Counter(marks)
            parts += [
                f"{counts[mark]} {what}{'' if counts[mark] == 1 else 's'} {mark}"
                for mark in MARKS
                if counts[mark]
            ]
        return ", ".join(parts) or "no change"

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": dict(sorted(self.nodes.items())),
            "edges": [
                {"source": s, "target": t, "kind": k, "mark": mark}
                for (s, t, k), mark in sorted(self.edges.items())
            ],
        }


def _modified_label(before: str, after: str) -> str:
    return f"{before or '-'} → {after or '-'}"


def _digests(graph: Graph) -> dict[str, str]:
    """Node and group ids -> their digests."""
    return {
        **{node.id: node.digest for node in graph.nodes},
        **{group.id: group.digest for group in graph.groups},
    }


def mark_changes(base: Graph | None, head: Graph) -> Changes:
    """`head` marked against `base` (None: a new platform, everything added)."""
    if base is None:
        return Changes(
            head,
            dict.fromkeys(_digests(head), "added"),
            {edge.key: "added" for edge in head.edges},
        )
    marks: dict[str, Mark] = {}
    before_items = _digests(base)
    after_items = _digests(head)
    for item_id, after in after_items.items():
        if item_id not in before_items:
            marks[item_id] = "added"
        elif before_items[item_id] != after:
            marks[item_id] = "modified"
    marks.update({item_id: "removed" for item_id in before_items.keys() - after_items.keys()})

    edge_marks: dict[EdgeKey, Mark] = {}
    before_edges = {edge.key: edge for edge in base.edges}
    edges: list[Edge] = []
    for edge in head.edges:
        old = before_edges.get(edge.key)
        if old is None:
            edge_marks[edge.key] = "added"
        elif old.label != edge.label:
            edge_marks[edge.key] = "modified"
            edge = replace(edge, label=_modified_label(old.label, edge.label))
        edges.append(edge)
    head_keys = {edge.key for edge in head.edges}
    for edge in base.edges:
        if edge.key not in head_keys:
            edge_marks[edge.key] = "removed"
            edges.append(edge)

    gone_nodes = [node for node in base.nodes if marks.get(node.id) == "removed"]
    gone_groups = [group for group in base.groups if marks.get(group.id) == "removed"]
    union = Graph.of(head.title, [*head.nodes, *gone_nodes], [*head.groups, *gone_groups], edges)
    return Changes(union, marks, edge_marks)
