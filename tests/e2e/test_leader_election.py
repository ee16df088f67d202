"""Leader election on a real kube-apiserver's Lease: one leader among two candidates, a
crashed leader replaced after the lease expires, a released one at once, and a leader cut
off from the API server stops leading before the other takes over.

Durations are small (2 s lease, 1.5 s renew deadline, 0.2 s retry) so the test waits only
as long as the protocol requires."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from kubernetes import client

from shipyard.gitops.leader import KubeLeaseApi, LeaseElector, LeaseRecord

pytestmark = pytest.mark.e2e

LEASE = "shipyard-reconciler"
LEASE_DURATION = timedelta(seconds=2)
RENEW_DEADLINE = timedelta(seconds=1.5)
RETRY_PERIOD = timedelta(seconds=0.2)


@pytest.fixture
def namespace(kube_api) -> Iterator[str]:
    core = client.CoreV1Api(kube_api)
    name = f"e2e-leader-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


class Partition:
    """A `LeaseApi` that can be cut off from the API server."""

    def __init__(self, api: KubeLeaseApi) -> None:
        self.api, self.cut = api, False

    def _check(self) -> None:
        if self.cut:
            raise ConnectionError("the API server is unreachable")

    def get(self) -> LeaseRecord | None:
        self._check()
        return self.api.get()

    def create(self, record: LeaseRecord) -> LeaseRecord:
        self._check()
        return self.api.create(record)

    def update(self, record: LeaseRecord) -> LeaseRecord:
        self._check()
        return self.api.update(record)


def candidate(kube_api, namespace: str, identity: str) -> tuple[LeaseElector, Partition]:
    api = Partition(KubeLeaseApi(namespace, LEASE, kube_api))
    elector = LeaseElector(
        namespace,
        LEASE,
        identity,
        lease_duration=LEASE_DURATION,
        renew_deadline=RENEW_DEADLINE,
        retry_period=RETRY_PERIOD,
        api=api,
    )
    return elector, api


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> float:
    """Seconds until `condition` held, polling every 10 ms."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - start


class Watch:
    """Samples both candidates every 5 ms; remembers whether both ever led at once."""

    def __init__(self, *electors: LeaseElector) -> None:
        self.electors, self.both = electors, False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if sum(e.is_leader() for e in self.electors) > 1:
                self.both = True
            time.sleep(0.005)

    def stop(self) -> bool:
        self._stop.set()
        self._thread.join()
        return self.both


def lease(kube_api, namespace: str) -> client.V1Lease:
    return client.CoordinationV1Api(kube_api).read_namespaced_lease(LEASE, namespace)


def start_pair(kube_api, namespace: str):
    a, a_api = candidate(kube_api, namespace, "pod-a")
    b, b_api = candidate(kube_api, namespace, "pod-b")
    a.start()
    wait_for(a.is_leader)
    b.start()
    wait_for(lambda: b.observed_holder == "pod-a")
    return a, a_api, b, b_api


def test_one_of_two_candidates_leads_and_renews(kube_api, namespace: str) -> None:
    a, _, b, _ = start_pair(kube_api, namespace)
    watch = Watch(a, b)
    try:
        # Past the lease's duration: a holds it only by renewing.
        time.sleep((LEASE_DURATION + 2 * RETRY_PERIOD).total_seconds())
        assert a.is_leader() and not b.is_leader()
        spec = lease(kube_api, namespace).spec
        assert spec.holder_identity == "pod-a"
        assert spec.lease_duration_seconds == 2
        assert spec.lease_transitions == 0
        assert spec.renew_time > spec.acquire_time
    finally:
        both = watch.stop()
        a.stop(), b.stop()
    assert not both


def test_a_crashed_leader_is_replaced_after_the_lease_expires(kube_api, namespace) -> None:
    a, _, b, _ = start_pair(kube_api, namespace)
    watch = Watch(a, b)
    try:
        a.stop(release=False)  # the pod died: nothing releases the lease
        waited = wait_for(b.is_leader)
        # b counts the lease from when it saw a's last renewal (at most one retry before).
        expiry = LEASE_DURATION - RETRY_PERIOD
        assert (
            expiry.total_seconds() <= waited <= (LEASE_DURATION + 3 * RETRY_PERIOD).total_seconds()
        )
        spec = lease(kube_api, namespace).spec
        assert (spec.holder_identity, spec.lease_transitions) == ("pod-b", 1)
    finally:
        both = watch.stop()
        b.stop()
    assert not both


def test_a_released_lease_is_taken_at_the_next_try(kube_api, namespace) -> None:
    a, _, b, _ = start_pair(kube_api, namespace)
    a.stop()
    waited = wait_for(b.is_leader)
    try:
        assert waited < LEASE_DURATION.total_seconds() / 2
        spec = lease(kube_api, namespace).spec
        assert (spec.holder_identity, spec.lease_transitions) == ("pod-b", 1)
    finally:
        b.stop()
    # b released it on stop: free, with a one-second lease.
    spec = lease(kube_api, namespace).spec
    assert (spec.holder_identity, spec.lease_duration_seconds) == (None, 1)


def test_a_leader_cut_off_stops_leading_before_the_other_takes_over(kube_api, namespace) -> None:
    a, a_api, b, _ = start_pair(kube_api, namespace)
    times: dict[str, float] = {}

    def record() -> None:
        start = time.monotonic()
        while len(times) < 2 and time.monotonic() - start < 10:
            now = time.monotonic()
            if "a_stopped" not in times and not a.is_leader():
                times["a_stopped"] = now
            if "b_leads" not in times and b.is_leader():
                times["b_leads"] = now
            time.sleep(0.002)

    recorder = threading.Thread(target=record)
    cut_at = time.monotonic()
    a_api.cut = True
    recorder.start()
    recorder.join()
    try:
        assert set(times) == {"a_stopped", "b_leads"}
        # a gives up within the renew deadline of its last renewal, b waits the lease out.
        assert times["a_stopped"] - cut_at <= RENEW_DEADLINE.total_seconds() + 0.05
        assert times["b_leads"] - times["a_stopped"] >= 0.2
    finally:
        a.stop(), b.stop()
