"""`spec.models`: vLLM model servers on GPU pools, checked for GPU memory fit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from components.vllm.args import DEFAULT_REPLICAS
from components.vllm_router.args import DEFAULT_ROUTER_REPLICAS
from shipyard.blueprint.errors import Finding
from shipyard.sections.models.checks import check_models, model_gpus_wanted
from shipyard.sections.models.placements import placements
from shipyard.sections.models.roles import (
    DEFAULT_ROLE_REPLICAS,
    DEFAULT_ROLE_TENSOR_PARALLEL_SIZE,
    ROLE_NAMES,
)
from shipyard.sections.models.roles_checks import check_roles
from shipyard.sections.models.routing import DEFAULT_VIA
from shipyard.sections.models.routing_checks import check_routing
from shipyard.sections.section import Data, PoolDemand, Section, SummaryEntry

if TYPE_CHECKING:
    from components.monitoring.args import ScrapeTarget
    from shipyard.blueprint.platform import Platform
    from shipyard.compose import ComposedPlatform, ComposeInputs
    from shipyard.cost import LineItem
    from shipyard.graph.model import GraphPart


def describe_model(item: Data) -> str:
    replicas = item.get("replicas", DEFAULT_REPLICAS)
    autoscaling = item.get("autoscaling")
    roles = item.get("roles")
    if isinstance(roles, Mapping):
        scale = ", ".join(
            f"{name} {role.get('replicas', DEFAULT_ROLE_REPLICAS)} x "
            f"{role.get('tensorParallelSize', DEFAULT_ROLE_TENSOR_PARALLEL_SIZE)} GPU"
            + (f" on pool `{role['nodePool']}`" if role.get("nodePool") else "")
            for name in ROLE_NAMES
            if isinstance(role := roles.get(name), Mapping)
        )
    elif isinstance(autoscaling, Mapping):
        scale = f"{autoscaling.get('minReplicas')}-{autoscaling.get('maxReplicas')} replicas"
    else:
        scale = f"{replicas} replica{'' if replicas == 1 else 's'}"
    described = f"`{item.get('model')}` on pool `{item.get('nodePool')}`, {scale}"
    routing = item.get("routing")
    if isinstance(routing, Mapping):
        replicas = routing.get("replicas", DEFAULT_ROUTER_REPLICAS)
        described += (
            f", {routing.get('strategy')} routing via {routing.get('via', DEFAULT_VIA)} "
            f"({replicas} router replica{'' if replicas == 1 else 's'})"
        )
    return described


def add_router_demand(platform: Platform, demand: PoolDemand) -> None:
    """The routers' CPU and memory on their pools. On a pool without GPUs they count toward
    its node count too; on a GPU pool they sit on the nodes the GPUs already pay for."""
    from components.vllm_router.args import (
        DEFAULT_ROUTER_CPU_REQUEST,
        DEFAULT_ROUTER_MEMORY_REQUEST,
    )
    from shipyard.sections.node_pools.fit import cpu_cores, memory_gib

    for model in platform.spec.models:
        routing = model.routing
        if routing is None:
            continue
        pool = platform.pool(routing.node_pool or model.node_pool)
        if pool is None:
            continue
        try:
            cpu = cpu_cores(
                routing.resources.cpu if routing.resources else DEFAULT_ROUTER_CPU_REQUEST
            )
            memory = memory_gib(
                routing.resources.memory if routing.resources else DEFAULT_ROUTER_MEMORY_REQUEST
            )
        except ValueError:  # not a quantity: the resources' own check says so
            continue
        demand.cpu_most[pool.name] += routing.replicas * cpu
        demand.memory_most[pool.name] += routing.replicas * memory
        if pool.gpu is None:
            demand.cpu_at_start[pool.name] += routing.replicas * cpu
            demand.memory_at_start[pool.name] += routing.replicas * memory


class ModelsSection(Section):
    name = "models"
    key = "models"
    summary: ClassVar[tuple[SummaryEntry, ...]] = (
        SummaryEntry(("spec", "models"), "model", "name", describe_model),
    )

    def check(self, platform: Platform) -> Iterable[Finding]:
        from shipyard.sections.models.weights import check_weights

        yield from check_models(platform)
        yield from check_routing(platform)
        yield from check_roles(platform)
        yield from check_weights(platform)

    def gpu_demand(self, platform: Platform) -> PoolDemand:
        from components.vllm.args import DEFAULT_CPU_REQUEST, DEFAULT_MEMORY_REQUEST
        from shipyard.sections.node_pools.fit import cpu_cores, memory_gib

        demand = PoolDemand("models", model_gpus_wanted(platform))
        for index, model in enumerate(platform.spec.models):
            for placement in placements(index, model):
                pool = placement.node_pool
                demand.at_start[pool] += placement.at_start * placement.tensor_parallel_size
                if platform.pool(pool) is None:
                    continue
                resources = placement.resources
                try:
                    cpu = cpu_cores(resources.cpu if resources else DEFAULT_CPU_REQUEST)
                    memory = memory_gib(resources.memory if resources else DEFAULT_MEMORY_REQUEST)
                except ValueError:  # not a quantity: the resources' own check says so
                    continue
                # Capacity only: a model's node count follows its GPUs, and its CPU and
                # memory sit on those GPU nodes, so they are not added to the node counts.
                demand.cpu_most[pool] += placement.most_replicas * cpu
                demand.memory_most[pool] += placement.most_replicas * memory
        add_router_demand(platform, demand)
        return demand

    def compose(
        self, platform: Platform, composed: ComposedPlatform, inputs: ComposeInputs
    ) -> None:
        from shipyard.sections.models.compose import compose_models

        compose_models(platform, composed)

    def exports(self, composed: ComposedPlatform) -> dict[str, Any]:
        return {
            "models": {
                name: {
                    "url": service.url,
                    "servedModelName": service.served_model_name,
                    **(
                        {"routerUrl": composed.routers[name].url}
                        if name in composed.routers
                        else {}
                    ),
                }
                for name, service in composed.models.items()
            }
        }

    def cost_items(self, platform: Platform) -> list[LineItem]:
        from shipyard.cost import EBS_GP3_USD_PER_GB_MONTH, LineItem, Sizes, quantity_gib
        from shipyard.sections.models.weights_cost import weights_cost_items

        items = weights_cost_items(platform)
        caches = [
            quantity_gib(model.cache.size)
            for index, model in enumerate(platform.spec.models)
            if model.cache
            for _ in placements(index, model)  # one volume per server group
        ]
        if not caches:
            return items
        size = sum(caches)
        return [
            LineItem(
                "model caches",
                f"{len(caches)} PVC(s), {size:g} GiB at ${EBS_GP3_USD_PER_GB_MONTH}/GB-month",
                Sizes.flat(size * EBS_GP3_USD_PER_GB_MONTH),
            ),
            *items,
        ]

    def graph(self, platform: Platform) -> GraphPart:
        from shipyard.sections.models.graph import models_graph

        return models_graph(platform)

    def scrape_targets(self, platform: Platform) -> list[ScrapeTarget]:
        from shipyard.sections.models.targets import model_scrape_targets

        return model_scrape_targets(platform)


SECTION = ModelsSection()
