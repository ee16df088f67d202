"""What a failed engine command says, read from its output (pure functions).

`error_summary` keeps what a person can act on: each resource's own error from the
`Diagnostics:` section (the provider's or the API server's message, with the wrapper lines
`error: 1 error occurred:` and `error: update failed` dropped), and every mandatory policy
violation with its message. `failure_kind` sorts a failure into one a retry of the same
commit cannot fix (`permanent`) and one it may (`temporary`). `lock_holders` reads who holds
the stack's lock from the DIY backend's error (file, s3, gs, azblob: `pkg/backend/diy/lock.go`
of Pulumi 3.259 writes `<lock url>: created by USER@HOST (pid N) at RFC3339`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from shipyard.gitops.reconcile_state import ErrorKind

MAX_LINES = 20
MAX_LINE = 1000
"""Characters kept of one line: an API server message is rarely longer."""

PERMANENT_MARKERS = (
    # The commit itself is refused by Shipyard or the engine.
    "[mandatory]",  # a mandatory policy violation
    "the blueprint is invalid",
    "Missing required configuration",
    # The API server refuses the object: admission control ...
    "denied request",  # a ValidatingAdmissionPolicy: `... with binding '...' denied request: ...`
    "denied the request",  # an admission webhook: `admission webhook "..." denied the request`
    "violates PodSecurity",
    # ... or the schema (HTTP 422 Invalid, strict field validation).
    "is invalid:",
    "field is immutable",
    "strict decoding error",
    "unknown field",
)
"""A failure whose message holds one of these fails the same way on every retry. Anything
else (network, timeouts, conflicts, a lock held by someone else, RBAC, quota, a missing
CRD) may pass once something outside the commit changes, so it is retried with backoff."""

LOCKED_MARKERS = (
    "the stack is currently locked by",  # DIY backends
    "Another update is currently in progress",  # Pulumi Cloud (HTTP 409)
)
_HOLDER = re.compile(r"(\S+): created by (\S+)@(\S+) \(pid (\d+)\) at (\S+)")
_WRAPPER = re.compile(r"^(error: )?(\d+ errors? occurred:|update failed|preview failed)$")
_RESOURCE_HEADER = re.compile(r"^  (\S+ \(.+\)):$")


@dataclass(frozen=True)
class LockHolder:
    """One lock file of the stack: who wrote it, where and when."""

    url: str
    user: str
    host: str
    pid: int
    at: datetime | None


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _diagnostics(lines: list[str]) -> list[str]:
    """`TYPE (NAME): message` per resource of the `Diagnostics:` section, wrappers dropped."""
    try:
        start = lines.index("Diagnostics:") + 1
    except ValueError:
        return []
    found: list[str] = []
    header: str | None = None
    parts: list[str] = []

    def flush() -> None:
        if header is not None and parts:
            found.append(f"{header}: {parts[0]}")
            found.extend(f"  {part}" for part in parts[1:])

    for line in lines[start:]:
        if line and not line.startswith(" "):  # the next section (Outputs:, Resources:)
            break
        match = _RESOURCE_HEADER.match(line)
        if match:
            flush()
            header, parts = match.group(1), []
            continue
        text = line.strip().lstrip("*").strip()
        if text and not _WRAPPER.match(text):
            parts.append(text.removeprefix("error: "))
    flush()
    return found


def _policy_violations(lines: list[str]) -> list[str]:
    """Each `[mandatory]` line with the more indented lines under it (its message)."""
    found: list[str] = []
    for index, line in enumerate(lines):
        if "[mandatory]" not in line:
            continue
        indent = len(line) - len(line.lstrip())
        text = [" ".join(line.split()).removeprefix("- ")]
        for more in lines[index + 1 :]:
            if not more.strip() or len(more) - len(more.lstrip()) <= indent:
                break
            text.append(more.strip())
        found.append(" ".join(text))
    return list(dict.fromkeys(found))  # the engine may print a violation twice


def error_summary(output: str) -> str:
    """The causes of a failed command, at most `MAX_LINES` lines: each resource's error from
    the diagnostics and each mandatory policy violation; failing those, the `error:` lines,
    or else the last lines."""
    lines = [line.rstrip() for line in output.splitlines()]
    picked = _policy_violations(lines) + _diagnostics(lines)
    if not picked:
        present = [line.strip() for line in lines if line.strip()]
        picked = [line for line in present if "error:" in line] or present[-MAX_LINES:]
    return "\n".join(_clip(line) for line in picked[:MAX_LINES]) or (
        "the engine failed without output"
    )


def failure_kind(output: str) -> ErrorKind:
    """`permanent` when a retry of the same commit must fail the same way, else `temporary`."""
    return "permanent" if any(marker in output for marker in PERMANENT_MARKERS) else "temporary"


def is_locked(output: str) -> bool:
    """Whether the command failed because the stack is locked."""
    return any(marker in output for marker in LOCKED_MARKERS)


def lock_holders(output: str) -> list[LockHolder]:
    """The holders a DIY backend's lock error names; empty for other backends."""
    holders = []
    for url, user, host, pid, at in _HOLDER.findall(output):
        try:
            when: datetime | None = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            when = None
        holders.append(LockHolder(url, user, host, int(pid), when))
    return holders
