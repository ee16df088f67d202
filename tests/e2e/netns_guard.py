"""Operators in a loopback-only network namespace, and the guard that proves where they
connected.

`isolated(...)` starts a command (an operator) inside `unshare --net` with only `lo`,
reaching the host's API server, and letting the host's API server reach its webhooks,
through `loopback_netns.py`'s unix-socket bridges. The command runs under
`strace -f -e trace=connect`, so every connect() it makes is recorded with its address
and result, whether it succeeded or not. On the way out the guard fails the test when:

* the namespace has an interface besides `lo`, or any route (read from `/proc/PID/net`);
* a TCP socket of the namespace, sampled every half second, has a non-loopback address;
* the trace holds a connect() to an address outside 127.0.0.0/8 and ::1 that the test did
  not declare expected (`allow`): an attempt, even one the kernel refused, is a failure.

An expected attempt is one the operator cannot help (CloudNativePG polls each instance
at its pod IP); the test names it, and the guard still requires it to have been refused
by the namespace (ENETUNREACH), never carried.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BRIDGE = Path(__file__).resolve().parent / "loopback_netns.py"
READY_TIMEOUT = 30.0
SAMPLE_SECONDS = 0.5


@dataclass(frozen=True)
class Connect:
    """One connect() from the trace."""

    pid: int
    family: str  # AF_INET, AF_INET6, AF_UNIX, ...
    address: str  # IP, or the unix socket path
    port: int
    result: str  # "0", "-1 ENETUNREACH", "-1 EINPROGRESS", ... ("?" when not seen)

    @property
    def loopback(self) -> bool:
        if self.family not in ("AF_INET", "AF_INET6"):
            return True  # unix sockets, netlink: not network traffic
        address = ipaddress.ip_address(self.address)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return address.is_loopback

    @property
    def refused_by_namespace(self) -> bool:
        return "ENETUNREACH" in self.result

    def __str__(self) -> str:
        return f"pid {self.pid} connect {self.family} {self.address}:{self.port} = {self.result}"


_CONNECT = re.compile(r"^(?P<pid>\d+)\s+connect\(\d+, \{sa_family=(?P<family>AF_\w+)(?P<rest>.*)$")
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_V4 = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_V6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')
_UNIX = re.compile(r'sun_path=(@?"[^"]*")')
_RESULT = re.compile(r"\) = (-?\d+(?: \w+)?)")
_RESUMED = re.compile(r"^(?P<pid>\d+)\s+<\.\.\. connect resumed>.*\) = (?P<result>-?\d+(?: \w+)?)")


def parse_trace(text: str) -> list[Connect]:
    """Every connect() in an `strace -f -e trace=connect` log, with its result."""
    found: list[Connect] = []
    pending: dict[int, int] = {}  # pid -> index of its unfinished connect
    for line in text.splitlines():
        resumed = _RESUMED.match(line)
        if resumed:
            pid = int(resumed["pid"])
            if pid in pending:
                index = pending.pop(pid)
                old = found[index]
                found[index] = Connect(
                    old.pid, old.family, old.address, old.port, resumed["result"]
                )
            continue
        match = _CONNECT.match(line)
        if not match:
            continue
        pid, family, rest = int(match["pid"]), match["family"], match["rest"]
        port = _PORT.search(rest)
        address = _V4.search(rest) or _V6.search(rest) or _UNIX.search(rest)
        result = _RESULT.search(rest)
        found.append(
            Connect(
                pid=pid,
                family=family,
                address=address.group(1) if address else "?",
                port=int(port.group(1)) if port else 0,
                result=result.group(1) if result else "?",
            )
        )
        if result is None and "<unfinished" in rest:
            pending[pid] = len(found) - 1
    return found


def _hex_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address from /proc/net/tcp{,6} (host byte order, 32-bit words)."""
    raw = bytes.fromhex(text)
    words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
    packed = b"".join(words)
    if len(packed) == 4:
        return ipaddress.IPv4Address(packed)
    address = ipaddress.IPv6Address(packed)
    return address.ipv4_mapped or address


def foreign_sockets(pid: int) -> list[str]:
    """TCP sockets of PID's network namespace with a local or remote address that is
    neither loopback nor unspecified."""
    found = []
    for name in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{name}")
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for line in path.read_text().splitlines()[1:]:
                fields = line.split()
                local, remote = (_hex_address(f.split(":")[0]) for f in fields[1:3])
                if any(not (a.is_loopback or a.is_unspecified) for a in (local, remote)):
                    found.append(f"{name}: {local} -> {remote} (state {fields[3]})")
    return found


def interfaces(pid: int) -> list[str]:
    lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    return sorted(line.split(":", 1)[0].strip() for line in lines)


def routes(pid: int) -> list[str]:
    """IPv4 routes of PID's namespace (the loopback route lives in the local table, not here)."""
    return Path(f"/proc/{pid}/net/route").read_text().splitlines()[1:]


