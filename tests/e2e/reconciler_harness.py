"""The real `shipyard reconcile` against a bare git remote and the local cluster: the shared
parts of `test_reconciler_on_cluster.py` and `test_reconciler_faults.py`.

`origin` is a bare remote and a clone with the dev blueprint (in its own namespace, with the
KubeRay CRDs in place for its Ray cluster) and the prod one; `make_origin(ray=False)` leaves
the Ray cluster out, which spares the CRDs (40 s to create on this machine) and resources.
`reconciler` is the CLI as a child process in its own process group, watching `main` for
the dev stack, on a file backend in the test's temp dir. Its teardown stops it, destroys the
dev stack, and fails the test if any process of it outlived it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git
import pytest
from conftest import pulumi_env
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from pulumi import automation as auto
from test_dev_blueprint import e2e_blueprint_text, kuberay_crds  # noqa: F401 (a fixture)

from shipyard.gitops.webhook import sign

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPYARD = REPO_ROOT / ".venv" / "bin" / "shipyard"
NAMESPACE = "llm-reconcile"
MODEL = "qwen-small"
INTERVAL = 3.0
SECRET = "e2e-webhook-secret"
APPLY_TIMEOUT = 240.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait(predicate: Callable[[], Any], what: str, timeout: float = APPLY_TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def delivery_id() -> str:
    """An `X-GitHub-Delivery` id in GitHub's format (a GUID)."""
    return str(uuid.uuid4())


@dataclass
class Origin:
    """A bare remote and a clone that pushes to it."""

    bare: Path
    clone: git.Repo

    @property
    def root(self) -> Path:
        return Path(str(self.clone.working_tree_dir))

    def push(self, files: dict[str, str | None], message: str) -> str:
        """Commit `files` (None deletes the path) and push."""
        for path, text in files.items():
            if text is None:
                self.clone.index.remove([path], working_tree=True, r=True)
                continue
            (self.root / path).parent.mkdir(parents=True, exist_ok=True)
            (self.root / path).write_text(text, encoding="utf-8")
            self.clone.index.add([path])
        sha = str(self.clone.index.commit(message).hexsha)
        self.clone.remote("origin").push("main").raise_if_error()
        return sha

    def blueprint(self, replicas: str) -> dict[str, str | None]:
        text = (self.root / "blueprints" / "dev.yaml").read_text()
        current = next(line for line in text.splitlines() if line.startswith("      replicas: "))
        return {"blueprints/dev.yaml": text.replace(current, f"      replicas: {replicas}", 1)}


@dataclass(frozen=True)
class Proc:
    """A process, told apart from a later one with the same pid by its start time."""

    pid: int
    started: int

    def alive(self) -> bool:
        return _start_time(self.pid) == self.started


