"""Change marking between two revisions' pictures: what is added, modified (its blueprint
item changed, or an edge's label), and removed (kept in the drawing, marked)."""

from __future__ import annotations

from pathlib import Path

from shipyard.graph.build import build_graph
from shipyard.graph.diff import mark_changes
from shipyard.graph.model import Graph
from tests.graph.everything import EVERYTHING, everything, replace_text


def graphs(tmp_path: Path, head_text: str) -> tuple[Graph, Graph]:
    """The pictures of EVERYTHING (the base) and of `head_text`."""
    return build_graph(everything(tmp_path)), build_graph(everything(tmp_path, head_text))


def test_the_same_blueprint_changes_nothing(tmp_path: Path) -> None:
    base, head = graphs(tmp_path, EVERYTHING)
    changes = mark_changes(base, head)
    assert changes.empty
    assert changes.summary() == "no change"
    assert changes.graph == head


def test_a_new_platform_is_all_added(tmp_path: Path) -> None:
    head = build_graph(everything(tmp_path))
    changes = mark_changes(None, head)
    assert set(changes.nodes) == {n.id for n in head.nodes} | {g.id for g in head.groups}
    assert set(changes.nodes.values()) == {"added"}
    assert set(changes.edges) == {edge.key for edge in head.edges}
    assert changes.summary() == "26 nodes added, 32 edges added"


def test_added_modified_and_removed_nodes_groups_and_edges(tmp_path: Path) -> None:
    text = EVERYTHING
    # a topic added to the cluster (the cluster itself is unchanged) and produced by backend
    text = replace_text(
        text, "      - {name: results}\n", "      - {name: results}\n      - {name: audit}\n"
    )
    text = replace_text(text, "          produce: [tasks]\n", "          produce: [tasks, audit]\n")
    # readWrite -> read on a bucket: the edge is modified, its label says from what to what
    text = replace_text(
        text, "{name: raw-logs, access: readWrite}", "{name: raw-logs, access: read}"
    )
    # the Ray cluster removed: its node and both edges stay in the drawing, marked
    start, end = text.index("  ray:\n"), text.index("  objectStore:\n")
    text = text[:start] + text[end:]
    base, head = graphs(tmp_path, text)
    changes = mark_changes(base, head)
    assert changes.nodes == {
        "topic/audit": "added",
        "app/backend": "modified",  # its `uses` changed
        "ray/ray": "removed",
    }
    assert changes.edges == {
        ("app/backend", "topic/audit", "produce"): "added",
        ("app/backend", "bucket/raw-logs", "bucket"): "modified",
        ("ray/ray", "nodePool/gpu", "runsOn"): "removed",
        ("ray/ray", "nodePool/system", "runsOn"): "removed",
    }
    drawn = changes.graph
    assert drawn.node("ray/ray") == base.node("ray/ray")
    assert drawn.edge("ray/ray", "nodePool/system", "runsOn") is not None
    modified = drawn.edge("app/backend", "bucket/raw-logs", "bucket")
    assert modified is not None and modified.label == "readWrite → read"
    assert changes.summary() == (
        "1 node added, 1 node modified, 1 node removed, 1 edge added, 1 edge modified, "
        "2 edges removed"
    )
    assert changes.to_json() == {
        "nodes": {"app/backend": "modified", "ray/ray": "removed", "topic/audit": "added"},
        "edges": [
            {
                "source": "app/backend",
                "target": "bucket/raw-logs",
                "kind": "bucket",
                "mark": "modified",
            },
            {"source": "app/backend", "target": "topic/audit", "kind": "produce", "mark": "added"},
            {"source": "ray/ray", "target": "nodePool/gpu", "kind": "runsOn", "mark": "removed"},
            {"source": "ray/ray", "target": "nodePool/system", "kind": "runsOn", "mark": "removed"},
        ],
    }


def test_a_removed_group_keeps_its_removed_nodes_inside(tmp_path: Path) -> None:
    start, end = EVERYTHING.index("  events:\n"), EVERYTHING.index("  gitops:\n")
    text = EVERYTHING[:start] + EVERYTHING[end:]
    for old in (
        "        - kind: events\n          produce: [tasks]\n          consume: [results]\n",
        "        - kind: events\n          consume: [tasks]\n          produce: [results]\n",
    ):
        text = replace_text(text, old, "")
    text = replace_text(
        text,
        "        kafkaLag: {lagThreshold: 5}\n",
        '        prometheus: {serverAddress: "http://prometheus:9090", query: q, threshold: 5}\n',
    )
    base, head = graphs(tmp_path, text)
    changes = mark_changes(base, head)
    assert changes.nodes["kafka/events"] == "removed"
    assert changes.nodes["topic/tasks"] == "removed"
    assert changes.nodes["kafkaUser/auditor"] == "removed"
    topic = changes.graph.node("topic/tasks")
    assert topic is not None and topic.group == "kafka/events"
    assert [group.id for group in changes.graph.groups] == ["kafka/events", "minio/minio"]
    assert changes.edges[("app/backend", "topic/tasks", "produce")] == "removed"


def test_a_changed_pool_is_modified_and_its_label_unchanged(tmp_path: Path) -> None:
    text = replace_text(
        EVERYTHING, "      size: {min: 1, max: 3}\n", "      size: {min: 2, max: 3}\n"
    )
    base, head = graphs(tmp_path, text)
    changes = mark_changes(base, head)
    assert changes.nodes == {"nodePool/system": "modified"}
    assert changes.edges == {}
