"""`summarize`: blueprint changes in plain words."""

from __future__ import annotations

from pathlib import Path

from shipyard.blueprint import Platform, load_blueprint
from shipyard.gitops.blueprint_summary import summarize

DEV = Path(__file__).resolve().parent.parent.parent / "blueprints" / "dev.yaml"


def load(tmp_path: Path, text: str) -> Platform:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text, encoding="utf-8")
    return load_blueprint(path)


def test_models_pools_gateway_and_ray_changes_in_plain_words(tmp_path: Path) -> None:
    base_text = DEV.read_text()
    head_text = (
        base_text.replace(
            "      replicas: 1\n      maxModelLen", "      replicas: 2\n      maxModelLen"
        )
        .replace("        max: 3\n", "        max: 4\n")
        .replace("  gateway:\n    replicas: 1\n", "  gateway:\n    replicas: 1\n    retries: 3\n")
        .replace("    idleTimeoutSeconds: 300\n", "")
        .replace("namespace: llm-dev", "namespace: llm-dev2")
    )
    assert summarize(load(tmp_path, base_text), load(tmp_path, head_text)) == [
        "platform: spec.namespace llm-dev -> llm-dev2",
        "node pool `gpu-small`: size.max 3 -> 4",
        "model `qwen-small`: replicas 1 -> 2",
        "gateway: retries 2 -> 3",
        "Ray: idleTimeoutSeconds 300 -> 60",
    ]


def test_added_and_removed_models(tmp_path: Path) -> None:
    base = load(tmp_path, DEV.read_text())
    head_text = (
        DEV.read_text()
        .replace("name: qwen-small", "name: qwen-tiny")
        .replace("model: qwen-small", "model: qwen-tiny")
        .replace("- model: qwen-small", "- model: qwen-tiny")
    )
    head = load(tmp_path, head_text)
    assert summarize(base, head) == [
        "model `qwen-tiny` added (`Qwen/Qwen2.5-0.5B-Instruct` on pool `gpu-small`, 1 replica)",
        "model `qwen-small` removed",
        "gateway route `qwen-tiny` added",
        "gateway route `qwen-small` removed",
    ]
    assert summarize(None, head) == ["new stack: 1 node pool(s), 1 model(s)"]
    assert summarize(base, base) == []


def test_data_services_in_plain_words(tmp_path: Path) -> None:
    prod = DEV.parent / "prod.yaml"
    base_text = prod.read_text()
    head_text = (
        base_text.replace(
            "      replicas: 3\n      storage: {size: 100Gi",
            "      replicas: 4\n      storage: {size: 100Gi",
        )
        .replace(
            "      - {name: inference.results, retention: 7d}\n",
            "      - {name: inference.results, retention: 7d}\n"
            "      - {name: audit, partitions: 1}\n",
        )
        .replace("    retentionDays: 90\n", "    retentionDays: 30\n")
        .replace("    instances: 3\n", "    instances: 2\n")
    )
    base, head = load(tmp_path, base_text), load(tmp_path, head_text)
    assert summarize(base, head) == [
        "Postgres: instances 3 -> 2",
        "ClickHouse: retentionDays 90 -> 30",
        "Kafka: brokers.replicas 3 -> 4",
        "Kafka topic `audit` added",
    ]
