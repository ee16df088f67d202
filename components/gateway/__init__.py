"""The AI gateway: `AiGateway`, the LiteLLM proxy in front of every model.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.gateway.args import (
    CertManagerIssuer,
    EgressPeer,
    Exposure,
    GatewayArgs,
    GatewayBackend,
    GatewayTls,
    Limits,
    ParentRef,
    RequestLogs,
    UsageLogging,
    VirtualKeys,
)
from components.gateway.coordination import CacheConnection, ResponseCache
from components.gateway.hosted import HostedBackend
from components.gateway.keys import AppKey, app_key_secret_name

if TYPE_CHECKING:
    from components.gateway.component import AiGateway

_LAZY = {
    "AiGateway": "components.gateway.component",
}

__all__ = [
    "AiGateway",
    "AppKey",
    "CacheConnection",
    "CertManagerIssuer",
    "EgressPeer",
    "Exposure",
    "GatewayArgs",
    "GatewayBackend",
    "GatewayTls",
    "HostedBackend",
    "Limits",
    "ParentRef",
    "RequestLogs",
    "ResponseCache",
    "UsageLogging",
    "VirtualKeys",
    "app_key_secret_name",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
