"""The gateway's request logs through LiteLLM's `generic_api` callback: config, env, egress."""

from __future__ import annotations

import json

import pytest

from components.gateway.args import EgressPeer, GatewayArgs, GatewayBackend, UsageLogging
from components.gateway.config import render_gateway_config
from components.gateway.manifests import render_deployment, render_network_policy
from components.shared.secret_refs import SecretKeyRef

ENDPOINT = (
    "http://clickhouse-analytics.llm.svc.cluster.local:8123/"
    "?query=INSERT+INTO+llm_logs.request_log+FORMAT+JSONEachRow"
)
LOGGING = UsageLogging(
    endpoint=ENDPOINT,
    headers_secret=SecretKeyRef(name="analytics-gateway-credentials", key="http-headers"),
    peer=EgressPeer(pod_labels={"clickhouse.altinity.com/chi": "analytics"}, port=8123),
)
ARGS = GatewayArgs(
    namespace="llm",
    backends=(
        GatewayBackend(
            served_name="qwen",
            api_base="http://qwen.llm.svc.cluster.local:8000/v1",
            pod_labels={"app.kubernetes.io/instance": "qwen"},
            port=8000,
        ),
    ),
    usage_logging=LOGGING,
)


def test_the_callback_logs_successes_and_failures() -> None:
    settings = render_gateway_config(ARGS)["litellm_settings"]
    assert settings["success_callback"] == ["generic_api"]
    assert settings["failure_callback"] == ["generic_api"]
    without = render_gateway_config(ARGS.model_copy(update={"usage_logging": None}))
    assert "success_callback" not in without["litellm_settings"]


def test_the_endpoint_is_plain_and_the_headers_come_from_the_secret() -> None:
    [container] = render_deployment("ai-gateway", ARGS)["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["GENERIC_LOGGER_ENDPOINT"] == {"name": "GENERIC_LOGGER_ENDPOINT", "value": ENDPOINT}
    assert env["GENERIC_LOGGER_HEADERS"]["valueFrom"] == {
        "secretKeyRef": {"name": "analytics-gateway-credentials", "key": "http-headers"}
    }
    assert "envFrom" not in container
    # The config (a ConfigMap) never holds the headers.
    assert "X-ClickHouse" not in json.dumps(render_gateway_config(ARGS))


def test_egress_reaches_clickhouse_only_on_its_http_port() -> None:
    egress = render_network_policy("ai-gateway", ARGS)["spec"]["egress"]
    assert egress[-1] == {
        "to": [{"podSelector": {"matchLabels": {"clickhouse.altinity.com/chi": "analytics"}}}],
        "ports": [{"port": 8123, "protocol": "TCP"}],
    }


def test_the_endpoint_must_be_a_url() -> None:
    with pytest.raises(ValueError, match="should match pattern"):
        UsageLogging.model_validate({**LOGGING.model_dump(), "endpoint": "clickhouse:8123"})
