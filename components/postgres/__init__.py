"""PostgreSQL with pgvector: `Postgres`, a CloudNativePG cluster.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.postgres.args import AppRole, PostgresArgs, PostgresBackup, VectorStore

if TYPE_CHECKING:
    from components.postgres.component import Postgres

_LAZY = {
    "Postgres": "components.postgres.component",
}

__all__ = [
    "AppRole",
    "Postgres",
    "PostgresArgs",
    "PostgresBackup",
    "VectorStore",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
