"""Kafka in the platform's picture: a box in the data layer (brokers and controllers
collapsed) holding one node per topic, and who `produce`s or `consume`s each: the apps
through their bindings, and the declared Kafka users through their ACLs."""

from __future__ import annotations

from shipyard.blueprint.platform import Platform
from shipyard.graph.model import Edge, GraphPart, Group, Node, digest, node_id
from shipyard.sections.apps.bound import uses_of
from shipyard.sections.apps.graph import app_node_id
from shipyard.sections.events.model import AclSpec, EventsSpec, EventsUse

KAFKA_KIND = "kafka"
TOPIC_KIND = "topic"
USER_KIND = "kafkaUser"
PRODUCE, CONSUME = "produce", "consume"


def topic_node_id(name: str) -> str:
    return node_id(TOPIC_KIND, name)


def _acl_topics(spec: EventsSpec, acl: AclSpec) -> list[str]:
    if acl.type != "topic":
        return []
    if acl.pattern_type == "prefix":
        return [topic.name for topic in spec.topics if topic.name.startswith(acl.name)]
    return [topic.name for topic in spec.topics if topic.name == acl.name]


def _acl_access(acl: AclSpec) -> list[str]:
    return [
        access
        for operation, access in (("Write", PRODUCE), ("Read", CONSUME))
        if operation in acl.operations or "All" in acl.operations
    ]


def events_graph(platform: Platform) -> GraphPart:
    spec = platform.spec.events
    if spec is None:
        return GraphPart()
    group = node_id(KAFKA_KIND, spec.name)
    part = GraphPart(
        groups=[
            Group(
                group,
                KAFKA_KIND,
                f"Kafka {spec.name}",
                "data",
                (f"{spec.brokers.replicas} broker{'' if spec.brokers.replicas == 1 else 's'}",),
                digest(spec, exclude={"topics", "users"}),
            )
        ]
    )
    for topic in spec.topics:
        part.nodes.append(
            Node(
                topic_node_id(topic.name),
                TOPIC_KIND,
                topic.name,
                "data",
                (f"{topic.partitions} partitions · {topic.retention}",),
                "stadium",
                group,
                digest(topic),
            )
        )
    for user in spec.users:
        me = node_id(USER_KIND, user.name)
        part.nodes.append(
            Node(me, USER_KIND, user.name, "apps", ("Kafka user",), "stadium", digest=digest(user))
        )
        for acl in user.acls:
            for name in _acl_topics(spec, acl):
                for access in _acl_access(acl):
                    part.edges.append(Edge(me, topic_node_id(name), access, access))
    declared = {topic.name for topic in spec.topics}
    for app, use in uses_of(platform, "events"):
        assert isinstance(use, EventsUse)
        for access, topics in ((PRODUCE, use.produce), (CONSUME, use.consume)):
            for name in topics:
                if name in declared:
                    part.edges.append(
                        Edge(app_node_id(app.name), topic_node_id(name), access, access)
                    )
    return part
