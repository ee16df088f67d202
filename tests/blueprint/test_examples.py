"""The example blueprints under `blueprints/examples/`, one per reference architecture in our
field: each validates, says what it reproduces, renders offline and passes the policy pack."""

from __future__ import annotations

import json
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
        "shipyard:aws:ManagedCache",
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
    assert lines[1].startswith("# Reproduces ") and " whole" in lines[1]
    header = " ".join(line for line in lines[1:6] if line.startswith("# "))
    # Nothing is left out: what has no Kubernetes meaning is named as such.
    assert "No Kubernetes meaning: " in header
    assert "Left out" not in header
    assert "docs/reference-platforms.md" in header


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


BLUEPRINTS = sorted([*EXAMPLES.glob("*.yaml"), *(ROOT / "blueprints").glob("*.yaml")])


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
def test_every_gateway_with_limits_and_replicas_shares_them_in_the_cache(path: Path) -> None:
    gateway = load_blueprint(path).spec.gateway
    platform = load_blueprint(path)
    if gateway is None:
        return
    limits = [route.limits for route in gateway.routes if route.limits] + [
        model.limits for model in gateway.hosted_models if model.limits
    ]
    if gateway.key_limits is not None:
        limits.append(gateway.key_limits)
        assert gateway.virtual_keys is not None, "key limits need a key store"
    if limits and gateway.replicas * gateway.workers > 1:
        assert platform.spec.cache is not None


def test_portkey_routes_to_private_and_hosted_models_caches_and_logs_to_its_bucket() -> None:
    platform = load_blueprint(EXAMPLES / "portkey.yaml")
    gateway = platform.spec.gateway
    assert gateway is not None and platform.spec.cache is not None
    [hosted] = gateway.hosted_models
    assert (hosted.provider, hosted.model) == ("openai", "gpt-4o-mini")
    [route] = gateway.routes
    assert route.model == "mistral-7b" and route.fallbacks == [hosted.name]
    assert gateway.request_logs is not None
    assert platform.spec.object_store is not None
    assert gateway.request_logs.bucket == platform.spec.object_store.bucket  # type: ignore[union-attr]
    objects = {
        r.manifest()["kind"] + "/" + r.name: r.manifest()
        for r in render_blueprint(EXAMPLES / "portkey.yaml", ROOT, stack="portkey")
        if r.is_kubernetes_object
    }
    policy = objects["NetworkPolicy/ai-gateway"]["spec"]
    public = policy["egress"][-1]
    assert public["ports"] == [{"port": 443, "protocol": "TCP"}]
    assert "10.0.0.0/8" in public["to"][0]["ipBlock"]["except"]
    config = json.loads(objects["ConfigMap/ai-gateway-config"]["data"]["config.yaml"])
    assert config["router_settings"]["fallbacks"] == [{"mistral-7b-instruct": ["gpt-4o-mini"]}]
    assert config["router_settings"]["redis_host"] == "os.environ/CACHE_HOST"
    logs = config["litellm_settings"]["s3_callback_params"]
    assert logs["s3_bucket_name"] == "acme-portkey-raw-logs"
    assert [entry["model_name"] for entry in config["model_list"]] == [
        "mistral-7b-instruct",
        "gpt-4o-mini",
    ]
