"""The real LiteLLM proxy as a subprocess on loopback, for the gateway tests.

`run_proxy` writes the config Shipyard renders, starts `litellm` with the environment the
Deployment would set, waits for its liveness probe, and stops it afterwards. Nothing of
LiteLLM is mocked.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.gateway.args import GatewayArgs, GatewayBackend
from components.gateway.config import MASTER_KEY_ENV, render_config_text

from .standin import Backend

MASTER_KEY = "sk-test-master-key"
STARTUP_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def backend(served: str, stand_in: Backend, **fields: Any) -> GatewayBackend:
    """A gateway route to a stand-in model server."""
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
    log: Path

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


def content(body: dict[str, Any]) -> str:
    return str(body["choices"][0]["message"]["content"])


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


@contextmanager
def run_proxy(
    executable: Path,
    args: GatewayArgs,
    directory: Path,
    backends: dict[str, Backend],
    env: Mapping[str, str] | None = None,
    paths: Mapping[str, str] | None = None,
) -> Iterator[Proxy]:
    """The proxy serving `render_config_text(args)`, with the master key and `env` set.
    `paths` swaps in-pod paths in the config (a mounted CA) for files of the test's."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.yaml"
    text = render_config_text(args)
    for pod_path, local in (paths or {}).items():
        text = text.replace(pod_path, local)
    config.write_text(text)
    log = directory / "litellm.log"
    port = free_port()
    environment = {
        **os.environ,
        MASTER_KEY_ENV: MASTER_KEY,
        "LITELLM_TELEMETRY": "False",
        "DISABLE_ADMIN_UI": "True",
        "HOME": str(directory),
        **(env or {}),
    }
    command = [str(executable), "--config", str(config), "--host", "127.0.0.1"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=directory,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield Proxy(url, backends, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
