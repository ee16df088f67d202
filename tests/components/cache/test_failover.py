"""Automatic failover, for real: three "pods" of the rendered cache (each `config.sh`, a
server and a Sentinel on the files it wrote) on 127.0.0.1, .2 and .3; the primary's pod
dies, the Sentinels promote a replica, and the dead pod comes back as the new primary's
replica.

Each pod's name is swapped for its loopback address and the ports for free ones (all three
listen on the same ports, each on its own address, as pods would); `down_after_ms` is the
shortest the Args allow, so the test takes seconds. Debian's `redis-server` 7.0 runs the
configs; `valkey-cli` is `redis-cli` under that name.
"""

from __future__ import annotations

import os
import re
import shutil
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
    headless_service_name,
    pod_host,
    sentinel_conf,
    valkey_conf,
)
from tests.components.cache.haproxy_binary import haproxy_command
from tests.components.gateway.redis_server import (
    PASSWORD,
    CacheServer,
    free_port,
    make_certificates,
    server_executable,
)

ARGS = ValkeyCacheArgs(namespace="llm", storage_size="1Gi", down_after_ms=1000)
PODS = 3
FAILOVER_DEADLINE_SECONDS = 60.0
HAPROXY_ADDRESS = "127.0.0.10"


def address(index: int) -> str:
    return f"127.0.0.{index + 1}"


