"""The picture of a platform as data: nodes in layers, groups of nodes, and edges.

The graph is drawn from the validated blueprint (what the platform is meant to be), not
from rendered objects: one node per declared thing (a pool, a model, an app, a topic), its
replicas collapsed into its text, and one edge per relation a reader cares about (a model
on its pool, a route, an app's binding with its access). Each section contributes its own
part (`Section.graph`), so a new section draws itself from its own package.

Ids are `<kind>/<name>` (`node_id`), so a section can draw an edge to another section's
node by naming it; `shipyard.graph.build` checks that every edge ends on a node.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

Layer = Literal["ingress", "serving", "apps", "data", "compute"]
LAYERS: tuple[Layer, ...] = ("ingress", "serving", "apps", "data", "compute")
"""Top to bottom: what is reached from outside, down to the nodes everything runs on."""
LAYER_TITLES: dict[Layer, str] = {
    "ingress": "Ingress",
    "serving": "Serving",
    "apps": "Apps",
    "data": "Data",
    "compute": "Compute",
}

Shape = Literal["box", "round", "stadium", "cylinder", "hexagon", "lean", "trapezoid"]
"""How a node is drawn: a pool is a box, a data store a cylinder, the gateway a hexagon,
a public host a leaning box, a bucket a trapezoid, a topic a stadium, a workload round."""

EdgeStyle = Literal["solid", "dotted"]
"""Dotted for what happens only on failure (a fallback)."""


def node_id(kind: str, name: str) -> str:
    """The id of the node or group of `kind` named `name`: `model/llama-8b`."""
    return f"{kind}/{name}"


def digest(model: BaseModel, exclude: set[str] | None = None) -> str:
    """A short hash of what a node stands for (its blueprint item as written, less the
    fields other nodes draw), so a change between two revisions marks it modified."""
    data = model.model_dump(mode="json", by_alias=False, exclude=exclude)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    """What it is: `nodePool`, `model`, `gateway`, `app`, `topic`, `bucket`, ..."""
    label: str
    """Its name, the first line of its text."""
    layer: Layer
    details: tuple[str, ...] = ()
    """Short lines under the label: sizes, replicas collapsed as `x3`, versions."""
    shape: Shape = "box"
    group: str | None = None
    """The id of a `Group` in the same layer it is drawn inside, e.g. a Kafka cluster."""
    digest: str = ""


@dataclass(frozen=True)
class Group:
    """A box of nodes inside a layer: a Kafka cluster's topics, a MinIO store's buckets."""

    id: str
    kind: str
    label: str
    layer: Layer
    details: tuple[str, ...] = ()
    digest: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    """The relation: `runsOn`, `route`, `fallback`, `produce`, `bucket`, ... One edge per
    source, target and kind, so a changed label (`read` -> `readWrite`) is a modification."""
    label: str = ""
    """Short: `produce`, `readWrite`, `role`, `2 x 4 GPU`."""
    style: EdgeStyle = "solid"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.target, self.kind)


@dataclass
class GraphPart:
    """What one section draws."""

    nodes: list[Node] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _layer_rank(layer: Layer) -> int:
    return LAYERS.index(layer)


@dataclass(frozen=True)
class Graph:
    """A whole platform's picture; nodes, groups and edges sorted, so its forms are stable."""

    title: str
    nodes: tuple[Node, ...]
    groups: tuple[Group, ...] = ()
    edges: tuple[Edge, ...] = ()

    @classmethod
    def of(cls, title: str, nodes: list[Node], groups: list[Group], edges: list[Edge]) -> Graph:
        return cls(
            title,
            tuple(sorted(nodes, key=lambda n: (_layer_rank(n.layer), n.group or "", n.id))),
            tuple(sorted(groups, key=lambda g: (_layer_rank(g.layer), g.id))),
            tuple(sorted(edges, key=lambda e: e.key)),
        )

    def node(self, id: str) -> Node | None:
        return next((node for node in self.nodes if node.id == id), None)

    def edge(self, source: str, target: str, kind: str) -> Edge | None:
        return next((e for e in self.edges if e.key == (source, target, kind)), None)

    def to_json(self) -> dict[str, Any]:
        """The stable form for other tools: sorted, every field named (serialize with
        `sort_keys`)."""
        return {
            "version": 1,
            "title": self.title,
            "layers": list(LAYERS),
            "groups": [
                {
                    "id": g.id,
                    "kind": g.kind,
                    "label": g.label,
                    "layer": g.layer,
                    "details": list(g.details),
                    "digest": g.digest,
                }
                for g in self.groups
            ],
            "nodes": [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "label": n.label,
                    "layer": n.layer,
                    "group": n.group,
                    "details": list(n.details),
                    "digest": n.digest,
                }
                for n in self.nodes
            ],
            "edges": [
                {
                    "source": e.source,
                    "target": e.target,
                    "kind": e.kind,
                    "label": e.label,
                    "style": e.style,
                }
                for e in self.edges
            ],
        }


def replicas_text(low: int, high: int | None = None) -> str:
    """Replicas collapsed: `x3`, or `x2-4` when an autoscaler moves between the two."""
    if high is None or high == low:
        return f"x{low}"
    return f"x{low}-{high}"
