"""The scrape objects: PodMonitors, ServiceMonitors and the PrometheusRule against the
Prometheus Operator's real CRDs (v0.85.0, closed to unknown fields), the NetworkPolicies
against Kubernetes' schema, and the plain scrape config through `promtool check config`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import pytest

from components.monitoring.args import MonitoringArgs
from components.monitoring.manifests import render_objects, render_plain_config_map
from components.monitoring.monitors import (
    RULES_KEY,
    SCRAPE_CONFIGS_KEY,
    render_monitor,
    render_network_policy,
    render_scrape_config,
)
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate
from tests.components.monitoring.conftest import FULL, TARGETS, target

KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
CRD_FILES = {
    "monitoring.coreos.com_podmonitors.yaml",
    "monitoring.coreos.com_servicemonitors.yaml",
    "monitoring.coreos.com_prometheusrules.yaml",
}


def _python_patterns(schema: Any) -> Any:
    """The schema with Go regex flags moved first: RE2 takes `^(?i)...`, Python only
    `(?i)^...` (the PrometheusRule CRD's `partial_response_strategy`)."""
    if isinstance(schema, dict):
        return {
            key: value.replace("^(?i)", "(?i)^")
            if key == "pattern" and isinstance(value, str)
            else _python_patterns(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_python_patterns(item) for item in schema]
    return schema


@pytest.fixture(scope="module")
def schemas() -> Schemas:
    loaded = load_schemas(crd_paths("prometheus-operator"), CRD_FILES)
    return {key: _python_patterns(schema) for key, schema in loaded.items()}


def test_every_monitor_and_the_rule_validate_against_the_operators_crds(
    schemas: Schemas,
) -> None:
    objects = render_objects(FULL)
    kinds = sorted({o["kind"] for o in objects if o["apiVersion"] == "monitoring.coreos.com/v1"})
    assert kinds == ["PodMonitor", "PrometheusRule", "ServiceMonitor"]
    for manifest in objects:
        if manifest["apiVersion"] == "monitoring.coreos.com/v1":
            validate(manifest, schemas)


def test_the_crd_schema_catches_a_misspelt_field(schemas: Schemas) -> None:
    """A control: the closed schema refuses what the API server would silently prune."""
    monitor = render_monitor(TARGETS[0], FULL)
    monitor["spec"]["podMetricsEndpoints"][0]["intervall"] = "30s"
    with pytest.raises(jsonschema.ValidationError, match="intervall"):
        validate(monitor, schemas)


def test_a_pod_monitor_selects_the_pods_and_labels_their_series() -> None:
    assert render_monitor(TARGETS[0], FULL) == {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {
            "name": "vllm-metrics",
            "namespace": "llm",
            "labels": {
                "app.kubernetes.io/name": "shipyard-monitoring",
                "app.kubernetes.io/instance": "acme",
                "app.kubernetes.io/component": "scrape",
                "app.kubernetes.io/managed-by": "shipyard",
                "release": "kube-prometheus-stack",
            },
        },
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": "vllm"}},
            "podMetricsEndpoints": [
                {
                    "port": "http",
                    "path": "/metrics",
                    "interval": "30s",
                    "relabelings": [
                        {
                            "action": "replace",
                            "targetLabel": "shipyard_target",
                            "replacement": "vllm",
                        }
                    ],
                }
            ],
        },
    }


def test_a_service_target_gets_a_service_monitor_and_another_namespace_a_selector() -> None:
    gateway = render_monitor(TARGETS[1], FULL)
    assert gateway["kind"] == "ServiceMonitor"
    assert gateway["spec"]["endpoints"][0]["port"] == "http"
    assert "podMetricsEndpoints" not in gateway["spec"]
    elsewhere = render_monitor(target("op", "clickhouse", namespace="ops"), FULL)
    assert elsewhere["spec"]["namespaceSelector"] == {"matchNames": ["ops"]}
    assert "namespaceSelector" not in gateway["spec"]


def test_isolated_pods_admit_the_prometheus_namespace_on_the_metrics_port_only() -> None:
    policy = render_network_policy(TARGETS[2], FULL)
    assert policy is not None
    kubernetes_validate.validate(policy, KUBERNETES_VERSION, strict=True)
    assert policy["spec"] == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "postgres"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                        }
                    }
                ],
                "ports": [{"port": "metrics", "protocol": "TCP"}],
            }
        ],
    }
    # Pods no policy isolates get none: a new policy would cut off their other traffic.
    assert render_network_policy(TARGETS[5], FULL) is None
    isolated = sorted(
        o["metadata"]["name"] for o in render_objects(FULL) if o["kind"] == "NetworkPolicy"
    )
    assert isolated == ["clickhouse-metrics", "postgres-metrics", "vllm-metrics"]


