"""The example blueprints under `blueprints/examples/`, one per reference architecture in our
field: each validates, says what it reproduces, renders offline and passes the policy pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipyard.blueprint import load_blueprint
from shipyard.policy.offline import blueprint_estimate
from shipyard.policy.rules import rules_with_estimate
from shipyard.policy.runner import evaluate, resources_from_render
from shipyard.render import render_blueprint

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "blueprints" / "examples"

# The component types each example must produce: what makes it that platform.
EXPECTED_COMPONENTS = {
    "kubeagi": {
        "shipyard:serving:AiGateway",
        "shipyard:serving:VllmService",
        "shipyard:compute:RayCluster",
        "shipyard:data:Postgres",
        "shipyard:data:Minio",
    },
    "agiflow": {"shipyard:serving:AiGateway", "shipyard:data:Postgres", "shipyard:data:Kafka"},
    "portkey": {
        "shipyard:serving:AiGateway",
        "shipyard:data:Postgres",
        "shipyard:data:ClickHouse",
        "shipyard:aws:S3Bucket",
    },
    "kamiwaza": {"shipyard:serving:AiGateway", "shipyard:compute:RayCluster"},
    "ai-deployment-platform": {
        "shipyard:serving:VllmService",
        "shipyard:data:Postgres",
        "shipyard:data:Minio",
    },
}


def test_one_example_per_reference_architecture() -> None:
    assert sorted(path.stem for path in EXAMPLES.glob("*.yaml")) == sorted(EXPECTED_COMPONENTS)


@pytest.mark.parametrize("name", sorted(EXPECTED_COMPONENTS))
def test_example_says_what_it_reproduces(name: str) -> None:
    lines = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../schema.json"
    assert lines[1].startswith("# Reproduces ")
    assert lines[2].startswith("# ") and not lines[2].startswith("# Left out")
    assert lines[3].startswith("# Left out")


@pytest.mark.parametrize("name", sorted(EXPECTED_COMPONENTS))
def test_example_validates_renders_and_passes_policies(name: str) -> None:
    path = EXAMPLES / f"{name}.yaml"
    platform = load_blueprint(path)
    assert platform.metadata.labels["reference"] == name
    rendered = render_blueprint(path, ROOT, platform.metadata.environment)
    assert EXPECTED_COMPONENTS[name] <= {resource.type for resource in rendered}
    rules = rules_with_estimate(blueprint_estimate(platform))
    findings = evaluate(resources_from_render(rendered), None, rules, stack="example")
    assert [finding for finding in findings if finding.mandatory] == []
