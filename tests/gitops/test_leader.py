"""Leader election's decisions with an injected clock and an in-memory Lease that keeps
the API server's optimistic concurrency (resourceVersion, 409 Conflict). No threads, no
sleeps; the real API server is in tests/e2e/test_leader_election.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from shipyard.gitops.leader import (
    KubeLeaseApi,
    LeaseConflict,
    LeaseElector,
    LeaseRecord,
    plan_lease,
)

T0 = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class MemoryLease:
    """One Lease with the API server's rules: create fails if it exists, update fails
    unless the resourceVersion is the current one; every write bumps the version."""

    def __init__(self) -> None:
        self.record: LeaseRecord | None = None
        self.version = 0
        self.writes: list[LeaseRecord] = []
        self.fail_next_get: Exception | None = None

    def get(self) -> LeaseRecord | None:
        if self.fail_next_get is not None:
            error, self.fail_next_get = self.fail_next_get, None
            raise error
        return self.record

    def _store(self, record: LeaseRecord) -> LeaseRecord:
        self.version += 1
        self.record = replace(record, resource_version=str(self.version))
        self.writes.append(self.record)
        return self.record

    def create(self, record: LeaseRecord) -> LeaseRecord:
        if self.record is not None:
            raise LeaseConflict("already exists")
        return self._store(record)

    def update(self, record: LeaseRecord) -> LeaseRecord:
        if self.record is None or record.resource_version != self.record.resource_version:
            raise LeaseConflict("the object has been modified")
        return self._store(record)


def elector(identity: str, lease: MemoryLease, clock: Clock) -> LeaseElector:
    return LeaseElector(
        "ops",
        "reconciler",
        identity,
        lease_duration=15 * SECOND,
        renew_deadline=10 * SECOND,
        retry_period=2 * SECOND,
        clock=clock,
        api=lease,
    )


def test_plan_takes_a_missing_lease() -> None:
    assert plan_lease(None, "a", T0, T0, 15 * SECOND) == LeaseRecord("a", 15, T0, T0, 0)


def test_plan_renews_keeping_the_acquire_time_and_transitions() -> None:
    held = LeaseRecord("a", 15, T0, T0, 3, "7")
    later = T0 + 5 * SECOND
    assert plan_lease(held, "a", later, T0, 15 * SECOND) == LeaseRecord("a", 15, T0, later, 3, "7")


def test_plan_waits_for_another_holders_lease_measured_from_when_it_was_seen() -> None:
    # The holder's renewTime is an hour old by our clock (skew): only our observation counts.
    held = LeaseRecord("b", 15, T0 - timedelta(hours=1), T0 - timedelta(hours=1), 0, "7")
    assert plan_lease(held, "a", T0 + 14 * SECOND, T0, 15 * SECOND) is None
    taken = plan_lease(held, "a", T0 + 15 * SECOND, T0, 15 * SECOND)
    assert taken == LeaseRecord("a", 15, T0 + 15 * SECOND, T0 + 15 * SECOND, 1, "7")


def test_plan_uses_the_holders_lease_duration() -> None:
    held = LeaseRecord("b", 60, T0, T0, 0, "7")
    assert plan_lease(held, "a", T0 + 30 * SECOND, T0, 15 * SECOND) is None


def test_plan_takes_a_released_lease_at_once() -> None:
    free = LeaseRecord(None, 1, T0, T0, 4, "9")
    assert plan_lease(free, "a", T0, T0, 15 * SECOND) == LeaseRecord("a", 15, T0, T0, 5, "9")


def test_timings_must_nest() -> None:
    with pytest.raises(ValueError, match="retry period < renew deadline < lease duration"):
        LeaseElector("ops", "l", "a", renew_deadline=20 * SECOND, api=MemoryLease())
    with pytest.raises(ValueError, match="identity is empty"):
        LeaseElector("ops", "l", "", api=MemoryLease())


def test_only_one_of_two_candidates_leads() -> None:
    lease, clock = MemoryLease(), Clock()
    a, b = elector("a", lease, clock), elector("b", lease, clock)
    assert a.try_acquire_or_renew() is True
    assert b.try_acquire_or_renew() is False
    assert (a.is_leader(), b.is_leader()) == (True, False)
    assert b.observed_holder == "a"
    assert lease.record is not None
    assert (lease.record.holder, lease.record.transitions) == ("a", 0)


def test_a_renewing_leader_keeps_the_lease_past_its_duration() -> None:
    lease, clock = MemoryLease(), Clock()
    a, b = elector("a", lease, clock), elector("b", lease, clock)
    a.try_acquire_or_renew()
    for _ in range(20):  # 40 s, well past the 15 s lease
        clock.advance(2)
        assert a.try_acquire_or_renew() is True
        assert b.try_acquire_or_renew() is False
    assert lease.record is not None
    assert lease.record.acquire_time == T0 and lease.record.renew_time == clock.now


def test_a_silent_leader_steps_down_before_anyone_else_can_take_over() -> None:
    lease, clock = MemoryLease(), Clock()
    a, b = elector("a", lease, clock), elector("b", lease, clock)
    a.try_acquire_or_renew()
    b.try_acquire_or_renew()  # b first sees a's lease at T0
    clock.advance(9.9)
    assert a.is_leader()
    clock.advance(0.1)  # renew deadline: 10 s without a renewal
    assert not a.is_leader()  # by the clock alone, even with no attempt running
    for _ in range(4):  # up to 14.9 s: a's lease is still valid for b
        clock.advance(1.2)
        assert b.try_acquire_or_renew() is False
    clock.advance(15 - 14.8)
    assert b.try_acquire_or_renew() is True
    assert lease.record is not None
    assert (lease.record.holder, lease.record.transitions) == ("b", 1)
    assert lease.record.acquire_time == clock.now
    # a comes back: it sees b's fresh lease and does not lead.
    assert a.try_acquire_or_renew() is False and not a.is_leader()


def test_a_failed_renewal_counts_down_to_the_deadline() -> None:
    lease, clock = MemoryLease(), Clock()
    a = elector("a", lease, clock)
    a.try_acquire_or_renew()
    clock.advance(8)
    lease.fail_next_get = OSError("connection refused")
    with pytest.raises(OSError):
        a.try_acquire_or_renew()
    a.check_deadline()
    assert a.is_leader()  # 8 s < 10 s
    clock.advance(2)
    a.check_deadline()
    assert not a.is_leader()


def test_the_loser_of_a_race_gets_a_conflict() -> None:
    lease, clock = MemoryLease(), Clock()
    a, b = elector("a", lease, clock), elector("b", lease, clock)
    lease.create(LeaseRecord("old", 15, T0, T0, 2))
    a.try_acquire_or_renew(), b.try_acquire_or_renew()  # both see `old` at T0
    clock.advance(15)
    stale = lease.get()
    assert a.try_acquire_or_renew() is True
    # b read `stale` before a's write landed: its update carries the old version.
    lease_get = lease.get
    lease.get = lambda: stale  # type: ignore[method-assign]
    assert b.try_acquire_or_renew() is False
    lease.get = lease_get  # type: ignore[method-assign]
    assert lease.record is not None
    assert (lease.record.holder, lease.record.transitions) == ("a", 3)
    assert not b.is_leader()


def test_release_frees_the_lease_for_the_next_candidate_at_once() -> None:
    lease, clock = MemoryLease(), Clock()
    a, b = elector("a", lease, clock), elector("b", lease, clock)
    a.try_acquire_or_renew()
    b.try_acquire_or_renew()
    clock.advance(1)
    a.stop()
    assert not a.is_leader()
    assert lease.record is not None
    assert (lease.record.holder, lease.record.lease_duration_seconds) == (None, 1)
    assert b.try_acquire_or_renew() is True
    assert (lease.record.holder, lease.record.transitions) == ("b", 1)


def test_stop_without_release_leaves_the_lease_to_expire() -> None:
    lease, clock = MemoryLease(), Clock()
    a = elector("a", lease, clock)
    a.try_acquire_or_renew()
    a.stop(release=False)
    assert not a.is_leader()
    assert lease.record is not None and lease.record.holder == "a"


def test_the_wire_format_of_the_lease() -> None:
    api = KubeLeaseApi.__new__(KubeLeaseApi)
    api.namespace, api.name = "ops", "reconciler"
    when = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)  # no microseconds: still six digits
    body = api.body(LeaseRecord("pod-a", 15, when, when + timedelta(microseconds=42), 2, "17"))
    assert body == {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "reconciler", "namespace": "ops", "resourceVersion": "17"},
        "spec": {
            "holderIdentity": "pod-a",
            "leaseDurationSeconds": 15,
            "acquireTime": "2025-01-01T12:00:00.000000Z",
            "renewTime": "2025-01-01T12:00:00.000042Z",
            "leaseTransitions": 2,
        },
    }
    free = api.body(LeaseRecord(None, 1, when, when, 2, "18"))
    assert "holderIdentity" not in free["spec"]
