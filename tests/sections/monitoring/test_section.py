"""`spec.monitoring`: what every section reports to scrape, the component arguments, the
checks at FILE:LINE:COL, and what monitoring turns on in the other components."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from components.cache.manifests import render_stateful_set
from components.clickhouse.manifests import render_installation
from components.gateway.config import render_gateway_config
from components.kafka.manifests import render_kafka
from shipyard.blueprint import load_blueprint
from shipyard.sections.analytics.args import clickhouse_args
from shipyard.sections.cache.args import valkey_cache_args
from shipyard.sections.events.args import events_args
from shipyard.sections.gateway.args import gateway_args
from shipyard.sections.monitoring.args import monitoring_args, scrape_targets
from tests.blueprint.located import line_column, load_problems, load_text, located_at

ROOT = Path(__file__).resolve().parents[3]
FILE = "monitored.yaml"
BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: acme, environment: dev}
spec:
  cluster: {kind: local}
  namespace: llm
  nodePools:
    - name: gpu
      gpu: {type: nvidia-l4, count: 1}
      size: {min: 1, max: 2}
  models:
    - name: small
      model: Qwen/Qwen2.5-0.5B-Instruct
      nodePool: gpu
      maxModelLen: 8192
      slo: {ttftP95Ms: 500}
  monitoring:
    prometheus: {type: operator, selectorLabels: {release: prom}}
"""

at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_prod_scrapes_every_section_it_declares() -> None:
    platform = load_blueprint(ROOT / "blueprints" / "prod.yaml")
    targets = {t.name: t for t in scrape_targets(platform)}
    assert [(t.name, t.exporter, t.kind, t.port, t.isolated) for t in targets.values()] == [
        ("vllm", "vllm", "pod", "http", True),
        ("cache", "redis", "pod", "metrics", True),
        ("ai-gateway", "litellm", "service", "http", True),
        ("ray", "ray", "pod", "metrics", True),
        ("postgres", "cnpg", "pod", "metrics", True),
        ("analytics", "clickhouse", "pod", "metrics", True),
        ("events-kafka-exporter", "kafka-exporter", "pod", "tcp-prometheus", False),
    ]
    assert targets["postgres"].selector == {
        "cnpg.io/cluster": "postgres",
        "cnpg.io/podRole": "instance",
    }
    assert targets["events-kafka-exporter"].selector == {
        "strimzi.io/cluster": "events",
        "strimzi.io/name": "events-kafka-exporter",
    }
    assert targets["ray"].selector == {"ray.io/is-ray-node": "yes"}
    # The Valkey pods, where redis_exporter runs beside each server (not HAProxy's).
    assert targets["cache"].selector == {
        "app.kubernetes.io/name": "valkey",
        "app.kubernetes.io/instance": "cache",
        "app.kubernetes.io/component": "cache",
    }
    assert targets["cache"].down_severity == "critical"
    cache = valkey_cache_args(platform)
    assert cache is not None and cache.metrics is True
    containers = render_stateful_set("cache", cache)["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["valkey", "sentinel", "metrics"]
    assert targets["analytics"].selector == {"clickhouse.altinity.com/chi": "analytics"}
    args = monitoring_args(platform)
    assert args is not None
    assert (args.namespace, args.platform, args.prometheus, args.prometheus_namespace) == (
        "llm",
        "shipyard-prod",
        "operator",
        "monitoring",
    )
    assert args.selector_labels == {"release": "kube-prometheus-stack"}
    assert args.grafana_folder == "LLM platform"
    assert args.alerts.queue_waiting_per_replica == 16
    slos = {m.name: (m.ttft_p95_seconds, m.itl_p95_seconds, m.min_replicas) for m in args.models}
    assert slos == {
        "llama-8b": (0.8, 0.06, 2),
        "qwen-7b-awq": (None, None, 2),
        "llama-70b": (1.5, 0.08, 2),
        "qwen-32b": (None, None, 1),
    }


def test_the_reconciler_is_a_target_when_declared(tmp_path: Path) -> None:
    gitops = """\
  gitops:
    repo: https://github.com/acme/platform.git
    branch: main
    stacks: [dev]
    image: registry.example/acme/shipyard-reconciler:0.1.0
    pulumi: {backendUrl: s3://acme-pulumi-state, passphraseSecret: {name: pass}}
"""
    args = monitoring_args(load(tmp_path, BASE + gitops))
    assert args is not None
    reconciler = args.targets[-1]
    assert (reconciler.name, reconciler.exporter, reconciler.port) == (
        "shipyard-reconciler",
        "shipyard-reconciler",
        "http",
    )
    assert reconciler.selector == {
        "app.kubernetes.io/name": "shipyard-reconciler",
        "app.kubernetes.io/instance": "shipyard-reconciler",
    }


def test_without_monitoring_nothing_is_rendered_or_turned_on(tmp_path: Path) -> None:
    platform = load(
        tmp_path, BASE.replace("      slo: {ttftP95Ms: 500}\n", "").split("  monitoring:")[0]
    )
    assert monitoring_args(platform) is None
    prod = load_blueprint(ROOT / "blueprints" / "prod.yaml")
    bare = prod.model_copy(update={"spec": prod.spec.model_copy(update={"monitoring": None})})
    gateway = gateway_args(bare)
    assert (
        gateway is not None
        and "callbacks" not in render_gateway_config(gateway)["litellm_settings"]
    )
    events = events_args(bare)
    assert events is not None and "kafkaExporter" not in render_kafka("events", events)["spec"]
    analytics = clickhouse_args(bare)
    assert analytics is not None
    assert "settings" not in render_installation("analytics", analytics)["spec"]["configuration"]


def test_monitoring_turns_on_each_components_metrics() -> None:
    prod = load_blueprint(ROOT / "blueprints" / "prod.yaml")
    gateway = gateway_args(prod)
    assert gateway is not None
    assert render_gateway_config(gateway)["litellm_settings"]["callbacks"] == ["prometheus"]
    events = events_args(prod)
    assert events is not None
    exporter = render_kafka("events", events)["spec"]["kafkaExporter"]
    assert (exporter["topicRegex"], exporter["groupRegex"]) == (".*", ".*")
    assert exporter["template"]["pod"]["securityContext"]["runAsNonRoot"] is True
    assert exporter["template"]["container"]["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    analytics = clickhouse_args(prod)
    assert analytics is not None
    chi = render_installation("analytics", analytics)["spec"]
    assert chi["configuration"]["settings"] == {
        "prometheus/endpoint": "/metrics",
        "prometheus/port": 9363,
        "prometheus/metrics": "true",
        "prometheus/events": "true",
        "prometheus/asynchronous_metrics": "true",
    }
    [container] = chi["templates"]["podTemplates"][0]["spec"]["containers"]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9363, "protocol": "TCP"}]


