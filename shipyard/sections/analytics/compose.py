"""ClickHouse on the Altinity operator, with Keeper and the gateway's logs schema."""

from __future__ import annotations

from components.clickhouse.component import ClickHouse
from shipyard.blueprint.platform import Platform
from shipyard.compose import ComposedPlatform, ComposeInputs
from shipyard.sections.analytics.args import clickhouse_args


def compose_analytics(
    platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
) -> None:
    spec = platform.spec.analytics
    args = clickhouse_args(platform)
    if spec is None or args is None:
        return
    composed.analytics = ClickHouse(
        spec.name, args, opts=composed.in_namespace(), credentials=inputs.credentials
    )
