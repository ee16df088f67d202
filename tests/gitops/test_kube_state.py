"""The ConfigMap state store on an in-memory ConfigMap with the API server's optimistic
concurrency; the real API server is in tests/e2e/test_kube_state.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shipyard.gitops.kube_state import (
    ConfigMapConflict,
    ConfigMapStateStore,
    StateConflict,
    state_key,
)
from shipyard.gitops.reconcile_state import InProgress, StackState, StateError, StateStore

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
SHA = "a" * 40


class MemoryConfigMap:
    def __init__(self) -> None:
        self.data: dict[str, str] | None = None
        self.version = 0
        self.before_write: list[dict[str, str]] = []
        """Writes another client makes just before each of ours (a race)."""

    def read(self) -> tuple[dict[str, str], str] | None:
        return None if self.data is None else (dict(self.data), str(self.version))

    def create(self, data: dict[str, str]) -> str:
        self._race()
        if self.data is not None:
            raise ConfigMapConflict("already exists")
        self.data, self.version = dict(data), self.version + 1
        return str(self.version)

    def patch(self, changes: dict[str, str], resource_version: str) -> str:
        self._race()
        if self.data is None or resource_version != str(self.version):
            raise ConfigMapConflict("the object has been modified")
        self.data.update(changes)
        self.version += 1
        return str(self.version)

    def _race(self) -> None:
        if self.before_write:
            changes = self.before_write.pop(0)
            self.data = {**(self.data or {}), **changes}
            self.version += 1


def test_a_missing_config_map_means_empty_states_and_is_created_on_save() -> None:
    config_map = MemoryConfigMap()
    store = ConfigMapStateStore(config_map)
    assert store.load("dev") == StackState("dev")
    state = StackState("dev", last_successful_commit=SHA, last_success_at=T0)
    store.save(state)
    assert config_map.data is not None
    assert json.loads(config_map.data["dev.json"])["last_successful_commit"] == SHA
    assert ConfigMapStateStore(config_map).load("dev") == state


def test_a_write_racing_another_stacks_write_is_retried_and_keeps_it() -> None:
    config_map = MemoryConfigMap()
    store = ConfigMapStateStore(config_map)
    store.save(StackState("prod"))
    store.load("dev")
    other = json.dumps(StackState("prod", attempts=3).to_json())
    config_map.before_write.append({"prod.json": other})
    store.save(StackState("dev", attempts=1))
    assert config_map.data is not None
    assert config_map.data["prod.json"] == other
    assert ConfigMapStateStore(config_map).load("dev").attempts == 1


def test_a_stack_changed_by_another_writer_is_not_overwritten() -> None:
    config_map = MemoryConfigMap()
    ours, theirs = ConfigMapStateStore(config_map), ConfigMapStateStore(config_map)
    state = ours.load("dev")
    theirs.load("dev")
    theirs.save(StackState("dev", last_successful_commit=SHA))
    with pytest.raises(StateConflict, match=r"dev\.json was changed by another reconciler"):
        ours.save(StackState("dev", attempts=1))
    # After a fresh load it writes again.
    assert ours.load("dev").last_successful_commit == SHA
    ours.save(state)


def test_a_config_map_that_keeps_changing_gives_up() -> None:
    config_map = MemoryConfigMap()
    store = ConfigMapStateStore(config_map)
    store.save(StackState("prod"))
    config_map.before_write.extend({f"x{n}.json": "{}"} for n in range(5))
    with pytest.raises(StateError, match="5 writes failed"):
        store.save(StackState("prod", attempts=1))


def test_an_unreadable_state_is_a_state_error() -> None:
    config_map = MemoryConfigMap()
    config_map.data = {"dev.json": "{not json"}
    with pytest.raises(StateError, match=r"dev\.json: cannot read the reconciler state"):
        ConfigMapStateStore(config_map).load("dev")


def test_stack_names_are_config_map_keys() -> None:
    assert state_key("prod-eu_1.a") == "prod-eu_1.a.json"
    with pytest.raises(ValueError, match=r"`\.\./x` is not a valid stack name"):
        state_key("../x")


def test_the_transitions_match_the_file_store(tmp_path: Path) -> None:
    files, config_map = StateStore(tmp_path), ConfigMapStateStore(MemoryConfigMap())
    marker = InProgress(SHA, 1, "pod-a", "run-1", T0)
    for store in (files, config_map):
        started = store.begin_apply(StackState("dev", attempts=2), marker)
        store.record_interruption(started, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2))
    assert config_map.load("dev") == files.load("dev")
    recorded = config_map.load("dev")
    assert (recorded.interrupted, recorded.attempts, recorded.in_progress) == (True, 1, None)
    assert recorded.last_error is not None and "by pid 1 on pod-a" in recorded.last_error.message
