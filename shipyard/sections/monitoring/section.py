"""`spec.monitoring`: what Prometheus scrapes of every section, the alerts, and the Grafana
dashboards, all generated from the blueprint. Each section reports its own targets
(`Section.scrape_targets`); this one turns them into objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.monitoring.checks import check_monitoring
from shipyard.sections.section import Section, SummaryEntry

if TYPE_CHECKING:
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs


class MonitoringSection(Section):
    name = "monitoring"
    key = "monitoring"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "monitoring"), "monitoring"),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_monitoring(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.monitoring.compose import compose_monitoring

        compose_monitoring(platform, composed)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        monitoring = composed.monitoring
        if monitoring is None:
            return {}
        return {
            "monitoring": {
                "monitors": monitoring.monitors,
                "rules": monitoring.rules,
                "dashboards": monitoring.dashboards,
            }
        }


SECTION = MonitoringSection()
