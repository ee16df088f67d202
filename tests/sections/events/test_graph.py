"""Kafka in the picture: a group of topics, and who produces and consumes each (apps by
their bindings, declared users by their ACLs, prefixes included)."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.events.graph import events_graph
from tests.conftest import PROD_BLUEPRINT
from tests.graph.everything import edges, everything, nodes


def test_topics_in_the_cluster_group_and_every_producer_and_consumer(tmp_path: Path) -> None:
    part = events_graph(everything(tmp_path))
    [group] = part.groups
    assert (group.id, group.label, group.layer, group.details) == (
        "kafka/events",
        "Kafka events",
        "data",
        ("1 broker",),
    )
    assert nodes(part) == {
        "topic/tasks": ("tasks", "data", ("6 partitions · 7d",), "stadium", "kafka/events"),
        "topic/results": ("results", "data", ("3 partitions · 7d",), "stadium", "kafka/events"),
        "kafkaUser/auditor": ("auditor", "apps", ("Kafka user",), "stadium", None),
    }
    assert edges(part) == {
        ("app/backend", "topic/tasks", "produce"): "produce",
        ("app/backend", "topic/results", "consume"): "consume",
        ("app/embedder", "topic/tasks", "consume"): "consume",
        ("app/embedder", "topic/results", "produce"): "produce",
        # `res` as a prefix matches `results`, not `tasks`
        ("kafkaUser/auditor", "topic/results", "consume"): "consume",
    }


def test_declared_users_by_their_literal_acls() -> None:
    assert edges(events_graph(load_blueprint(PROD_BLUEPRINT))) == {
        ("kafkaUser/api", "topic/inference.requests", "produce"): "produce",
        ("kafkaUser/api", "topic/inference.results", "consume"): "consume",
        ("kafkaUser/batch-workers", "topic/inference.requests", "consume"): "consume",
        ("kafkaUser/batch-workers", "topic/inference.results", "produce"): "produce",
    }


def test_a_topic_change_leaves_the_cluster_unmodified(tmp_path: Path) -> None:
    """The group's digest leaves out the topics and users, which are nodes of their own."""
    from tests.graph.everything import EVERYTHING, replace_text

    before = events_graph(everything(tmp_path))
    text = replace_text(EVERYTHING, "{name: tasks, partitions: 6}", "{name: tasks, partitions: 12}")
    after = events_graph(everything(tmp_path, text))
    assert before.groups[0].digest == after.groups[0].digest
    assert before.nodes[0].digest != after.nodes[0].digest
