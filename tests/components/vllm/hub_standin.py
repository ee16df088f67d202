"""A Hugging Face Hub stand-in on 127.0.0.1 for the staging script's tests: the two
endpoints `huggingface_hub` 2.4 calls to stage a revision.

    GET  /api/models/<repo>/revision/<rev>?blobs=True   model info with every file's
                                                         checksum (`lfs.sha256` or `blobId`)
    HEAD /<repo>/resolve/<rev>/<file>                    X-Repo-Commit, ETag, size
    GET  /<repo>/resolve/<rev>/<file>                    the file

Files ending in `.safetensors` are published as LFS files (their SHA-256), the others as
git blobs (their git blob id), as the Hub does. `served` may differ from what is
published, to show the script refusing a corrupted download.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


def git_blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


@dataclass
class Repo:
    name: str
    revision: str
    files: dict[str, bytes]
    served: dict[str, bytes] = field(default_factory=dict)
    """Content served instead of the published one, by file name."""
    resolves_to: str | None = None
    """A commit the revision resolves to, when not itself."""
    requests: list[str] = field(default_factory=list)

    def info(self) -> dict[str, object]:
        siblings = []
        for name, content in sorted(self.files.items()):
            sibling: dict[str, object] = {"rfilename": name, "size": len(content)}
            if name.endswith(".safetensors"):
                sibling["lfs"] = {
                    "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "pointerSize": 134,
                }
            else:
                sibling["blobId"] = git_blob_id(content)
            siblings.append(sibling)
        return {
            "id": self.name,
            "modelId": self.name,
            "sha": self.resolves_to or self.revision,
            "private": False,
            "siblings": siblings,
        }


def _handler(repo: Repo) -> type[BaseHTTPRequestHandler]:
    info_path = f"/api/models/{repo.name}/revision/{repo.revision}"
    resolve_prefix = f"/{repo.name}/resolve/{repo.revision}/"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _file(self) -> tuple[str, bytes] | None:
            path = unquote(urlsplit(self.path).path)
            if not path.startswith(resolve_prefix):
                return None
            name = path.removeprefix(resolve_prefix)
            if name not in repo.files:
                return None
            return name, repo.served.get(name, repo.files[name])

        def _not_found(self) -> None:
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _file_headers(self, name: str, content: bytes) -> None:
            published = repo.files[name]
            etag = (
                hashlib.sha256(published).hexdigest()
                if name.endswith(".safetensors")
                else git_blob_id(published)
            )
            self.send_response(200)
            self.send_header("X-Repo-Commit", repo.revision)
            self.send_header("ETag", f'"{etag}"')
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()

        def do_HEAD(self) -> None:
            repo.requests.append(f"HEAD {self.path}")
            found = self._file()
            if found is None:
                self._not_found()
                return
            self._file_headers(*found)

        def do_GET(self) -> None:
            repo.requests.append(f"GET {self.path}")
            if urlsplit(self.path).path == info_path:
                body = json.dumps(repo.info()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            found = self._file()
            if found is None:
                self._not_found()
                return
            self._file_headers(*found)
            self.wfile.write(found[1])

    return Handler


@contextmanager
def hub(repo: Repo) -> Iterator[str]:
    """Serve `repo` on a free loopback port; yields the endpoint URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(repo))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
