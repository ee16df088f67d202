"""The reconciler's endpoints over a real socket (port 0), backed by a real daemon."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_daemon import SECRET, Remote, make_loop, push_body, remote  # noqa: F401 (a fixture)

from shipyard.gitops.daemon import Daemon
from shipyard.gitops.http_server import MAX_BODY, ReconcilerServer, parse_listen
from shipyard.gitops.webhook import sign


@pytest.fixture
def served(remote: Remote, tmp_path: Path) -> Iterator[tuple[Daemon, str]]:  # noqa: F811
    loop = make_loop(remote, tmp_path)
    server = ReconcilerServer(loop.daemon, "127.0.0.1", 0)
    server.start()
    yield loop.daemon, f"http://127.0.0.1:{server.port}"
    server.stop()
    loop.daemon.stop()


def call(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_ready_only_once_the_loop_started(served: tuple[Daemon, str]) -> None:
    daemon, base = served
    assert call(base + "/healthz")[0::2] == (200, "ok\n")
    assert call(base + "/readyz")[0::2] == (503, "starting\n")
    daemon.ready = True
    assert call(base + "/readyz")[0::2] == (200, "ready\n")
    assert call(base + "/nope")[0] == 404


def test_healthz_fails_when_the_loop_stops_beating(served: tuple[Daemon, str]) -> None:
    daemon, base = served
    daemon.heartbeat -= 10_000
    assert call(base + "/healthz")[0::2] == (503, "the loop is stuck\n")


def test_metrics_and_status_after_a_pass(served: tuple[Daemon, str]) -> None:
    daemon, base = served
    daemon.reconcile_pass()
    daemon.wait_idle(10)
    status, content_type, text = call(base + "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
    assert 'shipyard_reconciler_applies_total{result="succeeded",stack="dev"} 1.0' in text
    assert 'shipyard_reconciler_reconcile_duration_seconds_count{stack="prod"} 1.0' in text
    assert "shipyard_reconciler_leader 1.0" in text
    status, content_type, text = call(base + "/status")
    body = json.loads(text)
    assert (status, content_type, body["branch"]) == (200, "application/json", "main")
    assert body["stacks"]["dev"]["condition"]["reason"] == "Applied"


def test_the_webhook_endpoint(served: tuple[Daemon, str]) -> None:
    daemon, base = served
    body = push_body()
    signed = {
        "X-Hub-Signature-256": sign(SECRET, body),
        "X-GitHub-Delivery": "d1",
        "X-GitHub-Event": "push",
        "Content-Type": "application/json",
    }
    status, _, text = call(base + "/webhook", body, signed)
    assert (status, json.loads(text)) == (202, {"message": "reconcile triggered"})
    assert daemon._wake.is_set()
    assert call(base + "/webhook", body, signed)[0] == 409
    unsigned = {k: v for k, v in signed.items() if k != "X-Hub-Signature-256"}
    status, _, text = call(base + "/webhook", body, unsigned)
    assert (status, json.loads(text)["message"]) == (401, "no `X-Hub-Signature-256` header")
    assert call(base + "/healthz", b"x")[0] == 404  # POST elsewhere


def test_an_oversized_webhook_is_refused_before_reading(served: tuple[Daemon, str]) -> None:
    _, base = served
    request = urllib.request.Request(base + "/webhook", data=b"x", method="POST")
    request.add_header("Content-Length", str(MAX_BODY + 1))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 413


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.0.0.0:8080", ("0.0.0.0", 8080)), (":9000", ("0.0.0.0", 9000)), ("[::1]:80", ("::1", 80))],
)
def test_listen_addresses(value: str, expected: tuple[str, int]) -> None:
    assert parse_listen(value) == expected


def test_a_listen_address_without_a_port_is_refused() -> None:
    with pytest.raises(ValueError, match="`localhost` is not HOST:PORT"):
        parse_listen("localhost")
