"""What Prometheus scrapes of `spec.events`: Strimzi's Kafka Exporter (topics, partitions,
consumer-group lag), which the Kafka CR deploys with `spec.monitoring`. Strimzi labels its
pods `strimzi.io/name: <cluster>-kafka-exporter` and opens `tcp-prometheus` (9404) to
every client in its own NetworkPolicy."""

from __future__ import annotations

from components.kafka.manifests import CLUSTER_LABEL
from components.monitoring.args import ScrapeTarget
from shipyard.blueprint.platform import Platform


def kafka_exporter_name(cluster: str) -> str:
    return f"{cluster}-kafka-exporter"


def events_scrape_targets(platform: Platform) -> list[ScrapeTarget]:
    events = platform.spec.events
    if events is None:
        return []
    return [
        ScrapeTarget(
            name=kafka_exporter_name(events.name),
            title="Kafka",
            exporter="kafka-exporter",
            selector={
                CLUSTER_LABEL: events.name,
                "strimzi.io/name": kafka_exporter_name(events.name),
            },
            port="tcp-prometheus",
            down_impact="Topic and consumer-lag metrics are missing (Kafka itself may be up).",
        )
    ]
