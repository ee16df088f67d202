"""A local chart (the test chart, `tests/sections/charts/fixtures/echo`) and a manifest file
applied to the real API server through the real engine, the real Kubernetes provider and
the stack program; a second `up` changes nothing.

The provider expands the `helm.v4.Chart` itself (its embedded Helm): the state holds each
of the chart's objects as its own resource, a child of the chart, as the offline render
showed them. The generated token comes from stack config: the random provider's plugin
cannot be built here."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from pulumi import automation as auto

from shipyard.render import render_blueprint

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = Path(__file__).parent / "blueprints" / "charts.yaml"
STACK_PROGRAM = REPO_ROOT / "stacks" / "__main__.py"
NAMESPACE = "charts-e2e"
CHART = "kubernetes:helm.sh/v4:Chart"


def changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {k: v for k, v in (summary or {}).items() if k != "same" and v}


def test_a_local_chart_and_a_manifest_go_up_and_stay_put(
    monkeypatch: pytest.MonkeyPatch, kube_cluster: str, kube_api: Any, pulumi_stack: Any
) -> None:
    rendered = render_blueprint(BLUEPRINT, REPO_ROOT, "e2e")
    [chart] = [r for r in rendered if r.type == CHART]
    offline = sorted((r.type, r.name) for r in rendered if r.parent == chart.urn)
    assert offline == [
        ("kubernetes:apps/v1:Deployment", "echo:charts-e2e/echo"),
        ("kubernetes:core/v1:Service", "echo:charts-e2e/echo"),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", "echo:charts-e2e/echo"),
    ]
    token = "e2e" + secrets.token_hex(16)
    monkeypatch.setenv("KUBECONFIG", kube_cluster)
    stack = pulumi_stack(
        "shipyard-charts",
        STACK_PROGRAM,
        config={
            "shipyard:blueprint": str(BLUEPRINT),
            "shipyard:credentials": auto.ConfigValue(
                value=json.dumps({"echo-api-token": token}), secret=True
            ),
        },
        stack="charts",
    )
    up = stack.up(on_output=print)
    assert up.summary.result == "succeeded"

    # The state: the chart's objects are resources of their own, children of the chart,
    # the same ones the offline render showed.
    resources = stack.export_stack().deployment["resources"]
    [chart_urn] = [r["urn"] for r in resources if r["type"] == CHART]
    deployed = sorted(
        (r["type"], r["urn"].rsplit("::", 1)[-1]) for r in resources if r.get("parent") == chart_urn
    )
    assert deployed == offline

    apps, core = client.AppsV1Api(kube_api), client.CoreV1Api(kube_api)
    deployment = apps.read_namespaced_deployment("echo", NAMESPACE)
    assert deployment.spec.replicas == 2
    [container] = deployment.spec.template.spec.containers
    assert container.image == "registry.example.com/shipyard-tests/echo:0.3.1@sha256:" + "e" * 64
    assert container.env[0].value_from.secret_key_ref.name == "echo-api"
    assert deployment.spec.template.spec.security_context.run_as_non_root is True
    service = core.read_namespaced_service("echo", NAMESPACE)
    assert [(p.port, p.target_port) for p in service.spec.ports] == [(80, "http")]
    secret = core.read_namespaced_secret("echo-api", NAMESPACE)
    assert base64.b64decode(secret.data["token"]).decode() == token

    # The manifest's CRD, its custom resource and the ConfigMap, in the platform's namespace.
    extensions = client.ApiextensionsV1Api(kube_api)
    crd = extensions.read_custom_resource_definition("widgets.tests.shipyard.dev")
    assert crd.spec.scope == "Namespaced"
    widget = client.CustomObjectsApi(kube_api).get_namespaced_custom_object(
        "tests.shipyard.dev", "v1", NAMESPACE, "widgets", "first"
    )
    assert widget["spec"] == {"size": 3}
    assert core.read_namespaced_config_map("widget-settings", NAMESPACE).data == {"colour": "blue"}

    # The app bound to the chart may reach its pods on the port behind the Service (8080).
    policy = client.NetworkingV1Api(kube_api).read_namespaced_network_policy("client", NAMESPACE)
    to_echo = [
        rule
        for rule in policy.spec.egress or []
        if any(
            (peer.pod_selector and peer.pod_selector.match_labels)
            == {"app.kubernetes.io/instance": "echo"}
            for peer in rule.to or []
        )
    ]
    assert [[p.port for p in rule.ports] for rule in to_echo] == [[8080]]

    again = stack.up(on_output=print)
    assert changes(again.summary.resource_changes) == {}
