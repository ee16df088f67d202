"""The offline runner: rendered resources in, findings out; the example blueprints comply."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_fixtures import deployment, resource

from shipyard.blueprint import load_blueprint
from shipyard.cost import estimate_platform
from shipyard.policy import RULES, Finding, evaluate, resources_from_render
from shipyard.policy.config import parse_policy_config
from shipyard.policy.offline import blueprint_findings
from shipyard.render import RenderedResource, render_blueprint
from shipyard.sections.models.placements import placements

ROOT = Path(__file__).resolve().parents[2]
NETWORK_POLICY = resource(
    "kubernetes:networking.k8s.io/v1:NetworkPolicy", "np", {"metadata": {"namespace": "llm"}}
)


def test_every_rule_is_kebab_case_and_described_as_requires_or_prohibits() -> None:
    for rule in RULES:
        assert rule.name.replace("-", "").isalnum() and rule.name == rule.name.lower(), rule.name
        assert rule.description.startswith(("Requires ", "Prohibits ")), rule.name
    assert len({rule.name for rule in RULES}) == len(RULES)


def test_findings_name_policy_level_resource_and_message() -> None:
    latest = deployment({"image": "web:latest"})
    # Tag-only images are also a digest advisory; this test is about the mandatory one.
    no_digests = parse_policy_config({"images-pinned-by-digest": "disabled"})
    findings = evaluate([latest, NETWORK_POLICY], no_digests)
    assert findings == [
        Finding(
            policy="pinned-images",
            level="mandatory",
            resource_type="kubernetes:apps/v1:Deployment",
            resource_name="web",
            message='spec.template.spec.containers[0].image "web:latest" uses the `latest` tag; '
            "pin a version tag or a digest.",
        )
    ]
    assert findings[0].render("blueprints/x.yaml") == (
        "blueprints/x.yaml: pinned-images (mandatory): kubernetes:apps/v1:Deployment web: "
        'spec.template.spec.containers[0].image "web:latest" uses the `latest` tag; '
        "pin a version tag or a digest."
    )


def test_disabled_rules_are_skipped_and_stack_findings_name_the_stack() -> None:
    settings = parse_policy_config(
        {
            "pinned-images": "disabled",
            "images-pinned-by-digest": "disabled",
            "monthly-cost-within-budget": {"monthlyBudgetUsd": 100},
        }
    )
    findings = evaluate(
        [deployment({"image": "web:latest"}), NETWORK_POLICY], settings, stack="dev"
    )
    assert [(f.policy, f.level, f.resource_type, f.resource_name) for f in findings] == [
        ("monthly-cost-within-budget", "advisory", "pulumi:pulumi:Stack", "dev")
    ]


def test_mandatory_findings_come_before_advisory_ones() -> None:
    settings = parse_policy_config({"monthly-cost-within-budget": {"monthlyBudgetUsd": 1}})
    findings = evaluate([deployment({"image": "web:latest"})], settings)
    assert [(f.policy, f.level) for f in findings] == [
        ("pinned-images", "mandatory"),
        ("namespaces-have-network-policies", "mandatory"),
        ("monthly-cost-within-budget", "advisory"),
    ]


def test_render_records_protect_and_property_dependencies() -> None:
    rendered = RenderedResource(
        urn="urn:b",
        type="aws:s3/bucket:Bucket",
        name="b",
        parent=None,
        inputs={},
        protect=True,
        property_dependencies={"bucket": ("urn:a",)},
    )
    [converted] = resources_from_render([rendered])
    assert (converted.protect, converted.property_dependencies) == (True, {"bucket": ("urn:a",)})


DIGEST_RULE = "images-pinned-by-digest"


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_example_blueprints_pass_every_policy(name: str) -> None:
    blueprint = ROOT / "blueprints" / f"{name}.yaml"
    findings = blueprint_findings(blueprint, load_blueprint(blueprint), ROOT)
    assert findings == []


def test_the_digest_rule_turned_on_for_prod_reports_every_tag_only_image() -> None:
    blueprint = ROOT / "blueprints" / "prod.yaml"
    settings = parse_policy_config({DIGEST_RULE: "mandatory"})
    findings = blueprint_findings(blueprint, load_blueprint(blueprint), ROOT, settings)
    assert findings and {(f.policy, f.level) for f in findings} == {(DIGEST_RULE, "mandatory")}


def test_prod_renders_cache_claims_that_the_stateful_rule_accepts() -> None:
    blueprint = ROOT / "blueprints" / "prod.yaml"
    rendered = render_blueprint(blueprint, ROOT, "prod")
    claims = [r for r in rendered if r.type == "kubernetes:core/v1:PersistentVolumeClaim"]
    found = sorted(
        (c.name, c.protect, c.inputs["metadata"]["labels"]["shipyard.dev/data"]) for c in claims
    )
    cached = [
        placement.name
        for index, model in enumerate(load_blueprint(blueprint).spec.models)
        if model.cache
        for placement in placements(index, model)
    ]
    assert len(cached) >= 2
    assert found == [(name, False, "cache") for name in sorted(cached)]


def test_prod_renders_a_protected_bucket_that_the_s3_rules_accept() -> None:
    blueprint = ROOT / "blueprints" / "prod.yaml"
    store = load_blueprint(blueprint).spec.object_store
    assert store is not None and store.provider == "s3" and not store.allow_data_loss
    rendered = render_blueprint(blueprint, ROOT, "prod")
    [bucket] = [r for r in rendered if r.type == "aws:s3/bucket:Bucket"]
    assert (bucket.inputs["bucket"], bucket.protect) == (store.bucket, True)
    findings = evaluate(resources_from_render(rendered), stack="prod")
    assert [f for f in findings if f.policy.startswith(("s3-", "stateful-"))] == []


def test_offline_budget_checks_the_blueprint_estimate() -> None:
    blueprint = ROOT / "blueprints" / "prod.yaml"
    platform = load_blueprint(blueprint)
    settings = parse_policy_config({"monthly-cost-within-budget": {"monthlyBudgetUsd": 1000}})
    findings = blueprint_findings(blueprint, platform, ROOT, settings)
    desired = estimate_platform(platform).total.desired
    assert [f for f in findings if f.policy != DIGEST_RULE] == [
        Finding(
            policy="monthly-cost-within-budget",
            level="advisory",
            resource_type="pulumi:pulumi:Stack",
            resource_name="prod",
            message=f"the estimated monthly cost at desired sizes is {desired:,.2f} USD, over "
            "monthlyBudgetUsd of 1,000.00 USD; run `shipyard cost` for the breakdown.",
        )
    ]
