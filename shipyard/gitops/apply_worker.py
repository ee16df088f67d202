"""The child process of `AutomationApplier`: one apply or drift check, then exit.

    python -m shipyard.gitops.apply_worker JOB.json

The job names the action (`apply` or `drift`), the stack, the checkout (project root), the
policy packs, whether the previous apply was interrupted (`recovering`) and the hosts of
interrupted applies (`lock_hosts`). The program is the installed `shipyard.program.run_stack`,
run as an Automation API inline program over the checkout's Pulumi.yaml and
`stacks/Pulumi.<stack>.yaml`. The result is written as JSON to the job's `result` path:
`{"ok": true, ...}` or `{"ok": false, "kind": ..., "message": ..., "leftovers": ...}`. The
engine's output goes to stdout, which the applier appends to the stack's log.

A lock on the stack is cleared only when it is stale: written on this host by a process
that no longer runs (`processes.held_since`), or on a host in `lock_hosts`. Any other lock
is someone else's update, a temporary failure naming its holder. A recovering apply also
drops the checkpoint's pending operations, and refreshes.

On Linux the worker asks to be killed when its parent dies, so killing the reconciler ends
its applies too, as in a container, and a restarted reconciler never races an orphan.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from shipyard.gitops import processes
from shipyard.gitops.engine_errors import (
    LockHolder,
    error_summary,
    failure_kind,
    is_locked,
    lock_holders,
)
from shipyard.gitops.reconciler import ApplyFailure

PR_SET_PDEATHSIG = 1
T = TypeVar("T")


def die_with_parent() -> None:
    """SIGKILL this process when its parent exits (Linux `prctl`); elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def drop_pending_operations(deployment: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The deployment without `pending_operations`, and what they were (`type urn`)."""
    pending = deployment.get("pending_operations") or []
    described = [
        f"{op.get('type', '?')} {op.get('resource', {}).get('urn', '?')}" for op in pending
    ]
    cleaned = {key: value for key, value in deployment.items() if key != "pending_operations"}
    return cleaned, described


def stale(holder: LockHolder, host: str, lock_hosts: frozenset[str]) -> bool:
    """Whether `holder`'s update can no longer be running: it was written on a host of an
    interrupted apply, or on this host by a process that no longer runs."""
    if holder.host in lock_hosts and holder.host != host:
        return True
    return holder.host == host and not processes.held_since(holder.pid, holder.at)


def log(message: str, **fields: object) -> None:
    print(json.dumps({"worker": message, **fields}, sort_keys=True, default=str), flush=True)


class Worker:
    """One job's stack, and how it gets past a stale lock."""

    def __init__(self, stack: Any, job: Mapping[str, Any]) -> None:
        self.stack = stack
        self.recovering = bool(job.get("recovering"))
        self.lock_hosts = frozenset(job.get("lock_hosts") or ())
        self.host = socket.gethostname()

    def unlocked(self, operation: Callable[[], T], retry: Callable[[], T] | None = None) -> T:
        """`operation()`. When it fails on a stale lock, the lock is cleared, the pending
        operations are dropped, and `retry()` (or `operation()`) runs once. A lock held by
        anyone else is a temporary failure naming the holder."""
        from pulumi import automation as auto

        try:
            return operation()
        except auto.errors.CommandError as error:
            text = str(error)
            if not is_locked(text):
                raise
        holders = lock_holders(text)
        if holders:
            ours = all(stale(h, self.host, self.lock_hosts) for h in holders)
        else:  # Pulumi Cloud names no holder: after an interruption of ours, it is ours
            ours = self.recovering
        if not ours:
            named = ", ".join(f"{h.user}@{h.host} (pid {h.pid}) since {h.at}" for h in holders)
            raise ApplyFailure(
                "temporary",
                f"the stack is locked by another update ({named or 'not named'}); "
                "retrying after it ends",
                interrupted=self.recovering,  # nothing was recovered yet
            )
        self.stack.cancel()
        log("cleared the lock of an interrupted update", holders=[str(h) for h in holders])
        if not self.recovering:
            self.recovering = True
            log("recovered an interrupted apply", pending_operations=self.drop_pending())
        return (retry or operation)()

    def drop_pending(self) -> list[str]:
        """Drop the checkpoint's pending operations (exported, dropped and imported, as
        `pulumi stack export | import` would), and say which they were."""
        from pulumi import automation as auto

        exported = self.stack.export_stack()
        cleaned, pending = drop_pending_operations(exported.deployment or {})
        if pending:
            deployment = auto.Deployment(version=exported.version, deployment=cleaned)
            self.unlocked(lambda: self.stack.import_stack(deployment))
        return pending


def run(job: Mapping[str, Any]) -> dict[str, Any]:
    from pulumi import automation as auto

    from shipyard.program import run_stack

    root = Path(job["project_root"])
    program: Callable[[], None] = lambda: run_stack(project_root=root)  # noqa: E731
    stack = auto.create_or_select_stack(
        stack_name=job["stack"],
        program=program,
        project_name=_project_name(root),
        opts=auto.LocalWorkspaceOptions(work_dir=str(root)),
    )
    worker = Worker(stack, job)
    result: dict[str, Any] = {"ok": True}
    packs = list(job.get("policy_packs") or [])
    if not packs:  # the applier always names one: never run without
        raise ApplyFailure("temporary", "the job names no policy pack; nothing is applied")
    output: Callable[[str], None] = lambda line: print(line, flush=True)  # noqa: E731
    if worker.recovering:
        try:
            result["cleared"] = worker.drop_pending()
        except ApplyFailure as failure:  # the leftovers stay: the next apply recovers again
            failure.interrupted = True
            raise
        except auto.errors.CommandError as error:
            raise ApplyFailure("temporary", error_summary(str(error)), interrupted=True) from None
        log("recovered an interrupted apply", pending_operations=result["cleared"])
    try:
        if job["action"] == "drift":
            preview = stack.preview(
                refresh=True, policy_packs=packs or None, on_output=output, color="never"
            )
            changes = {k: v for k, v in preview.change_summary.items() if k != "same" and v}
            result.update(drift=bool(changes), changes=changes)
        else:

            def up(refresh: bool) -> Any:
                return stack.up(
                    refresh=refresh, policy_packs=packs or None, on_output=output, color="never"
                )

            refresh = bool(job.get("refresh")) or worker.recovering
            done = worker.unlocked(lambda: up(refresh), retry=lambda: up(True))
            summary = done.summary.resource_changes or {}
            result["changes"] = {k: v for k, v in summary.items() if k != "same" and v}
    except auto.errors.CommandError as error:
        summary_text = error_summary(str(error))
        raise ApplyFailure(failure_kind(summary_text), summary_text) from None
    return result


def _project_name(root: Path) -> str:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((root / "Pulumi.yaml").read_text(encoding="utf-8"))
    return str(data["name"])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    die_with_parent()
    job = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    try:
        result = run(job)
    except ApplyFailure as failure:
        result = {
            "ok": False,
            "kind": failure.kind,
            "message": failure.message,
            "leftovers": failure.interrupted,
        }
    except Exception as error:  # an engine or SDK error: may pass on a retry
        result = {"ok": False, "kind": "temporary", "message": f"{type(error).__name__}: {error}"}
    target = Path(job["result"])
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, sort_keys=True), encoding="utf-8")
    os.replace(tmp, target)
    log("done", ok=result["ok"])
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
