"""The Service and PodDisruptionBudget that the workload components render alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Manifest = dict[str, Any]


def http_service(
    metadata: Manifest, selector: Mapping[str, str], port: int, port_name: str = "http"
) -> Manifest:
    """A ClusterIP Service forwarding `port` to the pods' port named `port_name`."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {
            "type": "ClusterIP",
            "selector": dict(selector),
            "ports": [
                {"name": port_name, "port": port, "targetPort": port_name, "protocol": "TCP"}
            ],
        },
    }


def pod_disruption_budget(
    metadata: Manifest, selector: Mapping[str, str], replicas: int | None = None
) -> Manifest:
    """At most one pod down on voluntary disruptions. Given `replicas` above one, keep one
    up instead (`minAvailable: 1`); with one replica that would block every node drain."""
    budget = {"minAvailable": 1} if replicas is not None and replicas > 1 else {"maxUnavailable": 1}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata,
        "spec": {**budget, "selector": {"matchLabels": dict(selector)}},
    }
