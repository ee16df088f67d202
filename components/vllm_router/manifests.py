"""Pure functions that turn `VllmRouterArgs` into Kubernetes manifests.

The router finds the model's server pods itself (Kubernetes service discovery, a watch
on pods by label in its own namespace), so it routes to each replica, not to a Service
that would spread requests blindly. That needs a service-account token and a Role that
reads pods; nothing else.
"""

from __future__ import annotations

from typing import Any

from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)
from components.shared.scheduling import render_node_selector, render_tolerations
from components.shared.service_manifests import http_service, pod_disruption_budget
from components.vllm_router.args import ROUTER_METRICS_PORT, ROUTER_PORT, VllmRouterArgs

Manifest = dict[str, Any]

RUN_AS_USER = 1000
LIVENESS_PATH = "/liveness"
READINESS_PATH = "/readiness"


def router_name(model: str) -> str:
    """The router's Deployment, Service and account, named after its model."""
    return f"{model}-router"


def selector_labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": "vllm-router", "app.kubernetes.io/instance": name}


def render_labels(name: str) -> dict[str, str]:
    return {
        **selector_labels(name),
        "app.kubernetes.io/component": "model-router",
        "app.kubernetes.io/managed-by": "shipyard",
    }


def _metadata(name: str, args: VllmRouterArgs) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name)}


def _selector_flag(flag: str, labels: dict[str, str]) -> list[str]:
    return [flag, *(f"{key}={value}" for key, value in sorted(labels.items()))]


def render_router_args(args: VllmRouterArgs) -> list[str]:
    """The `vllm-router` arguments, in a stable order."""
    rendered = [
        "--host",
        "0.0.0.0",
        "--port",
        str(ROUTER_PORT),
        "--policy",
        args.policy,
        "--service-discovery",
        "--service-discovery-namespace",
        args.namespace,
        "--service-discovery-port",
        str(args.worker_port),
    ]
    if args.prefill_decode is None:
        rendered += _selector_flag("--selector", args.worker_selector)
    else:
        pd = args.prefill_decode
        rendered += [
            "--vllm-pd-disaggregation",
            "--kv-connector",
            pd.kv_connector,
            *_selector_flag("--prefill-selector", pd.prefill_selector),
            *_selector_flag("--decode-selector", pd.decode_selector),
        ]
    rendered += ["--prometheus-host", "0.0.0.0", "--prometheus-port", str(ROUTER_METRICS_PORT)]
    return rendered


def render_service_account(name: str, args: VllmRouterArgs) -> Manifest:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _metadata(name, args)}


def render_role(name: str, args: VllmRouterArgs) -> Manifest:
    """Read pods in the namespace: the router's discovery lists and watches them."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _metadata(name, args),
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}],
    }


def render_role_binding(name: str, args: VllmRouterArgs) -> Manifest:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _metadata(name, args),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": args.namespace}],
    }


def render_container(args: VllmRouterArgs) -> Manifest:
    return {
        "name": "router",
        "image": args.image,
        "command": ["vllm-router"],
        "args": render_router_args(args),
        "ports": [
            {"name": "http", "containerPort": ROUTER_PORT, "protocol": "TCP"},
            {"name": "metrics", "containerPort": ROUTER_METRICS_PORT, "protocol": "TCP"},
        ],
        "resources": {
            "requests": {"cpu": args.cpu_request, "memory": args.memory_request},
            "limits": {"memory": args.memory_request},
        },
        "livenessProbe": {
            "httpGet": {"path": LIVENESS_PATH, "port": "http"},
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        # Ready once it has found a healthy server to route to.
        "readinessProbe": {
            "httpGet": {"path": READINESS_PATH, "port": "http"},
            "periodSeconds": 5,
            "failureThreshold": 3,
        },
        "securityContext": restricted_container_security_context(RUN_AS_USER),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def render_deployment(name: str, args: VllmRouterArgs) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(name, args),
        "spec": {
            "replicas": args.replicas,
            "selector": {"matchLabels": selector_labels(name)},
            "template": {
                "metadata": {
                    "labels": render_labels(name),
                    "annotations": {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": str(ROUTER_METRICS_PORT),
                        "prometheus.io/path": "/metrics",
                    },
                },
                "spec": {
                    "serviceAccountName": name,
                    # The discovery watch authenticates with this account's token.
                    "automountServiceAccountToken": True,
                    "nodeSelector": render_node_selector(args.scheduling),
                    "tolerations": render_tolerations(args.scheduling),
                    "securityContext": restricted_pod_security_context(RUN_AS_USER),
                    "containers": [render_container(args)],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
                },
            },
        },
    }


def render_service(name: str, args: VllmRouterArgs) -> Manifest:
    return http_service(_metadata(name, args), selector_labels(name), ROUTER_PORT)


def render_pod_disruption_budget(name: str, args: VllmRouterArgs) -> Manifest:
    return pod_disruption_budget(_metadata(name, args), selector_labels(name), args.replicas)


def render_network_policy(name: str, args: VllmRouterArgs) -> Manifest:
    """Admit the gateway's pods on the router port and the scrapers on the metrics port."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args),
        "spec": {
            "podSelector": {"matchLabels": selector_labels(name)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": dict(args.gateway_pod_labels)}}],
                    "ports": [{"port": ROUTER_PORT, "protocol": "TCP"}],
                },
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": dict(args.metrics_namespace_labels)}}
                    ],
                    "ports": [{"port": ROUTER_METRICS_PORT, "protocol": "TCP"}],
                },
            ],
        },
    }


def router_url(name: str, namespace: str) -> str:
    """The router's in-cluster OpenAI-compatible base URL."""
    return f"http://{name}.{namespace}.svc.cluster.local:{ROUTER_PORT}/v1"
