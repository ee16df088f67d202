"""The state store: JSON round trips, atomic writes, markers of interrupted applies."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shipyard.gitops.reconcile_state import (
    Condition,
    InProgress,
    LastError,
    StackState,
    StateError,
    StateStore,
    apply_started,
    interruption_recorded,
    is_interrupted,
    pid_alive,
)

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
A, B = "a" * 40, "b" * 40


def full_state() -> StackState:
    return StackState(
        "dev",
        last_attempted_commit=B,
        last_successful_commit=A,
        last_success_at=T0,
        last_error=LastError("temporary", B, "the cluster is unreachable", T0),
        attempts=2,
        next_retry_at=T0 + timedelta(seconds=30),
        last_drift_check_at=T0 - timedelta(hours=1),
        drift_found=False,
        in_progress=InProgress(B, 123, "host-1", "run-1", T0),
        interrupted=True,
        interrupted_on=("host-0", "host-1"),
        condition=Condition("Reconciling", "BackingOff", "waiting", T0),
    )


def test_a_stack_never_reconciled_has_an_empty_state(tmp_path: Path) -> None:
    assert StateStore(tmp_path / "state").load("dev") == StackState("dev")


def test_every_field_survives_a_round_trip(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save(full_state())
    assert StateStore(tmp_path).load("dev") == full_state()
    data = json.loads((tmp_path / "dev.json").read_text())
    assert data["version"] == 1
    assert data["last_error"] == {
        "at": "2026-11-23T12:00:00+00:00",
        "commit": B,
        "kind": "temporary",
        "message": "the cluster is unreachable",
    }
    assert data["in_progress"]["pid"] == 123
    assert data["interrupted_on"] == ["host-0", "host-1"]


def test_save_replaces_atomically_and_leaves_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(tmp_path)
    store.save(StackState("dev", A, A))
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        replaced.append((Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    store.save(StackState("dev", B, A))
    [(src, dst)] = replaced
    assert src.startswith(".dev.json.") and src.endswith(".tmp") and dst == "dev.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.json"]
    assert store.load("dev").last_attempted_commit == B


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path)
    store.save(StackState("dev", A, A))

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save(StackState("dev", B, B))
    assert store.load("dev") == StackState("dev", A, A)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.json"]


def test_a_corrupt_file_is_a_state_error(tmp_path: Path) -> None:
    (tmp_path / "dev.json").write_text("{not json")
    with pytest.raises(StateError, match=r"dev\.json: cannot read the reconciler state"):
        StateStore(tmp_path).load("dev")
    (tmp_path / "dev.json").write_text('{"version": 99, "stack": "dev"}')
    with pytest.raises(StateError, match="state format version 99 is not supported"):
        StateStore(tmp_path).load("dev")


def test_stack_names_cannot_escape_the_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"`\.\./x` is not a valid stack name"):
        StateStore(tmp_path).load("../x")


def test_begin_apply_writes_the_marker_before_the_apply(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    marker = InProgress(B, 77, "host-1", "run-2", T0)
    retried = StackState("dev", B, A, attempts=2, next_retry_at=T0)
    started = store.begin_apply(retried, marker)
    assert store.load("dev") == started
    assert (started.in_progress, started.attempts, started.next_retry_at) == (marker, 2, None)
    fresh = store.begin_apply(StackState("dev", A, A, attempts=3), marker)
    assert (fresh.last_attempted_commit, fresh.attempts) == (B, 0)


def test_an_interrupted_apply_becomes_a_counted_temporary_failure(tmp_path: Path) -> None:
    """A restart finds the marker: it is recorded as a temporary failure of its commit."""
    store = StateStore(tmp_path)
    store.begin_apply(StackState("dev", A, A), InProgress(B, 77, "host-1", "run-1", T0))
    restarted = StateStore(tmp_path).load("dev")
    assert restarted.in_progress is not None and restarted.failed_attempt_pending
    later = T0 + timedelta(minutes=1)
    recorded = store.record_interruption(restarted, later, retry_at=later)
    assert store.load("dev") == recorded
    assert (recorded.in_progress, recorded.attempts, recorded.next_retry_at) == (None, 1, later)
    assert (recorded.interrupted, recorded.interrupted_on) == (True, ("host-1",))
    assert recorded.last_error == LastError(
        "temporary",
        B,
        "the apply of bbbbbbb started at 2026-11-23T12:00:00+00:00 by pid 77 on host-1 "
        "was interrupted",
        later,
    )
    assert store.record_interruption(recorded, later) is recorded


@pytest.mark.parametrize(
    ("marker", "alive", "interrupted"),
    [
        (InProgress(B, 50, "here", "this-run", T0), False, False),  # our own, still running
        (InProgress(B, 50, "here", "old-run", T0), False, True),  # its process is gone
        (InProgress(B, 50, "here", "old-run", T0), True, False),  # another live reconciler
        (InProgress(B, 10, "here", "old-run", T0), True, True),  # our pid: a restarted PID 1
        (InProgress(B, 50, "elsewhere", "old-run", T0), True, True),  # an old leader's pod
    ],
)
def test_is_interrupted(marker: InProgress, alive: bool, interrupted: bool) -> None:
    assert (
        is_interrupted(marker, "this-run", host="here", pid=10, alive=lambda _: alive)
        is interrupted
    )


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(2**22 + 12345)


def test_the_transitions_are_pure_and_count_attempts_per_commit() -> None:
    before = StackState("dev", last_attempted_commit=B, attempts=2)
    marker = InProgress(B, 77, "host-1", "run-2", T0)
    started = apply_started(before, marker)
    assert (started.in_progress, started.attempts, started.next_retry_at) == (marker, 2, None)
    assert apply_started(before, InProgress(A, 77, "host-1", "run-2", T0)).attempts == 0
    assert before.in_progress is None  # the input is left alone
    recorded = interruption_recorded(started, T0, T0 + timedelta(seconds=30))
    assert (recorded.in_progress, recorded.interrupted, recorded.attempts) == (None, True, 3)
    assert recorded.next_retry_at == T0 + timedelta(seconds=30)
    assert recorded.last_error is not None and recorded.last_error.kind == "temporary"
    assert interruption_recorded(before, T0) is before  # nothing was marked
