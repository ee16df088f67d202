"""Kubernetes' recommended `app.kubernetes.io/*` labels, as every component sets them."""

from __future__ import annotations

MANAGED_BY = {"app.kubernetes.io/managed-by": "shipyard"}


def app_labels(app: str, instance: str, component: str | None = None) -> dict[str, str]:
    """`name`, `instance` and (when given) `component`: what selectors match on."""
    labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": instance}
    if component is not None:
        labels["app.kubernetes.io/component"] = component
    return labels


def recommended_labels(app: str, instance: str, component: str) -> dict[str, str]:
    """`app_labels` plus `managed-by: shipyard`, for the objects Shipyard creates."""
    return {**app_labels(app, instance, component), **MANAGED_BY}
