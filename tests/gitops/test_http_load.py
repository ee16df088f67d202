"""A bounded load test of the real `shipyard reconcile` process on loopback: the traffic of
the security review's denial of service (40 unauthenticated 20 MB requests took the old
server from 54 MB to 874 MB), requests that are read and refused, and held connections.
Bounded: at most 120 connections, 40 MiB sent, about five seconds."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import git
import pytest

from shipyard.gitops.http_server import MAX_BODY, MAX_CONNECTIONS

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")

SHIPYARD = Path(sys.executable).parent / "shipyard"
CLIENTS = 40
GUID = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
BAD_SIGNATURE = "sha256=" + "0" * 64


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture
def reconciler(tmp_path: Path) -> Iterator[tuple[int, int, subprocess.Popen[bytes]]]:
    bare = tmp_path / "origin.git"
    git.Repo.init(bare, bare=True, initial_branch="main")
    clone = git.Repo.clone_from(str(bare), tmp_path / "clone")
    (tmp_path / "clone" / "README.md").write_text("nothing to apply\n")
    clone.index.add(["README.md"])
    actor = git.Actor("Test", "test@example.com")
    clone.index.commit("initial", author=actor, committer=actor)
    clone.remote("origin").push("main").raise_if_error()
    internal, hook = free_port(), free_port()
    proc = subprocess.Popen(
        [
            *(str(SHIPYARD), "reconcile", "--repo", str(bare), "--branch", "main"),
            *("--stacks", "absent", "--interval", "1h"),
            *("--listen", f"127.0.0.1:{internal}", "--webhook-listen", f"127.0.0.1:{hook}"),
            *("--state-dir", str(tmp_path / "state"), "--workdir", str(tmp_path / "work")),
        ],
        env={"PATH": "/usr/bin:/bin", "SHIPYARD_WEBHOOK_SECRET": "s3cret", "HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{internal}/readyz", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        yield internal, hook, proc
    finally:
        proc.terminate()
        proc.wait(30)


def request(port: int, length: int, body: bytes = b"") -> tuple[bytes, float]:
    start = time.monotonic()
    head = (
        "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: push\r\n"
        f"X-Hub-Signature-256: {BAD_SIGNATURE}\r\nX-GitHub-Delivery: {GUID}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = sock.recv(4096)
    return answer.split(b"\r\n", 1)[0], time.monotonic() - start


def healthz(port: int) -> tuple[int, float]:
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return response.status, time.monotonic() - start


def test_unauthenticated_load_is_refused_within_bounds(
    reconciler: tuple[int, int, subprocess.Popen[bytes]],
) -> None:
    internal, hook, proc = reconciler
    rss_before = memory_kib(proc.pid, "VmRSS")

    # 40 at once announcing 20 MB each: refused from the headers, nothing read or buffered.
    with ThreadPoolExecutor(CLIENTS) as pool:
        big = list(pool.map(lambda _: request(hook, 20 * 1024 * 1024), range(CLIENTS)))
    assert {status for status, _ in big} == {b"HTTP/1.0 413 Request Entity Too Large"}
    assert max(took for _, took in big) < 3

    # 40 at once sending a whole 1 MiB body with a bad signature: read, then refused.
    body = b"x" * MAX_BODY
    with ThreadPoolExecutor(CLIENTS) as pool:
        read = list(pool.map(lambda _: request(hook, len(body), body), range(CLIENTS)))
    statuses = {status for status, _ in read}
    assert statuses <= {b"HTTP/1.0 401 Unauthorized", b"HTTP/1.0 503 Service Unavailable"}
    assert b"HTTP/1.0 401 Unauthorized" in statuses
    assert max(took for _, took in read) < 5
    grown_mib = (memory_kib(proc.pid, "VmHWM") - rss_before) / 1024
    assert grown_mib < MAX_CONNECTIONS + 16, f"the peak grew by {grown_mib:.0f} MiB"

    # Connections held open on the webhook port: past the cap they are refused at once,
    # and the internal port (probes, metrics) answers all the while.
    held = [socket.create_connection(("127.0.0.1", hook), timeout=5) for _ in range(2 * CLIENTS)]
    try:
        for sock in held:
            sock.sendall(b"POST /webhook HTTP/1.1\r\n")
        time.sleep(0.3)
        refused = [sock.recv(64) for sock in held[MAX_CONNECTIONS:]]
        assert {line.split(b"\r\n", 1)[0] for line in refused} == {
            b"HTTP/1.0 503 Service Unavailable"
        }
        status, took = healthz(internal)
        assert (status, took < 1) == (200, True)
    finally:
        for sock in held:
            sock.close()
    assert proc.poll() is None
