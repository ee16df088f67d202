"""The reconciler's HTTP endpoints, on the standard library's threading server, hardened.

| endpoint | answer |
| --- | --- |
| `GET /healthz` | 200 while the loop runs (it started a pass within a few intervals), else 503 |
| `GET /readyz` | 200 once the loop runs, leader or not; 503 before, and after failed fetches |
| `GET /metrics` | the Prometheus text format (`metrics.py`) |
| `GET /status` | JSON: the source's health and every stack's recorded state |
| `POST /webhook` | a GitHub push delivery (see below) |

A server serves `all` of them, the `internal` ones (every `GET`), or only the `webhook`:
`shipyard reconcile --webhook-listen` puts `/webhook` on a port of its own, the one to
expose to GitHub, so health, status and metrics stay where only the cluster reaches them.

`/webhook` answers 202 when the delivery triggers a pass or is ignored (another branch), 200
for `ping`, 401 for a bad or missing signature, 400 for a missing or malformed delivery id
or `Content-Length`, 409 for a replay, 411 without a `Content-Length`, 413 over `MAX_BODY`,
429 when pushes come faster than the trigger rate, and 404 when no secret is set. Every
answer that needs no body is given before the body is read.

Against senders that hold connections open or send slowly: every read times out after
`IDLE_TIMEOUT`, a whole request after `REQUEST_DEADLINE` (the socket is shut down), and at
most `MAX_CONNECTIONS` requests are served at once; more are answered 503 at once, unread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from shipyard.gitops.daemon import Daemon
from shipyard.gitops.metrics import CONTENT_TYPE
from shipyard.gitops.redact import redact

MAX_BODY = 1024 * 1024
"""A push payload is a few kilobytes (GitHub lists at most 20 commits); GitHub's own cap is
25 MB, which would let unsigned requests make the reconciler buffer that much each."""
IDLE_TIMEOUT = 5.0
"""Seconds one read of a request may wait for data."""
REQUEST_DEADLINE = 10.0
"""Seconds a whole request (line, headers, body) may take before its socket is shut."""
MAX_CONNECTIONS = 32
"""Requests served at once, per server."""
Routes = Literal["all", "internal", "webhook"]
_LENGTH = re.compile(r"[0-9]{1,9}")  # ASCII digits only: `str.isdigit` accepts `²`
_BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n\r\ntoo busy\r\n"
)
LOGGER = logging.getLogger("shipyard.reconcile")


def parse_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:8080` for IPv6) into its parts; the host is required."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isascii() or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"`{value}` is not HOST:PORT")
    host = host.strip("[]")
    if not host:
        raise ValueError(
            f"`{value}` names no host; use 127.0.0.1:{port} for this machine only, or "
            f"0.0.0.0:{port} for every interface (in a cluster)"
        )
    return host, int(port)


def content_length(value: str | None) -> int | None:
    """The body's length from a `Content-Length` header; None when it is not a number."""
    if value is None or not _LENGTH.fullmatch(value.strip()):
        return None
    return int(value.strip())


class _Server(ThreadingHTTPServer):
    """A thread per request, at most `max_connections` at once, each with a deadline."""

    daemon_threads = True
    request_queue_size = 128
    """Connections the kernel queues before `accept` (socketserver's 5 makes a burst of
    clients wait for SYN retries, a second and more)."""

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        max_connections: int,
        deadline: float,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_connections)
        self.deadline = deadline

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            _refuse(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        timer = threading.Timer(self.deadline, _shut, (request,))
        timer.daemon = True
        timer.start()
        try:
            super().process_request_thread(request, client_address)
        finally:
            timer.cancel()
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One JSON log line, not a traceback on stderr: a request that breaks a handler
        is a bug to fix, but it must not flood the log."""
        LOGGER.exception("an HTTP request failed", extra={"fields": {"reason": "HttpError"}})


def _refuse(request: socket.socket) -> None:
    with contextlib.suppress(OSError):
        request.settimeout(0.5)
        request.sendall(_BUSY)


def _shut(request: socket.socket) -> None:
    """End a request past its deadline: its blocked read returns, and the thread ends."""
    with contextlib.suppress(OSError):
        request.shutdown(socket.SHUT_RDWR)


class ReconcilerServer:
    def __init__(
        self,
        daemon: Daemon,
        host: str,
        port: int,
        *,
        routes: Routes = "all",
        max_connections: int = MAX_CONNECTIONS,
        idle_timeout: float = IDLE_TIMEOUT,
        request_deadline: float = REQUEST_DEADLINE,
    ) -> None:
        handler = type(
            "Handler",
            (_Handler,),
            {"daemon": daemon, "routes": routes, "timeout": idle_timeout},
        )
        self.httpd = _Server((host, port), handler, max_connections, request_deadline)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="http", daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    daemon: Daemon
    routes: Routes
    server_version = "shipyard-reconcile"
    sys_version = ""

    def do_GET(self) -> None:
        daemon = self.daemon
        pages: dict[str, Callable[[], None]] = {
            "/healthz": self._healthz,
            "/readyz": self._readyz,
            "/metrics": lambda: self._send(200, daemon.metrics.render(), CONTENT_TYPE),
            "/status": lambda: self._send(
                200,
                redact(json.dumps(daemon.status(), indent=2, sort_keys=True)) + "\n",
                "application/json",
            ),
        }
        page = pages.get(self.path) if self.routes != "webhook" else None
        if page is None:
            self._send(404, "not found\n")
        else:
            page()

    def _healthz(self) -> None:
        ok = self.daemon.healthy()
        self._send(200 if ok else 503, "ok\n" if ok else "the loop is stuck\n")

    def _readyz(self) -> None:
        ready, why = self.daemon.readiness()
        self._send(200 if ready else 503, redact(why) + "\n")

    def do_POST(self) -> None:
        if self.path != "/webhook" or self.routes == "internal":
            self._send(404, "not found\n")
            return
        headers = dict(self.headers.items())
        early = self.daemon.refuse_webhook(headers)
        if early is not None:
            self._answer(*early)
            return
        length = content_length(self.headers.get("Content-Length"))
        if self.headers.get("Content-Length") is None:
            self._answer(411, "a Content-Length header is required")
        elif length is None:
            self._answer(400, "`Content-Length` must be a number of bytes")
        elif length > MAX_BODY:
            self._answer(413, f"the body is larger than {MAX_BODY} bytes")
        else:
            try:
                body = self.rfile.read(length)
            except OSError:  # a read timed out, or the deadline shut the socket
                body = b""
            if len(body) < length:  # the sender stopped early: nothing to answer
                self.close_connection = True
                return
            self._answer(*self.daemon.handle_webhook(body, headers))

    def _answer(self, status: int, message: str) -> None:
        self._send(status, json.dumps({"message": message}) + "\n", "application/json")

    def _send(self, status: int, body: str | bytes, content_type: str = "text/plain") -> None:
        data = body.encode() if isinstance(body, str) else body
        self.close_connection = True  # one request per connection, never an unread body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):  # the sender may be gone before it reads this
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the reconciler logs decisions, not requests."""
