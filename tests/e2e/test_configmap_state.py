"""The ConfigMap state store against a real kube-apiserver: created on first save, states
round-trip, parallel saves of different stacks all land, labels set by others survive, a
stale resourceVersion is refused, and a second writer of the same stack is detected."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from kubernetes import client

from shipyard.gitops.kube_state import (
    LABELS,
    ConfigMapConflict,
    ConfigMapStateStore,
    KubeConfigMap,
    StateConflict,
)
from shipyard.gitops.reconcile_state import Condition, InProgress, LastError, StackState

pytestmark = pytest.mark.e2e

NAME = "shipyard-reconciler-state"
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
SHA = "b" * 40


@pytest.fixture
def namespace(kube_api) -> Iterator[str]:
    core = client.CoreV1Api(kube_api)
    name = f"e2e-state-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


def config_map(kube_api, namespace: str) -> client.V1ConfigMap:
    return client.CoreV1Api(kube_api).read_namespaced_config_map(NAME, namespace)


def test_states_round_trip_through_a_config_map(kube_api, namespace: str) -> None:
    store = ConfigMapStateStore.in_cluster(namespace, NAME, kube_api)
    assert store.load("dev") == StackState("dev")
    state = StackState(
        "dev",
        last_attempted_commit=SHA,
        last_error=LastError("temporary", SHA, "engine crashed", T0),
        attempts=2,
        next_retry_at=T0 + timedelta(seconds=30),
        condition=Condition("Reconciling", "BackingOff", "retry at 12:00:30", T0),
    )
    store.save(state)
    started = store.begin_apply(state, InProgress(SHA, 1, "pod-a", "run-1", T0))
    fresh = ConfigMapStateStore.in_cluster(namespace, NAME, kube_api)
    assert fresh.load("dev") == started
    found = config_map(kube_api, namespace)
    assert found.metadata.labels == LABELS
    assert set(found.data) == {"dev.json"}


def test_parallel_saves_of_different_stacks_all_land(kube_api, namespace: str) -> None:
    store = ConfigMapStateStore.in_cluster(namespace, NAME, kube_api)
    store.save(StackState("seed"))
    stacks = [f"stack-{n}" for n in range(6)]
    errors: list[BaseException] = []

    def work(stack: str) -> None:
        try:
            for attempt in range(1, 5):
                state = store.load(stack)
                store.save(StackState(stack, attempts=state.attempts + 1))
                assert attempt == state.attempts + 1
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(stack,)) for stack in stacks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    fresh = ConfigMapStateStore.in_cluster(namespace, NAME, kube_api)
    assert {stack: fresh.load(stack).attempts for stack in stacks} == dict.fromkeys(stacks, 4)


def test_a_patch_keeps_other_labels_and_refuses_a_stale_version(kube_api, namespace) -> None:
    core = client.CoreV1Api(kube_api)
    core.create_namespaced_config_map(
        namespace,
        {"metadata": {"name": NAME, "labels": {"team": "platform"}}, "data": {}},
    )
    raw = KubeConfigMap(namespace, NAME, kube_api)
    found = raw.read()
    assert found is not None
    _, version = found
    raw.patch({"dev.json": "{}"}, version)
    with pytest.raises(ConfigMapConflict):
        raw.patch({"dev.json": "{}"}, version)
    assert config_map(kube_api, namespace).metadata.labels == {"team": "platform"}


def test_a_second_writer_of_the_same_stack_is_detected(kube_api, namespace: str) -> None:
    deposed = ConfigMapStateStore.in_cluster(namespace, NAME, kube_api)
    leader = ConfigMapStateStore.in_cluster(namespace, NAME, kube_api)
    deposed.save(StackState("prod", last_successful_commit="c" * 40))
    leader.load("prod")
    leader.save(StackState("prod", last_successful_commit=SHA))
    with pytest.raises(StateConflict, match=r"prod\.json was changed by another reconciler"):
        deposed.save(StackState("prod", attempts=1))
    assert leader.load("prod").last_successful_commit == SHA
