"""MinIO in the cluster: `Minio`, a distributed StatefulSet with TLS and per-consumer keys.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.minio.args import (
    Bucket,
    BucketRetention,
    IssuerRef,
    MinioArgs,
    MinioTls,
    ServiceUser,
)

if TYPE_CHECKING:
    from components.minio.component import Minio

_LAZY = {
    "Minio": "components.minio.component",
}

__all__ = [
    "Bucket",
    "BucketRetention",
    "IssuerRef",
    "Minio",
    "MinioArgs",
    "MinioTls",
    "ServiceUser",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