def test_every_rendered_builtin_object_validates_against_kubernetes() -> None:
    for manifest in [*render_objects(FULL), render_plain_config_map(FULL)]:
        if manifest["apiVersion"] in ("v1", "networking.k8s.io/v1"):
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_a_plain_prometheus_gets_one_config_map_and_no_crds() -> None:
    plain = FULL.model_copy(update={"prometheus": "plain"})
    objects = render_objects(plain)
    assert not [o for o in objects if o["apiVersion"] == "monitoring.coreos.com/v1"]
    [config] = [o for o in objects if o["metadata"]["name"] == "shipyard-prometheus"]
    jobs = json.loads(config["data"][SCRAPE_CONFIGS_KEY])
    assert [job["job_name"] for job in jobs] == [f"llm/{t.name}" for t in TARGETS]
    assert json.loads(config["data"][RULES_KEY])["groups"][0]["name"] == "shipyard-acme-serving"


def test_a_scrape_job_keeps_the_targets_pods_and_port() -> None:
    job = render_scrape_config(TARGETS[3], FULL)
    assert job["kubernetes_sd_configs"] == [{"role": "pod", "namespaces": {"names": ["llm"]}}]
    assert job["relabel_configs"][:2] == [
        {
            "action": "keep",
            "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
            "regex": "kafka\\-exporter",
        },
        {
            "action": "keep",
            "source_labels": ["__meta_kubernetes_pod_container_port_name"],
            "regex": "tcp\\-prometheus",
        },
    ]
    assert job["relabel_configs"][-1] == {
        "action": "replace",
        "target_label": "shipyard_target",
        "replacement": "kafka-exporter",
    }
    service = render_scrape_config(TARGETS[1], FULL)
    assert service["kubernetes_sd_configs"][0]["role"] == "endpoints"
    assert service["relabel_configs"][0]["source_labels"] == [
        "__meta_kubernetes_service_label_app_kubernetes_io_name"
    ]


def test_promtool_accepts_the_plain_scrape_config_and_rules(promtool: Path, tmp_path: Path) -> None:
    """The real `promtool check config` on a Prometheus config holding the generated jobs
    and rule file. Debian's promtool (what scripts/promtool installs by default) is built
    without Kubernetes service discovery (`field kubernetes_sd_configs not found in type
    config.ScrapeConfig`), so each job is checked with a static target in place of its
    discovery block, and that block is asserted exactly above; the Go build
    (`SHIPYARD_PROMTOOL_SOURCE=go scripts/promtool`) accepts the jobs as they are."""
    config = render_plain_config_map(FULL.model_copy(update={"prometheus": "plain"}))
    (tmp_path / "rules.yaml").write_text(config["data"][RULES_KEY])
    jobs = json.loads(config["data"][SCRAPE_CONFIGS_KEY])
    for job in jobs:
        assert job.pop("kubernetes_sd_configs")[0]["namespaces"] == {"names": ["llm"]}
        job["static_configs"] = [{"targets": ["127.0.0.1:9"]}]
    prometheus = {
        "global": {"scrape_interval": "30s"},
        "rule_files": ["rules.yaml"],
        "scrape_configs": jobs,
    }
    (tmp_path / "prometheus.yml").write_text(json.dumps(prometheus))
    result = subprocess.run(
        [str(promtool), "check", "config", "prometheus.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "SUCCESS" in output and "rules.yaml" in output
    # A control: a relabelling action Prometheus does not have is refused.
    jobs[0]["relabel_configs"][0]["action"] = "keepp"
    (tmp_path / "prometheus.yml").write_text(json.dumps(prometheus))
    refused = subprocess.run(
        [str(promtool), "check", "config", "prometheus.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "keepp" in refused.stdout + refused.stderr


def _plain(args: MonitoringArgs) -> dict[str, Any]:
    return render_plain_config_map(args.model_copy(update={"prometheus": "plain"}))


def test_plain_config_is_stable_text() -> None:
    assert _plain(FULL) == _plain(FULL)
    text = _plain(FULL)["data"][SCRAPE_CONFIGS_KEY]
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
