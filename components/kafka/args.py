"""Arguments of the Kafka (Strimzi, KRaft) component, and Kafka's naming and sizing rules.

The `*_problem` functions return a sentence or None; the Args validators and the
blueprint checks (`shipyard/sections/events/checks.py`) share them, so a component
used alone refuses exactly what a blueprint does.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.shared.args import ComponentArgs, problem_validator, storage_quantity_problem
from components.shared.k8s_values import CpuQuantity, Labels, MemoryQuantity
from components.shared.names import Dns1123Label

# Strimzi 0.49 introduced the `kafka.strimzi.io/v1` API for every custom resource
# (release notes of 0.49.0); 0.49.1 is that line's bug-fix release (v1 conversion fixes).
# The Helm chart carries the operator's version. The chart repository gets every release
# (development-docs/RELEASE.md of the operator: "Add the Helm Chart repository index.yaml").
STRIMZI_VERSION = "0.49.1"
STRIMZI_CHART = "strimzi-kafka-operator"
STRIMZI_CHART_VERSION = STRIMZI_VERSION
STRIMZI_CHART_REPO = "https://strimzi.io/charts/"
# kafka-versions.yaml of Strimzi 0.49.1: supported 4.0.0, 4.0.1, 4.1.0, 4.1.1 (default).
KafkaVersion = Literal["4.0.0", "4.0.1", "4.1.0", "4.1.1"]
KAFKA_VERSION: KafkaVersion = "4.1.1"
Authentication = Literal["scram-sha-512", "tls"]
DEFAULT_AUTHENTICATION: Authentication = "scram-sha-512"
# The one listener: in-cluster, TLS, authenticated. Strimzi's convention for `tls` is 9093.
LISTENER_NAME = "tls"
LISTENER_PORT = 9093

DEFAULT_BROKERS = 3
DEFAULT_CONTROLLERS = 3
DEFAULT_BROKER_CPU = "1"
DEFAULT_BROKER_MEMORY = "4Gi"
DEFAULT_CONTROLLER_CPU = "500m"
DEFAULT_CONTROLLER_MEMORY = "2Gi"
DEFAULT_CONTROLLER_STORAGE = "10Gi"
DEFAULT_PARTITIONS = 3
# The replication factor a topic gets when it names none: 3, or every broker when there
# are fewer (a one-broker dev cluster cannot hold more than one copy).
DEFAULT_REPLICATION_FACTOR = 3
# With 3 copies, writes with acks=all need 2 in sync: one broker may be down.
DEFAULT_MIN_INSYNC_REPLICAS = 2
DEFAULT_RETENTION = "7d"

AclResource = Literal["topic", "group"]
PatternType = Literal["literal", "prefix"]
DEFAULT_PATTERN_TYPE: PatternType = "literal"
# KafkaUser v1 `spec.authorization.acls[].operations` (the CRD's enum).
AclOperation = Literal[
    "Read",
    "Write",
    "Create",
    "Delete",
    "Alter",
    "Describe",
    "AlterConfigs",
    "DescribeConfigs",
    "IdempotentWrite",
    "All",
]

# Kafka's topic names (org.apache.kafka.common.internals.Topic): legal characters,
# at most 249 of them, never `.` or `..`.
TOPIC_NAME_MAX = 249
_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")
# Kubernetes object names of custom resources: DNS-1123 subdomains.
DNS1123_SUBDOMAIN_MAX = 253
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_DURATION = re.compile(r"([1-9][0-9]*)(ms|s|m|h|d|w)")
_MS_PER_UNIT = {
    "ms": 1,
    "s": 1000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 604_800_000,
}
FOREVER = "forever"


def storage_size_problem(size: str) -> str | None:
    return storage_quantity_problem(size, "100Gi")


def topic_name_problem(name: str) -> str | None:
    """Why Kafka refuses `name` as a topic name, or None."""
    if name in (".", ".."):
        return f"topic name `{name}` is not allowed by Kafka"
    if len(name) > TOPIC_NAME_MAX:
        return f"topic name must be at most {TOPIC_NAME_MAX} characters, got {len(name)}"
    if not _TOPIC_NAME.match(name):
        return f"topic name `{name}` may only hold letters, digits, `.`, `_` and `-`"
    if name.startswith("__"):
        return f"topic name `{name}` starts with `__`, which Kafka keeps for internal topics"
    return None


def topic_resource_name(name: str) -> str:
    """The KafkaTopic's metadata.name: the topic name when it is a DNS-1123 subdomain,
    else a lowercase form with a hash of the real name (which goes in `spec.topicName`)."""
    if len(name) <= DNS1123_SUBDOMAIN_MAX and _DNS1123_SUBDOMAIN.match(name):
        return name
    base = re.sub(r"[^a-z0-9.-]", "-", name.lower()).strip("-.")[:200] or "topic"
    base = re.sub(r"[.-]{2,}", "-", base).strip("-.")
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{base}-{digest}"


def topic_collision_key(name: str) -> str:
    """Kafka refuses a topic whose name equals another's once `.` is read as `_`."""
    return name.replace(".", "_")


