"""Checks of `spec.objectStore`. Each yields `(path, message)`; the loader adds positions."""

from __future__ import annotations

from collections.abc import Iterator

from components.minio.args import (
    ACCESS_KEY_MIN,
    MAX_RETENTION_DAYS,
    MINIO_IMAGE,
    bucket_name_problem,
    drive_layout_problem,
)
from components.shared.args import storage_size_problem
from shipyard.blueprint.errors import Finding, Path, did_you_mean
from shipyard.blueprint.platform import Platform
from shipyard.sections.cluster.eks import EksCluster
from shipyard.sections.object_store.model import MinioBucketSpec, MinioObjectStore, S3ObjectStore

BASE: Path = ("spec", "objectStore")


def consumer_accounts(platform: Platform, store: S3ObjectStore) -> list[tuple[str, str]]:
    """`(namespace, name)` of every consumer, the platform's namespace filled in."""
    return [(c.namespace or platform.namespace, c.name) for c in store.consumers]


def minio_store(platform: Platform) -> MinioObjectStore | None:
    store = platform.spec.object_store
    return store if isinstance(store, MinioObjectStore) else None


def postgres_backup_user(platform: Platform) -> str | None:
    """The MinIO user Shipyard creates for `spec.postgres.backup` when it writes to a
    MinIO bucket: `<postgres name>-backup`; None otherwise."""
    postgres = platform.spec.postgres
    if minio_store(platform) is None or postgres is None or postgres.backup is None:
        return None
    return f"{postgres.name}-backup"


def _check_s3(platform: Platform, store: S3ObjectStore) -> Iterator[Finding]:
    if not isinstance(platform.spec.cluster, EksCluster):
        yield (
            (*BASE, "provider"),
            "`provider: s3` needs `cluster.kind: eks`: its consumers reach the bucket through "
            "the cluster's IRSA provider; use an EKS cluster",
        )
    if store.kms_key_arn is not None and store.encryption != "aws:kms":
        yield (
            (*BASE, "kmsKeyArn"),
            "`kmsKeyArn` needs `encryption: aws:kms`; remove it or change `encryption`",
        )
    seen: set[tuple[str, str]] = set()
    for index, account in enumerate(consumer_accounts(platform, store)):
        if account in seen:
            yield (
                (*BASE, "consumers", index),
                f"service account `{account[0]}/{account[1]}` is listed twice; remove one",
            )
        seen.add(account)


def _check_bucket(path: Path, bucket: MinioBucketSpec) -> Iterator[Finding]:
    problem = bucket_name_problem(bucket.name)
    if problem:
        yield ((*path, "name"), problem)
    if bucket.object_lock and bucket.versioning is False:
        yield (
            (*path, "versioning"),
            "object lock needs versioning; remove `versioning: false` or `objectLock: true`",
        )
    if bucket.retention is not None:
        if not bucket.object_lock:
            yield (
                (*path, "retention"),
                "retention needs `objectLock: true` (a locked, versioned bucket); set it or "
                "remove `retention`",
            )
        if not 1 <= bucket.retention.days <= MAX_RETENTION_DAYS:
            yield (
                (*path, "retention", "days"),
                f"`days` must be 1 to {MAX_RETENTION_DAYS}, got {bucket.retention.days}",
            )


def _check_tls(store: MinioObjectStore) -> Iterator[Finding]:
    tls = store.tls
    if (tls.cert_manager_issuer is None) == (tls.secret_name is None):
        yield (
            (*BASE, "tls"),
            "`tls` takes exactly one of `certManagerIssuer` (Shipyard renders a cert-manager "
            "Certificate) or `secretName` (an existing kubernetes.io/tls Secret)",
        )


def _check_consumers(platform: Platform, store: MinioObjectStore) -> Iterator[Finding]:
    declared = [bucket.name for bucket in store.buckets]
    reserved = postgres_backup_user(platform)
    seen: set[str] = set()
    for index, consumer in enumerate(store.consumers):
        path: Path = (*BASE, "consumers", index)
        if consumer.name in seen:
            yield ((*path, "name"), f"consumer `{consumer.name}` is listed twice; remove one")
        seen.add(consumer.name)
        if len(consumer.name) < ACCESS_KEY_MIN:
            yield (
                (*path, "name"),
                f"`{consumer.name}` names a MinIO user, which takes at least {ACCESS_KEY_MIN} "
                "characters; use a longer name",
            )
        if consumer.name == reserved:
            yield (
                (*path, "name"),
                f"`{reserved}` is the user Shipyard creates for `spec.postgres.backup`; "
                "rename this consumer",
            )
        for item, bucket in enumerate(consumer.buckets):
            if bucket not in declared:
                yield (
                    (*path, "buckets", item),
                    f"no bucket `{bucket}` is declared{did_you_mean(bucket, declared)}; "
                    f"declared buckets: {', '.join(declared) or 'none'}",
                )


def _check_minio(platform: Platform, store: MinioObjectStore) -> Iterator[Finding]:
    problem = drive_layout_problem(store.servers, store.drives_per_server)
    if problem:
        yield ((*BASE, "servers"), problem)
    problem = storage_size_problem(store.storage.size)
    if problem:
        yield ((*BASE, "storage", "size"), problem)
    yield from _check_tls(store)
    if store.image is None and platform.is_production:
        # The default is the last image MinIO published, from before the CVE-2025-62506 fix.
        yield (
            (*BASE, "provider"),
            f"production needs `image` set: the default `{MINIO_IMAGE}` is the last community "
            "image and predates the CVE-2025-62506 fix; build RELEASE.2025-10-15T17-29-55Z or "
            'later and pin it (docs/minio.md, "Which image")',
        )
    seen: set[str] = set()
    for index, bucket in enumerate(store.buckets):
        path: Path = (*BASE, "buckets", index)
        if bucket.name in seen:
            yield ((*path, "name"), f"bucket `{bucket.name}` is declared twice; remove one")
        seen.add(bucket.name)
        yield from _check_bucket(path, bucket)
    yield from _check_consumers(platform, store)


def check_object_store(platform: Platform) -> Iterator[Finding]:
    store = platform.spec.object_store
    if isinstance(store, S3ObjectStore):
        yield from _check_s3(platform, store)
    elif isinstance(store, MinioObjectStore):
        yield from _check_minio(platform, store)
