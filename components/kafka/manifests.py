"""Pure functions that turn `KafkaArgs` into Strimzi `kafka.strimzi.io/v1` manifests.

No credential passes through here: Strimzi's User Operator generates each user's
password or certificate into a Secret named after the KafkaUser, and a password given
by the caller only appears as a reference to its Secret.
"""

from __future__ import annotations

from typing import Any

from components.kafka.args import (
    LISTENER_NAME,
    LISTENER_PORT,
    KafkaArgs,
    KafkaNodePoolArgs,
    KafkaTopicArgs,
    KafkaUserArgs,
    default_min_insync_replicas,
    topic_resource_name,
)
from components.shared.labels import recommended_labels

Manifest = dict[str, Any]

STRIMZI_API_VERSION = "kafka.strimzi.io/v1"
# The label that ties node pools, topics and users to their Kafka cluster.
CLUSTER_LABEL = "strimzi.io/cluster"
BROKER_POOL = "broker"
CONTROLLER_POOL = "controller"
# The log segments are the data; protected unless `allow_data_loss`.
EVENTS_DATA_LABELS = {"shipyard.dev/data": "events"}
# The Cluster Operator's setting that gives every operand pod the `restricted` Pod
# Security profile (Strimzi docs, "Restricted Provider for pod security").
POD_SECURITY_PROVIDER_ENV = "STRIMZI_POD_SECURITY_PROVIDER_CLASS"
ENTITY_OPERATOR_RESOURCES: Manifest = {
    "requests": {"cpu": "100m", "memory": "256Mi"},
    "limits": {"memory": "512Mi"},
}
OPERATOR_RESOURCES: Manifest = {
    "requests": {"cpu": "200m", "memory": "384Mi"},
    "limits": {"memory": "384Mi"},
}
# The `restricted` Pod Security Standard, set on every pod template the Kafka CR has,
# so the pods pass the namespace's enforcement whatever the operator's provider is.
# fsGroup 0 keeps the volumes writable by the Kafka image's user (group 0), as
# Strimzi's own providers do.
POD_SECURITY_CONTEXT: Manifest = {
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
    "fsGroup": 0,
}
CONTAINER_SECURITY_CONTEXT: Manifest = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
}


def render_labels(name: str) -> dict[str, str]:
    return recommended_labels("kafka", name, "events")


def _metadata(name: str, args: KafkaArgs, resource: str | None = None) -> Manifest:
    return {
        "name": resource or name,
        "namespace": args.namespace,
        "labels": render_labels(name),
    }


def _member_metadata(name: str, args: KafkaArgs, resource: str) -> Manifest:
    """Node pools, topics and users carry the cluster label their operators select on."""
    return {
        **_metadata(name, args, resource),
        "labels": {**render_labels(name), CLUSTER_LABEL: name},
    }


def bootstrap_servers(name: str, namespace: str) -> str:
    """Strimzi's bootstrap Service and the TLS listener's port."""
    return f"{name}-kafka-bootstrap.{namespace}.svc:{LISTENER_PORT}"


def cluster_ca_secret_name(name: str) -> str:
    """The Secret with the cluster CA certificate (`ca.crt`) clients trust."""
    return f"{name}-cluster-ca-cert"


def password_secret_name(user: str) -> str:
    """The Secret a caller-given SCRAM password goes in (Strimzi owns `<user>` itself)."""
    return f"{user}-scram-password"


def _network_policy_peers(args: KafkaArgs) -> list[Manifest]:
    """One peer per user's pods. Strimzi admits every client when this list is empty,
    which the Args forbid by requiring a user."""
    peers: list[Manifest] = []
    for user in args.users:
        peer = {"podSelector": {"matchLabels": dict(sorted(user.pod_labels.items()))}}
        if peer not in peers:
            peers.append(peer)
    for extra in args.listener_peers:
        peer = {"podSelector": {"matchLabels": dict(sorted(extra.pod_labels.items()))}}
        if extra.namespace_labels is not None:
            labels = dict(sorted(extra.namespace_labels.items()))
            peer["namespaceSelector"] = {"matchLabels": labels}
        if peer not in peers:
            peers.append(peer)
    return peers


def render_broker_config(args: KafkaArgs) -> Manifest:
    """Broker settings that keep data safe: no auto-created topics, no unclean leader
    election, and replicated internal topics."""
    factor = args.replication_factor
    min_insync = default_min_insync_replicas(factor)
    return {
        "auto.create.topics.enable": False,
        "unclean.leader.election.enable": False,
        "default.replication.factor": factor,
        "min.insync.replicas": min_insync,
        "offsets.topic.replication.factor": factor,
        "transaction.state.log.replication.factor": factor,
        "transaction.state.log.min.isr": min_insync,
    }


