"""What the e2e tests ask of Secrets and stack summaries: the Secret keys a pod spec reads,
those of them missing in a namespace, and the changes of an `up` besides `same`."""

from __future__ import annotations

from typing import Any

from kubernetes.client.exceptions import ApiException


def referenced_keys(pod_spec: Any) -> set[tuple[str, str]]:
    """`(Secret, key)` of every Secret key a pod spec reads: env and projected volumes."""
    found: set[tuple[str, str]] = set()
    for container in pod_spec.containers:
        for env in container.env or []:
            ref = env.value_from.secret_key_ref if env.value_from else None
            if ref is not None:
                found.add((ref.name, ref.key))
    for volume in pod_spec.volumes or []:
        for source in (volume.projected.sources if volume.projected else []) or []:
            if source.secret is not None:
                found |= {(source.secret.name, item.key) for item in source.secret.items}
    return found


def missing_keys(core: Any, namespace: str, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    missing = set()
    for name, key in wanted:
        try:
            secret = core.read_namespaced_secret(name, namespace)
        except ApiException as error:
            if error.status != 404:
                raise
            missing.add((name, key))
            continue
        if key not in (secret.data or {}):
            missing.add((name, key))
    return missing


def changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {k: v for k, v in (summary or {}).items() if k != "same" and v}
