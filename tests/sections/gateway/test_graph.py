"""The gateway in the picture: its node, its host, a route to every model with the aliases
clients use, fallbacks dotted, its key store, and the apps holding a key."""

from __future__ import annotations

from pathlib import Path

from shipyard.sections.gateway.graph import gateway_graph
from tests.graph.everything import EVERYTHING, edges, everything, nodes, replace_text


def test_routes_fallbacks_host_keys_and_bound_apps(tmp_path: Path) -> None:
    part = gateway_graph(everything(tmp_path))
    assert nodes(part) == {
        "gateway/ai-gateway": ("ai-gateway", "serving", ("LiteLLM x2",), "hexagon", None),
        "host/llm.acme.example.com": (
            "llm.acme.example.com",
            "ingress",
            ("ingress · TLS",),
            "lean",
            None,
        ),
        "model/hosted-model": (
            "hosted-model",
            "serving",
            ("gpt-4o-mini", "hosted by openai"),
            "round",
            None,
        ),
    }
    assert edges(part) == {
        ("gateway/ai-gateway", "model/small", "route"): "default",
        ("gateway/ai-gateway", "model/backup-model", "route"): "",
        ("model/small", "model/backup-model", "fallback"): "fallback",
        ("gateway/ai-gateway", "model/hosted-model", "route"): "gpt",
        ("model/hosted-model", "model/backup-model", "fallback"): "fallback",
        ("host/llm.acme.example.com", "gateway/ai-gateway", "exposes"): "",
        ("gateway/ai-gateway", "postgres/postgres", "keys"): "keys",
        ("app/backend", "gateway/ai-gateway", "gateway"): "key",
    }
    assert {edge.style for edge in part.edges if edge.kind == "fallback"} == {"dotted"}


def test_several_fallbacks_are_numbered_in_order(tmp_path: Path) -> None:
    text = replace_text(
        EVERYTHING,
        "    - name: backup-model\n",
        "    - name: third\n      model: Qwen/Qwen2.5-0.5B-Instruct\n      nodePool: gpu\n"
        "      maxModelLen: 8192\n    - name: backup-model\n",
    )
    text = replace_text(text, "fallbacks: [backup-model]", "fallbacks: [backup-model, third]")
    labels = edges(gateway_graph(everything(tmp_path, text)))
    assert labels[("model/small", "model/backup-model", "fallback")] == "fallback 1"
    assert labels[("model/small", "model/third", "fallback")] == "fallback 2"


def test_without_authentication_there_is_no_key(tmp_path: Path) -> None:
    text = replace_text(EVERYTHING, "    virtualKeys: {}\n", "    authentication: false\n")
    text = replace_text(
        text,
        "      host: llm.acme.example.com\n",
        "      host: llm.acme.example.com\n      public: false\n",
    )
    part = gateway_graph(everything(tmp_path, text))
    assert nodes(part)["gateway/ai-gateway"][2] == ("LiteLLM x2", "no authentication")
    assert nodes(part)["host/llm.acme.example.com"][2] == ("ingress · TLS · internal",)
    labels = edges(part)
    assert labels[("app/backend", "gateway/ai-gateway", "gateway")] == ""
    assert ("gateway/ai-gateway", "postgres/postgres", "keys") not in labels


def test_keys_in_an_external_postgres_are_a_detail(tmp_path: Path) -> None:
    external = (
        "    virtualKeys:\n"
        "      databaseUrlSecret: {name: keys-db, key: url}\n"
        "      database: {podLabels: {app: keys-db}, port: 5432}\n"
    )
    part = gateway_graph(
        everything(tmp_path, replace_text(EVERYTHING, "    virtualKeys: {}\n", external))
    )
    assert nodes(part)["gateway/ai-gateway"][2] == ("LiteLLM x2", "keys in an external Postgres")
    assert ("gateway/ai-gateway", "postgres/postgres", "keys") not in edges(part)


def test_a_private_model_falls_back_to_a_hosted_one(tmp_path: Path) -> None:
    """Portkey's shape: the route's fallback names a hosted model, whose node the gateway
    draws, so the edge ends on a node."""
    text = replace_text(
        EVERYTHING,
        "fallbacks: [backup-model]\n    hostedModels",
        "fallbacks: [hosted-model]\n    hostedModels",
    )
    labels = edges(gateway_graph(everything(tmp_path, text)))
    assert labels[("model/small", "model/hosted-model", "fallback")] == "fallback"