def render_kafka(name: str, args: KafkaArgs) -> Manifest:
    """The `Kafka` CR: KRaft with node pools (the only mode of the v1 API), one internal
    TLS listener with authentication, simple authorization, the Entity Operator."""
    listener: Manifest = {
        "name": LISTENER_NAME,
        "port": LISTENER_PORT,
        "type": "internal",
        "tls": True,
        "authentication": {"type": args.authentication},
        "networkPolicyPeers": _network_policy_peers(args),
    }
    container = {"securityContext": dict(CONTAINER_SECURITY_CONTEXT)}
    kafka: Manifest = {
        "apiVersion": STRIMZI_API_VERSION,
        "kind": "Kafka",
        "metadata": {
            **_metadata(name, args),
            "labels": {**render_labels(name), **EVENTS_DATA_LABELS},
        },
        "spec": {
            "kafka": {
                "version": args.kafka_version,
                "listeners": [listener],
                "authorization": {"type": "simple"},
                "config": render_broker_config(args),
                "template": {
                    "pod": {
                        "metadata": {"labels": dict(EVENTS_DATA_LABELS)},
                        "securityContext": dict(POD_SECURITY_CONTEXT),
                    },
                    "kafkaContainer": container,
                },
            },
            "entityOperator": {
                "topicOperator": {"resources": ENTITY_OPERATOR_RESOURCES},
                "userOperator": {"resources": ENTITY_OPERATOR_RESOURCES},
                "template": {
                    "pod": {"securityContext": dict(POD_SECURITY_CONTEXT)},
                    "topicOperatorContainer": container,
                    "userOperatorContainer": container,
                },
            },
        },
    }
    if args.kafka_exporter:
        kafka["spec"]["kafkaExporter"] = render_kafka_exporter()
    return kafka


def render_kafka_exporter() -> Manifest:
    """`spec.kafkaExporter`: every topic and consumer group, restricted like the rest."""
    return {
        "topicRegex": ".*",
        "groupRegex": ".*",
        "resources": ENTITY_OPERATOR_RESOURCES,
        "template": {
            "pod": {"securityContext": dict(POD_SECURITY_CONTEXT)},
            "container": {"securityContext": dict(CONTAINER_SECURITY_CONTEXT)},
        },
    }


def _storage(pool: KafkaNodePoolArgs) -> Manifest:
    """JBOD with one volume that also holds the KRaft metadata log, so a disk can be added
    later; the claim outlives the pool (`deleteClaim: false`)."""
    volume: Manifest = {
        "id": 0,
        "type": "persistent-claim",
        "size": pool.storage_size,
        "deleteClaim": False,
        "kraftMetadata": "shared",
    }
    if pool.storage_class is not None:
        volume["class"] = pool.storage_class
    return {"type": "jbod", "volumes": [volume]}


def render_node_pool(name: str, args: KafkaArgs, role: str) -> Manifest:
    """A `KafkaNodePool` of brokers or of KRaft controllers (separate roles)."""
    pool = args.brokers if role == "broker" else args.controllers
    pool_name = BROKER_POOL if role == "broker" else CONTROLLER_POOL
    return {
        "apiVersion": STRIMZI_API_VERSION,
        "kind": "KafkaNodePool",
        "metadata": _member_metadata(name, args, pool_name),
        "spec": {
            "replicas": pool.replicas,
            "roles": [role],
            "storage": _storage(pool),
            "resources": {
                "requests": {"cpu": pool.cpu_request, "memory": pool.memory_request},
                "limits": {"memory": pool.memory_request},
            },
        },
    }


def render_topic(name: str, args: KafkaArgs, topic: KafkaTopicArgs) -> Manifest:
    resource = topic_resource_name(topic.name)
    spec: Manifest = {
        "partitions": topic.partitions,
        "replicas": topic.replicas,
        "config": {
            "retention.ms": topic.retention_ms,
            "min.insync.replicas": topic.min_insync_replicas,
        },
    }
    if resource != topic.name:
        spec = {"topicName": topic.name, **spec}
    return {
        "apiVersion": STRIMZI_API_VERSION,
        "kind": "KafkaTopic",
        "metadata": _member_metadata(name, args, resource),
        "spec": spec,
    }


def render_user(
    name: str, args: KafkaArgs, user: KafkaUserArgs, password_key: tuple[str, str] | None = None
) -> Manifest:
    """A `KafkaUser` with the listener's authentication and its ACLs. `password_key`
    (Secret, key) overrides the user's `password_secret`; without either, Strimzi
    generates the password."""
    authentication: Manifest = {"type": args.authentication}
    ref = password_key or (
        (user.password_secret.name, user.password_secret.key) if user.password_secret else None
    )
    if ref is not None:
        authentication["password"] = {
            "valueFrom": {"secretKeyRef": {"name": ref[0], "key": ref[1]}}
        }
    acls = [
        {
            "type": "allow",
            "resource": {
                "type": acl.resource_type,
                "name": acl.name,
                "patternType": acl.pattern_type,
            },
            "operations": list(acl.operations),
        }
        for acl in user.acls
    ]
    return {
        "apiVersion": STRIMZI_API_VERSION,
        "kind": "KafkaUser",
        "metadata": _member_metadata(name, args, user.name),
        "spec": {
            "authentication": authentication,
            "authorization": {"type": "simple", "acls": acls},
        },
    }


def render_operator_values(args: KafkaArgs) -> Manifest:
    """Helm values of the strimzi-kafka-operator chart. Its CRDs come with the release
    (the chart's `crds/`); the operator watches the Kafka namespace and generates the
    listeners' NetworkPolicies from `networkPolicyPeers`."""
    values: Manifest = {
        "generateNetworkPolicy": True,
        "extraEnvs": [{"name": POD_SECURITY_PROVIDER_ENV, "value": "restricted"}],
        "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
        },
        "resources": OPERATOR_RESOURCES,
    }
    # The chart watches its own namespace already; naming it again fails the install.
    if args.operator_ns != args.namespace:
        values["watchNamespaces"] = [args.namespace]
    return values
