"""The gateway's request and usage logs in ClickHouse: DDL as a pure function.

`request_log` holds one row per LLM call. Its columns carry the names of LiteLLM's
`StandardLoggingPayload` keys (`startTime`, `model_group`, `prompt_tokens`, ...), so the
gateway's `generic_api` callback can POST its JSON batches straight into ClickHouse's HTTP
interface as `JSONEachRow` (a JSON array of objects is accepted); keys without a column
(prompts, responses) are skipped. `usage_daily` keeps per-day totals, filled by a
materialized view on every insert, and outlives the raw rows.

One replica: MergeTree tables on the one host. More replicas: ReplicatedMergeTree.
More than one host: every statement runs ON CLUSTER. More than one shard: the tables are
`*_local` on each shard with a Distributed table of the plain name in front.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

REQUEST_LOG = "request_log"
USAGE_DAILY = "usage_daily"
USAGE_VIEW = "usage_daily_mv"
LOCAL_SUFFIX = "_local"
# The Altinity operator defines the {cluster}, {shard} and {replica} macros on every host.
CLUSTER_MACRO = "{cluster}"
REPLICA_PATH = "/clickhouse/tables/{shard}/{database}/{table}"
REPLICA_NAME = "{replica}"

# (column, type) named after LiteLLM's StandardLoggingPayload keys (litellm/types/utils.py).
REQUEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "String"),
    ("trace_id", "String"),
    ("call_type", "LowCardinality(String)"),
    ("status", "LowCardinality(String)"),
    ("model", "LowCardinality(String)"),
    ("model_group", "LowCardinality(String)"),
    ("model_id", "String"),
    ("custom_llm_provider", "LowCardinality(String)"),
    ("api_base", "String"),
    ("startTime", "DateTime64(3)"),
    ("endTime", "DateTime64(3)"),
    ("completionStartTime", "DateTime64(3)"),
    ("prompt_tokens", "UInt32"),
    ("completion_tokens", "UInt32"),
    ("total_tokens", "UInt32"),
    ("response_cost", "Float64"),
    ("cache_hit", "Bool"),
    ("end_user", "String"),
    ("requester_ip_address", "String"),
    ("request_tags", "Array(String)"),
    ("error_str", "String"),
    # The payload's `metadata` object (virtual key, team, user), kept as JSON text.
    ("metadata", "String"),
)
# Derived on insert from `metadata`, so usage can be grouped by key and team.
REQUEST_MATERIALIZED: tuple[tuple[str, str, str], ...] = (
    ("user_api_key_hash", "String", "JSONExtractString(metadata, 'user_api_key_hash')"),
    ("user_api_key_alias", "String", "JSONExtractString(metadata, 'user_api_key_alias')"),
    ("team_id", "String", "JSONExtractString(metadata, 'user_api_key_team_id')"),
)
USAGE_KEY = ("day", "model_group", "team_id", "user_api_key_hash", "status")
USAGE_SUMS = ("requests", "prompt_tokens", "completion_tokens", "total_tokens", "response_cost")
# How the gateway's JSON is read: unknown keys skipped, objects kept as text, epoch
# seconds with a fraction parsed as times, and small batches buffered server-side.
INSERT_SETTINGS: tuple[tuple[str, str], ...] = (
    ("input_format_skip_unknown_fields", "1"),
    ("input_format_json_read_objects_as_strings", "1"),
    ("date_time_input_format", "best_effort"),
    ("async_insert", "1"),
    ("wait_for_async_insert", "1"),
)


@dataclass(frozen=True)
class LogsSchema:
    """What shapes the DDL: the database, retention, and the cluster's layout."""

    database: str
    retention_days: int
    usage_retention_days: int
    replicated: bool = False
    sharded: bool = False

    @property
    def on_cluster(self) -> bool:
        return self.replicated or self.sharded


def _on_cluster(schema: LogsSchema) -> str:
    return f" ON CLUSTER '{CLUSTER_MACRO}'" if schema.on_cluster else ""


def _engine(schema: LogsSchema, kind: str) -> str:
    """`MergeTree`/`SummingMergeTree`, or their replicated forms."""
    if schema.replicated:
        return f"Replicated{kind}('{REPLICA_PATH}', '{REPLICA_NAME}')"
    return kind


def storage_table(schema: LogsSchema, table: str) -> str:
    """The table that holds the rows: `<table>_local` behind a Distributed table."""
    return f"{table}{LOCAL_SUFFIX}" if schema.sharded else table


