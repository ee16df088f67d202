"""The reconciler's endpoints over a real socket (port 0), backed by a real daemon: the
answers, the split between the internal and the webhook port, and what a sender that
holds connections, sends slowly or sends too much gets (bounded in count and time)."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_daemon import (  # noqa: F401 (a fixture)
    SECRET,
    Remote,
    guid,
    make_loop,
    push_body,
    remote,
)

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
        "X-GitHub-Delivery": guid(1),
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


def signed_headers(length: int, delivery: int = 1) -> bytes:
    """A webhook request's head, signed (for an empty body) and claiming `length` bytes."""
    return (
        "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"X-Hub-Signature-256: {sign(SECRET, b'')}\r\n"
        f"X-GitHub-Delivery: {guid(delivery)}\r\nX-GitHub-Event: push\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def raw(port: int, data: bytes, timeout: float = 5.0) -> tuple[bytes, float]:
    """Send `data`, read until the server closes; the answer and the seconds it took."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer, time.monotonic() - start


@contextlib.contextmanager
def serving(daemon: Daemon, **options: Any) -> Iterator[int]:
    server = ReconcilerServer(daemon, "127.0.0.1", 0, **options)
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


def status_line(answer: bytes) -> bytes:
    return answer.split(b"\r\n", 1)[0]


def test_an_oversized_webhook_is_refused_before_reading(served: tuple[Daemon, str]) -> None:
    daemon, _ = served
    with serving(daemon) as port:
        answer, took = raw(port, signed_headers(MAX_BODY + 1))  # and no body at all
    assert status_line(answer) == b"HTTP/1.0 413 Request Entity Too Large"
    assert b'"the body is larger than 1048576 bytes"' in answer
    assert took < 2


def test_disabled_webhooks_and_unsigned_deliveries_are_refused_before_reading(
    served: tuple[Daemon, str],
) -> None:
    daemon, _ = served
    unsigned = b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 900000\r\n\r\n"
    with serving(daemon) as port:
        answer, took = raw(port, unsigned)  # 900 kB announced, none sent: no wait for it
        assert status_line(answer) == b"HTTP/1.0 401 Unauthorized"
        assert took < 2
        daemon.webhook_secret = None
        answer, took = raw(port, signed_headers(900_000))
        assert status_line(answer) == b"HTTP/1.0 404 Not Found"
        assert took < 2


@pytest.mark.parametrize("length", ["²", "-1", "0x10", "1e3", "99999999999"])
def test_a_content_length_that_is_not_a_number_is_400_without_a_traceback(
    served: tuple[Daemon, str], length: str, caplog: pytest.LogCaptureFixture
) -> None:
    daemon, _ = served
    head = signed_headers(0).replace(
        b"Content-Length: 0", f"Content-Length: {length}".encode("latin-1")
    )
    with serving(daemon) as port, caplog.at_level(logging.ERROR):
        answer, _ = raw(port, head)
    assert status_line(answer) == b"HTTP/1.0 400 Bad Request"
    assert b"`Content-Length` must be a number of bytes" in answer
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_slow_or_silent_sender_is_cut_off(served: tuple[Daemon, str]) -> None:
    daemon, _ = served
    with serving(daemon, idle_timeout=0.3, request_deadline=0.8) as port:
        answer, took = raw(port, b"")  # connects and says nothing
        assert (answer, took < 0.3 + 1) == (b"", True)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            start = time.monotonic()
            sent = b""
            try:
                for char in signed_headers(10):  # one byte every 0.05 s: never idle long
                    sock.sendall(bytes([char]))
                    sent += bytes([char])
                    time.sleep(0.05)
            except OSError:  # the server shut the connection at the deadline
                pass
            assert sock.recv(1024) == b""
            took = time.monotonic() - start
    assert 0.8 <= took < 2.5, took
    assert len(sent) < len(signed_headers(10))


def test_connections_beyond_the_cap_are_answered_503_unread(served: tuple[Daemon, str]) -> None:
    daemon, _ = served
    with serving(daemon, max_connections=2, request_deadline=1.0) as port:
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        try:
            for sock in held:
                sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # and never the rest
            time.sleep(0.2)
            answer, took = raw(port, b"GET /healthz HTTP/1.0\r\n\r\n")
            assert status_line(answer) == b"HTTP/1.0 503 Service Unavailable"
            assert took < 1
            time.sleep(1.2)  # the held ones pass their deadline and are cut
            answer, _ = raw(port, b"GET /healthz HTTP/1.0\r\n\r\n")
            assert status_line(answer) == b"HTTP/1.0 200 OK"
        finally:
            for sock in held:
                sock.close()


def test_the_webhook_port_serves_only_the_webhook(served: tuple[Daemon, str]) -> None:
    daemon, _ = served
    body = push_body()
    signed = {"X-Hub-Signature-256": sign(SECRET, body), "X-GitHub-Event": "push"}
    with serving(daemon, routes="webhook") as hook, serving(daemon, routes="internal") as inner:
        for path in ("/healthz", "/readyz", "/metrics", "/status"):
            assert call(f"http://127.0.0.1:{hook}{path}")[0] == 404
            assert call(f"http://127.0.0.1:{inner}{path}")[0] in (200, 503)
        status, _, _ = call(
            f"http://127.0.0.1:{inner}/webhook", body, {**signed, "X-GitHub-Delivery": guid(1)}
        )
        assert status == 404
        status, _, text = call(
            f"http://127.0.0.1:{hook}/webhook", body, {**signed, "X-GitHub-Delivery": guid(2)}
        )
        assert (status, json.loads(text)) == (202, {"message": "reconcile triggered"})


def test_credentials_in_urls_never_reach_status(served: tuple[Daemon, str]) -> None:
    daemon, base = served
    daemon.settings = replace(daemon.settings, repo_url="https://bot:ghp_t0ken@example.com/x.git")
    daemon.source = replace(
        daemon.source,
        available=False,
        failed_fetches=9,
        message="fatal: unable to access 'https://bot:ghp_t0ken@example.com/x.git/': refused",
    )
    daemon.ready = True
    text = call(base + "/status")[2]
    assert "ghp_t0ken" not in text and "bot:" not in text
    assert json.loads(text)["repo"] == "https://***@example.com/x.git"
    ready = call(base + "/readyz")
    assert ready[0] == 503 and "ghp_t0ken" not in ready[2] and "https://***@example.com" in ready[2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0.0.0:8080", ("0.0.0.0", 8080)),
        ("127.0.0.1:9000", ("127.0.0.1", 9000)),
        ("[::1]:80", ("::1", 80)),
    ],
)
def test_listen_addresses(value: str, expected: tuple[str, int]) -> None:
    assert parse_listen(value) == expected


def test_a_listen_address_without_a_port_or_host_is_refused() -> None:
    with pytest.raises(ValueError, match="`localhost` is not HOST:PORT"):
        parse_listen("localhost")
    with pytest.raises(ValueError, match=r"`:9000` names no host; use 127\.0\.0\.1:9000 for this"):
        parse_listen(":9000")
    with pytest.raises(ValueError, match="is not HOST:PORT"):
        parse_listen("127.0.0.1:²")
