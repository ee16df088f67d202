"""The apps in the platform's picture: one node per app in the apps layer (its replicas
collapsed), its public host, the apps it calls (labelled with the port), and the GPU pool of
an app that takes GPUs. Each bindable section draws the app's edges to its own nodes."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.ingress import host_node, terminates_tls
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id, replicas_text
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.apps.uses import AppUse
from shipyard.sections.node_pools.graph import pool_node_id

APP_KIND = "app"


def app_node_id(name: str) -> str:
    return node_id(APP_KIND, name)


def _scale(app: AppSpec) -> str:
    if app.workload == "cronJob":
        return f"cronJob {app.schedule}"
    if app.workload == "job":
        return "job"
    if app.autoscaling is None:
        return f"{app.workload} {replicas_text(app.replicas)}"
    auto = app.autoscaling
    by = "KEDA" if auto.kafka_lag or auto.prometheus else "HPA"
    return f"{app.workload} {replicas_text(auto.min_replicas, auto.max_replicas)} · {by}"


def app_details(app: AppSpec) -> tuple[str, ...]:
    """`deployment x2 · pool system`; the pool of a GPU app is an edge instead."""
    line = _scale(app)
    if app.node_pool is not None and app.resources.gpus == 0:
        line += f" · pool {app.node_pool}"
    return (line,)


def apps_graph(platform: Platform) -> GraphPart:
    part = GraphPart()
    for app in platform.spec.apps:
        me = app_node_id(app.name)
        part.nodes.append(
            Node(me, APP_KIND, app.name, "apps", app_details(app), "round", digest=digest(app))
        )
        if app.node_pool is not None and app.resources.gpus > 0:
            replicas = (
                f"{app.autoscaling.min_replicas}-{app.autoscaling.max_replicas}"
                if app.autoscaling
                else str(app.replicas)
            )
            part.edges.append(
                Edge(
                    me,
                    pool_node_id(app.node_pool),
                    "runsOn",
                    f"{replicas} x {app.resources.gpus} GPU",
                )
            )
        if app.expose is not None:
            expose = app.expose
            tls = terminates_tls(expose.tls, expose.parent_ref)
            host = host_node(expose.host, expose.type, expose.public, tls, expose.path)
            part.nodes.append(host)
            part.edges.append(Edge(host.id, me, "exposes"))
    for app, use in uses_of(platform, "app"):
        assert isinstance(use, AppUse)
        part.edges.append(Edge(app_node_id(app.name), app_node_id(use.app), "app", use.port))
    return part
