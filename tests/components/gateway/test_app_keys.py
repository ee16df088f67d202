"""Per-app keys: the rendered key Job against the real LiteLLM proxy, its requests against
LiteLLM's own request models, and where the master key may appear.

What cannot run here: LiteLLM keeps virtual keys in Postgres through Prisma, whose query
engine `prisma generate` downloads from Prisma's own servers (not a package registry), so
no proxy here has a key store. The Job is therefore run against the real proxy without
one, and must fail loudly, not pass; its request bodies are checked by LiteLLM's own
Pydantic models (`GenerateKeyRequest`, `UpdateKeyRequest`, `KeyRequest`) in the proxy's
virtualenv; and its create/update/revoke logic is exercised against a recorder of the
key API below, which stands in for the database-backed endpoints.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from components.gateway import key_sync
from components.gateway.args import GatewayArgs, GatewayBackend, Limits, VirtualKeys
from components.gateway.egress import EgressPeer
from components.gateway.key_job import render_key_sync
from components.gateway.keys import (
    APP_BASE_URL_SECRET_KEY,
    APP_KEY_SECRET_KEY,
    AppKey,
    app_key_env,
    app_key_secret_name,
    declared_keys,
)
from components.gateway.manifests import master_key_secret_name, render_deployment
from components.shared.secret_refs import SecretKeyRef

from .proxy_process import MASTER_KEY, Proxy, backend, run_proxy
from .standin import Backend

KEYS = VirtualKeys(
    database_url_secret=SecretKeyRef(name="litellm-db", key="url"),
    database=EgressPeer(pod_labels={"app": "postgres"}, port=5432),
)
APP_VALUES = {"support-bot": "sk-app-support-bot-value", "search": "sk-app-search-value"}


APPS = (
    AppKey(app="support-bot", limits=Limits(rpm=5, tpm=1000), models=("alpha",)),
    AppKey(app="search"),
)


def static_args(apps: tuple[AppKey, ...] = APPS) -> GatewayArgs:
    """A gateway with a key store and app keys; the key Job needs no running model."""
    return GatewayArgs(
        namespace="llm",
        replicas=1,
        backends=(
            GatewayBackend(
                served_name="alpha",
                api_base="http://alpha.llm.svc.cluster.local:8000/v1",
                pod_labels={"app.kubernetes.io/instance": "alpha"},
                port=8000,
            ),
        ),
        virtual_keys=KEYS,
        key_limits=Limits(rpm=30),
        app_keys=apps,
    )


def job_environment(job: dict[str, Any], gateway_url: str) -> dict[str, str]:
    """The Job container's environment, with each Secret's value as the kubelet would
    put it there (the master key, every app's key)."""
    [container] = job["spec"]["template"]["spec"]["containers"]
    env: dict[str, str] = {}
    for item in container["env"]:
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        if ref["name"].endswith("-master-key"):
            env[item["name"]] = MASTER_KEY
        else:
            app = ref["name"].removeprefix("gw-").removesuffix("-key")
            env[item["name"]] = APP_VALUES[app]
    env["GATEWAY_URL"] = gateway_url
    return env


@pytest.fixture(scope="module")
def proxy(litellm_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    stand_in = Backend("a").start()
    # The proxy as it runs before its database is reachable: no `database_url`.
    args = GatewayArgs(namespace="llm", replicas=1, backends=(backend("alpha", stand_in),))
    try:
        with run_proxy(
            litellm_executable, args, tmp_path_factory.mktemp("keys"), {"a": stand_in}
        ) as running:
            yield running
    finally:
        stand_in.stop()


def run_job(
    litellm_executable: Path, script: str, env: dict[str, str], tmp: Path
) -> subprocess.CompletedProcess[str]:
    """The Job's command with the gateway image's Python: LiteLLM's own virtualenv."""
    program = tmp / "key_sync.py"
    program.write_text(script)
    python = litellm_executable.parent / "python"
    return subprocess.run(
        [str(python), str(program)], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_job_fails_loudly_against_a_proxy_without_a_key_store(
    proxy: Proxy, litellm_executable: Path, tmp_path: Path
) -> None:
    rendered = render_key_sync("gw", static_args())
    assert rendered is not None
    config_map, job = rendered
    script = config_map["data"]["key_sync.py"]
    assert script == Path(key_sync.__file__).read_text()
    env = job_environment(job, proxy.url)
    result = run_job(litellm_executable, script, env, tmp_path)
    assert result.returncode == 1
    # It got past authentication with the master key, to the missing database.
    assert "looking up key `shipyard-app-search` failed with 500" in result.stderr
    assert "Database not connected" in result.stderr
    wrong = run_job(litellm_executable, script, {**env, "LITELLM_MASTER_KEY": "sk-no"}, tmp_path)
    # A wrong master key is looked up as a virtual key, which needs the database too: the
    # proxy refuses it before any key endpoint runs (400 `no_db_connection`).
    assert wrong.returncode == 1
    assert "no_db_connection" in wrong.stderr and "Database not connected" not in wrong.stderr


def test_the_jobs_requests_are_what_litellms_key_api_takes(litellm_executable: Path) -> None:
    declared = json.loads(
        next(
            item["value"]
            for item in render_key_sync("gw", static_args())[1]["spec"]["template"]["spec"][
                "containers"
            ][0]["env"]
            if item["name"] == "SHIPYARD_APP_KEYS"
        )
    )
    bodies = {
        "GenerateKeyRequest": [
            {
                "key": APP_VALUES[key["alias"].removeprefix("shipyard-app-")],
                **key_sync._settings(key),
            }
            for key in declared
        ],
        "UpdateKeyRequest": [
            {
                "key": APP_VALUES[key["alias"].removeprefix("shipyard-app-")],
                **key_sync._settings(key),
            }
            for key in declared
        ],
        "KeyRequest": [{"key_aliases": ["shipyard-app-old"]}],
    }
    check = (
        "import json, sys\n"
        "from litellm.proxy import _types\n"
        "for model, items in json.load(sys.stdin).items():\n"
        "    for item in items:\n"
        "        parsed = getattr(_types, model)(**item)\n"
        "        extra = set(item) - set(type(parsed).model_fields)\n"
        "        assert not extra, (model, extra)\n"
        "print('ok')\n"
    )
    python = litellm_executable.parent / "python"
    result = subprocess.run(
        [str(python), "-c", check],
        input=json.dumps(bodies),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
    support = next(key for key in declared if key["alias"] == "shipyard-app-support-bot")
    assert support == {
        "alias": "shipyard-app-support-bot",
        "env": app_key_env("support-bot"),
        "models": ["alpha"],
        "rpm_limit": 5,
        "tpm_limit": 1000,
    }
    search = next(key for key in declared if key["alias"] == "shipyard-app-search")
    # Left out: the gateway's key limit.
    assert (search["rpm_limit"], search["tpm_limit"], search["models"]) == (30, None, [])


class KeyApi:
    """Records LiteLLM's key endpoints as the database would answer them."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                api.calls.append(f"GET {parts.path}")
                if self.headers.get("Authorization") != f"Bearer {MASTER_KEY}":
                    self._reply(401, {"error": "no"})
                elif parts.path == "/health/readiness":
                    self._reply(200, {"status": "healthy"})
                elif parts.path == "/key/info":
                    key = query["key"][0]
                    self._reply(200, api.keys[key]) if key in api.keys else self._reply(404, {})
                elif parts.path == "/key/list":
                    self._reply(200, {"keys": list(api.keys.values()), "total_pages": 1})
                else:
                    self._reply(404, {})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.calls.append(f"POST {self.path}")
                if self.path in ("/key/generate", "/key/update"):
                    api.keys[body["key"]] = body
                elif self.path == "/key/delete":
                    for key in [
                        k for k, v in api.keys.items() if v["key_alias"] in body["key_aliases"]
                    ]:
                        del api.keys[key]
                self._reply(200, {})

        return Handler


def test_sync_creates_updates_and_revokes_by_alias() -> None:
    api = KeyApi()
    try:
        declared = key_sync_declared(APPS)
        key_sync.sync(
            api.url, MASTER_KEY, declared, {app_key_env(a): v for a, v in APP_VALUES.items()}
        )
        assert {v["key_alias"]: v["rpm_limit"] for v in api.keys.values()} == {
            "shipyard-app-support-bot": 5,
            "shipyard-app-search": 30,
        }
        # A key someone made by hand is none of Shipyard's business.
        api.keys["sk-by-hand"] = {"key": "sk-by-hand", "key_alias": "my-own-key"}
        # The app `search` is removed and `support-bot` gets a new limit: the next Job
        # updates one, revokes the other, and leaves the hand-made key alone.
        changed = (AppKey(app="support-bot", limits=Limits(rpm=9)),)
        key_sync.sync(
            api.url,
            MASTER_KEY,
            key_sync_declared(changed),
            {app_key_env("support-bot"): APP_VALUES["support-bot"]},
        )
        assert {v["key_alias"]: v.get("rpm_limit") for v in api.keys.values()} == {
            "shipyard-app-support-bot": 9,
            "my-own-key": None,
        }
        assert "POST /key/update" in api.calls
    finally:
        api.server.shutdown()
        api.server.server_close()


def key_sync_declared(apps: tuple[AppKey, ...]) -> list[dict[str, Any]]:
    return declared_keys(apps, Limits(rpm=30))


def test_removing_an_app_renders_a_new_job() -> None:
    before = render_key_sync("gw", static_args())
    after = render_key_sync("gw", static_args(APPS[:1]))
    assert before is not None and after is not None
    assert before[1]["metadata"]["name"] != after[1]["metadata"]["name"]
    assert before[1]["metadata"]["name"].startswith("gw-keys-")
    # Even with no app keys left there is a Job, so the last one is revoked too.
    none = render_key_sync("gw", static_args(()))
    assert none is not None


def test_the_master_key_is_in_no_apps_environment() -> None:
    args = static_args()
    master = master_key_secret_name("gw")
    _, job = render_key_sync("gw", args) or ({}, {})
    # Only the gateway and the key Job read the master key.
    readers = []
    for name, manifest in (("deployment", render_deployment("gw", args)), ("job", job)):
        [container] = manifest["spec"]["template"]["spec"]["containers"]
        if any(
            item.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == master
            for item in container["env"]
        ):
            readers.append(name)
    assert readers == ["deployment", "job"]
    # An app gets its own Secret: its key and the URL, nothing else.
    assert app_key_secret_name("gw", "search") == "gw-search-key"
    assert (APP_KEY_SECRET_KEY, APP_BASE_URL_SECRET_KEY) == ("api-key", "base-url")
