"""The gateway in the platform's picture: the hexagon in the serving layer, its public host,
a route to every model (labelled with the aliases clients may use), the hosted providers'
models beside the declared ones, each route's fallbacks as dotted edges, its virtual-key
store, and the apps that hold a key of their own."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.ingress import host_node, terminates_tls
from shipyard.graph.model import Edge, GraphPart, Node, digest, node_id, replicas_text
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.graph import app_node_id
from shipyard.sections.gateway.model import GatewaySpec, HostedModel
from shipyard.sections.models.graph import model_node_id
from shipyard.sections.postgres.graph import postgres_node_id

GATEWAY_KIND = "gateway"
HOSTED_MODEL_KIND = "hostedModel"


def gateway_node_id(name: str) -> str:
    return node_id(GATEWAY_KIND, name)


def _details(gateway: GatewaySpec) -> tuple[str, ...]:
    lines = [f"LiteLLM {replicas_text(gateway.replicas)}"]
    if not gateway.authentication:
        lines.append("no authentication")
    elif gateway.virtual_keys is not None and gateway.virtual_keys.database is not None:
        lines.append("keys in an external Postgres")
    return tuple(lines)


def _fallback_label(position: int, total: int) -> str:
    return "fallback" if total == 1 else f"fallback {position}"


def _fallback_edges(name: str, fallbacks: list[str]) -> list[Edge]:
    return [
        Edge(
            model_node_id(name),
            model_node_id(fallback),
            "fallback",
            _fallback_label(position, len(fallbacks)),
            "dotted",
        )
        for position, fallback in enumerate(fallbacks, start=1)
    ]


def hosted_model_node(hosted: HostedModel) -> Node:
    """A hosted model shares the models' ids (names are unique among both), so a route's
    fallback to it needs no special case; its text says who serves it."""
    return Node(
        model_node_id(hosted.name),
        HOSTED_MODEL_KIND,
        hosted.name,
        "serving",
        (hosted.model, f"hosted by {hosted.provider}"),
        "round",
        digest=digest(hosted),
    )


def gateway_graph(platform: Platform) -> GraphPart:
    gateway = platform.spec.gateway
    if gateway is None:
        return GraphPart()
    me = gateway_node_id(gateway.name)
    part = GraphPart(
        nodes=[
            Node(
                me,
                GATEWAY_KIND,
                gateway.name,
                "serving",
                _details(gateway),
                "hexagon",
                digest=digest(gateway),
            )
        ]
    )
    routes = {route.model: route for route in gateway.routes}
    for model in platform.spec.models:
        route = routes.get(model.name)
        aliases = ", ".join(route.aliases) if route else ""
        part.edges.append(Edge(me, model_node_id(model.name), "route", aliases))
        part.edges.extend(_fallback_edges(model.name, route.fallbacks if route else []))
    for hosted in gateway.hosted_models:
        part.nodes.append(hosted_model_node(hosted))
        part.edges.append(Edge(me, model_node_id(hosted.name), "route", ", ".join(hosted.aliases)))
        part.edges.extend(_fallback_edges(hosted.name, hosted.fallbacks))
    if gateway.exposure is not None:
        exposure = gateway.exposure
        host = host_node(
            exposure.host,
            exposure.type,
            exposure.public,
            terminates_tls(exposure.tls, exposure.parent_ref),
        )
        part.nodes.append(host)
        part.edges.append(Edge(host.id, me, "exposes"))
    keys = gateway.virtual_keys
    if (
        gateway.authentication
        and keys is not None
        and keys.database is None
        and platform.spec.postgres is not None
    ):
        part.edges.append(Edge(me, postgres_node_id(platform.spec.postgres.name), "keys", "keys"))
    label = "key" if gateway.authentication else ""
    for app, _use in uses_of(platform, "gateway"):
        part.edges.append(Edge(app_node_id(app.name), me, "gateway", label))
    return part
