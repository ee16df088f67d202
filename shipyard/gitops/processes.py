"""The processes of an apply, found and ended as one job, also after the reconciler died.

An apply is a tree: the worker, the Pulumi CLI it starts, and the plugins the CLI starts
(the provider, the policy analyzer), which the CLI puts in process groups of their own. No
single process group holds them, and cgroups need privileges a non-root pod lacks. What
they all share is the environment: every process of a job inherits `JOB_ENV=<owner>/<job>`,
where the owner names the reconciler's work directory. `job_processes` finds them by that
tag in `/proc/<pid>/environ`, whoever their parent is now (an orphan's is PID 1), and
`end_job` kills them, through a pidfd opened before the tag is checked again, so a pid
reused in between is never hit. On a platform without `/proc` both find nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

JOB_ENV = "SHIPYARD_APPLY_JOB"
PROC = Path("/proc")
END_TIMEOUT = 10.0
"""Seconds `end_job` waits for the killed processes to be gone."""


def owner_tag(workdir: Path) -> str:
    """The tag prefix of every job of the reconciler working in `workdir`."""
    return hashlib.sha256(str(workdir.resolve()).encode()).hexdigest()[:16]


def job_tag(owner: str, job: str) -> str:
    return f"{owner}/{job}"


def _tag(pid: int, proc: Path) -> str | None:
    try:
        environ = (proc / str(pid) / "environ").read_bytes()
    except OSError:  # gone, or not ours to read
        return None
    prefix = f"{JOB_ENV}=".encode()
    for item in environ.split(b"\0"):
        if item.startswith(prefix):
            return item[len(prefix) :].decode(errors="replace")
    return None


def _running(pid: int, proc: Path) -> bool:
    """Alive and not a zombie (a zombie has ended; its parent has not collected it yet)."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _matches(tag: str | None, prefix: str) -> bool:
    return tag is not None and (tag == prefix or tag.startswith(prefix.rstrip("/") + "/"))


def job_processes(prefix: str, proc: Path = PROC) -> list[int]:
    """Running processes whose tag is `prefix` (a job) or below it (an owner's jobs)."""
    found = []
    me = os.getpid()
    for entry in proc.glob("[0-9]*"):
        pid = int(entry.name)
        if pid != me and _matches(_tag(pid, proc), prefix) and _running(pid, proc):
            found.append(pid)
    return sorted(found)


def _kill(pid: int, prefix: str, proc: Path) -> None:
    """SIGKILL `pid` if it still carries the tag, through a pidfd where there is one."""
    open_pidfd = getattr(os, "pidfd_open", None)
    send = getattr(signal, "pidfd_send_signal", None)
    if open_pidfd is None or send is None:
        if _matches(_tag(pid, proc), prefix):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        return
    try:
        fd = open_pidfd(pid)
    except OSError:  # already gone
        return
    try:
        if _matches(_tag(pid, proc), prefix):  # still the process that carried the tag
            with contextlib.suppress(ProcessLookupError, PermissionError):
                send(fd, signal.SIGKILL)
    finally:
        os.close(fd)


def end_job(
    prefix: str,
    *,
    group: int | None = None,
    proc: Path = PROC,
    timeout: float = END_TIMEOUT,
) -> list[str]:
    """SIGKILL the process group `group` (the worker's, while it is not reaped) and every
    process tagged `prefix`, again until none is left or `timeout` passes. Returns what was
    killed, as `pid: command`."""
    if group is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    ended: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    while True:
        left = job_processes(prefix, proc)
        if not left or time.monotonic() > deadline:
            return list(ended.values())
        for pid in left:
            if pid not in ended:
                ended[pid] = _command(pid, proc)
            _kill(pid, prefix, proc)
        time.sleep(0.02)


def _command(pid: int, proc: Path) -> str:
    try:
        command = (proc / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").strip()
    except OSError:
        return str(pid)
    return f"{pid}: {command.decode(errors='replace')}"


def _boot_time(proc: Path) -> float | None:
    with contextlib.suppress(OSError, ValueError):
        for line in (proc / "stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    return None


def started_at(pid: int, proc: Path = PROC) -> datetime | None:
    """When the running process `pid` started; None when there is none."""
    boot = _boot_time(proc)
    if boot is None or not _running(pid, proc):
        return None
    try:
        fields = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = int(fields[19])  # field 22 of stat(5), counted after `pid (comm)`
    return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), UTC)


def held_since(pid: int, since: datetime | None, proc: Path = PROC) -> bool:
    """Whether a process `pid` runs that started by `since` and so may still hold what it
    took then (a lock); a later process with the same pid cannot."""
    start = started_at(pid, proc)
    if start is None:
        return False
    return since is None or start <= since + timedelta(seconds=1)
