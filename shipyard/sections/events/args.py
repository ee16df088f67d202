"""Blueprint `spec.events` turned into `KafkaArgs` (pure)."""

from __future__ import annotations

from components.app.args import DEFAULT_KEDA_NAMESPACE_LABELS, DEFAULT_KEDA_POD_LABELS
from components.kafka import args as ka
from shipyard.blueprint.platform import Platform
from shipyard.sections.apps.args import keda_reads_kafka
from shipyard.sections.charts.mirrors import mirrored
from shipyard.sections.events.binding import app_users
from shipyard.sections.events.checks import topic_min_insync, topic_replicas
from shipyard.sections.events.model import KafkaResources, KafkaStorage


def _pool(
    replicas: int, storage: KafkaStorage, resources: KafkaResources, cpu: str, memory: str
) -> ka.KafkaNodePoolArgs:
    return ka.KafkaNodePoolArgs(
        replicas=replicas,
        storage_size=storage.size,
        storage_class=storage.storage_class,
        cpu_request=resources.cpu or cpu,
        memory_request=resources.memory or memory,
    )


def events_args(platform: Platform) -> ka.KafkaArgs | None:
    """The Kafka cluster's arguments, or None without `spec.events`."""
    spec = platform.spec.events
    if spec is None:
        return None
    return ka.KafkaArgs(
        namespace=platform.namespace,
        kafka_version=spec.kafka_version,
        authentication=spec.authentication,
        brokers=_pool(
            spec.brokers.replicas,
            spec.brokers.storage,
            spec.brokers.resources,
            ka.DEFAULT_BROKER_CPU,
            ka.DEFAULT_BROKER_MEMORY,
        ),
        controllers=_pool(
            spec.controllers.replicas,
            spec.controllers.storage,
            spec.controllers.resources,
            ka.DEFAULT_CONTROLLER_CPU,
            ka.DEFAULT_CONTROLLER_MEMORY,
        ),
        topics=tuple(
            ka.KafkaTopicArgs(
                name=topic.name,
                partitions=topic.partitions,
                replicas=topic_replicas(spec, topic),
                min_insync_replicas=topic_min_insync(spec, topic),
                retention_ms=ka.retention_ms(topic.retention),
            )
            for topic in spec.topics
        ),
        users=tuple(
            ka.KafkaUserArgs(
                name=user.name,
                pod_labels=dict(user.pod_labels),
                acls=tuple(
                    ka.KafkaAcl(
                        resource_type=acl.type,
                        name=acl.name,
                        pattern_type=acl.pattern_type,
                        operations=tuple(acl.operations),
                    )
                    for acl in user.acls
                ),
                password_secret=(
                    ka.PasswordSecretRef(
                        name=user.password_secret.name, key=user.password_secret.key
                    )
                    if user.password_secret is not None
                    else None
                ),
            )
            for user in spec.users
        )
        + app_users(platform),
        listener_peers=(
            (
                ka.ListenerPeer(
                    pod_labels=dict(DEFAULT_KEDA_POD_LABELS),
                    namespace_labels=dict(DEFAULT_KEDA_NAMESPACE_LABELS),
                ),
            )
            if keda_reads_kafka(platform)
            else ()
        ),
        install_operator=spec.install_operator,
        chart_repository=mirrored(platform.spec.chart_mirrors, ka.STRIMZI_CHART_REPO),
        allow_data_loss=spec.allow_data_loss,
        kafka_exporter=platform.spec.monitoring is not None,
    )
