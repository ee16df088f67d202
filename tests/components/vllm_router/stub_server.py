"""Stub OpenAI-compatible model servers on loopback that count the requests they serve.

Each answers what the router asks of a vLLM server (`/health`, `/v1/models`, the
renderer endpoints) and the completion endpoints, naming itself in the reply, so a test
sees where each request landed. A prompt with `HOLD` in it is answered late, which keeps
that replica busy."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "stub-model"
# A prompt holding this word is answered after HOLD_SECONDS: the replica stays busy.
HOLD = "HOLD"
HOLD_SECONDS = 3.0


def render(path: str, body: dict[str, Any]) -> Any:
    """vLLM's renderer endpoints, one token per character. The cache-aware router asks a
    server to render each prompt into token ids and matches their prefixes; the
    completions endpoint answers a list of GenerateRequests, the chat one a single one."""
    if "prompt" in body:
        text = str(body["prompt"])
    else:
        text = "".join(str(message.get("content", "")) for message in body.get("messages", []))
    request = {
        "request_id": "render",
        "model": MODEL,
        "token_ids": [ord(character) for character in text],
        "sampling_params": {},
    }
    return [request] if path.startswith("/v1/completions") else request


class StubServers:
    """`count` servers on 127.0.0.1, each on a free port, counting completions."""

    def __init__(self, count: int, render_enabled: bool = True) -> None:
        self.render_enabled = render_enabled
        self.served: Counter[int] = Counter()
        self.prompts: dict[int, list[str]] = {}
        self._lock = threading.Lock()
        self._servers = [self._start(index) for index in range(count)]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{server.server_address[1]}" for server in self._servers]

    def reset(self) -> None:
        with self._lock:
            self.served.clear()
            self.prompts.clear()

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def _record(self, index: int, body: dict[str, Any]) -> None:
        text = body.get("prompt") or json.dumps(body.get("messages"))
        with self._lock:
            self.served[index] += 1
            self.prompts.setdefault(index, []).append(str(text))

    def _start(self, index: int) -> ThreadingHTTPServer:
        stubs = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, payload: Any, status: int = 200) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith("/v1/models"):
                    self._reply({"object": "list", "data": [{"id": MODEL, "object": "model"}]})
                else:
                    self._reply({})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.endswith("/render"):
                    if stubs.render_enabled:
                        self._reply(render(self.path, body))
                    else:  # vLLM 0.33 without `--enable-scale-out`
                        self._reply({"error": {"message": "Scale-out endpoints are disabled"}}, 403)
                    return
                if self.path.endswith("/completions"):
                    stubs._record(index, body)
                    if HOLD in json.dumps(body):
                        time.sleep(HOLD_SECONDS)
                self._reply(
                    {
                        "id": f"cmpl-{index}",
                        "object": "chat.completion",
                        "model": MODEL,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": f"replica {index}"},
                                "text": f"replica {index}",
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                )

            def log_message(self, *args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
