"""NetworkPolicies several components render the same way (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Manifest = dict[str, Any]


def render_deny_ingress(
    name: str, namespace: str, labels: Mapping[str, str], pod_labels: Mapping[str, str]
) -> Manifest:
    """Isolate pods that serve nothing (a setup or schema Job): no ingress at all. Their
    egress stays open; the servers they call admit them by their labels."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "podSelector": {"matchLabels": dict(pod_labels)},
            "policyTypes": ["Ingress"],
            "ingress": [],
        },
    }