def user_name_problem(name: str) -> str | None:
    """A KafkaUser's name is its SCRAM user name, its certificate's CN and its Secret's
    name: a DNS-1123 label keeps it valid for all three."""
    if len(name) <= 63 and re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name):
        return None
    return (
        f"user name `{name}` must be a DNS-1123 label: at most 63 lowercase letters, digits "
        "and `-`, starting and ending with a letter or digit"
    )


def retention_problem(retention: str) -> str | None:
    if retention == FOREVER or _DURATION.fullmatch(retention):
        return None
    return (
        f"`{retention}` is not a retention; use a number and ms, s, m, h, d or w, e.g. `7d`, "
        f"or `{FOREVER}`"
    )


def retention_ms(retention: str) -> int:
    """`7d` -> 604800000; `forever` -> -1 (Kafka's `retention.ms` for no limit)."""
    if retention == FOREVER:
        return -1
    match = _DURATION.fullmatch(retention)
    if match is None:
        raise ValueError(retention_problem(retention))
    return int(match.group(1)) * _MS_PER_UNIT[match.group(2)]


def controllers_problem(controllers: int) -> str | None:
    if controllers >= 1 and controllers % 2 == 1:
        return None
    return (
        f"KRaft controllers form a majority quorum, so their number must be odd (1, 3 or 5), "
        f"got {controllers}"
    )


def default_replication_factor(brokers: int) -> int:
    """3, or the number of brokers when there are fewer."""
    return max(1, min(DEFAULT_REPLICATION_FACTOR, brokers))


def default_min_insync_replicas(replicas: int) -> int:
    """2 for 3 or more copies; 1 below (one copy cannot spare one)."""
    return max(1, min(DEFAULT_MIN_INSYNC_REPLICAS, replicas - 1))


def replication_problem(replicas: int, brokers: int) -> str | None:
    if replicas < 1:
        return f"replicas must be at least 1, got {replicas}"
    if replicas > brokers:
        return (
            f"replication factor {replicas} needs {replicas} brokers but the cluster has "
            f"{brokers}; lower `replicas` or add brokers"
        )
    return None


def min_insync_problem(min_insync: int, replicas: int) -> str | None:
    """At least 1 and below the replication factor, so one broker may be down (with a
    single copy, 1)."""
    if min_insync < 1:
        return f"minInSyncReplicas must be at least 1, got {min_insync}"
    if replicas == 1 and min_insync == 1:
        return None
    if min_insync >= replicas:
        return (
            f"minInSyncReplicas {min_insync} must be below the replication factor {replicas}, "
            "or a single broker down stops every producer with acks=all; use "
            f"{default_min_insync_replicas(replicas)}"
        )
    return None


StorageSize = Annotated[str, problem_validator(storage_size_problem)]
TopicName = Annotated[str, problem_validator(topic_name_problem)]
UserName = Annotated[str, problem_validator(user_name_problem)]


