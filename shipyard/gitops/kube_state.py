"""The reconciler's state in one ConfigMap, for replicas that share no volume.

Several replicas cannot share a ReadWriteOnce volume, and a pod's own disk goes with the
pod, so in-cluster the state lives in the API server: one ConfigMap, one data key per
stack (`<stack>.json`, the same JSON as the file `StateStore` writes). It has the methods
of `StackStateStore`.

Concurrency, in two layers:

- **The ConfigMap**: every write is a merge patch of the stack's key that carries the
  `resourceVersion` just read, which the API server checks. Writes from one process (the
  daemon applies stacks in parallel) take turns on a lock; a 409 Conflict means another
  client wrote in between, so the write is retried on a fresh read. A patch leaves the
  other keys, labels and annotations alone.
- **The stack's key**: the store remembers the text it last loaded or saved for each stack.
  If the key holds something else when it writes, another writer (a deposed leader, or a
  second reconciler on the same ConfigMap) changed it, and `save` raises `StateConflict`
  instead of overwriting: that pass stops and the next one reloads.

Limits: a ConfigMap holds at most 1 MiB in all, a few thousand stack states.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from typing import Any, Protocol

from shipyard.gitops.reconcile_state import (
    InProgress,
    StackState,
    StateError,
    apply_started,
    interruption_recorded,
)

# A ConfigMap key: alphanumerics, `-`, `_` and `.` (the stack name rule allows no more).
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
CONFLICT_RETRIES = 5
LABELS = {"app.kubernetes.io/managed-by": "shipyard", "app.kubernetes.io/component": "gitops"}


class StateConflict(StateError):
    """The stack's state was changed by another writer since this store read it."""


class ConfigMapConflict(Exception):
    """The ConfigMap changed since it was read (409), or was created meanwhile."""


class ConfigMap(Protocol):
    """What the store needs from one ConfigMap: `(data, resourceVersion)` reads, and
    writes of some keys at a version."""

    def read(self) -> tuple[dict[str, str], str] | None:
        """Its data and resourceVersion, or None when it does not exist."""

    def create(self, data: dict[str, str]) -> str:
        """Create it; the new resourceVersion. `ConfigMapConflict` when it exists."""

    def patch(self, changes: dict[str, str], resource_version: str) -> str:
        """Set the keys of `changes` at `resource_version`; `ConfigMapConflict` when
        stale. The new resourceVersion."""


def state_key(stack: str) -> str:
    if not _STACK_NAME.fullmatch(stack):
        raise ValueError(f"`{stack}` is not a valid stack name")
    return f"{stack}.json"


class ConfigMapStateStore:
    """`StackStateStore` on the ConfigMap `namespace/name` (created when missing)."""

    def __init__(self, config_map: ConfigMap) -> None:
        self._config_map = config_map
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        """Saves of this store take turns, so they never conflict with each other."""
        self._known: dict[str, str | None] = {}
        """Per stack, the text last loaded or saved (None: absent)."""

    @classmethod
    def in_cluster(cls, namespace: str, name: str, api_client: Any = None) -> ConfigMapStateStore:
        return cls(KubeConfigMap(namespace, name, api_client))

    def load(self, stack: str) -> StackState:
        """The stack's recorded state; an empty one if it was never reconciled."""
        key = state_key(stack)
        found = self._config_map.read()
        text = found[0].get(key) if found is not None else None
        with self._lock:
            self._known[stack] = text
        if text is None:
            return StackState(stack)
        try:
            return StackState.from_json(json.loads(text))
        except (ValueError, TypeError) as error:
            raise StateError(f"{key}: cannot read the reconciler state: {error}") from None

    def save(self, state: StackState) -> None:
        """Write the stack's key, all or nothing; `StateConflict` when another writer
        changed it since this store last read or wrote it."""
        key = state_key(state.stack)
        text = json.dumps(state.to_json(), indent=2, sort_keys=True) + "\n"
        with self._write_lock:
            self._save(state.stack, key, text)

    def _save(self, stack: str, key: str, text: str) -> None:
        for _ in range(CONFLICT_RETRIES):
            found = self._config_map.read()
            data, version = found if found is not None else ({}, None)
            with self._lock:
                tracked = stack in self._known
                expected = self._known.get(stack)
            if tracked and data.get(key) != expected:
                raise StateConflict(
                    f"{key} was changed by another reconciler since it was read; "
                    "is a second one running on the same state?"
                )
            try:
                if version is None:
                    self._config_map.create({key: text})
                else:
                    self._config_map.patch({key: text}, version)
            except ConfigMapConflict:
                continue  # another client wrote first: read again
            with self._lock:
                self._known[stack] = text
            return
        raise StateError(f"{key}: the ConfigMap kept changing; {CONFLICT_RETRIES} writes failed")

    # The same transitions as the file `StateStore`; tests compare the two.

    def begin_apply(self, state: StackState, marker: InProgress) -> StackState:
        """Record the attempt and its marker before the apply starts."""
        started = apply_started(state, marker)
        self.save(started)
        return started

    def record_interruption(
        self, state: StackState, now: datetime, retry_at: datetime | None = None
    ) -> StackState:
        """Turn an interrupted apply's marker into a counted temporary failure."""
        if state.in_progress is None:
            return state
        recorded = interruption_recorded(state, now, retry_at)
        self.save(recorded)
        return recorded


class KubeConfigMap:
    """`ConfigMap` with the `kubernetes` client (in-cluster config or a kubeconfig)."""

    def __init__(self, namespace: str, name: str, api_client: Any = None) -> None:
        from kubernetes import client

        from shipyard.gitops.leader import kube_api_client

        self.namespace, self.name = namespace, name
        # Typed `Any`: the bodies are plain JSON dicts (a merge patch is no V1ConfigMap).
        self._api: Any = client.CoreV1Api(api_client or kube_api_client())

    def read(self) -> tuple[dict[str, str], str] | None:
        from kubernetes.client.exceptions import ApiException

        try:
            found = self._api.read_namespaced_config_map(self.name, self.namespace)
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return dict(found.data or {}), str(found.metadata.resource_version)

    def create(self, data: dict[str, str]) -> str:
        return self._write(data, None)

    def patch(self, changes: dict[str, str], resource_version: str) -> str:
        return self._write(changes, resource_version)

    def _write(self, data: dict[str, str], resource_version: str | None) -> str:
        from kubernetes.client.exceptions import ApiException

        try:
            if resource_version is None:
                metadata = {"name": self.name, "namespace": self.namespace, "labels": LABELS}
                body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}
                written = self._api.create_namespaced_config_map(self.namespace, body)
            else:
                # A resourceVersion in a patch is a precondition the API server checks.
                body = {"metadata": {"resourceVersion": resource_version}, "data": data}
                written = self._api.patch_namespaced_config_map(
                    self.name,
                    self.namespace,
                    body,
                    _content_type="application/merge-patch+json",
                )
        except ApiException as error:
            if error.status == 409:
                raise ConfigMapConflict(str(error.reason)) from None
            raise
        return str(written.metadata.resource_version)
