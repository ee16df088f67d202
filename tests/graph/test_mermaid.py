"""Mermaid source: layers as subgraphs top to bottom, groups nested, shapes per kind, safe
ids and labels, and the change marks (classes, link styles, a legend)."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.graph.build import build_graph
from shipyard.graph.diff import mark_changes
from shipyard.graph.mermaid import EDGE_STYLES, MARK_STYLES, escape, to_mermaid
from shipyard.graph.model import Edge, Graph, Group, Node
from tests.conftest import DEV_BLUEPRINT
from tests.graph.everything import EVERYTHING, everything, replace_text


def test_the_dev_platform() -> None:
    assert to_mermaid(build_graph(load_blueprint(DEV_BLUEPRINT))) == (
        "---\n"
        'title: "shipyard-dev (dev)"\n'
        "---\n"
        "flowchart TB\n"
        '  subgraph layer_serving["Serving"]\n'
        '    gateway_ai_gateway{{"<b>ai-gateway</b><br/>LiteLLM x1"}}\n'
        '    model_qwen_small("<b>qwen-small</b><br/>Qwen/Qwen2.5-0.5B-Instruct")\n'
        '    ray_ray("<b>ray</b><br/>RayCluster · Ray 2.52.0")\n'
        "  end\n"
        '  subgraph layer_compute["Compute"]\n'
        '    nodePool_gpu_small["<b>gpu-small</b><br/>1x nvidia-a10g<br/>1-3 nodes"]\n'
        "  end\n"
        '  gateway_ai_gateway -->|"default"| model_qwen_small\n'
        '  model_qwen_small -->|"1 x 1 GPU"| nodePool_gpu_small\n'
        '  ray_ray -->|"gpu x0-1 x 1 GPU"| nodePool_gpu_small\n'
    )


def test_every_shape_groups_and_a_dotted_edge() -> None:
    shapes = ["box", "round", "stadium", "cylinder", "hexagon", "lean", "trapezoid"]
    nodes = [Node(f"k/{shape}", "k", shape, "data", (), shape) for shape in shapes]  # type: ignore[arg-type]
    nodes.append(Node("topic/t", "topic", "t", "data", ("6 partitions",), "stadium", "kafka/k"))
    group = Group("kafka/k", "kafka", "Kafka k", "data", ("brokers x3",))
    edge = Edge("k/box", "k/round", "fallback", "fallback", "dotted")
    source = to_mermaid(Graph.of("t", nodes, [group], [edge]), title=False)
    assert source.splitlines() == [
        "flowchart TB",
        '  subgraph layer_data["Data"]',
        '    subgraph kafka_k["<b>Kafka k</b> · brokers x3"]',
        '      topic_t(["<b>t</b><br/>6 partitions"])',
        "    end",
        '    k_box["<b>box</b>"]',
        '    k_cylinder[("<b>cylinder</b>")]',
        '    k_hexagon{{"<b>hexagon</b>"}}',
        '    k_lean[/"<b>lean</b>"/]',
        '    k_round("<b>round</b>")',
        '    k_stadium(["<b>stadium</b>"])',
        '    k_trapezoid[/"<b>trapezoid</b>"\\]',
        "  end",
        '  k_box -.->|"fallback"| k_round',
    ]


def test_labels_are_escaped_and_ids_stay_unique() -> None:
    assert escape('a "b" <c> & #1; |') == "a #quot;b#quot; #lt;c#gt; #amp; #35;1; #124;"
    nodes = [
        Node("topic/a.b", "topic", "a.b", "data", ('says "hi" <b>',)),
        Node("topic/a-b", "topic", "a-b", "data"),
    ]
    source = to_mermaid(Graph.of("t", nodes, [], [Edge("topic/a-b", "topic/a.b", "x", "a|b")]))
    assert '    topic_a_b["<b>a-b</b>"]' in source
    assert '    topic_a_b_2["<b>a.b</b><br/>says #quot;hi#quot; #lt;b#gt;"]' in source
    assert '  topic_a_b -->|"a#124;b"| topic_a_b_2' in source


def test_changes_are_classed_link_styled_and_explained_by_a_legend(tmp_path: Path) -> None:
    text = replace_text(
        EVERYTHING, "{name: raw-logs, access: readWrite}", "{name: raw-logs, access: read}"
    )
    text = replace_text(
        text, "      - {name: results}\n", "      - {name: results}\n      - {name: audit}\n"
    )
    start, end = text.index("  ray:\n"), text.index("  objectStore:\n")
    text = text[:start] + text[end:]
    changes = mark_changes(
        build_graph(everything(tmp_path)), build_graph(everything(tmp_path, text))
    )
    source = to_mermaid(changes.graph, changes, title=False)
    lines = source.splitlines()
    assert not source.startswith("---")
    for mark, style in MARK_STYLES.items():
        assert f"  classDef {mark} {style}" in lines
    assert lines[lines.index('  subgraph legend["Changes"]') + 1 :][:4] == [
        '    legend_added["added"]:::added',
        '    legend_modified["modified"]:::modified',
        '    legend_removed["removed"]:::removed',
        "  end",
    ]
    assert "  class topic_audit added" in lines
    assert "  class app_backend modified" in lines
    assert "  class ray_ray removed" in lines
    # the n-th edge line is linkStyle n
    edge_lines = [line for line in lines if "-->" in line or "-.->" in line]
    styled = {
        mark: [int(i) for i in line.split()[1].split(",")]
        for line in lines
        if line.startswith("  linkStyle ")
        for mark, style in EDGE_STYLES.items()
        if line.endswith(style)
    }
    assert [edge_lines[i] for i in styled["modified"]] == [
        '  app_backend -->|"readWrite → read"| bucket_raw_logs'
    ]
    assert [edge_lines[i] for i in styled["removed"]] == [
        '  ray_ray -->|"gpus x0-1 x 1 GPU"| nodePool_gpu',
        '  ray_ray -->|"head, cpu x0-2"| nodePool_system',
    ]
    assert "added" not in styled
    assert '    ray_ray("<b>ray</b><br/>RayCluster · Ray 2.52.0")' in lines