def _start_time(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # `pid (comm) state ...`: comm may hold spaces
    if fields[0] == "Z":  # a zombie has ended; only its exit status is left
        return None
    return int(fields[19])


def descendants(root: int) -> list[Proc]:
    """Every live process below `root`, from the parent pids in /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [root]
    while queue:
        for child in children.get(queue.pop(), []):
            started = _start_time(child)
            if started is not None:
                found.append(Proc(child, started))
            queue.append(child)
    return found


def kill(procs: list[Proc]) -> None:
    for proc in procs:
        if proc.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)


@dataclass
class Reconciler:
    """`shipyard reconcile` as a child process in its own process group."""

    args: list[str]
    env: dict[str, str]
    log: Path
    port: int
    state: Path
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    seen: set[Proc] = field(default_factory=set)
    """Every process seen below the reconciler: none may outlive the test."""

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.args, env=self.env, stdout=out, stderr=out, start_new_session=True
            )
        wait(self.ready, "the reconciler's /readyz", timeout=30)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def ready(self) -> bool:
        try:
            return self.get("/readyz")[0] == 200
        except OSError:
            return False

    def get(self, path: str) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def status(self) -> dict[str, Any]:
        return json.loads(self.get("/status")[1])  # type: ignore[no-any-return]

    def webhook(self, body: bytes, delivery: str, signature: str | None = None) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/webhook",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-GitHub-Event": "push",
                "X-GitHub-Delivery": delivery,
                "X-Hub-Signature-256": signature or sign(SECRET.encode(), body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def push_webhook(self, commit: str) -> int:
        body = json.dumps({"ref": "refs/heads/main", "after": commit}).encode()
        return self.webhook(body, delivery_id())

    def dev(self) -> dict[str, Any]:
        path = self.state / "dev.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def condition(self) -> tuple[str, str]:
        condition = self.dev().get("condition") or {}
        return condition.get("status", ""), condition.get("reason", "")

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def worker_log(self) -> str:
        path = self.workdir / "logs" / "dev.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def family(self) -> list[Proc]:
        """The processes below the reconciler now (remembered for the final check)."""
        found = descendants(self.pid)
        self.seen.update(found)
        return found

    def worker(self) -> Proc | None:
        """The apply worker (`python -m shipyard.gitops.apply_worker`), if one runs."""
        for proc in self.family():
            with contextlib.suppress(OSError):
                cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
                if b"shipyard.gitops.apply_worker" in cmdline:
                    return proc
        return None

    def kill_group(self) -> None:
        """SIGKILL to everything the reconciler started, as a container's end would do. The
        engine starts its plugins in process groups of their own, so they are found by
        ancestry first and killed with the group."""
        family = self.family()
        os.killpg(self.pid, signal.SIGKILL)
        kill(family)
        assert self.proc is not None
        self.proc.wait()

    def kill_alone(self) -> None:
        """SIGKILL to the reconciler process only, as an OOM kill or `kill -9 PID` does: what
        it started is left to end (or not) by itself."""
        self.family()
        os.kill(self.pid, signal.SIGKILL)
        assert self.proc is not None
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.family()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def survivors(self) -> list[str]:
        """Processes seen below the reconciler that are still alive, with their command."""
        alive = []
        for proc in sorted(self.seen, key=lambda p: p.pid):
            if proc.alive():
                with contextlib.suppress(OSError):
                    cmd = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    alive.append(f"{proc.pid}: {cmd.decode(errors='replace').strip()}")
        return alive


def make_origin(tmp_path: Path, ray: bool = True) -> Origin:
    bare = tmp_path / "origin.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    clone = git.Repo.clone_from(str(bare), tmp_path / "clone")
    with clone.config_writer() as config:
        config.set_value("user", "name", "E2E")
        config.set_value("user", "email", "e2e@example.com")
    root = Path(str(clone.working_tree_dir))
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(REPO_ROOT / "policies", root / "policies", ignore=shutil.ignore_patterns("bin"))
    (root / "blueprints").mkdir()
    dev = e2e_blueprint_text().replace("namespace: llm-dev", f"namespace: {NAMESPACE}", 1)
    if not ray:
        dev = dev[: dev.index("  # A Ray cluster")]
    (root / "blueprints" / "dev.yaml").write_text(dev)
    shutil.copy(REPO_ROOT / "blueprints" / "prod.yaml", root / "blueprints" / "prod.yaml")
    (root / "stacks").mkdir()
    for stack in ("dev", "prod"):
        (root / "stacks" / f"Pulumi.{stack}.yaml").write_text(
            f"config:\n  shipyard:blueprint: blueprints/{stack}.yaml\n"
        )
    return Origin(bare, clone)


@pytest.fixture
def origin(
    tmp_path: Path,
    toolchain_bin: Path,
    pulumi_home: Path,
    kuberay_crds: list[str],  # noqa: F811
) -> Origin:
    return make_origin(tmp_path)


def _options(origin: Origin, env: dict[str, str], toolchain_bin: Path) -> Any:
    return auto.LocalWorkspaceOptions(
        work_dir=str(origin.root),
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(toolchain_bin.parent), skip_version_check=True),
    )


def _secure_config(origin: Origin, env: dict[str, str], toolchain_bin: Path) -> None:
    """Encrypt the gateway master key into stacks/Pulumi.dev.yaml with the CLI, as a user's
    `pulumi config set --secret` would (the e2e toolchain has no pulumi-random plugin)."""
    stack = auto.create_stack(
        "dev",
        project_name="shipyard",
        program=lambda: None,
        opts=_options(origin, env, toolchain_bin),
    )
    stack.set_config(
        "shipyard:gatewayMasterKey",
        auto.ConfigValue(value="sk-e2e-" + uuid.uuid4().hex, secret=True),
    )


def replicas(apps: client.AppsV1Api) -> tuple[int, int]:
    """The model Deployment's desired and available replicas; (-1, -1) when it is absent."""
    try:
        deployment = apps.read_namespaced_deployment(MODEL, NAMESPACE)
    except ApiException as error:
        if error.status == 404:
            return (-1, -1)
        raise
    return deployment.spec.replicas, deployment.status.available_replicas or 0


def backend_leftovers(backend: Path) -> tuple[list[str], list[str]]:
    """Lock files and pending operations of the dev stack in the file backend."""
    locks = sorted(str(p.relative_to(backend)) for p in backend.glob(".pulumi/locks/**/*.json"))
    checkpoint = next(iter(backend.glob(".pulumi/stacks/shipyard/dev.json")), None)
    pending: list[str] = []
    if checkpoint is not None:
        data = json.loads(checkpoint.read_text())
        for op in data.get("checkpoint", {}).get("latest", {}).get("pending_operations") or []:
            pending.append(f"{op['type']} {op['resource']['urn'].rsplit('::', 1)[-1]}")
    return locks, pending


@pytest.fixture
def reconciler(
    tmp_path: Path,
    origin: Origin,
    toolchain_bin: Path,
    policy_analyzer: Path,
    kube_cluster: str,
    kube_api: Any,
) -> Iterator[Reconciler]:
    backend = tmp_path / "backend"
    backend.mkdir()
    env = pulumi_env(toolchain_bin, policy_analyzer)
    env.update(
        HOME=os.environ.get("HOME", str(tmp_path)),
        PULUMI_BACKEND_URL=backend.as_uri(),
        KUBECONFIG=kube_cluster,
        SHIPYARD_WEBHOOK_SECRET=SECRET,
    )
    _secure_config(origin, env, toolchain_bin)
    origin.push(
        {p: (origin.root / p).read_text() for p in _tracked(origin.root)}, "initial: dev at 1"
    )
    port = free_port()
    args = [
        *(str(SHIPYARD), "reconcile", "--repo", str(origin.bare), "--branch", "main"),
        *("--stacks", "dev", "--interval", f"{INTERVAL:g}s", "--listen", f"127.0.0.1:{port}"),
        *("--state-dir", str(tmp_path / "state"), "--workdir", str(tmp_path / "work")),
        *("--drift-interval", "0"),
    ]
    made = Reconciler(
        args, env, tmp_path / "reconciler.log", port, tmp_path / "state", tmp_path / "work"
    )
    made.env["E2E_BACKEND"] = str(backend)
    try:
        yield made
    finally:
        made.stop()
        survivors = made.survivors()
        kill(list(made.seen))  # whatever the verdict, leave nothing running
        _destroy(origin, env, toolchain_bin, kube_api)
        assert survivors == [], f"processes outlived the reconciler: {survivors}"


def _tracked(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )


def _destroy(origin: Origin, env: dict[str, str], toolchain_bin: Path, kube_api: Any) -> None:
    stack = auto.select_stack(
        "dev",
        project_name="shipyard",
        program=lambda: None,
        opts=_options(origin, env, toolchain_bin),
    )
    stack.cancel()  # a lock left by a failed test must not block the teardown
    stack.destroy(on_output=lambda line: None)
    core = client.CoreV1Api(kube_api)

    def gone() -> bool:
        try:
            core.read_namespace(NAMESPACE)
        except ApiException as error:
            return error.status == 404
        return False

    wait(gone, f"namespace {NAMESPACE} to be deleted", timeout=120)
