"""`spec.events`: every problem with FILE:LINE:COL and its field, and the component
arguments it becomes."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from components.kafka.args import KafkaAcl, KafkaNodePoolArgs, KafkaTopicArgs, PasswordSecretRef
from shipyard.cost import data_volumes
from shipyard.sections.events.args import events_args
from tests.blueprint.located import load_problems, load_text, located_at

FILE = "events.yaml"

BASE = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: agiflow, environment: prod}
spec:
  cluster: {kind: local}
  namespace: agiflow
  events:
    brokers:
      replicas: 3
      storage: {size: 100Gi, storageClass: gp3}
      resources: {cpu: "2", memory: 8Gi}
    topics:
      - name: agent.tasks
        partitions: 12
        retention: 3d
      - name: agent.results
    users:
      - name: backend
        podLabels: {app.kubernetes.io/name: backend}
        acls:
          - {type: topic, name: agent.tasks, operations: [Write, Describe]}
          - {type: topic, name: agent.results, operations: [Read, Describe]}
          - {type: group, name: backend, operations: [Read]}
      - name: workers
        podLabels: {app.kubernetes.io/name: workers}
        acls:
          - {type: topic, name: agent.tasks, operations: [Read, Describe]}
          - {type: topic, name: agent.results, operations: [Write, Describe]}
          - {type: group, name: workers-, patternType: prefix, operations: [Read]}
"""

DEV = BASE.replace("      replicas: 3\n", "      replicas: 1\n").replace(
    "    topics:\n", "    controllers: {replicas: 1}\n    topics:\n"
)

at = partial(located_at, FILE)
load = partial(load_text, FILE)
problems = partial(load_problems, FILE)


def test_base_becomes_kafka_args(tmp_path: Path) -> None:
    args = events_args(load(tmp_path, BASE))
    assert args is not None
    assert (args.namespace, args.kafka_version, args.authentication) == (
        "agiflow",
        "4.1.1",
        "scram-sha-512",
    )
    assert args.brokers == KafkaNodePoolArgs(
        replicas=3, storage_size="100Gi", storage_class="gp3", cpu_request="2", memory_request="8Gi"
    )
    # Controllers take every default: three, 10Gi, 500m and 2Gi.
    assert args.controllers == KafkaNodePoolArgs(
        replicas=3, storage_size="10Gi", cpu_request="500m", memory_request="2Gi"
    )
    assert args.topics == (
        KafkaTopicArgs(
            name="agent.tasks",
            partitions=12,
            replicas=3,
            min_insync_replicas=2,
            retention_ms=3 * 86_400_000,
        ),
        KafkaTopicArgs(
            name="agent.results",
            partitions=3,
            replicas=3,
            min_insync_replicas=2,
            retention_ms=7 * 86_400_000,
        ),
    )
    backend, workers = args.users
    assert backend.pod_labels == {"app.kubernetes.io/name": "backend"}
    assert backend.acls[0] == KafkaAcl(
        resource_type="topic", name="agent.tasks", operations=("Write", "Describe")
    )
    assert workers.acls[2] == KafkaAcl(
        resource_type="group", name="workers-", pattern_type="prefix", operations=("Read",)
    )
    assert backend.password_secret is None
    assert (args.install_operator, args.allow_data_loss) == (True, False)


def test_one_broker_caps_the_default_replication_factor(tmp_path: Path) -> None:
    args = events_args(load(tmp_path, DEV))
    assert args is not None
    assert (args.brokers.replicas, args.controllers.replicas) == (1, 1)
    assert [(t.replicas, t.min_insync_replicas) for t in args.topics] == [(1, 1), (1, 1)]
    assert args.replication_factor == 1


def test_replication_factor_3_on_1_broker_fails(tmp_path: Path) -> None:
    text = DEV.replace("        partitions: 12\n", "        partitions: 12\n        replicas: 3\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 3')}: spec.events.topics[0].replicas: replication factor 3 "
        "needs 3 brokers but the cluster has 1; lower `replicas` or add brokers"
    ]


def test_min_insync_must_stay_below_the_replication_factor(tmp_path: Path) -> None:
    text = BASE.replace(
        "        retention: 3d\n", "        retention: 3d\n        minInSyncReplicas: 3\n"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'minInSyncReplicas: 3')}: spec.events.topics[0].minInSyncReplicas: "
        "minInSyncReplicas 3 must be below the replication factor 3, or a single broker down "
        "stops every producer with acks=all; use 2"
    ]


def test_an_even_controller_quorum(tmp_path: Path) -> None:
    text = BASE.replace("    topics:\n", "    controllers: {replicas: 2}\n    topics:\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'replicas: 2')}: spec.events.controllers.replicas: KRaft controllers form "
        "a majority quorum, so their number must be odd (1, 3 or 5), got 2"
    ]


def test_zero_partitions_and_a_bad_retention(tmp_path: Path) -> None:
    text = BASE.replace("partitions: 12", "partitions: 0").replace(
        "retention: 3d", "retention: 3 days"
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'partitions: 0')}: spec.events.topics[0].partitions: partitions must be at "
        "least 1, got 0",
        f"{at(text, 'retention: 3 days')}: spec.events.topics[0].retention: `3 days` is not a "
        "retention; use a number and ms, s, m, h, d or w, e.g. `7d`, or `forever`",
    ]


