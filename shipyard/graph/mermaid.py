"""A `Graph` as Mermaid flowchart source, which GitHub renders in comments and docs.

One subgraph per layer, top to bottom (ingress, serving, apps, data, compute), groups as
nested subgraphs, node text as a bold name over its details. With `Changes`, what a change
adds, modifies or removes is coloured (green, amber, red and dashed) with a legend.

Only long-standing flowchart syntax is used (quoted labels, the classic shapes, `classDef`,
`class`, `linkStyle`), so the diagram renders in GitHub's Mermaid as in the Mermaid CLI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from shipyard.graph.diff import MARKS, Changes, Mark
from shipyard.graph.model import LAYER_TITLES, LAYERS, Edge, Graph, Group, Node, Shape

SHAPES: dict[Shape, tuple[str, str]] = {
    "box": ("[", "]"),
    "round": ("(", ")"),
    "stadium": ("([", "])"),
    "cylinder": ("[(", ")]"),
    "hexagon": ("{{", "}}"),
    "lean": ("[/", "/]"),
    "trapezoid": ("[/", "\\]"),
}
MARK_STYLES: dict[Mark, str] = {
    "added": "fill:#dafbe1,stroke:#1a7f37,stroke-width:3px,color:#0b2e13",
    "modified": "fill:#fff8c5,stroke:#9a6700,stroke-width:3px,color:#3b2300",
    "removed": "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4,color:#5c0f14",
}
EDGE_STYLES: dict[Mark, str] = {
    "added": "stroke:#1a7f37,stroke-width:3px",
    "modified": "stroke:#9a6700,stroke-width:3px",
    "removed": "stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4",
}
LEGEND_TEXT = "green is added, amber modified, red and dashed removed"
"""The legend in words, for the text beside the diagram (colour alone is not enough)."""
# Mermaid's entity codes: `#quot;` and friends are decoded in labels; `#` itself too.
_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;"}
_ESCAPE = re.compile("|".join(re.escape(char) for char in _ESCAPES))


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return _ESCAPE.sub(lambda match: _ESCAPES[match.group(0)], text)


def _text(label: str, details: Iterable[str]) -> str:
    return "<br/>".join([f"<b>{escape(label)}</b>", *(escape(line) for line in details)])


class _Ids:
    """Mermaid ids from graph ids: letters, digits and `_`, unique, stable in sorted order."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._ids: dict[str, str] = {}
        taken: set[str] = set()
        for graph_id in sorted(ids):
            base = re.sub(r"[^A-Za-z0-9]", "_", graph_id)
            candidate, n = base, 2
            while candidate in taken:
                candidate, n = f"{base}_{n}", n + 1
            taken.add(candidate)
            self._ids[graph_id] = candidate

    def __getitem__(self, graph_id: str) -> str:
        return self._ids[graph_id]


def _ids(graph: Graph) -> _Ids:
    return _Ids(
        [
            *(node.id for node in graph.nodes),
            *(group.id for group in graph.groups),
            *(f"layer/{layer}" for layer in LAYERS),
        ]
    )


def mermaid_ids(graph: Graph) -> dict[str, str]:
    """Graph node id -> the id its Mermaid node has (`model/llama-8b` -> `model_llama_8b`)."""
    ids = _ids(graph)
    return {node.id: ids[node.id] for node in graph.nodes}


def _node_line(node: Node, ids: _Ids) -> str:
    opening, closing = SHAPES[node.shape]
    return f'{ids[node.id]}{opening}"{_text(node.label, node.details)}"{closing}'


def _edge_line(edge: Edge, ids: _Ids) -> str:
    arrow = "-.->" if edge.style == "dotted" else "-->"
    label = f'|"{escape(edge.label)}"|' if edge.label else ""
    return f"{ids[edge.source]} {arrow}{label} {ids[edge.target]}"


def _layer_lines(graph: Graph, ids: _Ids) -> list[str]:
    lines: list[str] = []
    for layer in LAYERS:
        nodes = [node for node in graph.nodes if node.layer == layer]
        if not nodes:
            continue
        lines.append(f'  subgraph {ids["layer/" + layer]}["{LAYER_TITLES[layer]}"]')
        groups: list[Group] = [group for group in graph.groups if group.layer == layer]
        for group in groups:
            members = [node for node in nodes if node.group == group.id]
            if not members:
                continue
            # One line: Mermaid leaves room for one line of a subgraph's title.
            title = " · ".join([f"<b>{escape(group.label)}</b>", *map(escape, group.details)])
            lines.append(f'    subgraph {ids[group.id]}["{title}"]')
            lines += [f"      {_node_line(node, ids)}" for node in members]
            lines.append("    end")
        lines += [f"    {_node_line(node, ids)}" for node in nodes if node.group is None]
        lines.append("  end")
    return lines


def _mark_lines(graph: Graph, changes: Changes, ids: _Ids) -> list[str]:
    lines = [f"  classDef {mark} {style}" for mark, style in MARK_STYLES.items()]
    lines += [
        '  subgraph legend["Changes"]',
        *(f'    legend_{mark}["{mark}"]:::{mark}' for mark in MARKS),
        "  end",
    ]
    for mark in MARKS:
        marked = sorted(ids[item] for item, how in changes.nodes.items() if how == mark)
        if marked:
            lines.append(f"  class {','.join(marked)} {mark}")
    for mark in MARKS:
        indexes = [str(i) for i, edge in enumerate(graph.edges) if changes.edge(edge) == mark]
        if indexes:
            lines.append(f"  linkStyle {','.join(indexes)} {EDGE_STYLES[mark]}")
    return lines


def to_mermaid(graph: Graph, changes: Changes | None = None, title: bool = True) -> str:
    """Flowchart source of `graph` (with `changes`, of `changes.graph`, marked)."""
    if changes is not None:
        graph = changes.graph
    ids = _ids(graph)
    lines = ["---", f"title: {json.dumps(graph.title)}", "---"] if title else []
    lines.append("flowchart TB")
    lines += _layer_lines(graph, ids)
    lines += [f"  {_edge_line(edge, ids)}" for edge in graph.edges]
    if changes is not None:
        lines += _mark_lines(graph, changes, ids)
    return "\n".join(lines) + "\n"
