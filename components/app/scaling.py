"""The app's autoscaler (pure): an `autoscaling/v2` HorizontalPodAutoscaler on CPU or
memory utilization, or a KEDA ScaledObject on a Kafka consumer group's lag (with the
TriggerAuthentication that reads the app's own credentials) or on a Prometheus query.

With either, the workload's `replicas` is the minimum and the component tells Pulumi to
leave it alone afterwards, so Pulumi never fights the autoscaler.
"""

from __future__ import annotations

from typing import Any

from components.app.args import AppServiceArgs, KafkaLagTrigger
from components.app.manifests import app_metadata
from components.shared.secret_refs import SecretKeyRef

Manifest = dict[str, Any]

KEDA_API_VERSION = "keda.sh/v1alpha1"


def _target(name: str, args: AppServiceArgs) -> Manifest:
    kind = "StatefulSet" if args.workload == "statefulSet" else "Deployment"
    return {"apiVersion": "apps/v1", "kind": kind, "name": name}


def render_hpa(name: str, args: AppServiceArgs) -> Manifest | None:
    scaling = args.autoscaling
    if scaling is None or scaling.keda:
        return None
    metrics = [
        {
            "type": "Resource",
            "resource": {
                "name": resource,
                "target": {"type": "Utilization", "averageUtilization": target},
            },
        }
        for resource, target in (
            ("cpu", scaling.cpu_utilization),
            ("memory", scaling.memory_utilization),
        )
        if target is not None
    ]
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": app_metadata(name, args),
        "spec": {
            "scaleTargetRef": _target(name, args),
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": metrics,
        },
    }


def trigger_authentication_name(name: str) -> str:
    return f"{name}-kafka"


def _secret_targets(trigger: KafkaLagTrigger) -> list[Manifest]:
    refs: list[tuple[str, SecretKeyRef | None]] = [
        ("username", trigger.username),
        ("password", trigger.password),
        ("ca", trigger.ca),
        ("cert", trigger.cert),
        ("key", trigger.key),
    ]
    return [
        {"parameter": parameter, "name": ref.name, "key": ref.key}
        for parameter, ref in refs
        if ref is not None
    ]


def render_trigger_authentication(name: str, args: AppServiceArgs) -> Manifest | None:
    """KEDA reads the app's own Kafka credentials and the cluster CA from their Secrets."""
    scaling = args.autoscaling
    if scaling is None or scaling.kafka_lag is None:
        return None
    return {
        "apiVersion": KEDA_API_VERSION,
        "kind": "TriggerAuthentication",
        "metadata": app_metadata(name, args, trigger_authentication_name(name)),
        "spec": {"secretTargetRef": _secret_targets(scaling.kafka_lag)},
    }


def _triggers(name: str, args: AppServiceArgs) -> list[Manifest]:
    scaling = args.autoscaling
    assert scaling is not None
    if scaling.kafka_lag is not None:
        lag = scaling.kafka_lag
        metadata: Manifest = {
            "bootstrapServers": lag.bootstrap_servers,
            "consumerGroup": lag.consumer_group,
            "lagThreshold": str(lag.lag_threshold),
            "tls": "enable",
            "sasl": lag.sasl,
        }
        if lag.topic is not None:
            metadata["topic"] = lag.topic
        return [
            {
                "type": "kafka",
                "metadata": metadata,
                "authenticationRef": {"name": trigger_authentication_name(name)},
            }
        ]
    prometheus = scaling.prometheus
    assert prometheus is not None
    return [
        {
            "type": "prometheus",
            "metadata": {
                "serverAddress": prometheus.server_address,
                "query": prometheus.query,
                "threshold": f"{prometheus.threshold:g}",
            },
        }
    ]


def render_scaled_object(name: str, args: AppServiceArgs) -> Manifest | None:
    scaling = args.autoscaling
    if scaling is None or not scaling.keda:
        return None
    target = _target(name, args)
    return {
        "apiVersion": KEDA_API_VERSION,
        "kind": "ScaledObject",
        "metadata": app_metadata(name, args),
        "spec": {
            "scaleTargetRef": dict(target),
            "minReplicaCount": scaling.min_replicas,
            "maxReplicaCount": scaling.max_replicas,
            "triggers": _triggers(name, args),
        },
    }