class KafkaNodePoolArgs(ComponentArgs):
    """One KafkaNodePool: its nodes, their volume and resources."""

    replicas: Annotated[int, Field(ge=1, description="Nodes in the pool.")]
    storage_size: Annotated[StorageSize, Field(description="Volume per node, e.g. `100Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None
    cpu_request: Annotated[CpuQuantity, Field(min_length=1, description="CPU request per node.")]
    memory_request: Annotated[
        MemoryQuantity, Field(min_length=1, description="Memory request per node, also the limit.")
    ]


class KafkaTopicArgs(ComponentArgs):
    """A KafkaTopic managed by the Topic Operator."""

    name: Annotated[TopicName, Field(description="Kafka topic name.")]
    partitions: Annotated[
        int, Field(ge=1, description=f"Partitions; default `{DEFAULT_PARTITIONS}`.")
    ] = DEFAULT_PARTITIONS
    replicas: Annotated[int, Field(ge=1, description="Replication factor.")]
    min_insync_replicas: Annotated[
        int, Field(ge=1, description="`min.insync.replicas`: below `replicas` unless 1.")
    ]
    retention_ms: Annotated[
        int, Field(ge=-1, description="`retention.ms`; -1 keeps records forever.")
    ]


class KafkaAcl(ComponentArgs):
    """One allow rule of Kafka's simple authorizer."""

    resource_type: Annotated[AclResource, Field(description="`topic` or `group`.")]
    name: Annotated[str, Field(min_length=1, description="Resource name or prefix.")]
    pattern_type: Annotated[
        PatternType,
        Field(description=f"`literal` or `prefix`; default `{DEFAULT_PATTERN_TYPE}`."),
    ] = DEFAULT_PATTERN_TYPE
    operations: Annotated[
        tuple[AclOperation, ...], Field(min_length=1, description="Operations allowed.")
    ]


class PasswordSecretRef(ComponentArgs):
    name: Annotated[Dns1123Label, Field(description="Secret in the Kafka namespace.")]
    key: Annotated[str, Field(min_length=1, description="Key of the password.")]


class KafkaUserArgs(ComponentArgs):
    """A KafkaUser: credentials generated by the User Operator into the Secret of the
    same name, ACLs, and the pods admitted to the listener as this user."""

    name: Annotated[UserName, Field(description="User name, also its Secret's name.")]
    pod_labels: Annotated[
        Labels,
        Field(min_length=1, description="Labels of the pods admitted to the listener."),
    ]
    acls: Annotated[tuple[KafkaAcl, ...], Field(description="Allow rules.")] = ()
    password_secret: Annotated[
        PasswordSecretRef | None,
        Field(description="SCRAM only: an existing Secret's key; none lets Strimzi generate."),
    ] = None
    generate_password: Annotated[
        bool,
        Field(
            description="SCRAM only: the component generates the password (or takes it from "
            "`credentials`) into `<user>-scram-password`, which exists before the operator "
            "runs; default false."
        ),
    ] = False


class ListenerPeer(ComponentArgs):
    """Pods admitted to the listener besides the users' own, e.g. KEDA's operator reading
    consumer lag with a user's credentials."""

    pod_labels: Annotated[Labels, Field(min_length=1, description="The pods' labels.")]
    namespace_labels: Annotated[
        Labels | None, Field(description="Their namespace's labels; none: Kafka's.")
    ] = None


def _kafka_problems(args: KafkaArgs) -> list[str]:
    found = [controllers_problem(args.controllers.replicas)]
    topics = [topic.name for topic in args.topics]
    if len(set(map(topic_collision_key, topics))) != len(topics):
        found.append("`topics` names a topic twice (`.` and `_` collide in Kafka)")
    for topic in args.topics:
        found.append(replication_problem(topic.replicas, args.brokers.replicas))
        found.append(min_insync_problem(topic.min_insync_replicas, topic.replicas))
    users = [user.name for user in args.users]
    if len(set(users)) != len(users):
        found.append("`users` names a user twice")
    for user in args.users:
        if user.password_secret is not None and args.authentication != "scram-sha-512":
            found.append(f"user `{user.name}` has a password but authentication is TLS")
        if user.generate_password and args.authentication != "scram-sha-512":
            found.append(f"user `{user.name}` generates a password but authentication is TLS")
        if user.generate_password and user.password_secret is not None:
            found.append(f"user `{user.name}` both generates and names its password")
        for acl in user.acls:
            literal = acl.resource_type == "topic" and acl.pattern_type == "literal"
            if literal and acl.name != "*" and acl.name not in topics:
                found.append(f"user `{user.name}` has an ACL on undeclared topic `{acl.name}`")
    return [problem for problem in found if problem]


class KafkaArgs(ComponentArgs):
    """A Strimzi Kafka cluster in KRaft mode, its node pools, topics and users."""

    namespace: Annotated[Dns1123Label, Field(description="Namespace to deploy into.")]
    kafka_version: Annotated[
        KafkaVersion, Field(description=f"Kafka version; default `{KAFKA_VERSION}`.")
    ] = KAFKA_VERSION
    authentication: Annotated[
        Authentication,
        Field(
            description="Client authentication on the TLS listener: `scram-sha-512` or `tls` "
            f"(mutual TLS); default `{DEFAULT_AUTHENTICATION}`."
        ),
    ] = DEFAULT_AUTHENTICATION
    brokers: Annotated[KafkaNodePoolArgs, Field(description="The broker pool.")]
    controllers: Annotated[
        KafkaNodePoolArgs, Field(description="The KRaft controller pool (odd size).")
    ]
    topics: Annotated[tuple[KafkaTopicArgs, ...], Field(description="Topics.")] = ()
    users: Annotated[
        tuple[KafkaUserArgs, ...],
        Field(min_length=1, description="Users; their pods are the only clients admitted."),
    ]
    listener_peers: Annotated[
        tuple[ListenerPeer, ...], Field(description="More pods admitted to the listener.")
    ] = ()
    install_operator: Annotated[
        bool, Field(description="Install the Strimzi operator; default true.")
    ] = True
    operator_namespace: Annotated[
        Dns1123Label | None, Field(description="The operator's namespace; default `namespace`.")
    ] = None
    chart_version: Annotated[
        str, Field(min_length=1, description=f"Chart version; default `{STRIMZI_CHART_VERSION}`.")
    ] = STRIMZI_CHART_VERSION
    chart_repository: Annotated[
        str,
        Field(
            min_length=1,
            description="The operator chart's repository (a mirror when air-gapped); "
            f"default `{STRIMZI_CHART_REPO}`.",
        ),
    ] = STRIMZI_CHART_REPO
    allow_data_loss: Annotated[
        bool,
        Field(description="Leave the cluster, pools and topics unprotected; default false."),
    ] = False
    kafka_exporter: Annotated[
        bool,
        Field(
            description="Deploy Strimzi's Kafka Exporter (topic and consumer-lag metrics on "
            "port `tcp-prometheus`); default false."
        ),
    ] = False

    @model_validator(mode="after")
    def _consistent(self) -> KafkaArgs:
        problems = _kafka_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def operator_ns(self) -> str:
        return self.operator_namespace or self.namespace

    @property
    def replication_factor(self) -> int:
        """The cluster's default for topics created without one (and internal topics)."""
        return default_replication_factor(self.brokers.replicas)
