"""The gateway's request logs, from the real LiteLLM proxy into the real ClickHouse schema.

The proxy runs the config Shipyard renders with `usage_logging`, and the logger
environment the Deployment sets (`GENERIC_LOGGER_ENDPOINT`, `GENERIC_LOGGER_HEADERS`),
built by the same functions as in production from a blueprint with `spec.analytics`;
only the endpoint's host and port are swapped for a loopback stand-in of ClickHouse's
HTTP interface. The stand-in checks the credentials headers, takes the INSERT and its
settings from the URL, and runs them with the POSTed batch on chDB (ClickHouse's engine,
in-process) holding the DDL the schema Job applies. Nothing of LiteLLM is mocked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from components.clickhouse.bootstrap import logs_schema
from components.clickhouse.component import _http_headers
from components.clickhouse.manifests import HTTP_HEADERS_KEY, credentials_secret_name
from components.clickhouse.schema import schema_statements
from components.gateway.args import GatewayArgs
from components.gateway.config import LOGGER_ENDPOINT_ENV, LOGGER_HEADERS_ENV
from components.gateway.manifests import render_env
from shipyard.blueprint import load_blueprint
from shipyard.sections.analytics.args import clickhouse_args, gateway_usage_logging
from shipyard.sections.analytics.checks import GATEWAY_USER

from .proxy_process import MASTER_KEY, Proxy, backend, run_proxy
from .standin import Backend

chdb_session = pytest.importorskip("chdb.session")

GATEWAY = "ai-gateway"
ANALYTICS = "analytics"
PASSWORD = "test-gateway-password"
# LiteLLM's batch loggers flush every DEFAULT_FLUSH_INTERVAL_SECONDS (5 by default) or
# at DEFAULT_BATCH_SIZE events (litellm/constants.py, integrations/custom_batch_logger.py).
FLUSH_INTERVAL_SECONDS = "1"
LOG_DEADLINE_SECONDS = 30.0
# chDB's defaults already read JSON leniently; the stand-in starts each INSERT from the
# strict values so that only the endpoint's own settings can let LiteLLM's payload in
# (whatever the server's version or settings profile defaults to).
STRICT_INPUT = {
    "input_format_skip_unknown_fields": "0",
    "input_format_json_read_objects_as_strings": "0",
    "date_time_input_format": "basic",
}
# alpha twice and beta once answer with the stand-ins' usage; omega's backend fails.
REQUESTS = ("alpha", "beta", "alpha", "omega")
TOKENS = {"alpha": (11, 5), "beta": (20, 9), "omega": (0, 0)}
BLUEPRINT = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: shipyard-usage, environment: dev}
spec:
  cluster: {kind: local, context: kind-shipyard}
  namespace: llm
  nodePools:
    - name: gpu
      gpu: {type: nvidia-a10g, count: 1}
      size: {min: 1, max: 1}
  models:
    - name: qwen
      model: Qwen/Qwen2.5-0.5B-Instruct
      nodePool: gpu
      maxModelLen: 8192
  gateway: {name: ai-gateway}
  analytics:
    storage: {size: 10Gi}
"""


@dataclass
class ClickHouseStandIn:
    """ClickHouse's HTTP interface on loopback, executing on a chDB session."""

    session: Any
    headers: dict[str, str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    batches: list[bytes] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def execute(self, url: str, body: bytes) -> None:
        """The URL's `query` with the other parameters as its settings, the body its data."""
        params = {**STRICT_INPUT, **dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))}
        query = params.pop("query")
        head, data_format = query.rsplit(" FORMAT ", 1)
        settings = ", ".join(f"{name} = '{value}'" for name, value in params.items())
        sql = f"{head} SETTINGS {settings} FORMAT {data_format}\n{body.decode()}"
        with self.lock:
            self.session.query(sql)

    def start(self) -> ClickHouseStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stand_in.batches.append(body)
                sent = {name: self.headers.get(name) for name in stand_in.headers}
                if sent != stand_in.headers:
                    error = f"Code: 516. Authentication failed: headers {sorted(sent)}"
                    stand_in.errors.append(error)
                    self._reply(403, error)
                    return
                try:
                    stand_in.execute(self.path, body)
                except Exception as error:
                    stand_in.errors.append(str(error))
                    self._reply(500, str(error))
                    return
                self._reply(200, "")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def rows(self, sql: str) -> list[list[Any]]:
        with self.lock:
            result = self.session.query(sql, "JSONCompact").bytes().decode()
        return json.loads(result)["data"]  # type: ignore[no-any-return]


