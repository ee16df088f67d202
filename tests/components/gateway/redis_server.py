"""A real Redis-protocol server on loopback, over TLS with a password, for the gateway tests.

It runs `valkey-server` or `redis-server` (Debian's `redis-server` 7.0 in CI: `.ci/run`
installs it; `SHIPYARD_REDIS_SERVER` names another binary). The certificate is made by
`openssl` for `localhost` and 127.0.0.1, signed by a CA of the test's own, and the server
listens on its TLS port only, so a client that does not speak TLS cannot get in.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "test-cache-password"
STARTUP_TIMEOUT_SECONDS = 15.0
INSTALL_HINT = (
    "no Redis-protocol server found: install one (`apt-get install redis-server`, as "
    ".ci/run does) or name it with SHIPYARD_REDIS_SERVER"
)


def server_executable() -> str:
    named = os.environ.get("SHIPYARD_REDIS_SERVER")
    found = named or shutil.which("valkey-server") or shutil.which("redis-server")
    if not found:
        raise AssertionError(INSTALL_HINT)
    return found


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(directory: Path) -> Path:
    """`ca.crt`, `tls.crt`, `tls.key` in `directory` (the layout cert-manager writes)."""
    directory.mkdir(parents=True, exist_ok=True)
    _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key", cwd=directory)
    _openssl(
        "req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "2",
        "-subj", "/CN=shipyard test cache CA", "-out", "ca.crt", cwd=directory,
    )  # fmt: skip
    _openssl(
        "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tls.key", cwd=directory
    )
    _openssl(
        "req", "-new", "-key", "tls.key", "-subj", "/CN=localhost", "-out", "tls.csr", cwd=directory
    )
    # The failover test runs three servers on 127.0.0.1-3.
    names = "DNS:localhost,IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3"
    (directory / "san.ext").write_text(f"subjectAltName={names}\n")
    _openssl(
        "x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-sha256", "-extfile", "san.ext", "-out", "tls.crt",
        cwd=directory,
    )  # fmt: skip
    return directory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CacheServer:
    port: int
    certificates: Path
    password: str = PASSWORD
    host: str = "127.0.0.1"

    def command(self, *words: str) -> bytes:
        """Send one command over TLS (after AUTH) and return the raw reply."""
        context = ssl.create_default_context(cafile=str(self.certificates / "ca.crt"))
        with (
            socket.create_connection((self.host, self.port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as sock,
        ):
            for command in (("AUTH", self.password), words):
                parts = [f"*{len(command)}\r\n".encode()]
                for word in command:
                    parts.append(f"${len(word.encode())}\r\n{word}\r\n".encode())
                sock.sendall(b"".join(parts))
                reply = sock.recv(65536)
            return reply


@contextmanager
def run_cache_server(directory: Path) -> Iterator[CacheServer]:
    certificates = make_certificates(directory / "tls")
    port = free_port()
    log = directory / "cache-server.log"
    command = [
        server_executable(),
        "--port", "0",
        "--tls-port", str(port),
        "--bind", "127.0.0.1",
        "--tls-cert-file", str(certificates / "tls.crt"),
        "--tls-key-file", str(certificates / "tls.key"),
        "--tls-ca-cert-file", str(certificates / "ca.crt"),
        "--tls-auth-clients", "no",
        "--requirepass", PASSWORD,
        "--save", "",
        "--appendonly", "no",
        "--dir", str(directory),
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    server = CacheServer(port, certificates)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the cache server exited:\n{log.read_text()[-2000:]}")
            try:
                if b"PONG" in server.command("PING"):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the cache server did not answer PING")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
