"""`build_graph`: every section's part, merged, checked and sorted."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.graph.build import GraphError, assemble, build_graph
from shipyard.graph.model import LAYERS, Edge, Group, Node
from tests.graph.everything import EVERYTHING, everything, replace_text


def test_every_section_draws_into_every_layer(tmp_path: Path) -> None:
    graph = build_graph(everything(tmp_path))
    assert graph.title == "acme (dev)"
    assert {node.layer for node in graph.nodes} == set(LAYERS)
    assert {node.kind for node in graph.nodes} == {
        "host",
        "gateway",
        "model",
        "ray",
        "app",
        "kafkaUser",
        "minioUser",
        "reconciler",
        "analytics",
        "postgres",
        "topic",
        "bucket",
        "nodePool",
        "cache",
        "hostedModel",
        "chart",
        "manifest",
    }
    assert {group.id for group in graph.groups} == {"kafka/events", "minio/minio"}
    assert {edge.kind for edge in graph.edges} == {
        "exposes",
        "route",
        "fallback",
        "runsOn",
        "keys",
        "logs",
        "backup",
        # one per binding kind
        "postgres",
        "produce",
        "consume",
        "bucket",
        "analytics",
        "gateway",
        "app",
        "cache",
        "chart",
    }
    assert len(graph.nodes) == 24
    assert len(graph.edges) == 32


def test_two_exposures_on_one_host_meet_on_one_node(tmp_path: Path) -> None:
    text = replace_text(EVERYTHING, "host: app.acme.example.com", "host: llm.acme.example.com")
    graph = build_graph(everything(tmp_path, text))
    host = graph.node("host/llm.acme.example.com")
    assert host is not None
    assert host.details == ("ingress · TLS", "ingress · internal")
    assert graph.edge("host/llm.acme.example.com", "gateway/ai-gateway", "exposes")
    assert graph.edge("host/llm.acme.example.com", "app/frontend", "exposes")


def test_an_edge_to_nowhere_is_a_bug() -> None:
    nodes = [Node("model/a", "model", "a", "serving")]
    with pytest.raises(GraphError, match=r"ends on no node: nodePool/gone"):
        assemble("t", nodes, [], [Edge("model/a", "nodePool/gone", "runsOn")])


def test_a_node_in_an_undeclared_group_is_a_bug() -> None:
    nodes = [Node("topic/a", "topic", "a", "data", group="kafka/missing")]
    with pytest.raises(GraphError, match=r"node `topic/a` is in an undeclared group"):
        assemble("t", nodes, [], [])


def test_one_id_drawn_as_two_things_is_a_bug() -> None:
    nodes = [Node("x/a", "model", "a", "serving"), Node("x/a", "app", "a", "apps")]
    with pytest.raises(GraphError, match=r"node `x/a` is drawn as two different things"):
        assemble("t", nodes, [], [])


def test_two_groups_with_one_id_are_a_bug() -> None:
    groups = [Group("kafka/a", "kafka", "a", "data"), Group("kafka/a", "kafka", "b", "data")]
    with pytest.raises(GraphError, match=r"two groups share an id"):
        assemble("t", [], groups, [])


def test_the_same_edge_twice_is_one_edge_with_both_labels() -> None:
    nodes = [Node("app/a", "app", "a", "apps"), Node("topic/t", "topic", "t", "data")]
    edges = [
        Edge("app/a", "topic/t", "bucket", "read"),
        Edge("app/a", "topic/t", "bucket", "readWrite"),
        Edge("app/a", "topic/t", "bucket", "read"),
    ]
    graph = assemble("t", nodes, [], edges)
    assert [(edge.kind, edge.label) for edge in graph.edges] == [("bucket", "read, readWrite")]
