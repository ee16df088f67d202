"""The app's autoscaler: an HPA on CPU or memory, or KEDA on Kafka lag (authenticated as
the app's own user) or a Prometheus query; scale to zero only with KEDA."""

from __future__ import annotations

import pytest

from components.app.args import AppServiceArgs, Autoscaling, KafkaLagTrigger, PrometheusTrigger
from components.app.scaling import render_hpa, render_scaled_object, render_trigger_authentication
from components.shared.secret_refs import SecretKeyRef

BASE = AppServiceArgs(namespace="llm", image="registry.example.com/acme/worker:1.0.0")
LAG = KafkaLagTrigger(
    bootstrap_servers="events-kafka-bootstrap.llm.svc:9093",
    consumer_group="workers",
    topic="agent.tasks",
    lag_threshold=20,
    sasl="scram_sha512",
    username=SecretKeyRef(name="worker-scram-password", key="username"),
    password=SecretKeyRef(name="worker-scram-password", key="password"),
    ca=SecretKeyRef(name="events-cluster-ca-cert", key="ca.crt"),
)


def test_an_hpa_on_cpu() -> None:
    args = BASE.model_copy(
        update={"autoscaling": Autoscaling(min_replicas=2, max_replicas=6, cpu_utilization=70)}
    )
    hpa = render_hpa("api", args)
    assert hpa is not None
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "api",
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    assert hpa["spec"]["metrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 70},
            },
        }
    ]
    assert render_scaled_object("api", args) is None


def test_keda_on_kafka_lag_reads_the_apps_own_credentials() -> None:
    args = BASE.model_copy(
        update={"autoscaling": Autoscaling(min_replicas=0, max_replicas=12, kafka_lag=LAG)}
    )
    scaled = render_scaled_object("worker", args)
    assert scaled is not None
    assert scaled["spec"]["minReplicaCount"] == 0
    [trigger] = scaled["spec"]["triggers"]
    assert trigger == {
        "type": "kafka",
        "metadata": {
            "bootstrapServers": "events-kafka-bootstrap.llm.svc:9093",
            "consumerGroup": "workers",
            "lagThreshold": "20",
            "tls": "enable",
            "sasl": "scram_sha512",
            "topic": "agent.tasks",
        },
        "authenticationRef": {"name": "worker-kafka"},
    }
    auth = render_trigger_authentication("worker", args)
    assert auth is not None
    assert auth["spec"]["secretTargetRef"] == [
        {"parameter": "username", "name": "worker-scram-password", "key": "username"},
        {"parameter": "password", "name": "worker-scram-password", "key": "password"},
        {"parameter": "ca", "name": "events-cluster-ca-cert", "key": "ca.crt"},
    ]
    assert render_hpa("worker", args) is None


def test_keda_on_a_prometheus_query() -> None:
    trigger = PrometheusTrigger(
        server_address="http://prometheus.monitoring.svc:9090",
        query="sum(rate(x[1m]))",
        threshold=50,
    )
    args = BASE.model_copy(update={"autoscaling": Autoscaling(max_replicas=4, prometheus=trigger)})
    scaled = render_scaled_object("api", args)
    assert scaled is not None
    assert scaled["spec"]["triggers"][0]["metadata"] == {
        "serverAddress": "http://prometheus.monitoring.svc:9090",
        "query": "sum(rate(x[1m]))",
        "threshold": "50",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_replicas": 3}, "exactly one kind"),
        ({"max_replicas": 3, "cpu_utilization": 70, "kafka_lag": LAG}, "exactly one kind"),
        (
            {"min_replicas": 0, "max_replicas": 3, "cpu_utilization": 70},
            "`min_replicas: 0` needs KEDA",
        ),
        ({"min_replicas": 4, "max_replicas": 3, "cpu_utilization": 70}, "must not exceed"),
    ],
)
def test_autoscaling_rules(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Autoscaling(**kwargs)
