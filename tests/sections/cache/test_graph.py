"""The cache in the picture: its node with its pods and persistence, and the gateway's edge
saying what it keeps there."""

from __future__ import annotations

from pathlib import Path

from shipyard.sections.cache.graph import cache_graph
from tests.graph.everything import EVERYTHING, edges, everything, nodes, replace_text


def test_valkey_with_failover_and_the_gateways_limits(tmp_path: Path) -> None:
    part = cache_graph(everything(tmp_path))
    assert nodes(part) == {
        "cache/cache": (
            "cache",
            "data",
            ("Valkey x3", "Sentinel failover", "aof on 5Gi each"),
            "cylinder",
            None,
        )
    }
    assert edges(part) == {
        ("gateway/ai-gateway", "cache/cache", "cache"): "limits",
        # Each bound app, with what its ACL user may do.
        ("app/backend", "cache/cache", "cache"): "readWrite backend:*",
        ("app/embedder", "cache/cache", "cache"): "read backend:*",
    }


def test_a_response_cache_is_named_on_the_edge(tmp_path: Path) -> None:
    text = replace_text(
        EVERYTHING, "    virtualKeys: {}\n", "    virtualKeys: {}\n    responseCache: {}\n"
    )
    labels = edges(cache_graph(everything(tmp_path, text)))
    assert labels[("gateway/ai-gateway", "cache/cache", "cache")] == "limits, answers"


def test_one_pod_in_memory_has_no_failover_and_no_volume(tmp_path: Path) -> None:
    text = replace_text(
        EVERYTHING,
        "    provider: valkey\n    storage: {size: 5Gi}\n",
        "    provider: valkey\n    replicas: 1\n    persistence: none\n    allowDataLoss: true\n",
    )
    assert nodes(cache_graph(everything(tmp_path, text)))["cache/cache"][2] == ("Valkey x1",)


def test_an_access_change_relabels_the_apps_edge(tmp_path: Path) -> None:
    text = replace_text(EVERYTHING, "          access: read\n", "          access: readWrite\n")
    labels = edges(cache_graph(everything(tmp_path, text)))
    assert labels[("app/embedder", "cache/cache", "cache")] == "readWrite backend:*"


def test_no_cache_draws_nothing(tmp_path: Path) -> None:
    start = EVERYTHING.index("  cache:\n")
    end = EVERYTHING.index("  analytics:\n")
    text = EVERYTHING[:start] + EVERYTHING[end:]
    text = replace_text(
        text, '        - kind: cache\n          access: read\n          keyPrefix: "backend:"\n', ""
    )
    text = replace_text(text, "        - kind: cache\n", "")
    part = cache_graph(everything(tmp_path, text))
    assert (part.nodes, part.edges) == ([], [])