def test_base_becomes_monitoring_args(tmp_path: Path) -> None:
    args = monitoring_args(load(tmp_path, BASE))
    assert args is not None
    assert [t.name for t in args.targets] == ["vllm"]
    assert args.selector_labels == {"release": "prom"}
    [model] = args.models
    assert (model.served_name, model.ttft_p95_seconds, model.itl_p95_seconds) == (
        "small",
        0.5,
        None,
    )
    plain = monitoring_args(
        load(
            tmp_path,
            BASE.replace("{type: operator, selectorLabels: {release: prom}}", "{type: plain}"),
        )
    )
    assert plain is not None and plain.prometheus == "plain" and plain.selector_labels == {}


def test_an_slo_needs_monitoring(tmp_path: Path) -> None:
    text = BASE.split("  monitoring:")[0]
    assert problems(tmp_path, text) == [
        f"{at(text, 'slo:')}: spec.models[0].slo: an `slo` is alerted on by `spec.monitoring`; "
        "declare it, or remove `slo`"
    ]


def test_an_slo_sets_an_objective(tmp_path: Path) -> None:
    text = BASE.replace("slo: {ttftP95Ms: 500}", "slo: {}")
    assert problems(tmp_path, text) == [
        f"{at(text, 'slo:')}: spec.models[0].slo: `slo` sets no objective; set `ttftP95Ms` or "
        "`itlP95Ms`"
    ]


def test_prometheus_runs_outside_the_platforms_namespace(tmp_path: Path) -> None:
    text = BASE.replace(
        "{type: operator, selectorLabels", "{type: operator, namespace: llm, selectorLabels"
    )
    [problem] = problems(tmp_path, text)
    line, column = line_column(text, "namespace: llm,")
    assert problem.startswith(f"{FILE}:{line}:{column}: spec.monitoring.prometheus.namespace:")
    assert "not the platform's `llm`" in problem


def test_a_typo_and_a_bad_value_are_located(tmp_path: Path) -> None:
    text = BASE.replace(
        "selectorLabels: {release: prom}}",
        "selectorLabels: {release: prom}}\n    scrapeIntervall: 30s",
    )
    assert any("scrapeIntervall" in line for line in problems(tmp_path, text))
    text = BASE.replace(
        "{type: operator, selectorLabels: {release: prom}}",
        "{type: operator}\n    scrapeInterval: 30 s",
    )
    [problem] = problems(tmp_path, text)
    assert "spec.monitoring.scrapeInterval" in problem and "`30 s` is not a duration" in problem


def test_dashboards_of_prod_name_every_model() -> None:
    from components.monitoring.dashboards import dashboards

    args = monitoring_args(load_blueprint(ROOT / "blueprints" / "prod.yaml"))
    assert args is not None
    serving = dashboards(args)["serving"]
    rows = [p["title"] for p in serving["panels"] if p["type"] == "row"]
    assert rows == [
        "llama-8b (llama-3.1-8b-instruct)",
        "qwen-7b-awq (qwen2.5-7b-instruct)",
        "llama-70b (llama-3.3-70b-instruct)",
        "qwen-32b (qwen2.5-32b-instruct)",
    ]
    assert 'model_name=\\"llama-3.3-70b-instruct\\"' in json.dumps(serving)
