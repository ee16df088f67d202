"""`spec.events`: Apache Kafka in KRaft mode, run by Strimzi.

Rules that need a friendly message (replication against brokers, min in-sync replicas,
an odd controller quorum, topic and user names, ACL references, storage quantities,
retention) are checked in `events_checks`, so they come out with FILE:LINE and a fix.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.kafka.args import (
    DEFAULT_AUTHENTICATION,
    DEFAULT_BROKER_CPU,
    DEFAULT_BROKER_MEMORY,
    DEFAULT_BROKERS,
    DEFAULT_CONTROLLER_CPU,
    DEFAULT_CONTROLLER_MEMORY,
    DEFAULT_CONTROLLER_STORAGE,
    DEFAULT_CONTROLLERS,
    DEFAULT_PARTITIONS,
    DEFAULT_PATTERN_TYPE,
    DEFAULT_RETENTION,
    KAFKA_VERSION,
    AclOperation,
    AclResource,
    Authentication,
    KafkaVersion,
    PatternType,
)
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import UseBase

DEFAULT_NAME = "events"


class KafkaStorage(BlueprintModel):
    size: Annotated[str, Field(description="Volume size per node, e.g. `100Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class KafkaResources(BlueprintModel):
    cpu: Annotated[CpuQuantity | None, Field(min_length=1, description="CPU request per node.")] = (
        None
    )
    memory: Annotated[
        MemoryQuantity | None, Field(min_length=1, description="Memory request and limit per node.")
    ] = None


class BrokerPool(BlueprintModel):
    """The KafkaNodePool of brokers (role `broker`)."""

    replicas: Annotated[
        int, Field(description=f"Brokers, at least 1; default `{DEFAULT_BROKERS}`.")
    ] = DEFAULT_BROKERS
    storage: Annotated[KafkaStorage, Field(description="Each broker's log volume.")]
    resources: Annotated[
        KafkaResources,
        Field(description=f"Default cpu `{DEFAULT_BROKER_CPU}`, memory `{DEFAULT_BROKER_MEMORY}`."),
    ] = KafkaResources()


class ControllerPool(BlueprintModel):
    """The KafkaNodePool of KRaft controllers (role `controller`)."""

    replicas: Annotated[
        int, Field(description=f"Controllers: 1, 3 or 5; default `{DEFAULT_CONTROLLERS}`.")
    ] = DEFAULT_CONTROLLERS
    storage: Annotated[
        KafkaStorage,
        Field(
            description="Each controller's metadata volume; default "
            f"`{DEFAULT_CONTROLLER_STORAGE}`."
        ),
    ] = KafkaStorage(size=DEFAULT_CONTROLLER_STORAGE)
    resources: Annotated[
        KafkaResources,
        Field(
            description=f"Default cpu `{DEFAULT_CONTROLLER_CPU}`, memory "
            f"`{DEFAULT_CONTROLLER_MEMORY}`."
        ),
    ] = KafkaResources()


class TopicSpec(BlueprintModel):
    """A topic, created and kept in shape by the Topic Operator."""

    name: Annotated[str, Field(description="Kafka topic name: letters, digits, `.`, `_`, `-`.")]
    partitions: Annotated[
        int, Field(description=f"Partitions, at least 1; default `{DEFAULT_PARTITIONS}`.")
    ] = DEFAULT_PARTITIONS
    replicas: Annotated[
        int | None,
        Field(description="Replication factor; default 3, or the brokers when fewer."),
    ] = None
    min_in_sync_replicas: Annotated[
        int | None,
        Field(
            description="`min.insync.replicas`, below `replicas`; default 2, or 1 below 3 "
            "replicas.",
        ),
    ] = None
    retention: Annotated[
        str,
        Field(
            description=f"How long records are kept (`ms`, `s`, `m`, `h`, `d`, `w`) or "
            f"`forever`; default `{DEFAULT_RETENTION}`."
        ),
    ] = DEFAULT_RETENTION
    external_producers: Annotated[
        bool,
        Field(
            description="Records come from producers outside the blueprint, so an app may "
            "consume it with no app producing it; default false."
        ),
    ] = False


class AclSpec(BlueprintModel):
    """An allow rule: `operations` on a topic or consumer group."""

    type: Annotated[AclResource, Field(description="`topic` or `group`.")]
    name: Annotated[str, Field(min_length=1, description="A declared topic, a group, or a prefix.")]
    pattern_type: Annotated[
        PatternType,
        Field(description=f"`literal` or `prefix`; default `{DEFAULT_PATTERN_TYPE}`."),
    ] = DEFAULT_PATTERN_TYPE
    operations: Annotated[
        list[AclOperation],
        Field(min_length=1, description="E.g. `[Write, Describe]` or `[Read, Describe]`."),
    ]


class PasswordSecretRef(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="A Secret in the platform namespace.")]
    key: Annotated[str, Field(min_length=1, description="The key holding the password.")]


class KafkaUserSpec(BlueprintModel):
    """A producer or consumer: its credentials (Secret `<name>`), its ACLs, and the pods
    admitted to the listener."""

    name: Annotated[str, Field(description="User name, also its Secret's: a DNS-1123 label.")]
    pod_labels: Annotated[
        Labels,
        Field(min_length=1, description="Labels of this user's pods; only they may connect."),
    ]
    acls: Annotated[list[AclSpec], Field(description="What the user may do.")] = []
    password_secret: Annotated[
        PasswordSecretRef | None,
        Field(description="SCRAM only: an existing Secret's key; none lets Strimzi generate."),
    ] = None


class EventsSpec(BlueprintModel):
    """A Strimzi Kafka cluster: TLS listener with authentication, topics, users, ACLs."""

    name: Annotated[
        ServiceName,
        Field(
            description="Cluster name, which names its Services (`<name>-kafka-bootstrap`); "
            f"default `{DEFAULT_NAME}`."
        ),
    ] = DEFAULT_NAME
    kafka_version: Annotated[
        KafkaVersion, Field(description=f"Kafka version; default `{KAFKA_VERSION}`.")
    ] = KAFKA_VERSION
    authentication: Annotated[
        Authentication,
        Field(
            description="`scram-sha-512` (over TLS) or `tls` (mutual TLS); default "
            f"`{DEFAULT_AUTHENTICATION}`."
        ),
    ] = DEFAULT_AUTHENTICATION
    brokers: Annotated[BrokerPool, Field(description="The broker pool.")]
    controllers: Annotated[ControllerPool, Field(description="The KRaft controller pool.")] = (
        ControllerPool()
    )
    topics: Annotated[list[TopicSpec], Field(description="Topics.")] = []
    users: Annotated[
        list[KafkaUserSpec], Field(description="Producers and consumers; at least one.")
    ] = []
    install_operator: Annotated[
        bool, Field(description="Install the Strimzi operator; false uses the cluster's one.")
    ] = True
    allow_data_loss: Annotated[
        bool,
        Field(description="Do not protect the cluster, pools and topics; default false."),
    ] = False


class EventsUse(UseBase):
    """An app's binding to `spec.events`: a KafkaUser of its own whose ACLs are exactly
    what it produces and consumes, in its own consumer group."""

    kind: Annotated[Literal["events"], Field(description="`events`.")]
    produce: Annotated[list[str], Field(description="Declared topics it writes.")] = []
    consume: Annotated[list[str], Field(description="Declared topics it reads.")] = []
    consumer_group: Annotated[
        str | None, Field(min_length=1, description="Its consumer group; default the app's name.")
    ] = None
