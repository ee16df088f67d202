"""A tiny OpenAI-compatible server standing in for vLLM: it names itself in every
answer, reports the token usage it is given, counts the requests it gets, and can be
told to fail."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Backend:
    """One stand-in model server on loopback."""

    name: str
    fail: bool = False
    prompt_tokens: int = 3
    completion_tokens: int = 4
    hits: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    """Every request's headers, lower-cased names (what a provider would authenticate)."""
    anthropic: bool = False
    """Answer as Anthropic's Messages API (`POST /v1/messages`) instead of OpenAI's."""
    server: ThreadingHTTPServer | None = None

    @property
    def api_base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> Backend:
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._reply(200, {"object": "list", "data": []})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = json.loads(self.rfile.read(length) or b"{}")
                backend.hits.append(self.path)
                backend.headers.append({k.lower(): v for k, v in self.headers.items()})
                if backend.fail:
                    self._reply(500, {"error": {"message": f"{backend.name} is down"}})
                    return
                if backend.anthropic:
                    self._reply(
                        200,
                        {
                            "id": f"msg_{backend.name}_{len(backend.hits)}",
                            "type": "message",
                            "role": "assistant",
                            "model": request.get("model", ""),
                            "content": [{"type": "text", "text": f"answered by {backend.name}"}],
                            "stop_reason": "end_turn",
                            "stop_sequence": None,
                            "usage": {
                                "input_tokens": backend.prompt_tokens,
                                "output_tokens": backend.completion_tokens,
                            },
                        },
                    )
                    return
                self._reply(
                    200,
                    {
                        "id": f"chatcmpl-{backend.name}-{len(backend.hits)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": request.get("model", ""),
                        "choices": [
                            {
                                "index": 0,
                                "message": {
                                    "role": "assistant",
                                    "content": f"answered by {backend.name}",
                                },
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": backend.prompt_tokens,
                            "completion_tokens": backend.completion_tokens,
                            "total_tokens": backend.prompt_tokens + backend.completion_tokens,
                        },
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
