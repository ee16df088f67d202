"""The generated vector-store bootstrap SQL: its text, and the same SQL run against a real
PostgreSQL 15 with pgvector (see `local_postgres`)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.components.local_postgres as local_postgres_module
from components.postgres.args import VectorStore
from components.postgres.pgvector_sql import DISTANCE_OPERATORS, bootstrap_sql, quote_identifier
from tests.components.local_postgres import LocalPostgres, local_postgres

STORES = (
    VectorStore(table="documents", dimension=3, distance="cosine", m=8, ef_construction=32),
    VectorStore(table="chunks", dimension=4, distance="l2"),
    VectorStore(table="faq", dimension=2, distance="inner_product", m=4, ef_construction=8),
)
OWNER = "app"


def test_the_sql_creates_the_extension_tables_and_hnsw_indexes() -> None:
    assert bootstrap_sql(STORES[:1], OWNER).splitlines() == [
        "CREATE EXTENSION IF NOT EXISTS vector;",
        'CREATE TABLE IF NOT EXISTS "documents" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY '
        "KEY, content text, metadata jsonb NOT NULL DEFAULT '{}'::jsonb, embedding vector(3) "
        "NOT NULL);",
        'CREATE INDEX IF NOT EXISTS "documents_embedding_hnsw" ON "documents" USING hnsw '
        "(embedding vector_cosine_ops) WITH (m = 8, ef_construction = 32);",
        'ALTER TABLE "documents" OWNER TO "app";',
    ]


def test_each_distance_gets_its_operator_class() -> None:
    sql = bootstrap_sql(STORES)
    assert "(embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)" in sql
    assert "(embedding vector_ip_ops) WITH (m = 4, ef_construction = 8)" in sql
    assert "OWNER TO" not in sql


@pytest.mark.parametrize("name", ['docs"; DROP TABLE x; --', "Docs", "1docs", "", "a" * 64])
def test_identifiers_are_refused_unless_plain(name: str) -> None:
    with pytest.raises(ValueError, match="is not a valid identifier"):
        quote_identifier(name)


def test_a_store_over_the_hnsw_limit_is_refused() -> None:
    store = VectorStore.model_construct(table="big", dimension=2001, m=16, ef_construction=64)
    with pytest.raises(ValueError, match=r"vector store `big`: .* at most 2000 dimensions"):
        bootstrap_sql((store,))


@pytest.fixture(scope="module")
def server() -> Iterator[LocalPostgres]:
    with local_postgres() as running:
        running.psql(f"CREATE ROLE {OWNER} LOGIN; CREATE DATABASE app OWNER {OWNER};")
        yield running


def test_the_bootstrap_runs_twice_on_real_postgres(server: LocalPostgres) -> None:
    sql = bootstrap_sql(STORES, OWNER)
    server.psql(sql, database="app")
    server.psql(sql, database="app")  # idempotent, as a re-run bootstrap must be
    version = server.psql(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector';", database="app"
    )
    assert version.split(".")[0] == "0" and int(version.split(".")[1]) >= 5  # HNSW: 0.5+
    owners = server.psql(
        "SELECT tablename || ':' || tableowner FROM pg_tables WHERE schemaname = 'public' "
        "ORDER BY tablename;",
        database="app",
    )
    assert owners.splitlines() == ["chunks:app", "documents:app", "faq:app"]
    indexes = server.psql(
        "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE indexname LIKE '%hnsw' "
        "ORDER BY indexname;",
        database="app",
    )
    assert indexes.splitlines() == [
        "chunks_embedding_hnsw CREATE INDEX chunks_embedding_hnsw ON public.chunks USING hnsw "
        "(embedding vector_l2_ops) WITH (m='16', ef_construction='64')",
        "documents_embedding_hnsw CREATE INDEX documents_embedding_hnsw ON public.documents "
        "USING hnsw (embedding vector_cosine_ops) WITH (m='8', ef_construction='32')",
        "faq_embedding_hnsw CREATE INDEX faq_embedding_hnsw ON public.faq USING hnsw "
        "(embedding vector_ip_ops) WITH (m='4', ef_construction='8')",
    ]


def unit_vectors(count: int, dims: int) -> list[list[float]]:
    """Distinct unit vectors from a fixed seed: with unit norms the nearest vector to a
    stored one is itself under all three distances, inner product included."""
    generator = random.Random(5432)
    vectors = []
    for _ in range(count):
        raw = [generator.uniform(-1, 1) for _ in range(dims)]
        norm = math.sqrt(sum(x * x for x in raw))
        vectors.append([round(x / norm, 6) for x in raw])
    return vectors


def literal(vector: list[float]) -> str:
    return "'[" + ",".join(f"{x:.6f}" for x in vector) + "]'"


@pytest.mark.parametrize("store", STORES, ids=[store.table for store in STORES])
def test_nearest_neighbours_come_through_the_hnsw_index(
    server: LocalPostgres, store: VectorStore
) -> None:
    server.psql(bootstrap_sql(STORES, OWNER), database="app")
    vectors = unit_vectors(200, store.dimension)
    rows = ", ".join(f"('row {i}', {literal(v)})" for i, v in enumerate(vectors))
    # As the owner: the application role writes and reads its own tables.
    server.psql(
        f"TRUNCATE {store.table}; INSERT INTO {store.table} (content, embedding) VALUES {rows};"
        f" ANALYZE {store.table};",
        database="app",
        user=OWNER,
    )
    operator = DISTANCE_OPERATORS[store.distance]
    query = (
        f"SELECT content FROM {store.table} "
        f"ORDER BY embedding {operator} {literal(vectors[42])} LIMIT 3;"
    )
    # ef_search above the row count makes the approximate search visit every reachable
    # node, so the answer does not depend on the graph's random levels.
    settings = "SET enable_seqscan = off; SET hnsw.ef_search = 400;"
    plan = server.psql(f"{settings} EXPLAIN {query}", database="app", user=OWNER)
    assert f"Index Scan using {store.table}_embedding_hnsw on {store.table}" in plan, plan
    nearest = server.psql(f"{settings} {query}", database="app", user=OWNER).splitlines()
    exact = server.psql(
        f"SET enable_indexscan = off; SET enable_bitmapscan = off; {query}",
        database="app",
        user=OWNER,
    ).splitlines()
    assert nearest[0] == "row 42"
    assert nearest == exact


def test_the_index_refuses_a_vector_of_the_wrong_dimension(server: LocalPostgres) -> None:
    server.psql(bootstrap_sql(STORES, OWNER), database="app")
    with pytest.raises(AssertionError, match="expected 3 dimensions, not 2"):
        server.psql("INSERT INTO documents (embedding) VALUES ('[1,2]');", database="app")


def test_a_missing_pgvector_fails_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(local_postgres_module, "PG_SHARE", tmp_path)
    with (
        pytest.raises(pytest.fail.Exception, match=r"pgvector is missing .* `make venv`"),
        local_postgres(),
    ):
        pass
