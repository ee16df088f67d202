"""The router's manifests as plain data: its flags per policy and mode, its RBAC, its pod
and its NetworkPolicy."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.shared.scheduling import PoolScheduling, Taint
from components.vllm_router.args import ROUTER_IMAGE, PrefillDecode, VllmRouterArgs
from components.vllm_router.manifests import (
    render_deployment,
    render_network_policy,
    render_pod_disruption_budget,
    render_role,
    render_role_binding,
    render_router_args,
    render_service,
    router_url,
)

SYSTEM = PoolScheduling(pool="system", node_selector={"shipyard.dev/pool": "system"})
GPU = PoolScheduling(
    pool="gpu",
    node_selector={"shipyard.dev/pool": "gpu"},
    taints=(Taint(key="nvidia.com/gpu", value="present"),),
    gpus_per_node=8,
)
SERVERS = {"app.kubernetes.io/instance": "llama-70b", "app.kubernetes.io/name": "vllm"}


def make_args(**overrides: Any) -> VllmRouterArgs:
    fields: dict[str, Any] = {
        "namespace": "llm",
        "served_model_name": "llama-3.3-70b-instruct",
        "scheduling": SYSTEM,
        "policy": "cache_aware",
        "worker_selector": SERVERS,
    }
    return VllmRouterArgs(**{**fields, **overrides})


def test_regular_mode_discovers_the_model_pods_by_label() -> None:
    assert render_router_args(make_args()) == [
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
        "--policy",
        "cache_aware",
        "--service-discovery",
        "--service-discovery-namespace",
        "llm",
        "--service-discovery-port",
        "8000",
        "--selector",
        "app.kubernetes.io/instance=llama-70b",
        "app.kubernetes.io/name=vllm",
        "--prometheus-host",
        "0.0.0.0",
        "--prometheus-port",
        "29000",
    ]


def test_prefill_decode_mode_selects_each_role() -> None:
    args = make_args(
        worker_selector={},
        policy="round_robin",
        prefill_decode=PrefillDecode(
            prefill_selector={"app.kubernetes.io/instance": "big-prefill"},
            decode_selector={"app.kubernetes.io/instance": "big-decode"},
        ),
    )
    rendered = render_router_args(args)
    assert "--selector" not in rendered
    start = rendered.index("--vllm-pd-disaggregation")
    assert rendered[start : start + 7] == [
        "--vllm-pd-disaggregation",
        "--kv-connector",
        "nixl",
        "--prefill-selector",
        "app.kubernetes.io/instance=big-prefill",
        "--decode-selector",
        "app.kubernetes.io/instance=big-decode",
    ]


def test_exactly_one_mode() -> None:
    with pytest.raises(ValidationError, match="exactly one of `worker_selector`"):
        make_args(worker_selector={})
    with pytest.raises(ValidationError, match="exactly one of `worker_selector`"):
        make_args(
            prefill_decode=PrefillDecode(prefill_selector={"a": "p"}, decode_selector={"a": "d"})
        )


def test_unpinned_image_is_refused() -> None:
    with pytest.raises(ValidationError, match="uses `latest`"):
        make_args(image="vllm/vllm-router:latest")


def test_deployment_is_restricted_pinned_and_on_its_pool() -> None:
    deployment = render_deployment("llama-70b-router", make_args(scheduling=GPU, replicas=2))
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    [container] = pod["containers"]
    assert spec["replicas"] == 2
    assert container["image"] == ROUTER_IMAGE == "vllm/vllm-router:nightly-20260710-b93cbcb"
    assert container["command"] == ["vllm-router"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["serviceAccountName"] == "llama-70b-router"
    assert pod["automountServiceAccountToken"] is True
    assert pod["nodeSelector"] == {"shipyard.dev/pool": "gpu"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "effect": "NoSchedule", "operator": "Equal", "value": "present"}
    ]
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"memory": "1Gi"},
    }
    assert container["readinessProbe"]["httpGet"] == {"path": "/readiness", "port": "http"}
    assert "nvidia.com/gpu" not in container["resources"]["requests"]


def test_role_reads_pods_only() -> None:
    role = render_role("llama-70b-router", make_args())
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}
    ]
    binding = render_role_binding("llama-70b-router", make_args())
    assert binding["roleRef"]["name"] == "llama-70b-router"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "llama-70b-router", "namespace": "llm"}
    ]


def test_network_policy_admits_the_gateway_and_the_scrapers_on_their_ports() -> None:
    policy = render_network_policy("llama-70b-router", make_args())
    assert policy["spec"]["podSelector"] == {
        "matchLabels": {
            "app.kubernetes.io/name": "vllm-router",
            "app.kubernetes.io/instance": "llama-70b-router",
        }
    }
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "ai-gateway"}}}
            ],
            "ports": [{"port": 8000, "protocol": "TCP"}],
        },
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    }
                }
            ],
            "ports": [{"port": 29000, "protocol": "TCP"}],
        },
    ]


def test_service_pdb_and_url() -> None:
    service = render_service("llama-70b-router", make_args())
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}
    ]
    assert render_pod_disruption_budget("r", make_args(replicas=2))["spec"]["minAvailable"] == 1
    assert render_pod_disruption_budget("r", make_args())["spec"]["maxUnavailable"] == 1
    assert router_url("llama-70b-router", "llm") == (
        "http://llama-70b-router.llm.svc.cluster.local:8000/v1"
    )
