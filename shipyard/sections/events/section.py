"""`spec.events`: Apache Kafka (KRaft) on Strimzi, with topics, users and ACLs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.events.checks import check_events
from shipyard.sections.section import Section, SummaryEntry, Volume

if TYPE_CHECKING:
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs


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

        compose_events(platform, composed)

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

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.events.targets import events_scrape_targets

        return events_scrape_targets(platform)


SECTION = EventsSection()