class Pod:
    def __init__(self, root: Path, index: int, ports: tuple[int, int], tls: Path) -> None:
        self.root, self.index, self.ports, self.tls = root / f"pod-{index}", index, ports, tls
        self.processes: list[subprocess.Popen[bytes]] = []
        for directory in ("templates", "data", "bin"):
            (self.root / directory).mkdir(parents=True, exist_ok=True)
        (self.root / "templates" / "valkey.conf").write_text(self.local(valkey_conf(ARGS)))
        (self.root / "templates" / "sentinel.conf").write_text(self.local(sentinel_conf(ARGS)))
        cli = shutil.which("valkey-cli") or shutil.which("redis-cli")
        assert cli, "redis-cli comes with Debian's redis-server (redis-tools)"
        link = self.root / "bin" / "valkey-cli"
        if not link.exists():
            link.symlink_to(cli)

    @property
    def me(self) -> str:
        return address(self.index)

    def local(self, text: str) -> str:
        text = text.replace("/templates/", f"{self.root}/templates/")
        text = text.replace("/conf", f"{self.root}/conf").replace("/data", f"{self.root}/data")
        text = text.replace("/tls/", f"{self.tls}/")
        domain = f"{headless_service_name('cache')}.llm.svc.cluster.local"
        text = text.replace(f'"$(hostname).{domain}"', f'"{self.me}"')
        for index in range(PODS):
            text = text.replace(pod_host("cache", index, ARGS), address(index))
        text = text.replace("bind * -::*", f"bind {self.me}")
        text = re.sub(rf"\b{SENTINEL_PORT}\b", str(self.ports[1]), text)
        return re.sub(rf"\b{VALKEY_PORT}\b", str(self.ports[0]), text)

    def start(self) -> str:
        """`config.sh`, then the server and the Sentinel; returns the primary it found."""
        result = subprocess.run(
            ["sh", "-c", self.local(config_script("cache", ARGS))],
            env={"PATH": f"{self.root / 'bin'}:{os.environ['PATH']}", "VALKEY_PASSWORD": PASSWORD},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        conf = self.root / "conf"
        for name, extra in (("valkey", []), ("sentinel", ["--sentinel"])):
            log = (self.root / f"{name}.log").open("ab")
            self.processes.append(
                subprocess.Popen(
                    [server_executable(), str(conf / f"{name}.conf"), *extra],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.root,
                )
            )
        for server in (self.valkey, self.sentinel):
            wait(lambda server=server: b"PONG" in server.command("PING"), "PONG")
        return result.stdout.split("primary: ", 1)[1].strip()

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait(timeout=10)
        self.processes = []

    @property
    def valkey(self) -> CacheServer:
        return CacheServer(self.ports[0], self.tls, host=self.me)

    @property
    def sentinel(self) -> CacheServer:
        return CacheServer(self.ports[1], self.tls, host=self.me)

    def role(self) -> bytes:
        return self.valkey.command("INFO", "replication")


def wait(condition: object, what: str, deadline: float = FAILOVER_DEADLINE_SECONDS) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if condition():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def primary_seen_by(pod: Pod) -> bytes:
    return pod.sentinel.command("SENTINEL", "get-master-addr-by-name", MASTER_NAME)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[list[Pod]]:
    tls = make_certificates(tmp_path / "tls")
    ports = (free_port(), free_port())
    pods = [Pod(tmp_path, index, ports, tls) for index in range(PODS)]
    try:
        yield pods
    finally:
        for pod in pods:
            pod.stop()


def steady(cache: list[Pod]) -> None:
    """Start the pods and wait for the state a cache reaches within seconds of starting:
    two replicas in sync, three Sentinels that know each other and both replicas."""
    first = cache[0]
    assert [pod.start() for pod in cache] == [address(0)] * PODS
    assert b"role:master" in first.role()
    wait(lambda: b"connected_slaves:2" in first.role(), "two replicas")
    wait(
        lambda: all(
            b"num-other-sentinels\r\n$1\r\n2"
            in pod.sentinel.command("SENTINEL", "master", MASTER_NAME)
            for pod in cache
        ),
        "three Sentinels that know each other",
    )
    # Sentinels learn the replicas from the primary's INFO, every 10 s.
    wait(
        lambda: all(
            b"num-slaves\r\n$1\r\n2" in pod.sentinel.command("SENTINEL", "master", MASTER_NAME)
            for pod in cache
        ),
        "Sentinels that know both replicas",
    )


def test_the_sentinels_fail_the_primary_over_and_the_old_one_rejoins(cache: list[Pod]) -> None:
    first, second, third = cache
    steady(cache)
    first.valkey.command("SET", "survives", "the failover")
    wait(lambda: b"the failover" in third.valkey.command("GET", "survives"), "replication")

    first.stop()  # the primary's pod is gone: its server and its Sentinel
    wait(lambda: address(0).encode() not in primary_seen_by(second), "a new primary")
    promoted = next(
        pod for pod in (second, third) if address(pod.index).encode() in primary_seen_by(second)
    )
    other = third if promoted is second else second
    wait(lambda: b"role:master" in promoted.role(), "the promoted replica to lead")
    wait(lambda: f"master_host:{promoted.me}".encode() in other.role(), "the other to follow")
    assert b"the failover" in promoted.valkey.command("GET", "survives")

    # The old primary's pod comes back: it asks the Sentinels and becomes a replica.
    assert first.start() == promoted.me
    wait(lambda: f"master_host:{promoted.me}".encode() in first.role(), "the old one to rejoin")
    assert b"role:slave" in first.role()


def test_haproxy_follows_the_primary_through_a_failover(cache: list[Pod], tmp_path: Path) -> None:
    """Clients connect to HAProxy, whose TLS checks find the pod that says `role:master`;
    TLS passes through to Valkey, whose certificate the client verifies."""
    first = cache[0]
    steady(cache)
    front = free_port()
    text = haproxy_cfg("cache", ARGS).replace(
        f"bind :{VALKEY_PORT}", f"bind {HAPROXY_ADDRESS}:{front}"
    )
    config = tmp_path / "haproxy.cfg"
    config.write_text(first.local(text))
    command, env = haproxy_command()
    checked = subprocess.run(
        [*command, "-c", "-f", str(config)],
        env={**os.environ, **env, "VALKEY_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    log = (tmp_path / "haproxy.log").open("wb")
    proxy = subprocess.Popen(
        [*command, "-db", "-f", str(config)],
        env={**os.environ, **env, "VALKEY_PASSWORD": PASSWORD},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    client = CacheServer(front, first.tls, host=HAPROXY_ADDRESS)
    try:
        wait(lambda: b"+OK" in client.command("SET", "written", "before"), "HAProxy's primary")
        assert b"before" in first.valkey.command("GET", "written")

        first.stop()
        wait(lambda: b"+OK" in client.command("SET", "written", "after"), "the new primary")
        promoted = next(pod for pod in cache[1:] if b"role:master" in pod.role())
        assert b"after" in promoted.valkey.command("GET", "written")
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