@dataclass
class Logged:
    """The proxy after the requests, and the ClickHouse stand-in its logs reached."""

    proxy: Proxy
    clickhouse: ClickHouseStandIn
    answers: dict[str, list[int]]
    sent_between: tuple[float, float]
    endpoint: str


def logger_env(clickhouse_port: int, args: GatewayArgs) -> dict[str, str]:
    """The Deployment's logger variables, the headers Secret resolved as the kubelet does,
    the endpoint's in-cluster host swapped for the stand-in on loopback."""
    secret = (credentials_secret_name(ANALYTICS, GATEWAY_USER), HTTP_HEADERS_KEY)
    secrets = {secret: _http_headers(GATEWAY_USER, PASSWORD)}
    env: dict[str, str] = {}
    for variable in render_env(GATEWAY, args):
        if variable["name"] not in (LOGGER_ENDPOINT_ENV, LOGGER_HEADERS_ENV):
            continue
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        else:
            ref = variable["valueFrom"]["secretKeyRef"]
            env[variable["name"]] = secrets[(ref["name"], ref["key"])]
    endpoint = urlsplit(env[LOGGER_ENDPOINT_ENV])
    assert endpoint.netloc == "clickhouse-analytics.llm.svc.cluster.local:8123"
    env[LOGGER_ENDPOINT_ENV] = endpoint._replace(netloc=f"127.0.0.1:{clickhouse_port}").geturl()
    return env


@pytest.fixture(scope="module")
def logged(litellm_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Logged]:
    directory = tmp_path_factory.mktemp("usage-logging")
    blueprint = directory / "platform.yaml"
    blueprint.write_text(BLUEPRINT)
    platform = load_blueprint(blueprint)
    analytics = clickhouse_args(platform)
    logging = gateway_usage_logging(platform)
    assert analytics is not None and logging is not None
    session = chdb_session.Session(str(directory / "chdb"))
    for statement in schema_statements(logs_schema(analytics)):
        session.query(statement)
    # The headers ClickHouse's HTTP interface authenticates with.
    headers = {"X-ClickHouse-User": GATEWAY_USER, "X-ClickHouse-Key": PASSWORD}
    clickhouse = ClickHouseStandIn(session, headers).start()
    stand_ins = {
        "a": Backend("a", prompt_tokens=11, completion_tokens=5).start(),
        "b": Backend("b", prompt_tokens=20, completion_tokens=9).start(),
        "down": Backend("down", fail=True).start(),
    }
    args = GatewayArgs(
        namespace="llm",
        retries=0,
        timeout_seconds=30,
        backends=(
            backend("alpha", stand_ins["a"]),
            backend("beta", stand_ins["b"]),
            backend("omega", stand_ins["down"]),
        ),
        usage_logging=logging,
    )
    env = {
        **logger_env(clickhouse.port, args),
        "DEFAULT_FLUSH_INTERVAL_SECONDS": FLUSH_INTERVAL_SECONDS,
    }
    try:
        with run_proxy(litellm_executable, args, directory, stand_ins, env) as proxy:
            answers: dict[str, list[int]] = {}
            started = time.time()
            for model in REQUESTS:
                answers.setdefault(model, []).append(proxy.chat(model)[0])
            finished = time.time()
            deadline = time.monotonic() + LOG_DEADLINE_SECONDS
            while time.monotonic() < deadline and not clickhouse.errors:
                [[count]] = clickhouse.rows("SELECT count() FROM llm_logs.request_log")
                if int(count) >= len(REQUESTS):
                    break
                time.sleep(0.2)
            yield Logged(proxy, clickhouse, answers, (started, finished), env[LOGGER_ENDPOINT_ENV])
    finally:
        for stand_in in stand_ins.values():
            stand_in.stop()
        clickhouse.stop()
        session.close()


def test_the_requests_were_answered_and_every_batch_landed(logged: Logged) -> None:
    assert logged.answers == {"alpha": [200, 200], "beta": [200], "omega": [500]}
    assert logged.clickhouse.errors == []
    # Each POST is a JSON array of StandardLoggingPayloads, one per request.
    payloads = [row for batch in logged.clickhouse.batches for row in json.loads(batch)]
    assert sorted(row["model_group"] for row in payloads) == sorted(REQUESTS)


def test_one_row_per_request_with_model_tokens_and_status(logged: Logged) -> None:
    rows = logged.clickhouse.rows(
        "SELECT model_group, model, call_type, status, prompt_tokens, completion_tokens, "
        "total_tokens, error_str != '' FROM llm_logs.request_log ORDER BY model_group, id"
    )
    expected = [
        [
            model,
            f"hosted_vllm/{model}",
            "acompletion",
            "failure" if model == "omega" else "success",
            TOKENS[model][0],
            TOKENS[model][1],
            sum(TOKENS[model]),
            model == "omega",
        ]
        for model in sorted(REQUESTS)
    ]
    assert rows == expected
    [[ids]] = logged.clickhouse.rows("SELECT uniqExact(id) FROM llm_logs.request_log")
    assert int(ids) == len(REQUESTS)


def test_times_are_the_request_times(logged: Logged) -> None:
    """LiteLLM sends epoch seconds with a fraction; they land as the same instants."""
    rows = logged.clickhouse.rows(
        "SELECT toUnixTimestamp64Milli(startTime), toUnixTimestamp64Milli(endTime) "
        "FROM llm_logs.request_log"
    )
    first, last = logged.sent_between
    for started, ended in rows:
        assert first - 1 <= int(started) / 1000 <= int(ended) / 1000 <= last + 1


def test_the_key_is_recorded_by_hash_and_no_secret_is_stored(logged: Logged) -> None:
    rows = logged.clickhouse.rows(
        "SELECT DISTINCT user_api_key_hash, team_id, metadata FROM llm_logs.request_log"
    )
    hashes = {row[0] for row in rows}
    assert len(hashes) == 1 and len(hashes.pop()) == 64
    assert {row[1] for row in rows} == {""}
    for metadata in (row[2] for row in rows):
        assert MASTER_KEY not in metadata and PASSWORD not in metadata


def test_the_daily_usage_sums_the_requests(logged: Logged) -> None:
    usage = logged.clickhouse.rows(
        "SELECT model_group, status, sum(requests), sum(prompt_tokens), "
        "sum(completion_tokens), sum(total_tokens) FROM llm_logs.usage_daily "
        "GROUP BY model_group, status ORDER BY model_group"
    )
    assert usage == [
        ["alpha", "success", 2, 22, 10, 32],
        ["beta", "success", 1, 20, 9, 29],
        ["omega", "failure", 1, 0, 0, 0],
    ]


@pytest.mark.parametrize(
    ("dropped", "error"),
    [
        ("input_format_skip_unknown_fields", "Unknown field found .*: litellm_call_id"),
        ("input_format_json_read_objects_as_strings", "Cannot parse JSON String value"),
    ],
)
def test_the_endpoint_settings_are_what_let_the_payload_in(
    logged: Logged, dropped: str, error: str
) -> None:
    """The same real batch, POSTed without one of the endpoint's settings, is refused."""
    endpoint = urlsplit(logged.endpoint)
    params = [(name, value) for name, value in parse_qsl(endpoint.query) if name != dropped]
    with pytest.raises(Exception, match=error):
        logged.clickhouse.execute(
            endpoint._replace(query=urlencode(params)).geturl(), logged.clickhouse.batches[0]
        )
