"""Which connections a set of ingress NetworkPolicies admits, for `matchLabels` selectors
and numeric or named ports: enough to judge Shipyard's rendered policies as data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: Mapping[str, str]
    ports: Mapping[str, int] = field(default_factory=dict)
    """Named container ports, for policies that name a port."""


def _matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    wanted = (selector or {}).get("matchLabels") or {}
    return all(labels.get(key) == value for key, value in wanted.items())


def _namespace_labels(namespace: str) -> dict[str, str]:
    return {"kubernetes.io/metadata.name": namespace}


def _peer_admits(peer: Mapping[str, Any], policy_namespace: str, source: Pod) -> bool:
    if "namespaceSelector" in peer:
        if not _matches(peer["namespaceSelector"], _namespace_labels(source.namespace)):
            return False
    elif source.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or _matches(peer["podSelector"], source.labels)


def _port_admits(ports: list[Mapping[str, Any]] | None, target: Pod, port: int) -> bool:
    if not ports:
        return True
    for entry in ports:
        wanted = entry.get("port")
        if wanted == port or (isinstance(wanted, str) and target.ports.get(wanted) == port):
            return True
    return False


def admits(policies: Iterable[Mapping[str, Any]], source: Pod, target: Pod, port: int) -> bool:
    """True when `source` may open `port` on `target`: no policy selects the target, or one
    that does has a rule admitting it (Kubernetes' union of ingress rules)."""
    selecting = [
        policy
        for policy in policies
        if policy["metadata"]["namespace"] == target.namespace
        and _matches(policy["spec"]["podSelector"], target.labels)
        and "Ingress" in policy["spec"].get("policyTypes", ["Ingress"])
    ]
    if not selecting:
        return True
    return any(
        (
            not rule.get("from")  # a rule without `from` admits every source
            or any(
                _peer_admits(peer, policy["metadata"]["namespace"], source) for peer in rule["from"]
            )
        )
        and _port_admits(rule.get("ports"), target, port)
        for policy in selecting
        for rule in policy["spec"].get("ingress", [])
    )
