"""The Strimzi custom resources a Kafka blueprint renders, against Strimzi's real v1 CRDs
(`scripts/operator-crds strimzi`: the `tests` jar of io.strimzi:api on Maven Central, at
the operator's version; closed to unknown fields by `crd_schemas`)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from components.kafka.args import STRIMZI_VERSION, topic_resource_name
from components.kafka.manifests import render_kafka_exporter
from shipyard.render import render_blueprint
from tests.components.crd_schemas import Schemas, crd_paths, load_schemas, validate

ROOT = Path(__file__).resolve().parents[3]
NEEDED_CRDS = {
    "040-Crd-kafka.yaml",
    "043-Crd-kafkatopic.yaml",
    "044-Crd-kafkauser.yaml",
    "045-Crd-kafkanodepool.yaml",
}
BLUEPRINT = """\
apiVersion: shipyard.dev/v1alpha1
kind: Platform
metadata: {name: agiflow, environment: prod}
spec:
  cluster: {kind: local}
  events:
    brokers:
      storage: {size: 100Gi, storageClass: gp3}
    topics:
      - name: agent.tasks
        partitions: 12
      - name: Agent_Audit
        retention: forever
    users:
      - name: backend
        podLabels: {app.kubernetes.io/name: backend}
        passwordSecret: {name: backend-password, key: password}
        acls:
          - {type: topic, name: agent.tasks, operations: [Write, Describe]}
      - name: workers
        podLabels: {app.kubernetes.io/name: workers}
        acls:
          - {type: topic, name: agent.tasks, operations: [Read, Describe]}
          - {type: group, name: workers-, patternType: prefix, operations: [Read]}
"""


@pytest.fixture(scope="module")
def crd_schemas() -> Schemas:
    paths = crd_paths("strimzi")
    # The same release the component's chart installs.
    assert paths and all(f"strimzi-{STRIMZI_VERSION}/" in str(path) for path in paths)
    return load_schemas(paths, NEEDED_CRDS)


@pytest.fixture(scope="module")
def strimzi_resources(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    path = tmp_path_factory.mktemp("kafka") / "events.yaml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    resources = render_blueprint(path, ROOT, stack="dev")
    return [r.manifest() for r in resources if r.type.startswith("kubernetes:kafka.strimzi.io/")]


def test_the_blueprint_renders_a_cluster_two_pools_two_topics_two_users(
    strimzi_resources: list[dict[str, Any]],
) -> None:
    assert sorted((m["kind"], m["metadata"]["name"]) for m in strimzi_resources) == [
        ("Kafka", "events"),
        ("KafkaNodePool", "broker"),
        ("KafkaNodePool", "controller"),
        ("KafkaTopic", topic_resource_name("Agent_Audit")),
        ("KafkaTopic", "agent.tasks"),
        ("KafkaUser", "backend"),
        ("KafkaUser", "workers"),
    ]


def test_each_validates_against_the_crd(
    strimzi_resources: list[dict[str, Any]], crd_schemas: Schemas
) -> None:
    for manifest in strimzi_resources:
        validate(manifest, crd_schemas)


def test_the_crd_check_catches_mistakes(
    strimzi_resources: list[dict[str, Any]], crd_schemas: Schemas
) -> None:
    kinds = {m["kind"]: m for m in strimzi_resources}
    kafka = copy.deepcopy(kinds["Kafka"])
    kafka["spec"]["kafka"]["listeners"][0]["authentication"]["type"] = "scram-sha-256"
    with pytest.raises(jsonschema.ValidationError, match="'scram-sha-256' is not one of"):
        validate(kafka, crd_schemas)
    kafka = copy.deepcopy(kinds["Kafka"])
    # v1 has no `replicas` on the Kafka CR: node pools hold them.
    kafka["spec"]["kafka"]["replicas"] = 3
    with pytest.raises(jsonschema.ValidationError, match="'replicas' was unexpected"):
        validate(kafka, crd_schemas)
    user = copy.deepcopy(kinds["KafkaUser"])
    user["spec"]["authorization"]["acls"][0]["operation"] = "Read"
    with pytest.raises(jsonschema.ValidationError, match="'operation' was unexpected"):
        validate(user, crd_schemas)
    pool = copy.deepcopy(kinds["KafkaNodePool"])
    pool["spec"]["roles"] = ["zookeeper"]
    with pytest.raises(jsonschema.ValidationError, match="'zookeeper' is not one of"):
        validate(pool, crd_schemas)


def test_the_kafka_exporter_validates_against_the_crd(
    strimzi_resources: list[dict[str, Any]], crd_schemas: Schemas
) -> None:
    """With `kafka_exporter` (what `spec.monitoring` turns on) the Kafka CR carries a
    restricted Kafka Exporter for every topic and group, still valid for Strimzi."""
    kafka = copy.deepcopy(next(m for m in strimzi_resources if m["kind"] == "Kafka"))
    assert "kafkaExporter" not in kafka["spec"]
    kafka["spec"]["kafkaExporter"] = render_kafka_exporter()
    validate(kafka, crd_schemas)
    assert kafka["spec"]["kafkaExporter"]["template"]["container"]["securityContext"] == {
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }
