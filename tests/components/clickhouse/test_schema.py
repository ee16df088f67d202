"""The logs schema run on ClickHouse's real engine (chDB, in-process): the DDL, the
gateway's JSON batches as the INSERT's data, the usage view, TTL, and a usage query.

chDB has no Keeper and no cluster definitions, so the replicated and ON CLUSTER
statements are parsed (EXPLAIN AST) by the same engine rather than executed, and of the
sharded layout only the `*_local` tables run (a Distributed table needs a cluster)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from components.clickhouse.schema import (
    INSERT_SETTINGS,
    LogsSchema,
    insert_query,
    insert_url,
    schema_sql,
    schema_statements,
)

chdb_session = pytest.importorskip("chdb.session")

SINGLE = LogsSchema(database="llm_logs", retention_days=30, usage_retention_days=365)
REPLICATED = LogsSchema(
    database="llm_logs", retention_days=30, usage_retention_days=365, replicated=True
)
SHARDED = LogsSchema(
    database="llm_logs", retention_days=30, usage_retention_days=365, replicated=True, sharded=True
)
NOW = time.time()
DAY = 86400.0


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Any]:
    session = chdb_session.Session(str(tmp_path / "chdb"))
    yield session
    session.close()


def payload(index: int, model: str, started: float, **extra: Any) -> dict[str, Any]:
    """A LiteLLM StandardLoggingPayload as the generic_api callback sends it: every key
    it has, including ones the table does not keep (messages, response)."""
    return {
        "id": f"chatcmpl-{index}",
        "trace_id": f"trace-{index}",
        "call_type": "acompletion",
        "status": "success",
        "model": f"hosted_vllm/{model}",
        "model_group": model,
        "model_id": "abc123",
        "custom_llm_provider": "hosted_vllm",
        "api_base": "http://qwen.llm.svc.cluster.local:8000/v1",
        "startTime": started,
        "endTime": started + 0.8,
        "completionStartTime": started + 0.2,
        "prompt_tokens": 10 * index,
        "completion_tokens": 5 * index,
        "total_tokens": 15 * index,
        "response_cost": 0.0,
        "cache_hit": None,
        "end_user": "",
        "requester_ip_address": None,
        "request_tags": ["team-a"],
        "error_str": None,
        "metadata": {
            "user_api_key_hash": "hash-a" if index % 2 else "hash-b",
            "user_api_key_alias": "ci",
            "user_api_key_team_id": "team-a",
            "spend_logs_metadata": None,
        },
        "messages": [{"role": "user", "content": "hello"}],
        "response": {"choices": [{"message": {"content": "hi"}}]},
        "model_parameters": {"temperature": 0.2},
        **extra,
    }


def insert(engine: Any, schema: LogsSchema, rows: list[dict[str, Any]]) -> None:
    """The gateway's INSERT with its URL settings, the body a JSON array (json_array)."""
    settings = ", ".join(f"{name} = '{value}'" for name, value in INSERT_SETTINGS)
    query = insert_query(schema.database).replace(" FORMAT", f" SETTINGS {settings} FORMAT")
    engine.query(f"{query} {json.dumps(rows)}")


def rows(engine: Any, sql: str) -> list[list[Any]]:
    text = engine.query(sql, "JSONCompact").bytes().decode()
    return json.loads(text)["data"]  # type: ignore[no-any-return]


def test_the_single_replica_schema_runs_and_takes_gateway_batches(engine: Any) -> None:
    for statement in schema_statements(SINGLE):
        engine.query(statement)
    batch = [
        payload(1, "qwen-small", NOW - 2 * DAY),
        payload(2, "qwen-small", NOW - 2 * DAY + 60),
        payload(3, "llama-8b", NOW - 60),
        payload(4, "qwen-small", NOW - 30, status="failure", error_str="timeout"),
    ]
    insert(engine, SINGLE, batch)
    kept = rows(
        engine,
        "SELECT id, model_group, user_api_key_hash, team_id, metadata != '', cache_hit "
        "FROM llm_logs.request_log ORDER BY id",
    )
    assert kept == [
        ["chatcmpl-1", "qwen-small", "hash-a", "team-a", True, False],
        ["chatcmpl-2", "qwen-small", "hash-b", "team-a", True, False],
        ["chatcmpl-3", "llama-8b", "hash-a", "team-a", True, False],
        ["chatcmpl-4", "qwen-small", "hash-b", "team-a", True, False],
    ]
    # Prompts and completions are not kept.
    columns = [
        r[0] for r in rows(engine, "SELECT name FROM system.columns WHERE table = 'request_log'")
    ]
    assert "messages" not in columns and "response" not in columns
    # Tokens per model per day, from the raw rows and from the usage view alike.
    per_day = (
        "SELECT toString(day), model_group, sum(total_tokens), sum(requests) FROM ("
        "SELECT toDate(startTime) AS day, model_group, total_tokens, 1 AS requests "
        "FROM llm_logs.request_log) GROUP BY day, model_group ORDER BY day, model_group"
    )
    usage = (
        "SELECT toString(day), model_group, sum(total_tokens), sum(requests) "
        "FROM llm_logs.usage_daily GROUP BY day, model_group ORDER BY day, model_group"
    )
    assert rows(engine, usage) == rows(engine, per_day)
    totals = {(model, int(tokens)) for _, model, tokens, _ in rows(engine, usage)}
    assert totals == {("qwen-small", 45), ("llama-8b", 45), ("qwen-small", 60)}
    failures = rows(
        engine, "SELECT sum(requests) FROM llm_logs.usage_daily WHERE status = 'failure'"
    )
    assert failures == [[1]]


