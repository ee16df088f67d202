"""`spec.ray`: a KubeRay RayCluster or RayService whose worker groups use declared pools."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.ray.checks import check_ray, ray_gpus_wanted
from shipyard.sections.section import PoolDemand, Section, SummaryEntry

if TYPE_CHECKING:
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart


class RaySection(Section):
    name = "ray"
    key = "ray"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "ray"), "Ray"),
        SummaryEntry(("spec", "ray", "workerGroups"), "Ray worker group", "name"),
        SummaryEntry(("spec", "ray", "serveApplications"), "Ray Serve application", "name"),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return check_ray(platform)

    def gpu_demand(self, platform: Platform) -> PoolDemand:
        at_start: Counter[str] = Counter()
        if platform.spec.ray is not None:
            for group in platform.spec.ray.worker_groups:
                at_start[group.node_pool] += group.min_replicas * group.gpus_per_worker
        return PoolDemand("Ray worker groups", ray_gpus_wanted(platform), at_start)

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.ray.compose import compose_ray

        compose_ray(platform, composed)

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.ray.graph import ray_graph

        return ray_graph(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.ray.targets import ray_scrape_targets

        return ray_scrape_targets(platform)


SECTION = RaySection()
