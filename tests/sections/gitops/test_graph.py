"""The reconciler in the picture: one node in the apps layer."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.gitops.graph import gitops_graph
from tests.conftest import DEV_BLUEPRINT
from tests.graph.everything import everything, nodes


def test_the_reconciler_with_its_replicas_and_branch(tmp_path: Path) -> None:
    part = gitops_graph(everything(tmp_path))
    assert nodes(part) == {
        "reconciler/shipyard-reconciler": (
            "shipyard-reconciler",
            "apps",
            ("reconciler x2 · branch main",),
            "box",
            None,
        )
    }
    assert part.edges == []


def test_no_gitops_draws_nothing() -> None:
    part = gitops_graph(load_blueprint(DEV_BLUEPRINT))
    assert (part.nodes, part.edges) == ([], [])
