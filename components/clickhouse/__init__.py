"""ClickHouse: `ClickHouse`, an Altinity operator installation with Keeper and the logs schema.

The Args models load eagerly; the components load on first use, so code that only
validates arguments never imports the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.clickhouse.args import ClickHouseArgs, ClickHouseUser, KeeperArgs

if TYPE_CHECKING:
    from components.clickhouse.component import ClickHouse

_LAZY = {
    "ClickHouse": "components.clickhouse.component",
}

__all__ = [
    "ClickHouse",
    "ClickHouseArgs",
    "ClickHouseUser",
    "KeeperArgs",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
