"""What the reconciler remembers per stack, in one JSON file per stack.

Writes are atomic (a temp file in the same directory, fsync, `os.replace`), so a crash
leaves either the old or the new file, never half of one. Before an apply the state gets
an *in-progress marker* (commit, pid, host, run id, start time) in the same file; the
apply's outcome replaces it. A marker found on restart means the apply was interrupted:
`decide` retries it as a temporary failure (see `is_interrupted`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

ErrorKind = Literal["temporary", "permanent"]
ConditionStatus = Literal["Ready", "Reconciling", "Stalled"]
STATE_VERSION = 1
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class StateError(Exception):
    """A state file that cannot be read: corrupt JSON, or a newer format."""


@dataclass(frozen=True)
class LastError:
    kind: ErrorKind
    """`temporary`: retried with backoff; `permanent`: not retried for this commit."""
    commit: str
    message: str
    """For an invalid blueprint, the `FILE:LINE:COL: field: message` lines."""
    at: datetime


@dataclass(frozen=True)
class InProgress:
    """Written before an apply starts, removed by its outcome."""

    commit: str
    pid: int
    host: str
    run_id: str
    """Unique per reconciler process start: tells a restarted PID 1 from the old one."""
    started_at: datetime


@dataclass(frozen=True)
class Condition:
    """Like the operator's conditions: Ready, Reconciling or Stalled, with a reason."""

    status: ConditionStatus
    reason: str
    message: str
    at: datetime


@dataclass(frozen=True)
class StackState:
    stack: str
    last_attempted_commit: str | None = None
    last_successful_commit: str | None = None
    last_success_at: datetime | None = None
    last_error: LastError | None = None
    attempts: int = 0
    """Consecutive failed or interrupted applies of `last_attempted_commit`."""
    next_retry_at: datetime | None = None
    last_drift_check_at: datetime | None = None
    drift_found: bool | None = None
    """The last drift check's result; None before the first one."""
    in_progress: InProgress | None = None
    interrupted: bool = False
    """The last apply was interrupted: the next one must clear its leftovers (the engine's
    lock and pending operations) first. Cleared when an apply finishes."""
    interrupted_on: tuple[str, ...] = ()
    """The hosts the interrupted applies ran on: a lock one of them left may be cleared."""
    condition: Condition | None = None

    @property
    def failed_attempt_pending(self) -> bool:
        """An apply after the last success failed or was interrupted: the stack may be
        partly changed, so its head must be looked at even if git says it is unaffected."""
        return self.in_progress is not None or (
            self.last_attempted_commit is not None
            and self.last_attempted_commit != self.last_successful_commit
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = STATE_VERSION
        return _encode(data)  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StackState:
        version = data.pop("version", STATE_VERSION)
        if version != STATE_VERSION:
            raise StateError(f"state format version {version} is not supported")
        nested = {"last_error": LastError, "in_progress": InProgress, "condition": Condition}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key in nested and value is not None:
                values[key] = nested[key](**_decode_times(value))
            elif key == "interrupted_on":
                values[key] = tuple(value)
            else:
                values[key] = _decode_time(key, value)
        return cls(**values)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return value


_TIME_FIELDS = frozenset(
    {"at", "started_at", "last_success_at", "next_retry_at", "last_drift_check_at"}
)


def _decode_time(key: str, value: Any) -> Any:
    return datetime.fromisoformat(value) if key in _TIME_FIELDS and value is not None else value


def _decode_times(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _decode_time(key, value) for key, value in data.items()}


def this_process(run_id: str) -> Callable[[str, datetime], InProgress]:
    """Makes markers for this process: `mark(commit, now)`."""
    pid, host = os.getpid(), socket.gethostname()
    return lambda commit, now: InProgress(commit, pid, host, run_id, now)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def is_interrupted(
    marker: InProgress,
    run_id: str,
    host: str | None = None,
    pid: int | None = None,
    alive: Callable[[int], bool] = pid_alive,
) -> bool:
    """Whether `marker` belongs to an apply that can no longer finish.

    Not ours (another run id) and: written on another host (leader election guarantees
    the old leader is gone), or by a process that no longer exists, or by our own pid
    (a restarted container's PID 1). Only a live process on this host with another pid
    is still applying."""
    if marker.run_id == run_id:
        return False
    host = socket.gethostname() if host is None else host
    pid = os.getpid() if pid is None else pid
    if marker.host != host or marker.pid == pid:
        return True
    return not alive(marker.pid)


def apply_started(state: StackState, marker: InProgress) -> StackState:
    """`state` with the attempt and its marker recorded; the attempt count starts again
    for a new commit. Every `StackStateStore.begin_apply` saves this."""
    same = state.last_attempted_commit == marker.commit
    return replace(
        state,
        last_attempted_commit=marker.commit,
        attempts=state.attempts if same else 0,
        in_progress=marker,
        next_retry_at=None,
    )


def interruption_recorded(
    state: StackState, now: datetime, retry_at: datetime | None = None
) -> StackState:
    """`state` with its apply marker turned into a counted temporary failure (`state`
    itself when no apply is marked). Every `StackStateStore.record_interruption` saves
    this."""
    marker = state.in_progress
    if marker is None:
        return state
    return replace(
        state,
        in_progress=None,
        interrupted=True,
        interrupted_on=with_host(state.interrupted_on, marker.host),
        last_attempted_commit=marker.commit,
        attempts=state.attempts + 1,
        next_retry_at=retry_at,
        last_error=LastError(
            "temporary",
            marker.commit,
            f"the apply of {marker.commit[:7]} started at {marker.started_at.isoformat()} "
            f"by pid {marker.pid} on {marker.host} was interrupted",
            now,
        ),
    )


def with_host(hosts: tuple[str, ...], host: str) -> tuple[str, ...]:
    return hosts if host in hosts else (*hosts, host)


class StackStateStore(Protocol):
    """What the reconciler needs from a state store: the file `StateStore` below, or another
    backend (a ConfigMap, say) with the same four methods and the same atomicity."""

    def load(self, stack: str) -> StackState:
        """The stack's recorded state; an empty one if it was never reconciled. Raises
        `StateError` when it cannot be read."""

    def save(self, state: StackState) -> None:
        """Replace the stack's state, all or nothing."""

    def begin_apply(self, state: StackState, marker: InProgress) -> StackState:
        """Record the attempt and its marker before the apply starts."""

    def record_interruption(
        self, state: StackState, now: datetime, retry_at: datetime | None = None
    ) -> StackState:
        """Turn an interrupted apply's marker into a counted temporary failure."""


class StateStore:
    """`<directory>/<stack>.json`, one file per stack (a `StackStateStore`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def path(self, stack: str) -> Path:
        if not _STACK_NAME.fullmatch(stack):
            raise ValueError(f"`{stack}` is not a valid stack name")
        return self.directory / f"{stack}.json"

    def load(self, stack: str) -> StackState:
        """The stack's recorded state; an empty one if it was never reconciled."""
        path = self.path(stack)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return StackState(stack)
        try:
            data = json.loads(text)
            return StackState.from_json(data)
        except (ValueError, TypeError) as error:
            raise StateError(f"{path}: cannot read the reconciler state: {error}") from None

    def save(self, state: StackState) -> None:
        """Atomically replace the stack's state file."""
        path = self.path(state.stack)
        text = json.dumps(state.to_json(), indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_directory(self.directory)

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


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
