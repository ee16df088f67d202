"""The cache's rendered start script and configs, run for real: `config.sh` with `sh`, then a
real Redis-protocol server and Sentinel (Debian's `redis-server` 7.0, the protocol and
config of Valkey's fork point) on the files it wrote, over TLS with the password.

Only what ties them to a pod is swapped for loopback: the pod names (so no DNS lookup
leaves the machine), the ports (free ones), and the mount paths (temporary directories).
`valkey-cli` is `redis-cli` under that name.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.cache.args import SENTINEL_PORT, VALKEY_PORT, ValkeyCacheArgs
from components.cache.config import (
    MASTER_NAME,
    config_script,
    haproxy_cfg,
    maxmemory_bytes,
    pod_host,
    sentinel_conf,
    valkey_conf,
)
from tests.components.gateway.redis_server import (
    PASSWORD,
    CacheServer,
    free_port,
    make_certificates,
    server_executable,
)

ARGS = ValkeyCacheArgs(namespace="llm", storage_size="10Gi", memory_request="1Gi")


class Pod:
    """One pod's mounts, on loopback."""

    def __init__(self, root: Path, me: str, valkey: int, sentinel: int, tls: Path) -> None:
        self.root, self.me, self.ports, self.tls = root, me, (valkey, sentinel), tls
        (root / "templates").mkdir(parents=True)
        (root / "data").mkdir()
        (root / "templates" / "valkey.conf").write_text(self.local(valkey_conf(ARGS)))
        (root / "templates" / "sentinel.conf").write_text(self.local(sentinel_conf(ARGS)))
        bin_dir = root / "bin"
        bin_dir.mkdir()
        cli = subprocess.run(["which", "redis-cli"], capture_output=True, text=True).stdout
        (bin_dir / "valkey-cli").symlink_to(cli.strip())
        self.path = f"{bin_dir}:{os.environ['PATH']}"

    def local(self, text: str) -> str:
        valkey, sentinel = self.ports
        text = text.replace("/templates/", f"{self.root}/templates/")
        text = text.replace("/conf", f"{self.root}/conf").replace("/data", f"{self.root}/data")
        text = text.replace("/tls/", f"{self.tls}/")
        # Pod 0 is `localhost`; the others are loopback addresses nothing listens on yet.
        text = text.replace('"$(hostname).cache-hl.llm.svc.cluster.local"', f'"{self.me}"')
        text = text.replace(pod_host("cache", 0, ARGS), "localhost")
        for index in (1, 2):
            text = text.replace(pod_host("cache", index, ARGS), f"127.0.0.{index + 1}")
        text = re.sub(rf"\b{SENTINEL_PORT}\b", str(sentinel), text)
        return re.sub(rf"\b{VALKEY_PORT}\b", str(valkey), text)

    def configure(self) -> subprocess.CompletedProcess[str]:
        script = self.local(config_script("cache", ARGS))
        return subprocess.run(
            ["sh", "-c", script],
            env={"PATH": self.path, "VALKEY_PASSWORD": PASSWORD},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def conf(self, name: str) -> str:
        return (self.root / "conf" / name).read_text()


def start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)


def wait_for(server: CacheServer, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-2000:]
        try:
            if b"PONG" in server.command("PING"):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no PONG:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def primary(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Pod, CacheServer, CacheServer]]:
    root = tmp_path_factory.mktemp("cache")
    tls = make_certificates(root / "tls")
    pod = Pod(root / "pod-0", "localhost", free_port(), free_port(), tls)
    result = pod.configure()
    assert result.returncode == 0, result.stderr
    assert "primary: localhost" in result.stdout
    valkey_log, sentinel_log = root / "valkey.log", root / "sentinel.log"
    processes = [
        start([server_executable(), str(root / "pod-0" / "conf" / "valkey.conf")], valkey_log)
    ]
    try:
        valkey = CacheServer(pod.ports[0], tls)
        wait_for(valkey, processes[0], valkey_log)
        processes.append(
            start(
                [server_executable(), str(root / "pod-0" / "conf" / "sentinel.conf"), "--sentinel"],
                sentinel_log,
            )
        )
        sentinel = CacheServer(pod.ports[1], tls)
        wait_for(sentinel, processes[1], sentinel_log)
        yield pod, valkey, sentinel
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_the_first_pod_starts_as_the_primary_with_the_rendered_settings(
    primary: tuple[Pod, CacheServer, CacheServer],
) -> None:
    pod, valkey, _ = primary
    assert "replicaof" not in pod.conf("valkey.conf")
    assert b"role:master" in valkey.command("INFO", "replication")
    assert str(maxmemory_bytes("1Gi")).encode() in valkey.command("CONFIG", "GET", "maxmemory")
    assert b"allkeys-lru" in valkey.command("CONFIG", "GET", "maxmemory-policy")
    assert b"appendonly\r\n$3\r\nyes" in valkey.command("CONFIG", "GET", "appendonly")
    # The password is required: a wrong one is refused.
    wrong = CacheServer(valkey.port, valkey.certificates, password="not-it")
    assert b"NOAUTH" in wrong.command("PING")


def test_its_sentinel_watches_it_over_tls_with_the_password(
    primary: tuple[Pod, CacheServer, CacheServer],
) -> None:
    _pod, valkey, sentinel = primary
    reply = sentinel.command("SENTINEL", "get-master-addr-by-name", MASTER_NAME)
    assert b"localhost" in reply and str(valkey.port).encode() in reply
    deadline = time.monotonic() + 10
    while b"flags\r\n$6\r\nmaster" not in sentinel.command("SENTINEL", "master", MASTER_NAME):
        assert time.monotonic() < deadline, sentinel.command("SENTINEL", "master", MASTER_NAME)
        time.sleep(0.2)
    assert b"quorum\r\n$1\r\n2" in sentinel.command("SENTINEL", "master", MASTER_NAME)


def test_a_later_pod_asks_the_sentinels_and_becomes_a_replica(
    primary: tuple[Pod, CacheServer, CacheServer], tmp_path: Path
) -> None:
    _pod, valkey, sentinel = primary
    later = Pod(tmp_path / "pod-1", "127.0.0.2", valkey.port, sentinel.port, valkey.certificates)
    result = later.configure()
    assert result.returncode == 0, result.stderr
    assert "primary: localhost" in result.stdout
    conf = later.conf("valkey.conf")
    assert f"replicaof localhost {valkey.port}\n" in conf
    assert "replica-announce-ip 127.0.0.2\n" in conf
    assert f"sentinel monitor {MASTER_NAME} localhost {valkey.port} 2\n" in later.conf(
        "sentinel.conf"
    )
    # Secrets are written only into the in-memory emptyDir, readable by the user alone.
    assert oct((tmp_path / "pod-1" / "conf" / "valkey.conf").stat().st_mode)[-3:] == "600"


def test_haproxy_checks_every_pod_for_the_primary_role() -> None:
    text = haproxy_cfg("cache", ARGS)
    for index in range(3):
        host = pod_host("cache", index, ARGS)
        assert f"  server cache-{index} {host}:6379 check-sni {host}\n" in text
    assert 'tcp-check send "AUTH ${VALKEY_PASSWORD}\\r\\n"' in text
    assert "tcp-check expect string role:master" in text
    assert "balance first" in text and "on-marked-down shutdown-sessions" in text
    # TLS passes through to Valkey; only HAProxy's checks speak TLS themselves.
    assert " check-ssl verify required ca-file /tls/ca.crt" in text
    assert " ssl verify" not in text
