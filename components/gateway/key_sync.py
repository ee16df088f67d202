"""Make LiteLLM's virtual keys match the declared app keys, then exit.

This file is the key Job's program: the component ships it, unchanged, in a ConfigMap and
the Job runs it with the gateway image's Python. It uses the standard library only.

Environment:
    GATEWAY_URL          the gateway's in-cluster URL, e.g. http://ai-gateway.llm.svc:4000
    LITELLM_MASTER_KEY   the master key (only this Job and the gateway have it)
    SHIPYARD_APP_KEYS    JSON list of {"alias", "env", "models", "rpm_limit", "tpm_limit"}
    <env>                each app's key value (from its own Secret), named by "env"

For each declared key: if LiteLLM knows the value, its models and limits are updated;
if it answers that it does not, any key with its alias is deleted and the value is
registered under the alias; any other answer (no database, a wrong master key) fails the
Job, which Kubernetes retries.
Every other key whose alias starts with `shipyard-app-` is deleted: that is how removing
an app's key revokes it. LiteLLM's key API: POST /key/generate, /key/update, /key/delete,
GET /key/info, /key/list (docs.litellm.ai/docs/proxy/virtual_keys).
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

ALIAS_PREFIX = "shipyard-app-"
READY_ATTEMPTS = 60
READY_INTERVAL_SECONDS = 5.0
PAGE_SIZE = 100
TIMEOUT_SECONDS = 30


class KeyApiError(RuntimeError):
    pass


def call(
    base: str, master: str, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {master}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def wait_ready(base: str) -> None:
    for _ in range(READY_ATTEMPTS):
        try:
            with urllib.request.urlopen(f"{base}/health/readiness", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(READY_INTERVAL_SECONDS)
    raise KeyApiError(f"the gateway at {base} did not become ready")


def _settings(key: dict[str, Any]) -> dict[str, Any]:
    return {
        "key_alias": key["alias"],
        "models": key["models"],
        "rpm_limit": key["rpm_limit"],
        "tpm_limit": key["tpm_limit"],
        "metadata": {"managed_by": "shipyard"},
    }


def _expect(status: int, body: Any, what: str) -> None:
    if status != 200:
        raise KeyApiError(f"{what} failed with {status}: {body}")


def managed_aliases(base: str, master: str) -> set[str]:
    """Every alias of a key Shipyard created."""
    aliases: set[str] = set()
    page = 1
    while True:
        query = urllib.parse.urlencode(
            {"page": page, "size": PAGE_SIZE, "return_full_object": "true"}
        )
        status, body = call(base, master, "GET", f"/key/list?{query}")
        _expect(status, body, "listing keys")
        for key in body.get("keys", []):
            alias = key.get("key_alias") if isinstance(key, dict) else None
            if isinstance(alias, str) and alias.startswith(ALIAS_PREFIX):
                aliases.add(alias)
        if page >= int(body.get("total_pages") or 1):
            return aliases
        page += 1


def sync(base: str, master: str, declared: list[dict[str, Any]], env: dict[str, str]) -> None:
    for key in declared:
        value = env[key["env"]]
        query = urllib.parse.urlencode({"key": value})
        status, body = call(base, master, "GET", f"/key/info?{query}")
        if status >= 500 or status in (401, 403):
            raise KeyApiError(f"looking up key `{key['alias']}` failed with {status}: {body}")
        if status == 200:
            status, body = call(
                base, master, "POST", "/key/update", {"key": value, **_settings(key)}
            )
            _expect(status, body, f"updating key `{key['alias']}`")
            print(f"updated {key['alias']}")
            continue
        call(base, master, "POST", "/key/delete", {"key_aliases": [key["alias"]]})
        status, body = call(base, master, "POST", "/key/generate", {"key": value, **_settings(key)})
        _expect(status, body, f"creating key `{key['alias']}`")
        print(f"created {key['alias']}")
    stale = sorted(managed_aliases(base, master) - {key["alias"] for key in declared})
    if stale:
        status, body = call(base, master, "POST", "/key/delete", {"key_aliases": stale})
        _expect(status, body, f"revoking {', '.join(stale)}")
        print(f"revoked {', '.join(stale)}")


def main() -> int:
    base = os.environ["GATEWAY_URL"].rstrip("/")
    master = os.environ["LITELLM_MASTER_KEY"]
    declared = json.loads(os.environ["SHIPYARD_APP_KEYS"])
    try:
        wait_ready(base)
        sync(base, master, declared, dict(os.environ))
    except KeyApiError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
