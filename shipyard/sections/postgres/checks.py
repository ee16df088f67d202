"""Checks of `spec.postgres`. Each yields `(path, message)`; the loader adds positions."""

from __future__ import annotations

from collections.abc import Iterator

from components.postgres.args import (
    dimension_problem,
    hnsw_problem,
    retention_problem,
    schedule_problem,
    sql_identifier_problem,
)
from components.shared.args import storage_size_problem
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.object_store.model import MinioObjectStore, S3ObjectStore
from shipyard.sections.postgres.model import PostgresSpec, VectorStoreSpec


def backup_path(spec: PostgresSpec) -> str:
    """The key prefix of the backups: `backup.path`, default `postgres/<name>`."""
    if spec.backup is None or spec.backup.path is None:
        return f"postgres/{spec.name}"
    return spec.backup.path.strip("/")


def _vector_store(path: Path, store: VectorStoreSpec) -> Iterator[Finding]:
    problem = sql_identifier_problem(store.table)
    if problem:
        yield ((*path, "table"), f"table {problem}")
    problem = dimension_problem(store.dimension)
    if problem:
        yield ((*path, "dimension"), problem)
    problem = hnsw_problem(store.m, store.ef_construction)
    if problem:
        field = "m" if problem.startswith("`m`") else "efConstruction"
        yield ((*path, field), problem)


def _declared_buckets(platform: Platform) -> list[str]:
    store = platform.spec.object_store
    if isinstance(store, S3ObjectStore):
        return [store.bucket]
    if isinstance(store, MinioObjectStore):
        return [bucket.name for bucket in store.buckets]
    return []


def _backup_bucket(platform: Platform, spec: PostgresSpec, path: Path) -> Iterator[Finding]:
    """The bucket is declared by the object store; with S3, the instances' service account
    is among its consumers (IRSA). With MinIO, Shipyard creates their user itself."""
    backup, store = spec.backup, platform.spec.object_store
    if backup is None:
        return
    declared = _declared_buckets(platform)
    if backup.bucket not in declared:
        names = ", ".join(f"`{name}`" for name in declared) or "none"
        yield (
            (*path, "bucket"),
            f"no object store declares bucket `{backup.bucket}`"
            f"{did_you_mean(backup.bucket, declared)}; declare it in `spec.objectStore` or "
            f"back up to a declared one (declared: {names})",
        )
    elif isinstance(store, S3ObjectStore) and (platform.namespace, spec.name) not in {
        (c.namespace or platform.namespace, c.name) for c in store.consumers
    }:
        yield (
            (*path, "bucket"),
            f"the instances write backups as service account `{platform.namespace}/{spec.name}`"
            f", which is not among `spec.objectStore.consumers`; add `{{name: {spec.name}}}` "
            "there",
        )


def _backup(platform: Platform, spec: PostgresSpec) -> Iterator[Finding]:
    backup = spec.backup
    if backup is None:
        return
    path: Path = ("spec", "postgres", "backup")
    yield from _backup_bucket(platform, spec, path)
    for field, problem in (
        ("retention", retention_problem(backup.retention)),
        ("schedule", schedule_problem(backup.schedule)),
    ):
        if problem:
            yield ((*path, field), problem)


def check_postgres(platform: Platform) -> Iterator[Finding]:
    spec = platform.spec.postgres
    if spec is None:
        return
    base: Path = ("spec", "postgres")
    problem = storage_size_problem(spec.storage.size)
    if problem:
        yield ((*base, "storage", "size"), problem)
    for field, value in (("database", spec.database), ("owner", spec.owner)):
        problem = sql_identifier_problem(value)
        if problem:
            yield ((*base, field), f"{field} {problem}")
    seen: set[str] = set()
    for index, store in enumerate(spec.vector_stores):
        path: Path = (*base, "vectorStores", index)
        if store.table in seen:
            yield ((*path, "table"), f"table `{store.table}` is declared twice; remove one")
        seen.add(store.table)
        yield from _vector_store(path, store)
    yield from _backup(platform, spec)
