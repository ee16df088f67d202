"""An S3 bucket: `S3Bucket`, encrypted, private, with an IRSA role for its consumers.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.s3.args import AppAccess, S3BucketArgs, ServiceAccount

if TYPE_CHECKING:
    from components.s3.component import OidcTrust, S3Bucket

_LAZY = {
    "OidcTrust": "components.s3.component",
    "S3Bucket": "components.s3.component",
}

__all__ = [
    "AppAccess",
    "OidcTrust",
    "S3Bucket",
    "S3BucketArgs",
    "ServiceAccount",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
