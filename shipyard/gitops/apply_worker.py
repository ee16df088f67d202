"""The child process of `AutomationApplier`: one apply or drift check, then exit.

    python -m shipyard.gitops.apply_worker JOB.json

The job names the action (`apply` or `drift`), the stack, the checkout (project root), the
policy packs and whether the previous apply was interrupted. The program is the installed
`shipyard.program.run_stack`, run as an Automation API inline program over the checkout's
Pulumi.yaml and `stacks/Pulumi.<stack>.yaml`. The result is written as JSON to the job's
`result` path: `{"ok": true, ...}` or `{"ok": false, "kind": ..., "message": ...}`. The
engine's output goes to stdout, which the applier appends to the stack's log.

On Linux the worker asks to be killed when its parent dies, so killing the reconciler ends
its applies too, as in a container, and a restarted reconciler never races an orphan.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from shipyard.gitops.reconcile_state import ErrorKind
from shipyard.gitops.reconciler import ApplyFailure

PR_SET_PDEATHSIG = 1
ERROR_LINES = 20
PERMANENT_MARKERS = (
    "[mandatory]",  # a mandatory policy violation: the same commit fails the same way
    "the blueprint is invalid",
    "Missing required configuration",
)


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


def error_summary(output: str) -> str:
    """The engine's error lines (or its last lines) from a failed command's output."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line or "[mandatory]" in line]
    picked = errors or lines[-ERROR_LINES:]
    return "\n".join(picked[:ERROR_LINES]) or "the engine failed without output"


def failure_kind(output: str) -> ErrorKind:
    return "permanent" if any(marker in output for marker in PERMANENT_MARKERS) else "temporary"


def drop_pending_operations(deployment: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The deployment without `pending_operations`, and what they were (`type urn`)."""
    pending = deployment.get("pending_operations") or []
    described = [
        f"{op.get('type', '?')} {op.get('resource', {}).get('urn', '?')}" for op in pending
    ]
    cleaned = {key: value for key, value in deployment.items() if key != "pending_operations"}
    return cleaned, described


def log(message: str, **fields: object) -> None:
    print(json.dumps({"worker": message, **fields}, sort_keys=True, default=str), flush=True)


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
    result: dict[str, Any] = {"ok": True}
    if job.get("recovering"):
        result["cleared"] = recover(stack)
    packs = list(job.get("policy_packs") or [])
    output: Callable[[str], None] = lambda line: print(line, flush=True)  # noqa: E731
    try:
        if job["action"] == "drift":
            preview = stack.preview(
                refresh=True, policy_packs=packs or None, on_output=output, color="never"
            )
            changes = {k: v for k, v in preview.change_summary.items() if k != "same" and v}
            result.update(drift=bool(changes), changes=changes)
        else:
            up = stack.up(
                refresh=bool(job.get("refresh")),
                policy_packs=packs or None,
                on_output=output,
                color="never",
            )
            summary = up.summary.resource_changes or {}
            result["changes"] = {k: v for k, v in summary.items() if k != "same" and v}
    except auto.errors.CommandError as error:
        text = str(error)
        raise ApplyFailure(failure_kind(text), error_summary(text)) from None
    return result


def recover(stack: Any) -> list[str]:
    """Clear what a killed update leaves behind: the backend's lock (`cancel`, which for a
    file backend deletes the lock files) and the checkpoint's pending operations (exported,
    dropped and imported, as `pulumi stack export | import` would)."""
    from pulumi import automation as auto

    try:
        stack.cancel()
    except auto.errors.CommandError as error:  # nothing to cancel
        log("cancel found nothing to cancel", detail=error_summary(str(error)))
    exported = stack.export_stack()
    cleaned, pending = drop_pending_operations(exported.deployment or {})
    if pending:
        stack.import_stack(auto.Deployment(version=exported.version, deployment=cleaned))
    log("recovered an interrupted apply", pending_operations=pending)
    return pending


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
        result = {"ok": False, "kind": failure.kind, "message": failure.message}
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
