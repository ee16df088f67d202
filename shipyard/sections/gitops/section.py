"""`spec.gitops`: the reconciler that applies merged commits, run in the cluster."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.gitops.checks import check_gitops
from shipyard.sections.section import Section, SummaryEntry

if TYPE_CHECKING:
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart


class GitopsSection(Section):
    name = "gitops"
    key = "gitops"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "gitops"), "GitOps reconciler"),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_gitops(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.gitops.compose import compose_gitops

        compose_gitops(platform, composed)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.gitops is None:
            return {}
        return {"gitops": {"webhookUrl": composed.gitops.webhook_url}}

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.gitops.graph import gitops_graph

        return gitops_graph(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.gitops.targets import gitops_scrape_targets

        return gitops_scrape_targets(platform)


SECTION = GitopsSection()
