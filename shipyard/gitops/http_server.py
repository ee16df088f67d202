"""The reconciler's HTTP endpoints, on the standard library's threading server.

| endpoint | answer |
| --- | --- |
| `GET /healthz` | 200 while the loop runs (it started a pass within a few intervals), else 503 |
| `GET /readyz` | 200 once the loop runs, leader or not; 503 before, and after failed fetches |
| `GET /metrics` | the Prometheus text format (`metrics.py`) |
| `GET /status` | JSON: every stack's recorded state (condition, last error, commits) |
| `POST /webhook` | a GitHub push delivery (see below) |

`/webhook` answers 202 when the delivery triggers a pass or is ignored (another branch), 200
for `ping`, 401 for a bad or missing signature, 400 without a delivery id, 409 for a
replay, 404 when no secret is set, and 413 over GitHub's 25 MB cap.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from shipyard.gitops.daemon import Daemon
from shipyard.gitops.metrics import CONTENT_TYPE

MAX_BODY = 25 * 1024 * 1024
"""GitHub caps webhook payloads at 25 MB."""


def parse_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT` (`[::1]:8080` for IPv6) into its parts."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"`{value}` is not HOST:PORT")
    return host.strip("[]") or "0.0.0.0", int(port)


class ReconcilerServer:
    def __init__(self, daemon: Daemon, host: str, port: int) -> None:
        handler = type("Handler", (_Handler,), {"daemon": daemon})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
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
    server_version = "shipyard-reconcile"

    def do_GET(self) -> None:
        daemon = self.daemon
        if self.path == "/healthz":
            ok = daemon.healthy()
            self._send(200 if ok else 503, "ok\n" if ok else "the loop is stuck\n")
        elif self.path == "/readyz":
            ready, why = daemon.readiness()
            self._send(200 if ready else 503, why + "\n")
        elif self.path == "/metrics":
            self._send(200, daemon.metrics.render(), CONTENT_TYPE)
        elif self.path == "/status":
            self._send(
                200,
                json.dumps(daemon.status(), indent=2, sort_keys=True) + "\n",
                "application/json",
            )
        else:
            self._send(404, "not found\n")

    def do_POST(self) -> None:
        if self.path != "/webhook":
            self._send(404, "not found\n")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._send(411, "a Content-Length header is required\n")
            return
        if int(length) > MAX_BODY:
            self._send(413, "the body is too large\n")
            return
        body = self.rfile.read(int(length))
        status, message = self.daemon.handle_webhook(body, dict(self.headers.items()))
        self._send(status, json.dumps({"message": message}) + "\n", "application/json")

    def _send(self, status: int, body: str | bytes, content_type: str = "text/plain") -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the reconciler logs decisions, not requests."""
