"""`spec.nodePools`: declared once, turned into scheduling by every section that uses a pool.

On `kind: eks` the pools become node groups inside the EKS cluster (the cluster section);
on an existing cluster they only select and tolerate its nodes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.node_pools.checks import (
    check_pool_capacity,
    check_pool_requests,
    check_pools,
)
from shipyard.sections.section import Data, Section, SummaryEntry

if TYPE_CHECKING:
    from shipyard.blueprint.platform import Platform
    from shipyard.graph.model import GraphPart


def describe_pool(item: Data) -> str:
    gpu = item.get("gpu")
    kind = f"{gpu.get('count')} x {gpu.get('type')}" if isinstance(gpu, Mapping) else "no GPUs"
    size = item.get("size") or {}
    return f"{kind}, size {size.get('min')}-{size.get('max')}"


class NodePoolsSection(Section):
    name = "node_pools"
    key = "nodePools"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "nodePools"), "node pool", "name", describe_pool),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        return [*check_pools(platform), *self._capacity(platform)]

    def _capacity(self, platform: Platform) -> Iterator[Finding]:
        from shipyard.sections.registry import SECTIONS  # every section may take GPUs

        demands = [section.gpu_demand(platform) for section in SECTIONS]
        found = [d for d in demands if d is not None]
        yield from check_pool_capacity(platform, found)
        yield from check_pool_requests(platform, found)

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.node_pools.graph import node_pools_graph

        return node_pools_graph(platform)


SECTION = NodePoolsSection()