def _request_log(schema: LogsSchema) -> str:
    table = f"{schema.database}.{storage_table(schema, REQUEST_LOG)}"
    columns = [f"    {name} {kind}" for name, kind in REQUEST_COLUMNS]
    columns += [
        f"    {name} {kind} MATERIALIZED {expr}" for name, kind, expr in REQUEST_MATERIALIZED
    ]
    body = ",\n".join(columns)
    return (
        f"CREATE TABLE IF NOT EXISTS {table}{_on_cluster(schema)}\n(\n{body}\n)\n"
        f"ENGINE = {_engine(schema, 'MergeTree')}\n"
        "PARTITION BY toYYYYMM(startTime)\n"
        "ORDER BY (toDate(startTime), model_group, user_api_key_hash, startTime)\n"
        f"TTL toDateTime(startTime) + INTERVAL {schema.retention_days} DAY"
    )


def _usage_daily(schema: LogsSchema) -> str:
    table = f"{schema.database}.{storage_table(schema, USAGE_DAILY)}"
    return (
        f"CREATE TABLE IF NOT EXISTS {table}{_on_cluster(schema)}\n(\n"
        "    day Date,\n"
        "    model_group LowCardinality(String),\n"
        "    team_id String,\n"
        "    user_api_key_hash String,\n"
        "    status LowCardinality(String),\n"
        "    requests UInt64,\n"
        "    prompt_tokens UInt64,\n"
        "    completion_tokens UInt64,\n"
        "    total_tokens UInt64,\n"
        "    response_cost Float64\n)\n"
        f"ENGINE = {_engine(schema, 'SummingMergeTree')}\n"
        "PARTITION BY toYYYYMM(day)\n"
        f"ORDER BY ({', '.join(USAGE_KEY)})\n"
        f"TTL day + INTERVAL {schema.usage_retention_days} DAY"
    )


def _usage_view(schema: LogsSchema) -> str:
    """Each shard sums its own rows into its own `usage_daily` storage table."""
    db = schema.database
    return (
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{storage_table(schema, USAGE_VIEW)}"
        f"{_on_cluster(schema)}\n"
        f"TO {db}.{storage_table(schema, USAGE_DAILY)}\nAS SELECT\n"
        "    toDate(startTime) AS day,\n"
        "    model_group,\n"
        "    team_id,\n"
        "    user_api_key_hash,\n"
        "    status,\n"
        "    count() AS requests,\n"
        "    sum(prompt_tokens) AS prompt_tokens,\n"
        "    sum(completion_tokens) AS completion_tokens,\n"
        "    sum(total_tokens) AS total_tokens,\n"
        "    sum(response_cost) AS response_cost\n"
        f"FROM {db}.{storage_table(schema, REQUEST_LOG)}\n"
        f"GROUP BY {', '.join(USAGE_KEY)}"
    )


def _distributed(schema: LogsSchema, table: str, sharding_key: str) -> str:
    db = schema.database
    return (
        f"CREATE TABLE IF NOT EXISTS {db}.{table}{_on_cluster(schema)}\n"
        f"AS {db}.{storage_table(schema, table)}\n"
        f"ENGINE = Distributed('{CLUSTER_MACRO}', {db}, {storage_table(schema, table)}, "
        f"{sharding_key})"
    )


def schema_statements(schema: LogsSchema) -> list[str]:
    """Every DDL statement, in order, each idempotent (`IF NOT EXISTS`)."""
    statements = [
        f"CREATE DATABASE IF NOT EXISTS {schema.database}{_on_cluster(schema)}",
        _request_log(schema),
        _usage_daily(schema),
        _usage_view(schema),
    ]
    if schema.sharded:
        statements += [
            _distributed(schema, REQUEST_LOG, "cityHash64(id)"),
            _distributed(schema, USAGE_DAILY, "cityHash64(model_group)"),
        ]
    return statements


def schema_sql(schema: LogsSchema) -> str:
    """The statements as one script for `clickhouse-client --multiquery`."""
    return "".join(f"{statement};\n\n" for statement in schema_statements(schema))


def insert_query(database: str) -> str:
    """The INSERT the gateway's log batches are the data of."""
    return f"INSERT INTO {database}.{REQUEST_LOG} FORMAT JSONEachRow"


def insert_url(host: str, port: int, database: str) -> str:
    """ClickHouse's HTTP interface, taking the gateway's JSON batches as the INSERT's data."""
    query = urlencode([("query", insert_query(database)), *INSERT_SETTINGS])
    return f"http://{host}:{port}/?{query}"