@dataclass
class Isolated:
    """A running isolated command: its namespace's pid, log and trace, and what was seen."""

    pid: int
    log: Path
    trace: Path
    sockets_seen: list[str] = field(default_factory=list)

    def connects(self) -> list[Connect]:
        return parse_trace(self.trace.read_text()) if self.trace.exists() else []

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _wait_ready(process: subprocess.Popen[str], what: str, log: Path) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.strip() == "ready":
            return
        if process.poll() is not None:
            break
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise AssertionError(f"{what} did not start (exit {process.poll()}; {line!r}):\n{tail}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def isolated(
    name: str,
    command: Sequence[str],
    workdir: Path,
    api_port: int,
    webhook_ports: dict[int, int] | None = None,
    env: dict[str, str] | None = None,
    allow: Callable[[Connect], bool] = lambda connect: False,
) -> Iterator[Isolated]:
    """Run `command` in a loopback-only network namespace with the API server on
    127.0.0.1:`api_port` bridged in, and each `webhook_ports` entry (host port -> port in
    the namespace) bridged out; guard it as the module docstring says."""
    unshare = shutil.which("unshare")
    assert unshare, "the e2e needs unshare (util-linux) on PATH"
    workdir.mkdir(parents=True, exist_ok=True)
    log, trace = workdir / f"{name}.log", workdir / f"{name}.strace"
    api_sock = workdir / "api.sock"
    hooks = webhook_ports or {}
    host_forwards = [f"unix:{api_sock}=tcp:127.0.0.1:{api_port}"]
    inner_forwards = [f"tcp:127.0.0.1:{api_port}=unix:{api_sock}"]
    for host_port, inner_port in hooks.items():
        hook_sock = workdir / f"hook-{inner_port}.sock"
        host_forwards.append(f"tcp:127.0.0.1:{host_port}=unix:{hook_sock}")
        inner_forwards.append(f"unix:{hook_sock}=tcp:127.0.0.1:{inner_port}")
    python = sys.executable
    bridge_log = (workdir / f"{name}-bridge.log").open("w")
    host = subprocess.Popen(
        [python, str(BRIDGE), *(f"--forward={f}" for f in host_forwards)],
        stdout=subprocess.PIPE,
        stderr=bridge_log,
        text=True,
        start_new_session=True,
    )
    inner: subprocess.Popen[str] | None = None
    stop_sampling = threading.Event()
    sampler: threading.Thread | None = None
    try:
        _wait_ready(host, f"{name}: host bridge", workdir / f"{name}-bridge.log")
        out = log.open("w")
        inner = subprocess.Popen(
            [
                *(unshare, "--net", "--"),
                *(python, str(BRIDGE), "--loopback-up"),
                *(f"--forward={f}" for f in inner_forwards),
                "--",
                *traced(command, trace),
            ],
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=workdir,
            start_new_session=True,
        )
        _wait_ready(inner, name, log)
        running = Isolated(pid=inner.pid, log=log, trace=trace)
        assert interfaces(inner.pid) == ["lo"], f"{name}: {interfaces(inner.pid)}"
        assert routes(inner.pid) == [], f"{name}: routes {routes(inner.pid)}"

        def sample() -> None:
            while not stop_sampling.wait(SAMPLE_SECONDS):
                running.sockets_seen.extend(foreign_sockets(inner.pid))

        sampler = threading.Thread(target=sample, name=f"{name}-sockets", daemon=True)
        sampler.start()
        yield running
    finally:
        stop_sampling.set()
        if sampler is not None:
            sampler.join()
        if inner is not None:
            _stop(inner)
        _stop(host)
        bridge_log.close()
    check(name, running, allow)


def traced(command: Sequence[str], trace: Path) -> list[str]:
    """`command` under `strace -f`, recording every connect() of it and its children."""
    strace = shutil.which("strace")
    assert strace, "the e2e needs strace on PATH"
    return [
        *(strace, "-f", "--seccomp-bpf", "-qq", "-e", "trace=connect", "-e", "signal=none"),
        *("-o", str(trace), "--", *command),
    ]


def off_loopback(
    name: str, trace: Path, allow: Callable[[Connect], bool], connects_expected: bool = True
) -> list[Connect]:
    """The non-loopback connect() calls in a trace; fails on any that `allow` does not
    name, and, when the command must have connected somewhere, on a trace that shows no
    loopback connection at all (strace not tracing)."""
    assert trace.exists(), f"{name}: strace wrote no trace"
    connects = parse_trace(trace.read_text())
    if connects_expected:
        assert any(c.family in ("AF_INET", "AF_INET6") and c.loopback for c in connects), (
            f"{name}: the trace shows no loopback connection at all; is strace tracing it?"
        )
    tried = [c for c in connects if not c.loopback]
    forbidden = [str(c) for c in tried if not allow(c)]
    assert forbidden == [], f"{name} tried to connect off loopback:\n" + "\n".join(forbidden)
    return tried


def check(name: str, running: Isolated, allow: Callable[[Connect], bool]) -> None:
    """The guard's verdict, once the command has stopped."""
    assert running.sockets_seen == [], f"{name}: non-loopback sockets: {running.sockets_seen}"
    tried = off_loopback(name, running.trace, allow)
    carried = [str(c) for c in tried if not c.refused_by_namespace]
    assert carried == [], f"{name}: connections not refused by the namespace:\n" + "\n".join(
        carried
    )
