"""A Helm chart at an exact version, expanded into individual objects: `PinnedChart`.

The Args load eagerly; the component on first use, so validating arguments never imports
the Pulumi SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.helm_chart.args import ChartSecret, PinnedChartArgs

if TYPE_CHECKING:
    from components.helm_chart.component import PinnedChart

__all__ = ["ChartSecret", "PinnedChart", "PinnedChartArgs"]


def __getattr__(name: str) -> Any:
    if name == "PinnedChart":
        from components.helm_chart.component import PinnedChart

        return PinnedChart
    raise AttributeError(name)
