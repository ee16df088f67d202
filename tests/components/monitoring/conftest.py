"""Shared fixtures of the monitoring tests: the real `promtool`, the Grafana dashboard
schema, and args with one target of every exporter.

Both tools come from tests/monitoring_tools.py; either failing fails the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.monitoring.args import MonitoringArgs, ScrapeTarget, ServedModel
from tests.monitoring_tools import dashboard_schema, promtool_path

VLLM_POD = "llama-8b-5d9c7b6f4-x2x4z"


@pytest.fixture(scope="session")
def promtool() -> Path:
    return promtool_path()


@pytest.fixture(scope="session", name="dashboard_schema")
def dashboard_schema_fixture() -> dict[str, Any]:
    return dashboard_schema()


def target(name: str, exporter: str, **fields: Any) -> ScrapeTarget:
    return ScrapeTarget(
        name=name,
        title=fields.pop("title", name),
        exporter=exporter,
        selector=fields.pop("selector", {"app.kubernetes.io/name": name}),
        port=fields.pop("port", "http"),
        **fields,
    )


TARGETS = (
    target("vllm", "vllm", title="vLLM", isolated=True),
    target("ai-gateway", "litellm", title="AI gateway", kind="service", down_severity="critical"),
    target("postgres", "cnpg", title="PostgreSQL", port="metrics", isolated=True),
    target("kafka-exporter", "kafka-exporter", title="Kafka", port="tcp-prometheus"),
    target("clickhouse", "clickhouse", title="ClickHouse", port="metrics", isolated=True),
    target("ray", "ray", title="Ray", port="metrics"),
    target("reconciler", "shipyard-reconciler", title="Reconciler", down_severity=None),
    target(
        "cache",
        "redis",
        title="Cache",
        port="metrics",
        down_severity="critical",
        down_impact="The gateway fails open: rate limits and keys are per replica.",
    ),
)
MODELS = (
    ServedModel(
        name="llama-8b",
        served_name="llama-3.1-8b",
        min_replicas=2,
        ttft_p95_seconds=0.8,
        itl_p95_seconds=0.05,
    ),
    ServedModel(name="qwen", served_name="qwen2.5-7b", min_replicas=0),
)
FULL = MonitoringArgs(
    namespace="llm",
    platform="acme",
    selector_labels={"release": "kube-prometheus-stack"},
    targets=TARGETS,
    models=MODELS,
)
