"""Checks of `spec.objectStore`. Each yields `(path, message)`; the loader adds positions."""

from __future__ import annotations

from collections.abc import Iterator

from shipyard.blueprint.eks import EksCluster
from shipyard.blueprint.errors import Path
from shipyard.blueprint.object_store import S3ObjectStore
from shipyard.blueprint.platform import Platform

Finding = tuple[Path, str]


def consumer_accounts(platform: Platform, store: S3ObjectStore) -> list[tuple[str, str]]:
    """`(namespace, name)` of every consumer, the platform's namespace filled in."""
    return [(c.namespace or platform.namespace, c.name) for c in store.consumers]


def check_object_store(platform: Platform) -> Iterator[Finding]:
    store = platform.spec.object_store
    if store is None:
        return
    base: Path = ("spec", "objectStore")
    if not isinstance(platform.spec.cluster, EksCluster):
        yield (
            (*base, "provider"),
            "`provider: s3` needs `cluster.kind: eks`: its consumers reach the bucket through "
            "the cluster's IRSA provider; use an EKS cluster",
        )
    if store.kms_key_arn is not None and store.encryption != "aws:kms":
        yield (
            (*base, "kmsKeyArn"),
            "`kmsKeyArn` needs `encryption: aws:kms`; remove it or change `encryption`",
        )
    seen: set[tuple[str, str]] = set()
    for index, account in enumerate(consumer_accounts(platform, store)):
        if account in seen:
            yield (
                (*base, "consumers", index),
                f"service account `{account[0]}/{account[1]}` is listed twice; remove one",
            )
        seen.add(account)
