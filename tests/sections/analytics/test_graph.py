"""ClickHouse in the picture: one cylinder, the gateway's logs, and apps reading it."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.analytics.graph import analytics_graph
from tests.conftest import PROD_BLUEPRINT
from tests.graph.everything import EVERYTHING, edges, everything, nodes, replace_text


def test_gateway_logs_and_app_access(tmp_path: Path) -> None:
    part = analytics_graph(everything(tmp_path))
    assert nodes(part) == {
        "analytics/analytics": (
            "analytics",
            "data",
            ("ClickHouse 1 shard x 1 · 10Gi each",),
            "cylinder",
            None,
        )
    }
    assert edges(part) == {
        ("gateway/ai-gateway", "analytics/analytics", "logs"): "logs",
        ("app/backend", "analytics/analytics", "analytics"): "read",
        ("app/embedder", "analytics/analytics", "analytics"): "readWrite",
    }


def test_keeper_and_logs_turned_off(tmp_path: Path) -> None:
    assert nodes(analytics_graph(load_blueprint(PROD_BLUEPRINT)))["analytics/analytics"][2] == (
        "ClickHouse 1 shard x 2 · 200Gi each",
        "Keeper x3",
    )
    text = replace_text(EVERYTHING, "  analytics:\n", "  analytics:\n    gatewayLogs: false\n")
    assert ("gateway/ai-gateway", "analytics/analytics", "logs") not in edges(
        analytics_graph(everything(tmp_path, text))
    )
