"""`Kafka` under Pulumi mocks: children, ordering, protection, the Strimzi v1 manifests,
and that no credential leaks."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from components.kafka.args import STRIMZI_CHART_VERSION, retention_ms, topic_resource_name
from components.kafka.component import (
    TYPE_TOKEN,
    Kafka,
    KafkaAcl,
    KafkaArgs,
    KafkaNodePoolArgs,
    KafkaTopicArgs,
    KafkaUserArgs,
)
from tests.components.pulumi_recorder import Recorder

KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka"
POOL = "kubernetes:kafka.strimzi.io/v1:KafkaNodePool"
TOPIC = "kubernetes:kafka.strimzi.io/v1:KafkaTopic"
USER = "kubernetes:kafka.strimzi.io/v1:KafkaUser"
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
BACKEND_PODS = {"app.kubernetes.io/name": "backend"}
WORKER_PODS = {"app.kubernetes.io/name": "workers"}
GIVEN_PASSWORD = "correct-horse-battery-staple-42"

ARGS = KafkaArgs(
    namespace="agiflow",
    brokers=KafkaNodePoolArgs(
        replicas=3, storage_size="100Gi", storage_class="gp3", cpu_request="2", memory_request="8Gi"
    ),
    controllers=KafkaNodePoolArgs(
        replicas=3, storage_size="10Gi", cpu_request="500m", memory_request="2Gi"
    ),
    topics=(
        KafkaTopicArgs(
            name="agent.tasks",
            partitions=12,
            replicas=3,
            min_insync_replicas=2,
            retention_ms=retention_ms("7d"),
        ),
        KafkaTopicArgs(
            name="Agent_Audit",
            replicas=3,
            min_insync_replicas=2,
            retention_ms=retention_ms("forever"),
        ),
    ),
    users=(
        KafkaUserArgs(
            name="backend",
            pod_labels=BACKEND_PODS,
            acls=(
                KafkaAcl(
                    resource_type="topic", name="agent.tasks", operations=("Write", "Describe")
                ),
            ),
        ),
        KafkaUserArgs(
            name="workers",
            pod_labels=WORKER_PODS,
            acls=(
                KafkaAcl(
                    resource_type="topic", name="agent.tasks", operations=("Read", "Describe")
                ),
                KafkaAcl(
                    resource_type="group",
                    name="workers-",
                    pattern_type="prefix",
                    operations=("Read",),
                ),
            ),
        ),
    ),
)


def deploy(args: KafkaArgs, passwords: dict[str, str] | None = None) -> dict[str, Any]:
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        kafka = Kafka("events", args, user_passwords=passwords)
        names = ["cluster", "bootstrap", "ca", "authentication", "users"]

        def keep(values: list[Any]) -> None:
            outputs.update(zip(names, values, strict=True))

        return pulumi.Output.all(
            kafka.cluster_name,
            kafka.bootstrap_servers,
            kafka.ca_secret_name,
            kafka.authentication,
            kafka.user_secret_names,
        ).apply(keep)

    program()
    return outputs


def by_name(monitor: Recorder, type_: str) -> dict[str, dict[str, Any]]:
    return {r.manifest()["metadata"]["name"]: r.manifest() for r in monitor.of_type(type_)}


def test_children_and_outputs(monitor: Recorder) -> None:
    outputs = deploy(ARGS)
    component = monitor.one(TYPE_TOKEN)
    assert sorted(r.type for r in monitor.recorded if r.parent == component.urn) == sorted(
        [RELEASE, KAFKA, POOL, POOL, TOPIC, TOPIC, USER, USER]
    )
    assert outputs == {
        "cluster": "events",
        "bootstrap": "events-kafka-bootstrap.agiflow.svc:9093",
        "ca": "events-cluster-ca-cert",
        "authentication": "scram-sha-512",
        "users": {"backend": "backend", "workers": "workers"},
    }


def test_the_operator_is_a_pinned_release_everything_waits_for(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"operator_namespace": "strimzi"}))
    release = monitor.one(RELEASE)
    assert release.inputs["chart"] == "strimzi-kafka-operator"
    assert release.inputs["version"] == STRIMZI_CHART_VERSION == "0.49.1"
    assert release.inputs["repositoryOpts"] == {"repo": "https://strimzi.io/charts/"}
    assert release.inputs["namespace"] == "strimzi"
    values = release.inputs["values"]
    assert values["watchNamespaces"] == ["agiflow"]
    assert values["generateNetworkPolicy"] is True
    assert values["extraEnvs"] == [
        {"name": "STRIMZI_POD_SECURITY_PROVIDER_CLASS", "value": "restricted"}
    ]
    assert values["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    assert values["resources"]["requests"] == {"cpu": "200m", "memory": "384Mi"}
    kafka = monitor.one(KAFKA)
    assert release.urn in kafka.dependencies
    pools = monitor.of_type(POOL)
    assert all(release.urn in pool.dependencies for pool in pools)
    assert all(pool.urn in kafka.dependencies for pool in pools)
    for kind in (TOPIC, USER):
        assert all(kafka.urn in r.dependencies for r in monitor.of_type(kind))


def test_in_its_own_namespace_the_chart_watches_it_without_being_told(
    monitor: Recorder,
) -> None:
    deploy(ARGS)
    assert "watchNamespaces" not in monitor.one(RELEASE).inputs["values"]


def test_without_install_operator_there_is_no_release(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"install_operator": False}))
    assert monitor.of_type(RELEASE) == []
    kafka = monitor.one(KAFKA)
    assert set(kafka.dependencies) == {pool.urn for pool in monitor.of_type(POOL)}


def test_the_kafka_cluster_kraft_tls_scram_and_safe_defaults(monitor: Recorder) -> None:
    deploy(ARGS)
    kafka = monitor.one(KAFKA).manifest()
    assert kafka["apiVersion"] == "kafka.strimzi.io/v1"
    # The v1 API is KRaft with node pools only; the old opt-in annotations are ignored.
    assert "annotations" not in kafka["metadata"]
    spec = kafka["spec"]["kafka"]
    assert spec["version"] == "4.1.1"
    assert spec["listeners"] == [
        {
            "name": "tls",
            "port": 9093,
            "type": "internal",
            "tls": True,
            "authentication": {"type": "scram-sha-512"},
            "networkPolicyPeers": [
                {"podSelector": {"matchLabels": BACKEND_PODS}},
                {"podSelector": {"matchLabels": WORKER_PODS}},
            ],
        }
    ]
    assert spec["authorization"] == {"type": "simple"}
    assert spec["config"] == {
        "auto.create.topics.enable": False,
        "unclean.leader.election.enable": False,
        "default.replication.factor": 3,
        "min.insync.replicas": 2,
        "offsets.topic.replication.factor": 3,
        "transaction.state.log.replication.factor": 3,
        "transaction.state.log.min.isr": 2,
    }
    restricted = {
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
    assert spec["template"]["pod"]["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
        "fsGroup": 0,
    }
    assert spec["template"]["kafkaContainer"] == {"securityContext": restricted}
    operators = kafka["spec"]["entityOperator"]
    assert operators["topicOperator"]["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    assert operators["template"]["userOperatorContainer"] == {"securityContext": restricted}
    assert "listeners" not in json.dumps(spec["config"])


def test_one_broker_lowers_the_internal_topics_replication(monitor: Recorder) -> None:
    one = ARGS.brokers.model_copy(update={"replicas": 1})
    single = ARGS.controllers.model_copy(update={"replicas": 1})
    deploy(
        ARGS.model_copy(
            update={
                "brokers": one,
                "controllers": single,
                "topics": (
                    KafkaTopicArgs(name="t", replicas=1, min_insync_replicas=1, retention_ms=1),
                ),
                "users": (KafkaUserArgs(name="app", pod_labels=BACKEND_PODS),),
            }
        )
    )
    config = monitor.one(KAFKA).manifest()["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == config["min.insync.replicas"] == 1


def test_separate_broker_and_controller_pools_with_kept_claims(monitor: Recorder) -> None:
    deploy(ARGS)
    pools = by_name(monitor, POOL)
    broker, controller = pools["broker"], pools["controller"]
    assert broker["metadata"]["labels"]["strimzi.io/cluster"] == "events"
    assert broker["spec"] == {
        "replicas": 3,
        "roles": ["broker"],
        "storage": {
            "type": "jbod",
            "volumes": [
                {
                    "id": 0,
                    "type": "persistent-claim",
                    "size": "100Gi",
                    "deleteClaim": False,
                    "kraftMetadata": "shared",
                    "class": "gp3",
                }
            ],
        },
        "resources": {"requests": {"cpu": "2", "memory": "8Gi"}, "limits": {"memory": "8Gi"}},
    }
    assert controller["spec"]["roles"] == ["controller"]
    assert controller["spec"]["replicas"] == 3
    assert controller["spec"]["storage"]["volumes"][0]["size"] == "10Gi"
    assert "class" not in controller["spec"]["storage"]["volumes"][0]


def test_topics(monitor: Recorder) -> None:
    deploy(ARGS)
    topics = by_name(monitor, TOPIC)
    assert topics["agent.tasks"]["spec"] == {
        "partitions": 12,
        "replicas": 3,
        "config": {"retention.ms": 604_800_000, "min.insync.replicas": 2},
    }
    assert topics["agent.tasks"]["metadata"]["labels"]["strimzi.io/cluster"] == "events"
    # A name Kubernetes refuses keeps its Kafka name in `topicName`.
    audit = topics[topic_resource_name("Agent_Audit")]
    assert topic_resource_name("Agent_Audit").startswith("agent-audit-")
    assert audit["spec"]["topicName"] == "Agent_Audit"
    assert audit["spec"]["config"]["retention.ms"] == -1
    assert audit["spec"]["partitions"] == 3


def test_users_and_their_acls(monitor: Recorder) -> None:
    deploy(ARGS)
    users = by_name(monitor, USER)
    assert users["workers"]["metadata"]["labels"]["strimzi.io/cluster"] == "events"
    assert users["workers"]["spec"] == {
        # No password: Strimzi's User Operator generates one into Secret `workers`.
        "authentication": {"type": "scram-sha-512"},
        "authorization": {
            "type": "simple",
            "acls": [
                {
                    "type": "allow",
                    "resource": {"type": "topic", "name": "agent.tasks", "patternType": "literal"},
                    "operations": ["Read", "Describe"],
                },
                {
                    "type": "allow",
                    "resource": {"type": "group", "name": "workers-", "patternType": "prefix"},
                    "operations": ["Read"],
                },
            ],
        },
    }


def test_mutual_tls(monitor: Recorder) -> None:
    outputs = deploy(ARGS.model_copy(update={"authentication": "tls"}))
    listener = monitor.one(KAFKA).manifest()["spec"]["kafka"]["listeners"][0]
    assert (listener["tls"], listener["authentication"]) == (True, {"type": "tls"})
    users = by_name(monitor, USER)
    assert users["backend"]["spec"]["authentication"] == {"type": "tls"}
    assert outputs["authentication"] == "tls"


def test_stateful_resources_are_protected_unless_data_loss_is_allowed(
    monitor: Recorder,
) -> None:
    deploy(ARGS)
    assert monitor.one(KAFKA).protect is True
    assert [pool.protect for pool in monitor.of_type(POOL)] == [True, True]
    assert [topic.protect for topic in monitor.of_type(TOPIC)] == [True, True]
    # Users hold no data: their credentials are re-created with them.
    assert [user.protect for user in monitor.of_type(USER)] == [False, False]


def test_allow_data_loss_leaves_them_unprotected(monitor: Recorder) -> None:
    deploy(ARGS.model_copy(update={"allow_data_loss": True}))
    stateful = [monitor.one(KAFKA), *monitor.of_type(POOL), *monitor.of_type(TOPIC)]
    assert [r.protect for r in stateful] == [False] * 5


def test_a_given_password_is_a_secret_and_never_leaks(monitor: Recorder) -> None:
    deploy(ARGS, passwords={"backend": GIVEN_PASSWORD})
    secret = monitor.one(SECRET)
    assert secret.inputs["metadata"]["name"] == "backend-scram-password"
    string_data = secret.inputs["stringData"]
    assert string_data[rpc._special_sig_key] == rpc._special_secret_sig
    assert string_data["value"] == {"password": GIVEN_PASSWORD, "username": "backend"}
    users = by_name(monitor, USER)
    assert users["backend"]["spec"]["authentication"] == {
        "type": "scram-sha-512",
        "password": {
            "valueFrom": {"secretKeyRef": {"name": "backend-scram-password", "key": "password"}}
        },
    }
    backend = next(
        u for u in monitor.of_type(USER) if u.manifest()["metadata"]["name"] == "backend"
    )
    assert secret.urn in backend.dependencies
    others = [r for r in monitor.recorded if r.urn != secret.urn]
    assert all(GIVEN_PASSWORD not in json.dumps(r.inputs, default=str) for r in others)
    assert all(GIVEN_PASSWORD not in o for o in monitor.registered_outputs)


def test_passwords_for_undeclared_users_are_input_errors(monitor: Recorder) -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid Kafka user passwords"):
        Kafka("events", ARGS, user_passwords={"nobody": "x"})


def test_an_invalid_name_is_an_input_error(monitor: Recorder) -> None:
    with pytest.raises(pulumi.InputPropertiesError, match="Invalid Kafka name"):
        Kafka("1events", ARGS)


def _with_topic(**topic: Any) -> dict[str, Any]:
    base = {"name": "agent.tasks", "replicas": 3, "min_insync_replicas": 2, "retention_ms": 1}
    return {"topics": ({**base, **topic},)}


@pytest.mark.parametrize(
    ("update", "message"),
    [
        (_with_topic(replicas=4), "replication factor 4 needs 4 brokers but the cluster has 3"),
        (_with_topic(min_insync_replicas=3), "minInSyncReplicas 3 must be below"),
        (_with_topic(name=".."), "topic name `..` is not allowed by Kafka"),
        (_with_topic(name="x" * 250), "topic name must be at most 249 characters, got 250"),
        (_with_topic(partitions=0), "greater than or equal to 1"),
        (
            {"controllers": {**ARGS.controllers.model_dump(), "replicas": 4}},
            r"must be odd \(1, 3 or 5\), got 4",
        ),
        ({"users": ()}, "at least 1 item"),
        (
            {
                "users": (
                    {
                        "name": "app",
                        "pod_labels": BACKEND_PODS,
                        "acls": (
                            {"resource_type": "topic", "name": "other", "operations": ("Read",)},
                        ),
                    },
                )
            },
            "user `app` has an ACL on undeclared topic `other`",
        ),
        ({"brokers": {**ARGS.brokers.model_dump(), "storage_size": "1TB"}}, "not a storage"),
    ],
)
def test_args_refuse_bad_values(update: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KafkaArgs.model_validate({**ARGS.model_dump(), **update})


def test_retention_durations() -> None:
    assert retention_ms("500ms") == 500
    assert retention_ms("12h") == 43_200_000
    assert retention_ms("2w") == 1_209_600_000
    assert retention_ms("forever") == -1
    with pytest.raises(ValueError, match="not a retention"):
        retention_ms("7 days")
