"""Mermaid, for real: the diagrams of dev, prod, every example, the every-section blueprint,
a marked change and hostile labels are parsed and laid out by the real Mermaid library
(`@mermaid-js/mermaid-cli`) in Debian's headless Chromium, offline (`scripts/mermaid`), all
in one browser. Each must render, and its SVG must hold every node in its own element with
its label and details, every group's title, every edge's label, and the change marks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from shipyard.blueprint import load_blueprint
from shipyard.graph.build import build_graph
from shipyard.graph.diff import Changes, mark_changes
from shipyard.graph.mermaid import EDGE_STYLES, MARK_STYLES, mermaid_ids, to_mermaid
from shipyard.graph.model import Edge, Graph, Node
from shipyard.graph.svg import RenderError, render, render_many
from tests.conftest import DEV_BLUEPRINT, PROD_BLUEPRINT, PROJECT_ROOT
from tests.graph.everything import EVERYTHING, everything, replace_text
from tests.graph.mermaid_cli import mmdc

EXAMPLES = sorted((PROJECT_ROOT / "blueprints" / "examples").glob("*.yaml"))
DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]


def doc_diagrams() -> dict[str, str]:
    """Every Mermaid block of the README and docs/, by `<file>#<n>`."""
    found = {}
    for path in DOCS:
        blocks = re.findall(r"^```mermaid\n(.*?)^```$", path.read_text(), re.MULTILINE | re.DOTALL)
        found.update({f"{path.name}#{n}": block for n, block in enumerate(blocks, start=1)})
    return found


SVG = "{http://www.w3.org/2000/svg}"


def hostile() -> Graph:
    """Labels with every character Mermaid's syntax gives a meaning to."""
    nodes = [
        Node("app/a", "app", 'say "hi" <b>&amp; #35;', "apps", ("x|y [z] {w} (v)",), "round"),
        Node("app/end", "app", "end", "apps", ("subgraph; style; class",)),
    ]
    return Graph.of("hostile", nodes, [], [Edge("app/a", "app/end", "app", "a|b -->")])


def a_change(tmp_path: Path) -> Changes:
    text = replace_text(EVERYTHING, "{name: raw-logs, access: readWrite}", "{name: raw-logs}")
    text = replace_text(
        text, "      - {name: results}\n", "      - {name: results}\n      - {name: audit}\n"
    )
    text = replace_text(text, "          produce: [tasks]\n", "          produce: [tasks, audit]\n")
    text = replace_text(text, "  events:\n", "  events:\n    allowDataLoss: true\n")
    start, end = text.index("  ray:\n"), text.index("  objectStore:\n")
    text = text[:start] + text[end:]
    return mark_changes(build_graph(everything(tmp_path)), build_graph(everything(tmp_path, text)))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Graph, str, str]]:
    """name -> (graph, Mermaid source, SVG), every diagram rendered by one `mmdc` run."""
    tmp = tmp_path_factory.mktemp("graphs")
    graphs: dict[str, tuple[Graph, str]] = {}
    for path in [DEV_BLUEPRINT, PROD_BLUEPRINT, *EXAMPLES]:
        graph = build_graph(load_blueprint(path))
        graphs[path.stem] = (graph, to_mermaid(graph))
    graph = build_graph(everything(tmp))
    graphs["everything"] = (graph, to_mermaid(graph))
    changes = a_change(tmp)
    graphs["change"] = (changes.graph, to_mermaid(changes.graph, changes, title=False))
    graphs["hostile"] = (hostile(), to_mermaid(hostile()))
    sources = {name: source for name, (_, source) in graphs.items()} | doc_diagrams()
    svgs = render_many(sources, mmdc())
    drawn = {name: (graph, source, svgs[name]) for name, (graph, source) in graphs.items()}
    # The docs' diagrams have no graph: they must render, with text.
    for name in doc_diagrams():
        drawn[name] = (Graph.of(name, [], [], []), sources[name], svgs[name])
    return drawn


def texts(element: ET.Element) -> str:
    return " ".join(part.strip() for part in element.itertext() if part.strip())


def node_elements(root: ET.Element) -> Iterator[tuple[str, ET.Element]]:
    """(Mermaid id, element) of every node Mermaid drew: `<g id="...flowchart-<id>-<n>">`."""
    for element in root.iter(f"{SVG}g"):
        found = re.search(r"flowchart-(\w+)-\d+$", element.get("id", ""))
        if found and "node" in element.get("class", "").split():
            yield found.group(1), element


def test_every_blueprint_is_drawn(rendered: dict[str, tuple[Graph, str, str]]) -> None:
    docs = doc_diagrams()
    assert {"README.md#1", "gitops.md#3", "graph.md#1"} - set(docs) == {"graph.md#1"}
    assert set(rendered) == {
        "dev",
        "prod",
        *(p.stem for p in EXAMPLES),
        "everything",
        "change",
        "hostile",
        *docs,
    }
    for name, (graph, _source, svg) in rendered.items():
        root = ET.fromstring(svg)
        drawn = dict(node_elements(root))
        if name in docs:  # no graph behind it: it renders, with every node drawn
            assert len(drawn) >= 3 and all(texts(node) for node in drawn.values()), name
            continue
        ids = mermaid_ids(graph)
        legend = {key for key in drawn if key.startswith("legend_")}
        assert len(drawn) - len(legend) == len(graph.nodes), name
        for node in graph.nodes:
            text = texts(drawn[ids[node.id]])
            assert node.label in text, (name, node.id)
            for line in node.details:
                assert line in text, (name, node.id, line)
        everything_text = texts(root)
        for group in graph.groups:
            assert group.label in everything_text, (name, group.id)
        for edge in graph.edges:
            assert edge.label in everything_text, (name, edge.key)
        if name != "change":
            assert graph.title in everything_text, name


def test_the_change_is_marked_in_the_drawing(rendered: dict[str, tuple[Graph, str, str]]) -> None:
    _graph, _source, svg = rendered["change"]
    root = ET.fromstring(svg)
    drawn = dict(node_elements(root))
    assert set(drawn["topic_audit"].get("class", "").split()) >= {"node", "added"}
    assert set(drawn["app_backend"].get("class", "").split()) >= {"node", "modified"}
    assert set(drawn["ray_ray"].get("class", "").split()) >= {"node", "removed"}
    for mark in MARK_STYLES:
        assert set(drawn[f"legend_{mark}"].get("class", "").split()) >= {mark}
    # A group is marked as a whole: the Kafka cluster's own settings changed.
    [kafka] = [g for g in root.iter(f"{SVG}g") if g.get("id", "").endswith("kafka_events")]
    assert set(kafka.get("class", "").split()) >= {"cluster", "modified"}
    # Each marked edge's path carries its mark's stroke (Mermaid writes linkStyle inline).
    paths = {p.get("data-id", ""): p.get("style", "") for p in root.iter(f"{SVG}path")}
    colour = {mark: EDGE_STYLES[mark].split(",")[0].split(":")[1] for mark in EDGE_STYLES}
    assert colour["added"] in paths["L_app_backend_topic_audit_0"]
    assert colour["modified"] in paths["L_app_backend_bucket_raw_logs_0"]
    assert colour["removed"] in paths["L_ray_ray_nodePool_system_0"]
    assert colour["removed"] not in paths["L_app_backend_topic_tasks_0"]
    assert "readWrite → read" in texts(root)


def test_a_refused_diagram_says_why() -> None:
    with pytest.raises(RenderError, match=r"the Mermaid CLI failed:\n.*Parse error on line 2"):
        render("flowchart TB\n  a -->|x|\n", "svg", mmdc())
