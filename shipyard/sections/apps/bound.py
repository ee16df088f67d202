"""Helpers the bindable sections share: which apps use a section, what a binding is
named, and the labels that pick an app's pods (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.app.args import NetworkPeer
from components.app.manifests import selector_labels
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.model import AppSpec


def uses_of(platform: Platform, kind: str) -> list[tuple[AppSpec, Any]]:
    """`(app, use)` for every binding of `kind`, in blueprint order."""
    return [(app, use) for app in platform.spec.apps for use in app.uses if use.kind == kind]


def binding_name(use: Any, default: str) -> str:
    name = getattr(use, "name", None)
    return name if isinstance(name, str) else default


def env_prefix(name: str) -> str:
    """`raw-logs` -> `RAW_LOGS`."""
    return name.upper().replace("-", "_")


def app_pods(app: str) -> dict[str, str]:
    """The labels every pod of `app` carries and its selectors match."""
    return selector_labels(app)


def snake(name: str) -> str:
    """An app's name as a SQL or ClickHouse identifier: `portkey-backend` -> `portkey_backend`."""
    return name.replace("-", "_")


def peer(pod_labels: Mapping[str, str], *ports: int) -> NetworkPeer:
    return NetworkPeer(pod_labels=dict(pod_labels), ports=tuple(ports))
