"""Postgres in the platform's picture: one cylinder in the data layer (its instances
collapsed), its backups to the object store's bucket, and the apps with a role of their own
(`role` on the shared database, `owns <db>` on a database of their own)."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id, replicas_text
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.graph import app_node_id
from shipyard.sections.object_store.graph import bucket_node_id
from shipyard.sections.postgres.model import PostgresSpec, PostgresUse

POSTGRES_KIND = "postgres"


def postgres_node_id(name: str) -> str:
    return node_id(POSTGRES_KIND, name)


def _details(spec: PostgresSpec) -> tuple[str, ...]:
    lines = [f"PostgreSQL {replicas_text(spec.instances)} · {spec.storage.size} each"]
    if spec.vector_stores:
        lines.append("pgvector: " + ", ".join(store.table for store in spec.vector_stores))
    return tuple(lines)


def use_label(use: PostgresUse, spec: PostgresSpec) -> str:
    if use.database is None or use.database == spec.database:
        return "role"
    return f"owns {use.database}"


def postgres_graph(platform: Platform) -> GraphPart:
    spec = platform.spec.postgres
    if spec is None:
        return GraphPart()
    me = postgres_node_id(spec.name)
    part = GraphPart(
        nodes=[
            Node(
                me,
                POSTGRES_KIND,
                spec.name,
                "data",
                _details(spec),
                "cylinder",
                digest=digest(spec),
            )
        ]
    )
    if spec.backup is not None:
        part.edges.append(Edge(me, bucket_node_id(spec.backup.bucket), "backup", "backup"))
    for app, use in uses_of(platform, "postgres"):
        assert isinstance(use, PostgresUse)
        part.edges.append(Edge(app_node_id(app.name), me, "postgres", use_label(use, spec)))
    return part
