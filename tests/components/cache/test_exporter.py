"""The cache's metrics, for real: the redis_exporter container's rendered arguments run
with Debian's redis_exporter against a real Redis-protocol server over TLS with the
password, and its `/metrics` serve every series the Redis panels and alerts read
(`components/monitoring/metrics.py` `REDIS`); with a wrong password `redis_up` is 0,
which is what `CacheServerDown` fires on."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.cache.args import ValkeyCacheArgs
from components.cache.config import pod_domain
from components.cache.manifests import render_exporter, render_stateful_set
from components.monitoring.metrics import REDIS
from tests.components.cache.exporter_binary import exporter_executable
from tests.components.gateway.redis_server import PASSWORD, free_port, run_cache_server

ARGS = ValkeyCacheArgs(namespace="llm", storage_size="10Gi", metrics=True)


def _series(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        text = response.read().decode()
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name.split("{")[0]] = float(value)
            values[name] = float(value)
    return values


def _run_exporter(
    port: int, tls: Path, password: str, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """The rendered container's args, its pod name and cert paths swapped for loopback."""
    container = render_exporter("cache", ARGS)
    listen = free_port()
    args = [
        arg.replace(f"$(POD_NAME).{pod_domain('cache', ARGS)}:6379", f"localhost:{port}")
        .replace("/tls/", f"{tls}/")
        .replace(":9121", f"127.0.0.1:{listen}")
        for arg in container["args"]
    ]
    env = {item["name"] for item in container["env"]}
    assert "REDIS_PASSWORD" in env
    with log.open("wb") as output:
        process = subprocess.Popen(
            [exporter_executable(), *args],
            env={"REDIS_PASSWORD": password},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{listen}/metrics"
    deadline = time.monotonic() + 15
    while True:
        assert process.poll() is None, log.read_text()[-2000:]
        try:
            _series(url)
            return process, url
        except OSError:
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.1)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, Path]]:
    root = tmp_path_factory.mktemp("exporter")
    with run_cache_server(root) as server:
        yield server.port, server.certificates, root


def test_the_exporter_serves_every_series_the_panels_read(cache: tuple[int, Path, Path]) -> None:
    port, tls, root = cache
    process, url = _run_exporter(port, tls, PASSWORD, root / "exporter.log")
    try:
        series = _series(url)
        assert series["redis_up"] == 1
        missing = sorted(name for name in REDIS.series if name not in series)
        assert missing == []
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_wrong_password_shows_as_redis_up_0(cache: tuple[int, Path, Path]) -> None:
    port, tls, root = cache
    process, url = _run_exporter(port, tls, "not-it", root / "exporter-wrong.log")
    try:
        assert _series(url)["redis_up"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_exporter_is_rendered_only_with_metrics() -> None:
    containers = render_stateful_set("cache", ARGS)["spec"]["template"]["spec"]["containers"]
    exporter = next(c for c in containers if c["name"] == "metrics")
    assert exporter["image"] == "oliver006/redis_exporter:v1.80.1"
    assert exporter["ports"] == [{"name": "metrics", "containerPort": 9121, "protocol": "TCP"}]
    assert exporter["args"][0] == (
        "-redis.addr=rediss://$(POD_NAME).cache-hl.llm.svc.cluster.local:6379"
    )
    assert exporter["env"][1]["valueFrom"] == {
        "secretKeyRef": {"name": "cache-auth", "key": "password"}
    }
    assert exporter["securityContext"]["runAsNonRoot"] is True
    plain = ARGS.model_copy(update={"metrics": False})
    names = [
        c["name"]
        for c in render_stateful_set("cache", plain)["spec"]["template"]["spec"]["containers"]
    ]
    assert names == ["valkey", "sentinel"]
