"""`spec.events`: Apache Kafka (KRaft) on Strimzi, with topics, users and ACLs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.events.checks import check_events
from shipyard.sections.section import Data, Section, SummaryEntry, Volume

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


class EventsSection(Section):
    name = "events"
    key = "events"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "events"), "Kafka"),
        SummaryEntry(("spec", "events", "topics"), "Kafka topic", "name"),
        SummaryEntry(("spec", "events", "users"), "Kafka user", "name"),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_events(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.events.compose import compose_events

        compose_events(platform, composed, inputs)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.events is None:
            return {}
        kafka = composed.events
        return {
            "events": {
                "bootstrapServers": kafka.bootstrap_servers,
                "caSecretName": kafka.ca_secret_name,
                "authentication": kafka.authentication,
                "userSecretNames": kafka.user_secret_names,
            }
        }

    def volumes(self, platform: Platform) -> list[Volume]:
        from shipyard.cost import quantity_gib

        spec = platform.spec.events
        if spec is None:
            return []
        # a claim per broker and per KRaft controller
        return [
            Volume(pool, nodes.replicas, quantity_gib(nodes.storage.size))
            for pool, nodes in (("kafka", spec.brokers), ("kafka-controller", spec.controllers))
        ]

    use_kind = "events"

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.events.binding import check_events_use

        return check_events_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.events.binding import bind_events

        return bind_events(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.events.binding import events_grants

        return events_grants(dict(use))

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.events.graph import events_graph

        return events_graph(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.events.targets import events_scrape_targets

        return events_scrape_targets(platform)


SECTION = EventsSection()
