"""The bootstrap SQL for pgvector vector stores: a pure function of the declared stores.

CloudNativePG runs it once, as the superuser, in the application database
(`bootstrap.initdb.postInitApplicationSQLRefs`). Every statement is idempotent
(`IF NOT EXISTS`) so running it again changes nothing. Identifiers are validated to
plain lowercase names and still double-quoted.
"""

from __future__ import annotations

from collections.abc import Sequence

from components.postgres.args import (
    Distance,
    VectorStore,
    dimension_problem,
    hnsw_problem,
    sql_identifier_problem,
)

# pgvector operator classes for HNSW (README "HNSW"): one per distance function.
OPERATOR_CLASSES: dict[Distance, str] = {
    "cosine": "vector_cosine_ops",
    "l2": "vector_l2_ops",
    "inner_product": "vector_ip_ops",
}
# The query operator each operator class serves; a query must use it to use the index.
DISTANCE_OPERATORS: dict[Distance, str] = {"cosine": "<=>", "l2": "<->", "inner_product": "<#>"}


def quote_identifier(name: str) -> str:
    """`name` double-quoted, after checking it is a plain lowercase identifier."""
    problem = sql_identifier_problem(name)
    if problem:
        raise ValueError(problem)
    return f'"{name}"'


def index_name(table: str) -> str:
    return f"{table}_embedding_hnsw"


def vector_store_sql(store: VectorStore, owner: str | None = None) -> list[str]:
    """The table (`id`, `content`, `metadata`, `embedding`) and its HNSW index."""
    problem = dimension_problem(store.dimension) or hnsw_problem(store.m, store.ef_construction)
    if problem:
        raise ValueError(f"vector store `{store.table}`: {problem}")
    table = quote_identifier(store.table)
    # The index name may exceed 63 characters for a long table name; Postgres would
    # truncate it silently, so check it as an identifier too.
    index = quote_identifier(index_name(store.table)[:63])
    statements = [
        f"CREATE TABLE IF NOT EXISTS {table} ("
        "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "content text, "
        "metadata jsonb NOT NULL DEFAULT '{}'::jsonb, "
        f"embedding vector({store.dimension}) NOT NULL);",
        f"CREATE INDEX IF NOT EXISTS {index} ON {table} "
        f"USING hnsw (embedding {OPERATOR_CLASSES[store.distance]}) "
        f"WITH (m = {store.m}, ef_construction = {store.ef_construction});",
    ]
    if owner is not None:
        # The bootstrap runs as the superuser; the application's role must own its tables.
        statements.append(f"ALTER TABLE {table} OWNER TO {quote_identifier(owner)};")
    return statements


def bootstrap_sql(stores: Sequence[VectorStore], owner: str | None = None) -> str:
    """The extension, then each store's table and index, one statement per line."""
    statements = ["CREATE EXTENSION IF NOT EXISTS vector;"]
    for store in stores:
        statements += vector_store_sql(store, owner)
    return "\n".join(statements) + "\n"
