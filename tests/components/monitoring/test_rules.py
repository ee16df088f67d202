"""The alert rules: their shape, the real `promtool check rules`, and one
`promtool test rules` unit test per alert showing it fire on a synthetic series (and stay
quiet on a healthy one)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from components.monitoring.args import MonitoringArgs
from components.monitoring.rules import RULES_NAME, render_prometheus_rule, rule_groups
from tests.components.monitoring.conftest import FULL, MODELS, TARGETS, VLLM_POD

LLAMA = 'namespace="llm",shipyard_target="vllm",model_name="llama-3.1-8b"'
GATEWAY = 'namespace="llm",shipyard_target="ai-gateway"'
RECONCILER = 'namespace="llm",shipyard_target="reconciler"'
CACHE = 'namespace="llm",shipyard_target="cache"'


@dataclass(frozen=True)
class Case:
    """Input series that make `alert` fire by `at`, and the alert promtool must see."""

    alert: str
    firing: list[tuple[str, str]]
    healthy: list[tuple[str, str]]
    at: str
    labels: dict[str, str]
    annotations: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)


def _buckets(histogram: str, selector: str, counts: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (f'{histogram}_bucket{{{selector},le="{le}"}}', values) for le, values in counts.items()
    ]


def _down(alert: str, target: str, title: str, severity: str, impact: str = "") -> Case:
    series = f'up{{namespace="llm",shipyard_target="{target}",pod="{target}-0"}}'
    return Case(
        alert,
        [(series, "0x10")],
        [(series, "1x10")],
        "8m",
        {"severity": severity, "platform": "acme", "target": target},
        {
            "summary": f"{title} is down",
            "description": f"No pod of {title} answers its metrics endpoint.{impact}",
        },
    )


CASES = [
    Case(
        "ModelTtftSloBreached",
        _buckets(
            "vllm:time_to_first_token_seconds",
            LLAMA,
            {"0.5": "0+0x20", "1": "0+10x20", "+Inf": "0+10x20"},
        ),
        _buckets(
            "vllm:time_to_first_token_seconds",
            LLAMA,
            {"0.5": "0+10x20", "1": "0+10x20", "+Inf": "0+10x20"},
        ),
        "15m",
        {"severity": "critical", "platform": "acme", "model": "llama-8b"},
        {
            "summary": "Model `llama-8b`: p95 time to first token above its SLO of 800 ms",
            "description": "p95 time to first token of `llama-3.1-8b` is 975ms (SLO 800 ms) "
            "over the last 10m.",
        },
    ),
    Case(
        "ModelItlSloBreached",
        _buckets(
            "vllm:inter_token_latency_seconds",
            LLAMA,
            {"0.05": "0+0x20", "0.1": "0+100x20", "+Inf": "0+100x20"},
        ),
        _buckets(
            "vllm:inter_token_latency_seconds",
            LLAMA,
            {"0.05": "0+100x20", "0.1": "0+100x20", "+Inf": "0+100x20"},
        ),
        "15m",
        {"severity": "critical", "platform": "acme", "model": "llama-8b"},
        {
            "summary": "Model `llama-8b`: p95 inter-token latency above its SLO of 50 ms",
            "description": "p95 inter-token latency of `llama-3.1-8b` is 97.5ms (SLO 50 ms) "
            "over the last 10m.",
        },
    ),
    Case(
        "ModelDown",
        # No pod of llama-8b at all (only qwen's): absence counts as down.
        [('up{namespace="llm",shipyard_target="vllm",pod="qwen-7d8f9c5b-abcde"}', "1x10")],
        [(f'up{{namespace="llm",shipyard_target="vllm",pod="{VLLM_POD}"}}', "1x10")],
        "8m",
        {"severity": "critical", "platform": "acme", "model": "llama-8b"},
        {
            "summary": "Model `llama-8b`: no replica is up",
            "description": "No vLLM pod of `llama-8b` answers its metrics endpoint; requests "
            "for `llama-3.1-8b` fail or fall back.",
        },
    ),
    Case(
        "ModelQueueSaturated",
        [(f'vllm:num_requests_waiting{{{LLAMA},pod="{VLLM_POD}"}}', "20x10")],
        [(f'vllm:num_requests_waiting{{{LLAMA},pod="{VLLM_POD}"}}', "3x10")],
        "8m",
        {"severity": "warning", "platform": "acme", "model_name": "llama-3.1-8b"},
        {
            "summary": "Model llama-3.1-8b: requests are queueing",
            "description": "llama-3.1-8b has 20 requests waiting per replica (more than 10); "
            "add replicas or raise `maxReplicas`.",
        },
    ),
    Case(
        "ModelKvCachePressure",
        [(f'vllm:kv_cache_usage_perc{{{LLAMA},pod="{VLLM_POD}"}}', "0.95x20")],
        [(f'vllm:kv_cache_usage_perc{{{LLAMA},pod="{VLLM_POD}"}}', "0.6x20")],
        "15m",
        {"severity": "warning", "platform": "acme", "model_name": "llama-3.1-8b"},
        {
            "summary": "Model llama-3.1-8b: the KV cache is nearly full",
            "description": "KV-cache usage of llama-3.1-8b is 95%; requests will be "
            "preempted. Lower `maxNumSeqs` or `maxModelLen`, or add replicas.",
        },
    ),
    Case(
        "ModelPreempting",
        [(f'vllm:num_preemptions_total{{{LLAMA},pod="{VLLM_POD}"}}', "0+60x30")],
        [(f'vllm:num_preemptions_total{{{LLAMA},pod="{VLLM_POD}"}}', "0x30")],
        "25m",
        {"severity": "warning", "platform": "acme", "model_name": "llama-3.1-8b"},
        {
            "summary": "Model llama-3.1-8b: requests are being preempted",
            "description": "vLLM preempts 1 requests per second of llama-3.1-8b for lack of "
            "KV-cache blocks, which recomputes their prompts.",
        },
    ),
    Case(
        "GatewayErrorRate",
        [
            (f"litellm_proxy_total_requests_metric_total{{{GATEWAY}}}", "0+600x15"),
            (
                f'litellm_proxy_failed_requests_metric_total{{{GATEWAY},exception_status="500"}}',
                "0+60x15",
            ),
        ],
        [
            (f"litellm_proxy_total_requests_metric_total{{{GATEWAY}}}", "0+600x15"),
            # Rate limiting is not a gateway error.
            (
                f'litellm_proxy_failed_requests_metric_total{{{GATEWAY},exception_status="429"}}',
                "0+300x15",
            ),
        ],
        "12m",
        {"severity": "critical", "platform": "acme"},
        {
            "summary": "The gateway fails too many requests",
            "description": "10% of gateway requests end in a 5xx error (more than 5%).",
        },
    ),
    Case(
        "ReconcilerStalled",
        [
            (
                f'shipyard_reconciler_stack_condition{{{RECONCILER},stack="prod",status="Stalled"}}',
                "1x25",
            )
        ],
        [
            (
                f'shipyard_reconciler_stack_condition{{{RECONCILER},stack="prod",status="Stalled"}}',
                "0x25",
            )
        ],
        "20m",
        {"severity": "critical", "platform": "acme", "stack": "prod"},
        {
            "summary": "Stack prod is Stalled",
            "description": "The reconciler gave up applying prod (a permanent failure, or "
            "retries exhausted); fix the commit or the stack, see `shipyard reconcile`.",
        },
    ),
    Case(
        "ReconcilerNoLeader",
        [(f'shipyard_reconciler_leader{{{RECONCILER},pod="reconciler-0"}}', "0x15")],
        [(f'shipyard_reconciler_leader{{{RECONCILER},pod="reconciler-0"}}', "1x15")],
        "13m",
        {"severity": "critical", "platform": "acme"},
        {
            "summary": "No reconciler replica holds the lease",
            "description": "Nothing applies new commits: no replica of the reconciler is leader.",
        },
    ),
    Case(
        "DriftFound",
        [(f'shipyard_reconciler_drift_found{{{RECONCILER},stack="prod"}}', "1x10")],
        [(f'shipyard_reconciler_drift_found{{{RECONCILER},stack="prod"}}', "0x10")],
        "8m",
        {"severity": "warning", "platform": "acme", "stack": "prod"},
        {
            "summary": "Stack prod has drifted from its blueprint",
            "description": "The reconciler's drift check found resources that differ from the "
            "last applied commit of prod.",
        },
    ),
    Case(
        "CacheServerDown",
        [
            (f'redis_up{{{CACHE},pod="cache-0"}}', "1x10"),
            (f'redis_up{{{CACHE},pod="cache-1"}}', "0x10"),
        ],
        [
            (f'redis_up{{{CACHE},pod="cache-0"}}', "1x10"),
            (f'redis_up{{{CACHE},pod="cache-1"}}', "1x10"),
        ],
        "8m",
        {"severity": "warning", "platform": "acme", "target": "cache", "pod": "cache-1"},
        {
            "summary": "Cache: the server in cache-1 does not answer",
            "description": "redis_exporter in cache-1 cannot reach its Valkey server; "
            "Sentinel fails a primary over, but the cache runs with one copy less.",
        },
    ),
    Case(
        "CacheRejectingConnections",
        [(f'redis_rejected_connections_total{{{CACHE},pod="cache-0"}}', "0+60x15")],
        [(f'redis_rejected_connections_total{{{CACHE},pod="cache-0"}}', "0x15")],
        "12m",
        {"severity": "warning", "platform": "acme", "target": "cache"},
        {
            "summary": "Cache refuses new connections",
            "description": "The cache rejects 1 connections per second (`maxclients` "
            "reached); its clients, the gateway among them, fail their calls to it.",
        },
    ),
    _down("AiGatewayDown", "ai-gateway", "AI gateway", "critical"),
    _down("PostgresDown", "postgres", "PostgreSQL", "warning"),
    _down("KafkaExporterDown", "kafka-exporter", "Kafka", "warning"),
    _down("ClickhouseDown", "clickhouse", "ClickHouse", "warning"),
    _down("RayDown", "ray", "Ray", "warning"),
    _down(
        "CacheDown",
        "cache",
        "Cache",
        "critical",
        " The gateway fails open: rate limits and keys are per replica.",
    ),
]


def _write_rules(directory: Path, args: MonitoringArgs) -> Path:
    path = directory / "rules.yaml"
    path.write_text(json.dumps({"groups": rule_groups(args)}, indent=2))
    return path


def _promtool(promtool: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(promtool), *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_every_alert_has_a_unit_test() -> None:
    rendered = {rule["alert"] for group in rule_groups(FULL) for rule in group["rules"]}
    assert rendered == {case.alert for case in CASES}


def test_groups_follow_what_is_declared() -> None:
    assert [group["name"] for group in rule_groups(FULL)] == [
        "shipyard-acme-serving",
        "shipyard-acme-gateway",
        "shipyard-acme-cache",
        "shipyard-acme-platform",
        "shipyard-acme-targets",
    ]
    only_models = FULL.model_copy(update={"targets": TARGETS[:1]})
    [serving] = rule_groups(only_models)
    # llama-8b has both SLOs and keeps replicas up; qwen has neither, and may scale to 0.
    assert [(r["alert"], r["labels"].get("model")) for r in serving["rules"]] == [
        ("ModelTtftSloBreached", "llama-8b"),
        ("ModelItlSloBreached", "llama-8b"),
        ("ModelDown", "llama-8b"),
        ("ModelQueueSaturated", None),
        ("ModelKvCachePressure", None),
        ("ModelPreempting", None),
    ]
    nothing = MonitoringArgs(namespace="llm", platform="acme")
    assert rule_groups(nothing) == []
    assert render_prometheus_rule(nothing, {}) is None


def test_slo_rule_reads_the_models_histogram_at_p95() -> None:
    [serving, *_] = rule_groups(FULL)
    ttft = serving["rules"][0]
    assert ttft["expr"] == (
        "histogram_quantile(0.95, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket"
        '{namespace="llm",shipyard_target="vllm",model_name="llama-3.1-8b"}[5m]))) > 0.8'
    )
    assert ttft["for"] == "10m"


def test_thresholds_come_from_the_args() -> None:
    args = FULL.model_copy(
        update={
            "alerts": FULL.alerts.model_copy(
                update={"queue_waiting_per_replica": 4, "kv_cache_usage": 0.8}
            )
        }
    )
    rules = {r["alert"]: r for group in rule_groups(args) for r in group["rules"]}
    assert rules["ModelQueueSaturated"]["expr"].endswith("> 4")
    assert rules["ModelKvCachePressure"]["expr"].endswith("> 0.8")


def test_the_prometheus_rule_carries_the_selector_labels() -> None:
    rule = render_prometheus_rule(FULL, {"release": "kube-prometheus-stack"})
    assert rule is not None
    assert rule["metadata"] == {
        "name": RULES_NAME,
        "namespace": "llm",
        "labels": {"release": "kube-prometheus-stack"},
    }
    assert rule["spec"]["groups"] == rule_groups(FULL)


def test_promtool_checks_the_rules(promtool: Path, tmp_path: Path) -> None:
    path = _write_rules(tmp_path, FULL)
    result = _promtool(promtool, "check", "rules", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    count = sum(len(group["rules"]) for group in rule_groups(FULL))
    assert f"SUCCESS: {count} rules found" in result.stdout + result.stderr


def test_promtool_refuses_a_broken_rule(promtool: Path, tmp_path: Path) -> None:
    """A control: the check can fail."""
    groups = rule_groups(FULL)
    groups[0]["rules"][0]["expr"] = "histogram_quantile(0.95, sum by (le) (rate(x[5m]))"
    path = tmp_path / "rules.yaml"
    path.write_text(json.dumps({"groups": groups}))
    result = _promtool(promtool, "check", "rules", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "could not parse expression" in result.stdout + result.stderr


def _unit_test(case: Case, series: list[tuple[str, str]], alerts: list[dict[str, Any]]) -> Any:
    return {
        "interval": "1m",
        "input_series": [{"series": name, "values": values} for name, values in series],
        "alert_rule_test": [{"eval_time": case.at, "alertname": case.alert, "exp_alerts": alerts}],
    }


@pytest.mark.parametrize("case", CASES, ids=[case.alert for case in CASES])
def test_the_alert_fires_on_a_synthetic_series(case: Case, promtool: Path, tmp_path: Path) -> None:
    _write_rules(tmp_path, FULL)
    expected = {"exp_labels": case.labels, "exp_annotations": case.annotations}
    tests = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            _unit_test(case, case.firing, [expected]),
            _unit_test(case, case.healthy, []),
        ],
    }
    (tmp_path / "test.yaml").write_text(json.dumps(tests, indent=2))
    result = _promtool(promtool, "test", "rules", "test.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_models_without_slos_get_no_slo_alerts() -> None:
    args = FULL.model_copy(update={"models": MODELS[1:]})
    names = {r["alert"] for group in rule_groups(args) for r in group["rules"]}
    assert not names & {"ModelTtftSloBreached", "ModelItlSloBreached", "ModelDown"}
