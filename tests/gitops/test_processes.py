"""Jobs' processes found by their tag and ended, on real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shipyard.gitops import processes
from shipyard.gitops.apply_worker import stale
from shipyard.gitops.engine_errors import LockHolder

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[bytes]]]:
    made: list[subprocess.Popen[bytes]] = []
    yield made
    for proc in made:
        proc.kill()
        proc.wait()
    processes.end_job(PREFIX)  # the detached grandchildren, whatever the test left


PREFIX = f"test-{uuid.uuid4().hex[:8]}"
"""This run's tags start here, so it never touches another run's processes."""


def start(spawned: list[subprocess.Popen[bytes]], tag: str | None) -> subprocess.Popen[bytes]:
    """A shell that starts `sleep` in a session of its own, as the engine starts its
    plugins; untagged, a plain `sleep` (nothing else could end a detached one)."""
    env = {"PATH": os.environ["PATH"]}
    command = ["sleep", "60"]
    if tag is not None:
        env[processes.JOB_ENV] = f"{PREFIX}/{tag}"
        command = ["sh", "-c", "setsid sleep 60 & wait"]
    proc = subprocess.Popen(command, env=env, start_new_session=True)
    spawned.append(proc)
    return proc


def wait_for(predicate: Callable[[], bool], tries: int = 200) -> None:
    for _ in range(tries):
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("timed out")


def test_the_owner_tag_names_the_work_directory(tmp_path: Path) -> None:
    owner = processes.owner_tag(tmp_path / "work")
    assert owner == processes.owner_tag(tmp_path / "work" / ".." / "work")
    assert owner != processes.owner_tag(tmp_path / "other")
    assert processes.job_tag(owner, "dev-1") == f"{owner}/dev-1"


def test_a_jobs_processes_are_found_by_tag_and_ended_whatever_their_group(
    spawned: list[subprocess.Popen[bytes]],
) -> None:
    job = start(spawned, "owner1/dev-1")
    sibling = start(spawned, "owner1/prod-1")
    stranger = start(spawned, "owner2/dev-1")
    untagged = start(spawned, None)
    wait_for(lambda: len(processes.job_processes(f"{PREFIX}/owner1")) == 4)  # sh and sleep
    assert len(processes.job_processes(f"{PREFIX}/owner1/dev-1")) == 2
    assert processes.job_processes(f"{PREFIX}/owner") == []  # a prefix of a tag is no match

    ended = processes.end_job(f"{PREFIX}/owner1/dev-1")
    assert sorted(line.split(": ", 1)[1] for line in ended) == [
        "sh -c setsid sleep 60 & wait",
        "sleep 60",  # in a session of its own, found by its tag alone
    ]
    job.wait(5)
    assert processes.job_processes(f"{PREFIX}/owner1/dev-1") == []
    for other in (sibling, stranger, untagged):
        assert other.poll() is None


def test_a_process_group_is_ended_with_the_job(spawned: list[subprocess.Popen[bytes]]) -> None:
    proc = start(spawned, None)  # untagged: only its group reaches it
    processes.end_job("nothing/here", group=proc.pid)
    assert proc.wait(5) == -9


def test_start_times_tell_a_lock_holder_from_a_later_process() -> None:
    me = os.getpid()
    start_time = processes.started_at(me)
    assert start_time is not None
    assert start_time <= datetime.now(UTC) + timedelta(seconds=1)
    assert processes.held_since(me, datetime.now(UTC))  # started before: may hold it
    assert not processes.held_since(me, start_time - timedelta(minutes=5))  # a later process
    assert processes.held_since(me, None)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert processes.started_at(dead.pid) is None
    assert not processes.held_since(dead.pid, datetime.now(UTC))


def holder(host: str, pid: int, at: datetime | None = None) -> LockHolder:
    return LockHolder("file:///state/lock.json", "root", host, pid, at or datetime.now(UTC))


def test_only_a_stale_lock_counts_as_an_interrupted_update() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    here, lock_hosts = "reconciler-1", frozenset({"reconciler-0"})
    # Written here by a process that no longer runs: stale.
    assert stale(holder(here, dead.pid), here, lock_hosts)
    # Written here by a process that still runs (a person's `pulumi up`): not stale.
    assert not stale(holder(here, os.getpid()), here, lock_hosts)
    # The same pid, but the process started after the lock was taken: stale.
    long_ago = datetime.now(UTC) - timedelta(days=400)
    assert stale(holder(here, os.getpid(), long_ago), here, lock_hosts)
    # Written on the host of an interrupted apply (the old leader): stale.
    assert stale(holder("reconciler-0", os.getpid()), here, lock_hosts)
    # Written on any other host (CI, a laptop): not stale.
    assert not stale(holder("laptop", dead.pid), here, lock_hosts)
