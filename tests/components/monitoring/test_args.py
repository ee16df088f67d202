"""`MonitoringArgs` refuse what would render broken objects, naming the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.monitoring.args import AlertThresholds, MonitoringArgs, ServedModel
from tests.components.monitoring.conftest import FULL, TARGETS, target


def test_target_names_are_unique() -> None:
    with pytest.raises(ValidationError, match=r"`targets` name vllm more than once"):
        MonitoringArgs(namespace="llm", platform="acme", targets=(TARGETS[0], TARGETS[0]))


def test_the_exporter_must_be_known() -> None:
    with pytest.raises(ValidationError, match=r"unknown exporter `statsd`; known: clickhouse"):
        MonitoringArgs(namespace="llm", platform="acme", targets=(target("x", "statsd"),))


def test_models_need_the_vllm_target() -> None:
    with pytest.raises(ValidationError, match=r"need a target with exporter `vllm`"):
        MonitoringArgs(
            namespace="llm", platform="acme", models=(ServedModel(name="m", served_name="m"),)
        )


def test_isolated_targets_live_in_the_platforms_namespace() -> None:
    elsewhere = target("op", "clickhouse", namespace="ops", isolated=True)
    with pytest.raises(ValidationError, match=r"target `op`: `isolated` admits scrapers only"):
        MonitoringArgs(namespace="llm", platform="acme", targets=(elsewhere,))


def test_values_follow_kubernetes_and_prometheus_rules() -> None:
    with pytest.raises(ValidationError, match=r"'http_port' is not a port name"):
        target("x", "vllm", port="http_port")
    with pytest.raises(ValidationError, match=r"`5 minutes` is not a duration"):
        AlertThresholds(slo_for="5 minutes")
    with pytest.raises(ValidationError, match=r"less than or equal to 1"):
        AlertThresholds(kv_cache_usage=1.5)
    assert FULL.target_of("litellm") == TARGETS[1]
    assert FULL.target_of("nothing") is None
