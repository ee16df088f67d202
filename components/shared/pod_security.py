"""The `restricted` Pod Security Standard, which Shipyard's namespace enforces, as the
pod and container security contexts of a server that runs as one non-root user.

The vLLM server and the gateway share these. Ray's pods set a narrower context of their
own (no read-only root filesystem, no `runAsGroup`), so they are not built here.
"""

from __future__ import annotations

from typing import Any


def restricted_pod_security_context(user: int) -> dict[str, Any]:
    """Run as `user`, with `user` as the group that owns mounted volumes."""
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "runAsGroup": user,
        "fsGroup": user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def restricted_container_security_context(user: int) -> dict[str, Any]:
    """Run as `user` with no capabilities, no escalation and a read-only root filesystem."""
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
