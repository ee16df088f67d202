"""The Automation API applier: every apply or drift check runs in a child process.

`AutomationApplier` implements the reconciler's `Applier`. For a request it:

1. extracts the commit from the reconciler's git mirror into a fresh directory
   (`git archive`, nothing in the mirror changes);
2. starts `python -m shipyard.gitops.apply_worker JOB` with that directory as the project
   root. The worker runs the reconciler's own installed engine (`shipyard.program`) as a
   Pulumi Automation API inline program, over the blueprint and `stacks/Pulumi.<stack>.yaml`
   (secure config included) of the checkout, with the installed policy pack (or the one
   the operator names; never the checkout's, see `policy_pack`);
3. reads the worker's result file: success, drift found or not, or an `ApplyFailure`.

Why a child process: a kill of the child ends its apply like a kill of the reconciler
would (the worker dies with its parent, see `apply_worker`), applies of several stacks
never share the Pulumi SDK's process-wide state (the working directory, `sys.modules`,
the SDK's settings), and the idle reconciler never imports Pulumi (about 40 MB less).

Every process of a job (the worker, the CLI, its plugins) carries the job's tag
(`processes.JOB_ENV`). When the worker ends, whatever of its job still runs is killed; a
worker that ends without a result was killed mid-update, which counts as an interruption
(`ApplyFailure(interrupted=True)`), so the next apply clears the engine's leftovers.
`clean_abandoned` ends the jobs and removes the checkouts an earlier run of the reconciler
left behind (it was killed); the CLI calls it at start.

This module itself never imports Pulumi.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML

from shipyard.gitops import processes
from shipyard.gitops.child_env import child_environment
from shipyard.gitops.policy_pack import PolicyPackMissing, checked_pack, write_installed_pack
from shipyard.gitops.reconcile_state import ErrorKind
from shipyard.gitops.reconciler import ApplyFailure, ApplyRequest

WORKER_MODULE = "shipyard.gitops.apply_worker"
DEFAULT_TIMEOUT = timedelta(hours=1)
"""An apply or drift check that runs longer is killed and counted as a temporary failure."""
BACKEND_ENV = "PULUMI_BACKEND_URL"
Action = Literal["apply", "drift"]


def checkout(repository: Path, commit: str, destination: Path) -> Path:
    """Extract `commit`'s tree from `repository` into `destination` (created)."""
    destination.mkdir(parents=True)
    with subprocess.Popen(
        ["git", "-C", str(repository), "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
                archive.extractall(destination, filter="data")
        except tarfile.ReadError:  # no archive at all: git says why below
            pass
        error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise ApplyFailure("temporary", f"`git archive {commit[:7]}` failed: {error.strip()}")
    return destination


def project_backend(project_root: Path) -> str | None:
    """`backend.url` of the checkout's Pulumi.yaml, if any."""
    try:
        data = YAML(typ="safe").load((project_root / "Pulumi.yaml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ApplyFailure("permanent", "Pulumi.yaml does not exist at this commit") from None
    backend = data.get("backend") if isinstance(data, dict) else None
    url = backend.get("url") if isinstance(backend, dict) else None
    return str(url) if url else None


def backend_problem(env: Mapping[str, str], project_url: str | None) -> str | None:
    """Why the state backend cannot be used from a throwaway checkout, or None.

    `PULUMI_BACKEND_URL` wins over Pulumi.yaml (as for the CLI). A relative `file://` URL
    (`file://./.pulumi-state`) would put the state inside the checkout, which is deleted
    after every apply."""
    url = env.get(BACKEND_ENV) or project_url
    if url is None or not url.startswith("file://"):
        return None
    path = url.removeprefix("file://")
    if path.startswith(("/", "~")):
        return None
    return (
        f"the state backend `{url}` in Pulumi.yaml is relative to the checkout, which the "
        f"reconciler deletes after each apply; set `{BACKEND_ENV}` to an absolute file:// "
        "URL or a remote backend"
    )


class AutomationApplier:
    """An `Applier` running `shipyard.program` through the Automation API, per request in a
    child process, on a checkout of the request's commit."""

    def __init__(
        self,
        repository: Path,
        workdir: Path,
        *,
        policy_pack: Path | None = None,
        env: Mapping[str, str] | None = None,
        python: str = sys.executable,
        timeout: timedelta | None = DEFAULT_TIMEOUT,
    ) -> None:
        self.repository = repository
        self.workdir = workdir
        self.policy_pack = policy_pack or write_installed_pack(workdir)
        """The pack every apply and drift check runs with: the one installed with Shipyard
        (written into `workdir`), or a directory the operator names."""
        self.env = dict(env) if env is not None else child_environment(os.environ)
        """The children's whole environment: by default the allow-listed part of this
        process's (`child_env`), never the webhook secret or git credentials."""
        self.python = python
        self.timeout = timeout
        self.owner = processes.owner_tag(workdir)
        for sub in ("jobs", "logs"):
            (workdir / sub).mkdir(parents=True, exist_ok=True)

    def clean_abandoned(self) -> tuple[list[str], list[str]]:
        """End every process of this work directory's jobs and remove the jobs' checkouts:
        what a killed reconciler left. Returns what was ended (`pid: command`) and
        removed. Call it before the first apply."""
        ended = processes.end_job(self.owner)
        removed = []
        for job in sorted((self.workdir / "jobs").iterdir()):
            shutil.rmtree(job, ignore_errors=True)
            removed.append(job.name)
        return ended, removed

    def apply(self, request: ApplyRequest) -> None:
        self._run("apply", request)

    def check_drift(self, request: ApplyRequest) -> bool:
        return bool(self._run("drift", request).get("drift"))

    def log_path(self, stack: str) -> Path:
        """Where the engine's output for `stack` is appended."""
        return self.workdir / "logs" / f"{stack}.log"

    def _run(self, action: Action, request: ApplyRequest) -> dict[str, Any]:
        jobs = self.workdir / "jobs"
        job_dir = Path(tempfile.mkdtemp(prefix=f"{request.stack}-{request.commit[:7]}-", dir=jobs))
        try:
            root = checkout(self.repository, request.commit, job_dir / "checkout")
            problem = backend_problem(self.env, project_backend(root))
            if problem is not None:
                raise ApplyFailure("permanent", problem)
            job = {
                "action": action,
                "stack": request.stack,
                "commit": request.commit,
                "project_root": str(root),
                "policy_packs": [str(self._policy_pack())],
                "recovering": request.recovering,
                "refresh": request.refresh,
                "lock_hosts": list(request.lock_hosts),
                "result": str(job_dir / "result.json"),
            }
            job_file = job_dir / "job.json"
            job_file.write_text(json.dumps(job), encoding="utf-8")
            tag = processes.job_tag(self.owner, job_dir.name)
            return self._spawn(job_file, job_dir / "result.json", root, request.stack, tag)
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)

    def _policy_pack(self) -> Path:
        """The pack, checked before every run: none is a failure, never an apply without."""
        try:
            return checked_pack(self.policy_pack)
        except PolicyPackMissing as error:
            raise ApplyFailure(
                "temporary", f"{error}; no apply runs without the policy pack"
            ) from None

    def _spawn(
        self, job_file: Path, result_file: Path, root: Path, stack: str, tag: str
    ) -> dict[str, Any]:
        log_path = self.log_path(stack)
        timeout = self.timeout.total_seconds() if self.timeout is not None else None
        env = {**self.env, processes.JOB_ENV: tag}
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [self.python, "-m", WORKER_MODULE, str(job_file)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=root,
                start_new_session=True,  # its own process group, ended with the job
            )
            try:
                code: int | None = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                code = None
            finally:
                # Whatever of the job still runs (all of it after a timeout or an error here;
                # plugins the engine left) ends before the next apply may start. The group is
                # signalled only while its leader is not reaped, so its id cannot be reused.
                running = proc.poll() is None
                ended = processes.end_job(tag, group=proc.pid if running else None)
                proc.wait()
        if code is None:
            raise ApplyFailure(
                "temporary",
                f"the engine did not finish in {self.timeout} and was killed "
                f"({len(ended)} process(es) ended); see {log_path}",
                interrupted=True,
            )
        try:
            result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            how = f"was killed by signal {-code}" if code < 0 else f"exited with {code}"
            raise ApplyFailure(
                "temporary",
                f"the engine process {how} before it finished "
                f"({len(ended)} more process(es) of the job ended); see {log_path}",
                interrupted=True,
            ) from None
        if not result.get("ok"):
            kind: ErrorKind = "permanent" if result.get("kind") == "permanent" else "temporary"
            raise ApplyFailure(
                kind,
                str(result.get("message", "unknown error")),
                interrupted=bool(result.get("leftovers")),
            )
        return result
