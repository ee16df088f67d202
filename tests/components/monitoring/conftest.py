"""Shared fixtures of the monitoring tests: the real `promtool`, the Grafana dashboard
schema, and args with one target of every exporter.

`promtool` comes from `scripts/promtool` (Debian's package, cached) or
`$SHIPYARD_PROMTOOL`; the schema from `scripts/grafana-dashboard-schema` (npm, cached).
Either failing fails the tests: they are not skipped.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.monitoring.args import MonitoringArgs, ScrapeTarget, ServedModel

ROOT = Path(__file__).resolve().parents[3]
VLLM_POD = "llama-8b-5d9c7b6f4-x2x4z"


def _script(name: str, timeout: int) -> str:
    result = subprocess.run(
        [str(ROOT / "scripts" / name)], capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/{name} failed:\n{result.stderr}", pytrace=False)
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def promtool() -> Path:
    return Path(_script("promtool", timeout=900))


@pytest.fixture(scope="session")
def dashboard_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(Path(_script("grafana-dashboard-schema", 300)).read_text())
    return schema


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
