"""The config Shipyard generates, served by the real LiteLLM proxy on loopback.

Stand-in OpenAI-compatible servers (tests/gateway/standin.py) take the place of
vLLM: each names itself in its answer and counts its hits. Nothing of LiteLLM
is mocked.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from standin import Backend

from components.gateway_args import GatewayArgs, GatewayBackend, Limits
from components.gateway_config import MASTER_KEY_ENV, render_config_text

MASTER_KEY = "sk-test-master-key"
STARTUP_TIMEOUT_SECONDS = 90.0
RATE_LIMIT_RPM = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def backend(served: str, stand_in: Backend, **fields: Any) -> GatewayBackend:
    return GatewayBackend(
        served_name=served,
        api_base=stand_in.api_base,
        pod_labels={"app.kubernetes.io/instance": served},
        port=8000,
        **fields,
    )


@dataclass
class Proxy:
    url: str
    backends: dict[str, Backend]

    def chat(self, model: str, key: str | None = MASTER_KEY) -> tuple[int, dict[str, Any]]:
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": "hi"}]})
        request = urllib.request.Request(
            f"{self.url}/v1/chat/completions",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        if key is not None:
            request.add_header("Authorization", f"Bearer {key}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"litellm exited {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health/liveliness", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"litellm did not start in {STARTUP_TIMEOUT_SECONDS:.0f}s")


@pytest.fixture(scope="module")
def proxy(litellm_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    stand_ins = {name: Backend(name).start() for name in ("a", "b", "c", "down")}
    stand_ins["down"].fail = True
    args = GatewayArgs(
        namespace="llm",
        retries=0,
        timeout_seconds=30,
        backends=(
            backend("alpha", stand_ins["a"], aliases=("default",)),
            backend("beta", stand_ins["b"]),
            backend("gamma", stand_ins["c"], limits=Limits(rpm=RATE_LIMIT_RPM)),
            backend("omega", stand_ins["down"], fallbacks=("beta",)),
        ),
    )
    directory = tmp_path_factory.mktemp("litellm")
    config = directory / "config.yaml"
    config.write_text(render_config_text(args))
    log = directory / "litellm.log"
    port = free_port()
    env = {
        **os.environ,
        MASTER_KEY_ENV: MASTER_KEY,
        "LITELLM_TELEMETRY": "False",
        "DISABLE_ADMIN_UI": "True",
        "HOME": str(directory),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(litellm_executable),
                "--config",
                str(config),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=directory,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield Proxy(url, stand_ins)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stand_in in stand_ins.values():
            stand_in.stop()


def content(body: dict[str, Any]) -> str:
    return str(body["choices"][0]["message"]["content"])


def test_each_model_reaches_its_own_backend(proxy: Proxy) -> None:
    status, body = proxy.chat("alpha")
    assert (status, content(body)) == (200, "answered by a")
    status, body = proxy.chat("beta")
    assert (status, content(body)) == (200, "answered by b")
    assert proxy.backends["a"].hits == ["/v1/chat/completions"]
    assert proxy.backends["b"].hits == ["/v1/chat/completions"]


def test_an_alias_reaches_its_model(proxy: Proxy) -> None:
    before = len(proxy.backends["a"].hits)
    status, body = proxy.chat("default")
    assert (status, content(body)) == (200, "answered by a")
    assert len(proxy.backends["a"].hits) == before + 1


def test_a_request_without_a_key_is_rejected(proxy: Proxy) -> None:
    hits = {name: len(b.hits) for name, b in proxy.backends.items()}
    status, _ = proxy.chat("alpha", key=None)
    assert status == 401
    # Not the master key: without a database LiteLLM cannot look the key up
    # as a virtual key, and refuses it with 400 rather than 401.
    status, body = proxy.chat("alpha", key="sk-wrong")
    assert (status, body["error"]["type"]) == (400, "no_db_connection")
    assert {name: len(b.hits) for name, b in proxy.backends.items()} == hits


def test_exceeding_the_model_rate_limit_returns_429(proxy: Proxy) -> None:
    statuses = [proxy.chat("gamma")[0] for _ in range(RATE_LIMIT_RPM + 2)]
    assert statuses[:RATE_LIMIT_RPM] == [200] * RATE_LIMIT_RPM
    assert statuses[RATE_LIMIT_RPM:] == [429, 429]
    assert len(proxy.backends["c"].hits) == RATE_LIMIT_RPM


def test_a_failing_backend_falls_back(proxy: Proxy) -> None:
    before = len(proxy.backends["b"].hits)
    status, body = proxy.chat("omega")
    assert (status, content(body)) == (200, "answered by b")
    assert len(proxy.backends["down"].hits) >= 1
    assert len(proxy.backends["b"].hits) == before + 1
