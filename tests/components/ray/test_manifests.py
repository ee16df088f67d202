"""The Ray cluster's NetworkPolicy, token authentication and dashboard address, as plain
data (security review, issue 22: High 3)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from components.ray.args import (
    KUBERAY_OPERATOR_POD_LABELS,
    RayClient,
    RayClusterArgs,
    ServeApplication,
    WorkerGroup,
)
from components.ray.manifests import (
    CLIENT_PORT,
    DASHBOARD_PORT,
    GCS_PORT,
    SERVE_PORT,
    render_custom_resource,
    render_network_policy,
)
from components.shared.scheduling import PoolScheduling
from tests.components.network_policy_eval import Pod, admits

POOL = PoolScheduling(pool="cpu", node_selector={"shipyard.dev/pool": "cpu"})
HEAD = Pod("llm", {"app.kubernetes.io/name": "ray", "app.kubernetes.io/instance": "ray"})
WORKER = Pod("llm", {**HEAD.labels, "ray.io/node-type": "worker"})
OPERATOR_HERE = Pod("llm", KUBERAY_OPERATOR_POD_LABELS)
OPERATOR_THERE = Pod("kuberay-system", KUBERAY_OPERATOR_POD_LABELS)
GATEWAY = Pod("llm", {"app.kubernetes.io/name": "litellm"})
TENANT = Pod("team-b", {"app": "notebook"})
NEIGHBOUR = Pod("llm", {"app.kubernetes.io/name": "portkey-backend"})


def make_args(**overrides: Any) -> RayClusterArgs:
    fields: dict[str, Any] = {
        "namespace": "llm",
        "worker_groups": (WorkerGroup(name="cpu", scheduling=POOL, max_replicas=2),),
    }
    return RayClusterArgs(**{**fields, **overrides})


def test_the_policy_selects_every_ray_pod_and_admits_only_declared_peers() -> None:
    args = make_args(
        clients=(RayClient(pod_labels={"app.kubernetes.io/name": "litellm"}, ports=(SERVE_PORT,)),)
    )
    policy = render_network_policy("ray", args)
    assert policy["metadata"]["namespace"] == "llm"
    # The workers carry the labels the policy selects (KubeRay copies the template's).
    cluster = render_custom_resource("ray", args)
    worker_labels = cluster["spec"]["workerGroupSpecs"][0]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= worker_labels.items()
    policies = [policy]
    for port in (GCS_PORT, DASHBOARD_PORT, CLIENT_PORT, SERVE_PORT, 52365):
        assert admits(policies, WORKER, HEAD, port)  # Ray's own pods: every port
        assert not admits(policies, TENANT, HEAD, port)
        assert not admits(policies, NEIGHBOUR, HEAD, port)
    assert admits(policies, OPERATOR_HERE, HEAD, DASHBOARD_PORT)
    assert not admits(policies, OPERATOR_HERE, HEAD, GCS_PORT)
    assert not admits(policies, OPERATOR_THERE, HEAD, DASHBOARD_PORT)
    assert admits(policies, GATEWAY, HEAD, SERVE_PORT)
    assert not admits(policies, GATEWAY, WORKER, CLIENT_PORT)
    assert not admits(policies, GATEWAY, HEAD, DASHBOARD_PORT)


def test_an_operator_in_its_own_namespace_is_admitted_there_only() -> None:
    policies = [render_network_policy("ray", make_args(operator_namespace="kuberay-system"))]
    assert admits(policies, OPERATOR_THERE, HEAD, DASHBOARD_PORT)
    assert not admits(policies, OPERATOR_HERE, HEAD, DASHBOARD_PORT)
    assert not admits(policies, Pod("kuberay-system", {"app": "other"}), HEAD, DASHBOARD_PORT)


def test_token_authentication_is_on_for_clusters_and_services() -> None:
    cluster = render_custom_resource("ray", make_args())
    assert cluster["spec"]["authOptions"] == {"mode": "token"}
    service = render_custom_resource(
        "ray", make_args(serve_applications=(ServeApplication(name="a", import_path="m:app"),))
    )
    assert service["spec"]["rayClusterConfig"]["authOptions"] == {"mode": "token"}


def test_the_dashboard_leaves_loopback_only_when_the_operator_needs_it() -> None:
    cluster = render_custom_resource("ray", make_args())
    assert cluster["spec"]["headGroupSpec"]["rayStartParams"]["dashboard-host"] == "127.0.0.1"
    service = render_custom_resource(
        "ray", make_args(serve_applications=(ServeApplication(name="a", import_path="m:app"),))
    )
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]
    assert head["rayStartParams"]["dashboard-host"] == "0.0.0.0"


def test_a_ray_without_token_authentication_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"Ray 2\.51\.1 has no token authentication"):
        make_args(ray_version="2.51.1")
