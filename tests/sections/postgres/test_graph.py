"""Postgres in the picture: one cylinder, its backups to a bucket, and the apps' roles."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import load_blueprint
from shipyard.sections.postgres.graph import postgres_graph
from tests.conftest import DEV_BLUEPRINT
from tests.graph.everything import edges, everything, nodes


def test_instances_vector_stores_backup_and_app_roles(tmp_path: Path) -> None:
    part = postgres_graph(everything(tmp_path))
    assert nodes(part) == {
        "postgres/postgres": (
            "postgres",
            "data",
            ("PostgreSQL x2 · 10Gi each", "pgvector: documents"),
            "cylinder",
            None,
        )
    }
    assert edges(part) == {
        ("postgres/postgres", "bucket/backups", "backup"): "backup",
        # a database of its own, and the shared application database
        ("app/backend", "postgres/postgres", "postgres"): "owns backend",
        ("app/frontend", "postgres/postgres", "postgres"): "role",
    }


def test_no_postgres_draws_nothing() -> None:
    part = postgres_graph(load_blueprint(DEV_BLUEPRINT))
    assert (part.nodes, part.edges) == ([], [])
