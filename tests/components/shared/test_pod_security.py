"""`restricted_*_security_context`: the restricted Pod Security Standard for one user."""

from __future__ import annotations

from components.shared.pod_security import (
    restricted_container_security_context,
    restricted_pod_security_context,
)


def test_the_pod_runs_as_the_user_and_its_group() -> None:
    assert restricted_pod_security_context(1000) == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "runAsGroup": 1000,
        "fsGroup": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_the_container_drops_everything_and_cannot_escalate() -> None:
    assert restricted_container_security_context(65534) == {
        "runAsNonRoot": True,
        "runAsUser": 65534,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_each_call_returns_a_fresh_dict() -> None:
    first = restricted_container_security_context(1000)
    first["capabilities"]["drop"].append("NET_RAW")
    assert restricted_container_security_context(1000)["capabilities"] == {"drop": ["ALL"]}
