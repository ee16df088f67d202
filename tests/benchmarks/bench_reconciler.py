"""Benchmarks of `shipyard reconcile` (`make bench`); targets, not timed tests.

1. Webhook to apply start: a signed push webhook to the daemon's real HTTP endpoint until
   the applier is called (fetch, decide, validate the blueprint, state marker). Goal < 1 s.
2. Commit to detection by polling: a push until the applier is called, with a 2 s interval
   and no webhook. Goal: the interval + < 1 s.
3. Resident memory of the real `shipyard reconcile` process when idle (after its first pass;
   the engine runs in child processes, so the idle process never imports Pulumi).

1 and 2 run the daemon in-process over a real bare remote with a recording applier.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import git

from shipyard.gitops.daemon import Daemon, DaemonSettings
from shipyard.gitops.http_server import ReconcilerServer
from shipyard.gitops.reconcile_state import StateStore
from shipyard.gitops.reconciler import ApplyRequest
from shipyard.gitops.webhook import sign

ROOT = Path(__file__).resolve().parents[2]
DEV_TEXT = (ROOT / "blueprints" / "dev.yaml").read_text(encoding="utf-8")
SECRET = b"bench"
POLL_INTERVAL = 2.0
RUNS = 5


class StartRecorder:
    def __init__(self) -> None:
        self.started = threading.Event()
        self.at = 0.0

    def apply(self, request: ApplyRequest) -> None:
        self.at = time.perf_counter()
        self.started.set()

    def check_drift(self, request: ApplyRequest) -> bool:
        return False


def make_remote(base: Path) -> tuple[Path, git.Repo]:
    bare = base / "origin.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    clone = git.Repo.clone_from(str(bare), base / "clone")
    with clone.config_writer() as config:
        config.set_value("user", "name", "Bench")
        config.set_value("user", "email", "bench@example.com")
    push(
        clone,
        {
            "Pulumi.yaml": "name: shipyard\nruntime: python\n",
            "stacks/Pulumi.dev.yaml": "config:\n  shipyard:blueprint: blueprints/dev.yaml\n",
            "blueprints/dev.yaml": DEV_TEXT,
        },
    )
    return bare, clone


def push(clone: git.Repo, files: dict[str, str]) -> None:
    root = Path(str(clone.working_tree_dir))
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
        clone.index.add([path])
    clone.index.commit("bench")
    clone.remote("origin").push("main").raise_if_error()


def replicas(n: int) -> dict[str, str]:
    return {"blueprints/dev.yaml": DEV_TEXT.replace("replicas: 1\n", f"replicas: {n}\n", 1)}


def latencies(base: Path, webhook: bool) -> list[float]:
    bare, clone = make_remote(base)
    recorder = StartRecorder()
    interval = timedelta(seconds=60 if webhook else POLL_INTERVAL)
    daemon = Daemon(
        DaemonSettings(str(bare), "main", base / "work", interval=interval),
        StateStore(base / "state"),
        recorder,
        webhook_secret=SECRET,
    )
    server = ReconcilerServer(daemon, "127.0.0.1", 0)
    server.start()
    loop = threading.Thread(target=daemon.run, daemon=True)
    loop.start()
    assert recorder.started.wait(30)  # the first apply
    daemon.wait_idle(30)
    timings = []
    for run in range(RUNS):
        recorder.started.clear()
        push(clone, replicas(1 + (run + 1) % 2))
        start = time.perf_counter()
        if webhook:
            body = json.dumps({"ref": "refs/heads/main"}).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}/webhook",
                data=body,
                headers={
                    "X-Hub-Signature-256": sign(SECRET, body),
                    "X-GitHub-Delivery": str(uuid.uuid4()),
                    "X-GitHub-Event": "push",
                },
            )
            urllib.request.urlopen(request, timeout=5).read()
        assert recorder.started.wait(30)
        timings.append(recorder.at - start)
        daemon.wait_idle(30)
        time.sleep(0.1 if webhook else (run + 1) * POLL_INTERVAL / RUNS)  # spread push times
    daemon.stop()
    server.stop()
    return timings


def idle_rss_mib(base: Path) -> float:
    bare, _ = make_remote(base)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "shipyard"),
            "reconcile",
            *("--repo", str(bare), "--branch", "main", "--stacks", "absent"),
            *("--listen", f"127.0.0.1:{port}", "--interval", "1s"),
            *("--state-dir", str(base / "state"), "--workdir", str(base / "work")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, PULUMI_BACKEND_URL=f"file://{base}/backend"),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status
                    == 200
                ):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(3)  # a few passes
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
        status = Path(f"/proc/{proc.pid}/status").read_text()
        kib = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
        )
        return kib / 1024
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main() -> int:
    print(f"{'benchmark':<40}{'median':>10}{'max':>10}{'target':>12}")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        hook = latencies(Path(tmp) / "webhook", webhook=True)
        poll = latencies(Path(tmp) / "poll", webhook=False)
        rss = idle_rss_mib(Path(tmp) / "idle")
    rows = [
        ("webhook -> apply start (s)", hook, 1.0),
        (f"commit -> detection, {POLL_INTERVAL:g} s poll (s)", poll, POLL_INTERVAL + 1.0),
    ]
    for name, values, target in rows:
        worst = max(values)
        failed |= worst > target
        mark = "" if worst <= target else "  OVER TARGET"
        print(f"{name:<40}{statistics.median(values):>10.3f}{worst:>10.3f}{target:>12.1f}{mark}")
    print(f"{'idle resident memory (MiB)':<40}{rss:>10.1f}{rss:>10.1f}{'(report)':>12}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
