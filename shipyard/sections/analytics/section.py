"""`spec.analytics`: ClickHouse for the gateway's request logs and usage."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.analytics.checks import check_analytics
from shipyard.sections.section import Data, Section, SummaryEntry, Volume

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


class AnalyticsSection(Section):
    name = "analytics"
    key = "analytics"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "analytics"), "ClickHouse"),
        SummaryEntry(("spec", "analytics", "users"), "ClickHouse user", "name"),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_analytics(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.analytics.compose import compose_analytics

        compose_analytics(platform, composed, inputs)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.analytics is None:
            return {}
        clickhouse = composed.analytics
        return {
            "analytics": {
                "host": clickhouse.host,
                "httpPort": clickhouse.http_port,
                "database": clickhouse.database,
                "userSecretNames": clickhouse.secret_names,
            }
        }

    def volumes(self, platform: Platform) -> list[Volume]:
        from shipyard.cost import quantity_gib

        spec = platform.spec.analytics
        if spec is None:
            return []
        # shards x replicas hosts, and the Keeper quorum
        volumes = [
            Volume("clickhouse", spec.shards * spec.replicas, quantity_gib(spec.storage.size))
        ]
        if spec.keeper is not None:
            keeper = spec.keeper
            volumes.append(Volume("keeper", keeper.replicas, quantity_gib(keeper.storage.size)))
        return volumes

    use_kind = "analytics"

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.analytics.binding import check_analytics_use

        return check_analytics_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.analytics.binding import bind_analytics

        return bind_analytics(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.analytics.binding import analytics_grants

        return analytics_grants(dict(use))

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.analytics.graph import analytics_graph

        return analytics_graph(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.analytics.targets import analytics_scrape_targets

        return analytics_scrape_targets(platform)


SECTION = AnalyticsSection()
