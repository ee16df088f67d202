"""The cache: `ValkeyCache` (Valkey in the cluster with Sentinel failover behind HAProxy)
and `ManagedCache` (ElastiCache for Valkey on EKS).

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.cache.args import CacheIssuer, CacheTls, ManagedCacheArgs, ValkeyCacheArgs
from components.cache.users import CacheUser, user_secret_name

if TYPE_CHECKING:
    from components.cache.component import ValkeyCache
    from components.cache.managed import CacheNetwork, ManagedCache

_LAZY = {
    "ValkeyCache": "components.cache.component",
    "ManagedCache": "components.cache.managed",
    "CacheNetwork": "components.cache.managed",
}

__all__ = [
    "CacheIssuer",
    "CacheNetwork",
    "CacheTls",
    "CacheUser",
    "ManagedCache",
    "ManagedCacheArgs",
    "ValkeyCache",
    "ValkeyCacheArgs",
    "user_secret_name",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
