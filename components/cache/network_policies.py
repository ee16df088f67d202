"""The cache's NetworkPolicies (pure): Valkey pods admit only each other and HAProxy;
HAProxy admits only the cache's clients."""

from __future__ import annotations

from typing import Any

from components.cache.args import SENTINEL_PORT, VALKEY_PORT, ValkeyCacheArgs
from components.cache.manifests import (
    PROXY_COMPONENT,
    SERVER_COMPONENT,
    proxy_name,
    render_labels,
    selector_labels,
)

Manifest = dict[str, Any]

DNS_PEER: Manifest = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
}


def _metadata(name: str, args: ValkeyCacheArgs, component: str) -> Manifest:
    return {"name": name, "namespace": args.namespace, "labels": render_labels(name, component)}


def _from(labels: dict[str, str]) -> Manifest:
    return {"podSelector": {"matchLabels": labels}}


def render_network_policies(name: str, args: ValkeyCacheArgs) -> list[Manifest]:
    """Valkey pods: only HAProxy and each other. HAProxy: only the cache's clients."""
    server, proxy = selector_labels(name), selector_labels(name, PROXY_COMPONENT)
    both = [{"port": VALKEY_PORT, "protocol": "TCP"}, {"port": SENTINEL_PORT, "protocol": "TCP"}]
    one = [{"port": VALKEY_PORT, "protocol": "TCP"}]
    server_policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(name, args, SERVER_COMPONENT),
        "spec": {
            "podSelector": {"matchLabels": server},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {"from": [_from(server)], "ports": both},
                {"from": [_from(proxy)], "ports": one},
            ],
            "egress": [DNS_PEER, {"to": [_from(server)], "ports": both}],
        },
    }
    proxy_policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(proxy_name(name), args, PROXY_COMPONENT),
        "spec": {
            "podSelector": {"matchLabels": proxy},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": (
                [{"from": [_from(dict(labels)) for labels in args.client_pod_labels], "ports": one}]
                if args.client_pod_labels
                else []
            ),
            "egress": [DNS_PEER, {"to": [_from(server)], "ports": one}],
        },
    }
    return [server_policy, proxy_policy]