def test_rows_past_the_retention_are_dropped(engine: Any) -> None:
    for statement in schema_statements(SINGLE):
        engine.query(statement)
    insert(engine, SINGLE, [payload(1, "old", NOW - 31 * DAY), payload(2, "new", NOW - DAY)])
    engine.query("OPTIMIZE TABLE llm_logs.request_log FINAL")
    assert rows(engine, "SELECT model_group FROM llm_logs.request_log") == [["new"]]
    # The daily totals outlive the raw rows (365 days).
    days = rows(engine, "SELECT model_group FROM llm_logs.usage_daily ORDER BY model_group")
    assert days == [["new"], ["old"]]


def test_sharded_local_tables_run(engine: Any) -> None:
    """The sharded layout without replication and ON CLUSTER: its local tables and view."""
    local = LogsSchema(database="llm_logs", retention_days=7, usage_retention_days=30, sharded=True)
    statements = schema_statements(local)
    assert [s.split("\n")[0] for s in statements[4:]] == [
        "CREATE TABLE IF NOT EXISTS llm_logs.request_log ON CLUSTER '{cluster}'",
        "CREATE TABLE IF NOT EXISTS llm_logs.usage_daily ON CLUSTER '{cluster}'",
    ]
    for statement in statements[:4]:
        engine.query(statement.replace(" ON CLUSTER '{cluster}'", ""))
    engine.query(
        "INSERT INTO llm_logs.request_log_local (id, model_group, startTime, total_tokens) "
        f"VALUES ('a', 'qwen', {NOW}, 7)"
    )
    assert rows(engine, "SELECT sum(total_tokens) FROM llm_logs.usage_daily_local") == [[7]]


@pytest.mark.parametrize("schema", [REPLICATED, SHARDED], ids=["replicated", "sharded"])
def test_every_clustered_statement_parses(engine: Any, schema: LogsSchema) -> None:
    for statement in schema_statements(schema):
        assert " ON CLUSTER '{cluster}'" in statement
        ast = engine.query(f"EXPLAIN AST {statement}", "TSV").bytes().decode()
        assert ast.startswith("CreateQuery")


def test_the_replicated_engines_carry_keeper_paths() -> None:
    sql = schema_sql(REPLICATED)
    assert (
        "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', "
        "'{replica}')" in sql
    )
    assert "ENGINE = ReplicatedSummingMergeTree(" in sql
    assert "ENGINE = MergeTree\n" not in sql
    single = schema_sql(SINGLE)
    assert "ON CLUSTER" not in single and "Replicated" not in single
    assert "TTL toDateTime(startTime) + INTERVAL 30 DAY" in single
    assert "TTL day + INTERVAL 365 DAY" in single
    assert "ORDER BY (toDate(startTime), model_group, user_api_key_hash, startTime)" in single
    sharded = schema_sql(SHARDED)
    assert (
        "ENGINE = Distributed('{cluster}', llm_logs, request_log_local, cityHash64(id))" in sharded
    )


def test_the_insert_url_names_the_table_and_settings() -> None:
    url = insert_url("clickhouse-analytics.llm.svc.cluster.local", 8123, "llm_logs")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        "clickhouse-analytics.llm.svc.cluster.local:8123",
        "/",
    )
    query = parse_qs(parts.query)
    assert query["query"] == ["INSERT INTO llm_logs.request_log FORMAT JSONEachRow"]
    assert query["input_format_skip_unknown_fields"] == ["1"]
    assert query["date_time_input_format"] == ["best_effort"]
    assert query["async_insert"] == ["1"]
