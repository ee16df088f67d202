"""`spec.manifests`: plain YAML files of Kubernetes objects, checked against the upstream
schema and applied as they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.section import Data, Section, SummaryEntry

if TYPE_CHECKING:
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart


def _describe(manifest: Data) -> str:
    return f"`{manifest.get('path')}`"


class ManifestsSection(Section):
    name = "manifests"
    key = "manifests"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "manifests"), "manifest file", "path", _describe),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        from shipyard.sections.manifests.checks import check_manifests

        return check_manifests(platform)

    def advise(self, platform: Platform) -> Iterable[Finding]:
        from shipyard.sections.manifests.checks import advise_manifests

        return advise_manifests(platform)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.manifests.compose import compose_manifests

        compose_manifests(platform, composed, inputs)

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.manifests.graph import manifests_graph

        return manifests_graph(platform)


SECTION = ManifestsSection()
