"""`spec.apps`: the platform's own services, bound by `uses:` to the data services, the
gateway and each other."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from shipyard.blueprint.errors import Finding
from shipyard.sections.section import Data, PoolDemand, Section, Volume

if TYPE_CHECKING:
    from components.app.args import AppBinding
    from shipyard.blueprint.errors import Path
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.graph.model import GraphPart
    from shipyard.sections.apps.model import AppSpec


class AppsSection(Section):
    name = "apps"
    key = "apps"
    compose_after = (
        "cluster",
        "object_store",
        "postgres",
        "analytics",
        "events",
        "gateway",
        "cache",
    )
    summarizes: ClassVar[bool] = True
    use_kind = "app"

    def check(self, platform: Platform) -> Iterable[Finding]:
        from shipyard.sections.apps.checks import check_apps

        return check_apps(platform)

    def advise(self, platform: Platform) -> Iterable[Finding]:
        from shipyard.sections.apps.advice import unproduced_topics

        return unproduced_topics(platform)

    def gpu_demand(self, platform: Platform) -> PoolDemand:
        from shipyard.sections.node_pools.fit import cpu_cores, memory_gib

        demand = PoolDemand("apps")
        for app in platform.spec.apps:
            if app.node_pool is None or platform.pool(app.node_pool) is None:
                continue
            pool = app.node_pool
            cpu, memory = cpu_cores(app.resources.cpu), memory_gib(app.resources.memory)
            for counters, replicas in (
                ((demand.most, demand.cpu_most, demand.memory_most), app.most_replicas),
                (
                    (demand.at_start, demand.cpu_at_start, demand.memory_at_start),
                    app.start_replicas,
                ),
            ):
                gpus, cores, gib = counters
                gpus[pool] += replicas * app.resources.gpus
                cores[pool] += replicas * cpu
                gib[pool] += replicas * memory
        return demand

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.apps.compose import compose_apps

        compose_apps(platform, composed)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        if not composed.apps:
            return {}
        return {
            "apps": {
                name: {"host": app.host, "serviceAccount": app.service_account_name}
                for name, app in composed.apps.items()
            }
        }

    def volumes(self, platform: Platform) -> list[Volume]:
        from shipyard.cost import quantity_gib

        return [
            Volume(f"app {app.name}", app.most_replicas, quantity_gib(claim.size))
            for app in platform.spec.apps
            for claim in app.volume_claims
        ]

    def cost_assumptions(self, platform: Platform) -> list[str]:
        from shipyard.sections.node_pools.fit import cpu_cores, memory_gib

        unplaced = [app.name for app in platform.spec.apps if app.node_pool is None]
        lines = []
        if unplaced:
            lines.append(
                f"apps without `nodePool` ({', '.join(unplaced)}) are not priced: they land "
                "on whatever pool has room"
            )
        per_pool: dict[str, float] = {}
        memory: dict[str, float] = {}
        for app in platform.spec.apps:
            if app.node_pool is not None:
                pool = app.node_pool
                cores = app.start_replicas * cpu_cores(app.resources.cpu)
                per_pool[pool] = per_pool.get(pool, 0.0) + cores
                gib = app.start_replicas * memory_gib(app.resources.memory)
                memory[pool] = memory.get(pool, 0.0) + gib
        for pool, cores in sorted(per_pool.items()):
            lines.append(
                f"apps request {cores:g} cores and {memory[pool]:g} GiB on pool `{pool}` as "
                "deployed, counted in its desired nodes"
            )
        return lines

    def summarize(self, before: Data, after: Data) -> list[str]:
        from shipyard.sections.apps.summary import summarize_apps

        return summarize_apps(before, after)

    def check_use(
        self, platform: Platform, app: AppSpec, use: Any, path: Path
    ) -> Iterable[Finding]:
        from shipyard.sections.apps.binding import check_app_use

        return check_app_use(platform, app, use, path)

    def bind(self, platform: Platform, app: AppSpec, use: Any) -> AppBinding:
        from shipyard.sections.apps.binding import bind_app

        return bind_app(platform, app, use)

    def grants(self, use: Data) -> frozenset[str]:
        from shipyard.sections.apps.binding import app_grants

        return app_grants(dict(use))

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.apps.graph import apps_graph

        return apps_graph(platform)


SECTION = AppsSection()
