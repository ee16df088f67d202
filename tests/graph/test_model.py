"""The graph model: ids, digests, collapsed replicas, and the stable JSON form."""

from __future__ import annotations

import json
from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.graph.build import build_graph
from shipyard.graph.model import LAYERS, Edge, Graph, Node, digest, node_id, replicas_text
from shipyard.sections.node_pools.model import NodePool, PoolSize
from tests.conftest import DEV_BLUEPRINT


def test_ids_and_replicas() -> None:
    assert node_id("model", "llama-8b") == "model/llama-8b"
    assert (replicas_text(3), replicas_text(2, 2), replicas_text(0, 4)) == ("x3", "x2", "x0-4")


def test_a_digest_follows_the_item_and_leaves_out_what_it_is_told() -> None:
    small = NodePool(name="a", size=PoolSize(min=1, max=2))
    assert digest(small) == digest(NodePool(name="a", size=PoolSize(min=1, max=2)))
    assert digest(small) != digest(NodePool(name="a", size=PoolSize(min=1, max=3)))
    assert digest(small, exclude={"size"}) == digest(
        NodePool(name="a", size=PoolSize(min=1, max=3)), exclude={"size"}
    )
    assert len(digest(small)) == 12


def test_graph_sorts_by_layer_then_id_and_edges_by_key() -> None:
    nodes = [
        Node("nodePool/a", "nodePool", "a", "compute"),
        Node("model/b", "model", "b", "serving"),
        Node("host/c", "host", "c", "ingress"),
        Node("model/a", "model", "a", "serving"),
    ]
    edges = [Edge("model/b", "nodePool/a", "runsOn"), Edge("model/a", "nodePool/a", "runsOn")]
    graph = Graph.of("t", nodes, [], edges)
    assert [node.id for node in graph.nodes] == ["host/c", "model/a", "model/b", "nodePool/a"]
    assert [edge.source for edge in graph.edges] == ["model/a", "model/b"]
    assert graph.node("model/a") is graph.nodes[1]
    assert graph.edge("model/b", "nodePool/a", "runsOn") is graph.edges[1]
    assert graph.node("nope") is None


def test_json_names_every_field_and_is_the_same_every_time() -> None:
    data = build_graph(load_blueprint(DEV_BLUEPRINT)).to_json()
    again = build_graph(load_blueprint(DEV_BLUEPRINT)).to_json()
    assert json.dumps(data, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert data["version"] == 1
    assert data["title"] == "shipyard-dev (dev)"
    assert data["layers"] == list(LAYERS)
    assert data["groups"] == []
    pool = data["nodes"][-1]
    assert pool == {
        "id": "nodePool/gpu-small",
        "kind": "nodePool",
        "label": "gpu-small",
        "layer": "compute",
        "group": None,
        "details": ["1x nvidia-a10g", "1-3 nodes"],
        "digest": pool["digest"],
    }
    assert data["edges"][0] == {
        "source": "gateway/ai-gateway",
        "target": "model/qwen-small",
        "kind": "route",
        "label": "default",
        "style": "solid",
    }


def test_json_of_the_examples_is_stable(tmp_path: Path) -> None:
    """Two loads of every example give the same JSON, byte for byte."""
    examples = sorted((DEV_BLUEPRINT.parent / "examples").glob("*.yaml"))
    assert len(examples) >= 5
    for path in examples:
        first = json.dumps(build_graph(load_blueprint(path)).to_json(), sort_keys=True)
        second = json.dumps(build_graph(load_blueprint(path)).to_json(), sort_keys=True)
        assert first == second, path
