"""The diagram in `shipyard plan`'s PR comment: the head revision's picture with what the
change adds, modifies and removes marked, under a collapsible section."""

from __future__ import annotations

import logging

from shipyard.blueprint.platform import Platform
from shipyard.graph.build import build_graph
from shipyard.graph.diff import Changes, mark_changes
from shipyard.graph.mermaid import LEGEND_TEXT, to_mermaid

log = logging.getLogger(__name__)


def graph_changes(base: Platform | None, head: Platform) -> Changes | None:
    """The head's picture marked against the base's (None: the base did not load, so
    everything is new). A bug in drawing never breaks a plan: it is logged, no diagram."""
    try:
        return mark_changes(build_graph(base) if base is not None else None, build_graph(head))
    except Exception:  # the plan must still reach the PR comment
        log.exception("drawing the plan's diagram failed")
        return None


def diagram_markdown(changes: Changes) -> list[str]:
    """A `<details>` block holding the marked Mermaid diagram and its legend in words."""
    return [
        f"<details><summary>Diagram: {changes.summary()}</summary>",
        "",
        "```mermaid",
        to_mermaid(changes.graph, changes, title=False).rstrip("\n"),
        "```",
        "",
        f"The head revision's blueprint, as `shipyard graph` draws it; {LEGEND_TEXT}.",
        "",
        "</details>",
    ]
