"""`render_gateway_config` and the gateway manifests, as plain data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from components.gateway.args import (
    LITELLM_IMAGE,
    CertManagerIssuer,
    EgressPeer,
    Exposure,
    GatewayArgs,
    GatewayBackend,
    GatewayTls,
    Limits,
    VirtualKeys,
)
from components.gateway.config import render_config_text, render_gateway_config
from components.gateway.manifests import (
    render_deployment,
    render_ingress,
    render_network_policy,
    render_pod_disruption_budget,
)
from components.shared.secret_refs import SecretKeyRef

KUBE_SYSTEM = {"kubernetes.io/metadata.name": "kube-system"}


def backend(served: str, **fields: Any) -> GatewayBackend:
    return GatewayBackend(
        served_name=served,
        api_base=f"http://{served}.llm.svc.cluster.local:8000/v1",
        pod_labels={"app.kubernetes.io/name": "vllm", "app.kubernetes.io/instance": served},
        port=8000,
        **fields,
    )


def make_args(**overrides: Any) -> GatewayArgs:
    fields: dict[str, Any] = {
        "namespace": "llm",
        "backends": (
            backend(
                "llama-70b",
                aliases=("default",),
                fallbacks=("llama-8b",),
                limits=Limits(rpm=100, tpm=50_000),
            ),
            backend("llama-8b"),
        ),
        "key_limits": Limits(rpm=10),
        "retries": 1,
        "timeout_seconds": 120,
    }
    return GatewayArgs(**{**fields, **overrides})


def test_config_routes_every_model_by_its_served_name() -> None:
    assert render_gateway_config(make_args()) == {
        "model_list": [
            {
                "model_name": "llama-70b",
                "litellm_params": {
                    "model": "hosted_vllm/llama-70b",
                    "api_base": "http://llama-70b.llm.svc.cluster.local:8000/v1",
                    "api_key": "unused",
                    "timeout": 120,
                    "rpm": 100,
                    "tpm": 50_000,
                },
            },
            {
                "model_name": "llama-8b",
                "litellm_params": {
                    "model": "hosted_vllm/llama-8b",
                    "api_base": "http://llama-8b.llm.svc.cluster.local:8000/v1",
                    "api_key": "unused",
                    "timeout": 120,
                },
            },
        ],
        "router_settings": {
            "num_retries": 1,
            "timeout": 120,
            "model_group_alias": {"default": "llama-70b"},
            "fallbacks": [{"llama-70b": ["llama-8b"]}],
            "optional_pre_call_checks": ["enforce_model_rate_limits"],
        },
        "litellm_settings": {
            "drop_params": True,
            "request_timeout": 120,
            "default_key_generate_params": {"rpm_limit": 10},
            "upperbound_key_generate_params": {"rpm_limit": 10},
        },
        "general_settings": {"master_key": "os.environ/LITELLM_MASTER_KEY"},
    }


def test_config_text_is_sorted_and_holds_no_secret() -> None:
    text = render_config_text(make_args())
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert "sk-" not in text


def test_virtual_keys_read_the_database_url_from_the_environment() -> None:
    keys = VirtualKeys(
        database_url_secret=SecretKeyRef(name="litellm-db", key="url"),
        database=EgressPeer(pod_labels={"app": "postgres"}, port=5432),
    )
    config = render_gateway_config(make_args(virtual_keys=keys))
    assert config["general_settings"]["database_url"] == "os.environ/DATABASE_URL"
    [container] = render_deployment("gw", make_args(virtual_keys=keys))["spec"]["template"]["spec"][
        "containers"
    ]
    assert {
        "name": "DATABASE_URL",
        "valueFrom": {"secretKeyRef": {"name": "litellm-db", "key": "url"}},
    } in container["env"]
    egress = render_network_policy("gw", make_args(virtual_keys=keys))["spec"]["egress"]
    assert egress[-1] == {
        "to": [{"podSelector": {"matchLabels": {"app": "postgres"}}}],
        "ports": [{"port": 5432, "protocol": "TCP"}],
    }


def test_deployment_is_pinned_non_root_and_reads_the_master_key_from_its_secret() -> None:
    deployment = render_deployment("gw", make_args())
    pod = deployment["spec"]["template"]
    [container] = pod["spec"]["containers"]
    assert container["image"] == LITELLM_IMAGE == "ghcr.io/berriai/litellm-non_root:v1.83.14-stable"
    assert pod["metadata"]["labels"]["app.kubernetes.io/component"] == "ai-gateway"
    assert deployment["spec"]["replicas"] == 2
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/liveliness"
    assert {
        "name": "LITELLM_MASTER_KEY",
        "valueFrom": {"secretKeyRef": {"name": "gw-master-key", "key": "master-key"}},
    } in container["env"]
    assert {"name": "DISABLE_ADMIN_UI", "value": "True"} in container["env"]
    assert len(pod["metadata"]["annotations"]["shipyard.dev/config-sha256"]) == 64


def test_network_policy_reaches_only_the_models_and_dns() -> None:
    policy = render_network_policy("gw", make_args())["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert [rule["to"] for rule in policy["egress"]] == [
        [
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                },
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
        [
            {
                "podSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "vllm",
                        "app.kubernetes.io/instance": "llama-70b",
                    }
                }
            }
        ],
        [
            {
                "podSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "vllm",
                        "app.kubernetes.io/instance": "llama-8b",
                    }
                }
            }
        ],
    ]
    assert policy["egress"][1]["ports"] == [{"port": 8000, "protocol": "TCP"}]


def test_pdb_never_blocks_a_drain_of_a_single_replica() -> None:
    assert render_pod_disruption_budget("gw", make_args())["spec"]["minAvailable"] == 1
    single = render_pod_disruption_budget("gw", make_args(replicas=1))["spec"]
    assert single["maxUnavailable"] == 1 and "minAvailable" not in single


def test_ingress_serves_only_the_api_with_tls_from_cert_manager() -> None:
    exposure = Exposure(
        kind="ingress",
        host="llm.example.com",
        ingress_class_name="nginx",
        tls=GatewayTls(cert_manager_issuer=CertManagerIssuer(name="letsencrypt")),
    )
    ingress = render_ingress("gw", make_args(exposure=exposure))
    assert ingress is not None
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    assert ingress["spec"]["tls"] == [{"hosts": ["llm.example.com"], "secretName": "gw-tls"}]
    [rule] = ingress["spec"]["rules"]
    assert [path["path"] for path in rule["http"]["paths"]] == ["/v1"]


def test_args_reject_unsafe_exposure_and_unknown_fallbacks() -> None:
    with pytest.raises(ValidationError, match=r"`exposure.tls`: a public endpoint requires TLS"):
        make_args(exposure=Exposure(kind="ingress", host="llm.example.com"))
    with pytest.raises(ValidationError, match=r"`fallbacks` of `llama-8b` name unknown model"):
        make_args(backends=(backend("llama-8b", fallbacks=("gpt-4",)),))
    with pytest.raises(ValidationError, match=r"greater than 0"):
        Limits(rpm=0)


def test_prometheus_metrics_turn_on_litellms_prometheus_callback() -> None:
    assert "callbacks" not in render_gateway_config(make_args())["litellm_settings"]
    settings = render_gateway_config(make_args(prometheus_metrics=True))["litellm_settings"]
    assert settings["callbacks"] == ["prometheus"]
    # The request-log callbacks are separate lists and stay as they were.
    assert "success_callback" not in settings
