"""`spec.cluster`: an existing cluster (`kind: local`) or an EKS cluster Shipyard creates
(`kind: eks`), and the platform's namespace on it. It composes first: every other
section's resources land on its provider and in its namespace."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.cluster.checks import check_eks, check_instances
from shipyard.sections.cluster.eks import EksCluster
from shipyard.sections.section import Section

if TYPE_CHECKING:
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.cost import LineItem


class ClusterSection(Section):
    name = "cluster"
    key = "cluster"
    compose_after: ClassVar[tuple[str, ...]] = ()

    def check(self, platform: Platform) -> Iterable[Finding]:
        return [*check_instances(platform), *check_eks(platform)]

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.cluster.compose import compose_cluster

        compose_cluster(platform, composed)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if composed.namespace is None:
            return {}
        return {"namespace": composed.namespace.metadata.name}

    def cost_items(self, platform: Platform) -> list[LineItem]:
        from shipyard.sections.cluster.cost import eks_cost_items

        cluster = platform.spec.cluster
        return eks_cost_items(platform, cluster) if isinstance(cluster, EksCluster) else []

    def cost_assumptions(self, platform: Platform) -> list[str]:
        from shipyard.sections.cluster.cost import eks_assumptions

        cluster = platform.spec.cluster
        return eks_assumptions(platform, cluster) if isinstance(cluster, EksCluster) else []


SECTION = ClusterSection()
