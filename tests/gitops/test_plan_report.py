"""The plan's PR comment carries each stack's marked diagram in a `<details>` block, and
leaves the diagrams out (saying so) when they would push it past GitHub's limit."""

from __future__ import annotations

import json
import logging

import pytest

from shipyard.blueprint import load_blueprint
from shipyard.gitops import plan_report
from shipyard.gitops.git_facts import Revision
from shipyard.gitops.plan import Plan, StackPlan
from shipyard.graph import plan_diagram
from shipyard.graph.mermaid import to_mermaid
from shipyard.graph.plan_diagram import graph_changes
from tests.conftest import DEV_BLUEPRINT, PROD_BLUEPRINT

MAIN = Revision("main", "a" * 40)
HEAD = Revision("HEAD", "b" * 40)


def a_plan(*stacks: StackPlan) -> Plan:
    return Plan(MAIN, MAIN, HEAD, ("blueprints/prod.yaml",), stacks, ())


def prod_stack(name: str = "prod") -> StackPlan:
    # A new platform: every node and edge of prod is added.
    changes = graph_changes(None, load_blueprint(PROD_BLUEPRINT))
    return StackPlan(name, "blueprints/prod.yaml", ("why",), "ok", graph=changes)


def test_the_diagram_of_a_new_platform_is_all_added() -> None:
    stack = prod_stack()
    assert stack.graph is not None
    markdown = plan_report.render_markdown(a_plan(stack))
    source = to_mermaid(stack.graph.graph, stack.graph, title=False)
    nodes = len(stack.graph.graph.nodes) + len(stack.graph.graph.groups)
    edges = len(stack.graph.graph.edges)
    assert (nodes, edges) == (20, 22)  # prod.yaml's pools, models, gateway, Ray, data, cache
    assert (
        "**Cost**: not available yet\n"
        "\n"
        f"<details><summary>Diagram: {nodes} nodes added, {edges} edges added</summary>\n"
        "\n"
        f"```mermaid\n{source}```\n"
        "\n"
        "The head revision's blueprint, as `shipyard graph` draws it; green is added, amber "
        "modified, red and dashed removed.\n"
        "\n"
        "</details>\n"
        "\n"
        "<details><summary>Why this stack is affected</summary>\n"
    ) in markdown
    assert "  class " in source and " added\n" in source


def test_diagrams_are_left_out_past_the_comment_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = a_plan(prod_stack("prod"), prod_stack("staging"))
    full = plan_report.render_markdown(plan)
    assert full.count("```mermaid") == 2
    monkeypatch.setattr(plan_report, "COMMENT_LIMIT", len(full) - 1)
    short = plan_report.render_markdown(plan)
    assert "```mermaid" not in short
    assert short.count(plan_report.DIAGRAMS_LEFT_OUT) == 2
    assert "65,536-character limit" in plan_report.DIAGRAMS_LEFT_OUT


def test_json_names_the_marked_nodes_and_edges() -> None:
    document = json.loads(plan_report.render_json(a_plan(prod_stack())))
    changes = document["stacks"][0]["graphChanges"]
    assert changes["nodes"]["model/llama-70b"] == "added"
    assert {
        "source": "model/llama-70b",
        "target": "nodePool/gpu-h100",
        "kind": "runsOn",
        "mark": "added",
    } in changes["edges"]


def test_a_drawing_bug_never_breaks_the_plan(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(platform: object) -> None:
        raise ValueError("a section drew nonsense")

    monkeypatch.setattr(plan_diagram, "build_graph", broken)
    with caplog.at_level(logging.ERROR):
        assert graph_changes(None, load_blueprint(DEV_BLUEPRINT)) is None
    assert "drawing the plan's diagram failed" in caplog.text
    stack = StackPlan("dev", "blueprints/dev.yaml", ("why",), "ok")
    assert "Diagram" not in plan_report.render_markdown(a_plan(stack))