def test_topic_names_kafka_refuses(tmp_path: Path) -> None:
    text = BASE.replace("name: agent.tasks\n", "name: agent tasks\n").replace(
        "name: agent.results\n", "name: __consumer_offsets\n"
    )
    found = problems(tmp_path, text)
    assert found[0] == (
        f"{at(text, 'name: agent tasks')}: spec.events.topics[0].name: topic name `agent tasks` "
        "may only hold letters, digits, `.`, `_` and `-`"
    )
    assert found[1] == (
        f"{at(text, 'name: __consumer_offsets')}: spec.events.topics[1].name: topic name "
        "`__consumer_offsets` starts with `__`, which Kafka keeps for internal topics"
    )


def test_topics_that_collide_in_kafka(tmp_path: Path) -> None:
    text = BASE.replace("      - name: agent.results\n", "      - name: agent_tasks\n")
    found = problems(tmp_path, text)
    assert found[0] == (
        f"{at(text, 'name: agent_tasks')}: spec.events.topics[1].name: topic `agent_tasks` "
        "collides with `agent.tasks` (Kafka reads `.` and `_` as the same); rename one"
    )


def test_an_acl_on_an_undeclared_topic(tmp_path: Path) -> None:
    text = BASE.replace(
        "{type: topic, name: agent.results, operations: [Read, Describe]}",
        "{type: topic, name: agent.result, operations: [Read, Describe]}",
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: agent.result,')}: spec.events.users[0].acls[1].name: no topic named "
        "`agent.result` (did you mean `agent.results`?); declare it in `spec.events.topics` or "
        "use `patternType: prefix` (declared: `agent.tasks`, `agent.results`)"
    ]


def test_a_prefix_acl_need_not_name_a_declared_topic(tmp_path: Path) -> None:
    text = BASE.replace(
        "{type: topic, name: agent.results, operations: [Read, Describe]}",
        "{type: topic, name: agent., patternType: prefix, operations: [Read, Describe]}",
    )
    assert events_args(load(tmp_path, text)) is not None


def test_user_names_and_duplicates(tmp_path: Path) -> None:
    text = BASE.replace("name: workers\n", "name: backend\n").replace(
        "name: backend\n", "name: Backend_API\n", 1
    )
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: Backend_API')}: spec.events.users[0].name: user name `Backend_API` "
        "must be a DNS-1123 label: at most 63 lowercase letters, digits and `-`, starting and "
        "ending with a letter or digit",
    ]
    text = BASE.replace("name: workers\n", "name: backend\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'name: backend', 3)}: spec.events.users[1].name: user `backend` is "
        "declared twice; remove one"
    ]


def test_storage_sizes_must_be_quantities(tmp_path: Path) -> None:
    text = BASE.replace("size: 100Gi", "size: 100GB")
    assert problems(tmp_path, text) == [
        f"{at(text, 'size: 100GB')}: spec.events.brokers.storage.size: `100GB` is not a storage "
        "quantity; use a whole number of Mi, Gi or Ti, e.g. `100Gi`"
    ]


def test_a_cluster_without_users_admits_nobody_so_it_is_refused(tmp_path: Path) -> None:
    text = BASE[: BASE.index("    users:")]
    [problem] = problems(tmp_path, text)
    assert problem.endswith(
        "spec.events.users: declare at least one user (or bind an app to `events`): only their "
        "pods are admitted to the listener, and Strimzi admits every pod when none is named"
    )


def test_a_password_secret_needs_scram(tmp_path: Path) -> None:
    text = BASE.replace(
        "        podLabels: {app.kubernetes.io/name: workers}\n",
        "        podLabels: {app.kubernetes.io/name: workers}\n"
        "        passwordSecret: {name: workers-pass, key: password}\n",
    )
    args = events_args(load(tmp_path, text))
    assert args is not None
    assert args.users[1].password_secret == PasswordSecretRef(name="workers-pass", key="password")
    text = text.replace("    brokers:\n", "    authentication: tls\n    brokers:\n")
    assert problems(tmp_path, text) == [
        f"{at(text, 'passwordSecret:')}: spec.events.users[1].passwordSecret: a password needs "
        "`authentication: scram-sha-512`; mutual TLS users get certificates"
    ]


def test_an_unknown_key_is_a_typo(tmp_path: Path) -> None:
    text = BASE.replace("partitions: 12", "partition: 12")
    [problem] = problems(tmp_path, text)
    assert problem.startswith(f"{at(text, 'partition: 12')}: spec.events.topics[0].partition:")
    assert "did you mean `partitions`?" in problem


def test_the_cost_estimate_counts_broker_and_controller_volumes(tmp_path: Path) -> None:
    volumes = data_volumes(load(tmp_path, BASE))
    assert ("kafka", 3, 100.0) in volumes
    assert ("kafka-controller", 3, 10.0) in volumes
