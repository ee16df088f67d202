"""S3, deletion protection and budget rules: violating and compliant cases, exact messages."""

from __future__ import annotations

from typing import Any

from policy_fixtures import resource, violations

from components.vllm.manifests import CACHE_DATA_LABELS
from shipyard.policy import RULES
from shipyard.policy.model import Rule
from shipyard.policy.rules import rules_with_estimate
from shipyard.policy.rules_data import CACHE, DATA_LABEL, CostEstimate

BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
ALL_BLOCKED = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


def bucket(**props: Any) -> Any:
    return resource(BUCKET, "models", props, protect=True)


def from_bucket(type_: str, name: str, props: dict[str, Any]) -> Any:
    """A companion whose `bucket` input is the bucket's id: known only by its dependency."""
    deps = {"bucket": [bucket().urn]}
    return resource(type_, name, {"bucket": "04da6b54", **props}, property_dependencies=deps)


# --- s3-buckets-encrypted ------------------------------------------------------------------


def test_bucket_without_encryption() -> None:
    assert violations("s3-buckets-encrypted", bucket()) == [
        "serverSideEncryptionConfiguration is not set on the bucket and no "
        "BucketServerSideEncryptionConfiguration refers to it; add one with AES256 or aws:kms."
    ]


def test_bucket_encrypted_by_a_companion_resource_or_inline() -> None:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}
    companion = from_bucket(ENCRYPTION, "models-sse", {"rules": [rule]})
    assert violations("s3-buckets-encrypted", bucket(), companion) == []
    inline = bucket(serverSideEncryptionConfiguration={"rule": rule})
    assert violations("s3-buckets-encrypted", inline) == []


def test_companion_found_by_the_literal_bucket_name() -> None:
    named = bucket(bucket="acme-models")
    companion = resource(ENCRYPTION, "sse", {"bucket": "acme-models", "rules": []})
    assert violations("s3-buckets-encrypted", named, companion) == []


# --- s3-buckets-block-public-access -----------------------------------------------------------


def test_bucket_without_public_access_block() -> None:
    assert violations("s3-buckets-block-public-access", bucket()) == [
        "no BucketPublicAccessBlock refers to the bucket; add one with blockPublicAcls, "
        "blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true."
    ]


def test_public_access_block_with_a_flag_off() -> None:
    block = from_bucket(BLOCK, "models-block", {**ALL_BLOCKED, "blockPublicPolicy": False})
    assert violations("s3-buckets-block-public-access", bucket(), block) == [
        'BucketPublicAccessBlock "models-block" does not set blockPublicPolicy to true.'
    ]


def test_public_access_fully_blocked_passes() -> None:
    block = from_bucket(BLOCK, "models-block", ALL_BLOCKED)
    assert violations("s3-buckets-block-public-access", bucket(), block) == []


# --- stateful-resources-protected ------------------------------------------------------------

UNPROTECTED = (
    "the resource option protect is not set on a resource that holds data; protect it, mark "
    "re-creatable data with shipyard.dev/data: cache, or set allowDataLoss for this stack."
)


def claim(protect: bool = False, labels: dict[str, str] | None = None) -> Any:
    return resource(PVC, "data", {"metadata": {"labels": labels or {}}}, protect=protect)


def test_unprotected_claim_and_bucket() -> None:
    unprotected_bucket = resource(BUCKET, "b", {})
    assert violations("stateful-resources-protected", claim(), unprotected_bucket) == [
        UNPROTECTED,
        UNPROTECTED,
    ]


def test_protected_or_cache_or_data_loss_allowed_passes() -> None:
    assert violations("stateful-resources-protected", claim(protect=True)) == []
    assert violations("stateful-resources-protected", claim(labels={DATA_LABEL: CACHE})) == []
    cache_bucket = resource(BUCKET, "b", {"tags": {DATA_LABEL: CACHE}})
    assert violations("stateful-resources-protected", cache_bucket) == []
    assert violations("stateful-resources-protected", claim(), allowDataLoss=True) == []


def test_a_stateful_set_with_claims_holds_data() -> None:
    claims = {"spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}}]}}
    store = resource("kubernetes:apps/v1:StatefulSet", "minio", claims)
    assert violations("stateful-resources-protected", store) == [UNPROTECTED]
    protected = resource("kubernetes:apps/v1:StatefulSet", "minio", claims, protect=True)
    assert violations("stateful-resources-protected", protected) == []
    stateless = resource("kubernetes:apps/v1:StatefulSet", "web", {"spec": {}})
    assert violations("stateful-resources-protected", stateless) == []


def test_database_custom_resources_are_stateful() -> None:
    cluster = resource("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg", {})
    assert violations("stateful-resources-protected", cluster) == [UNPROTECTED]


def test_the_vllm_cache_claim_carries_the_cache_label() -> None:
    assert CACHE_DATA_LABELS == {DATA_LABEL: CACHE}


# --- monthly-cost-within-budget ----------------------------------------------------------------


def test_no_budget_means_nothing_to_check() -> None:
    assert violations("monthly-cost-within-budget", claim()) == []


def test_without_an_estimate_the_engine_says_honestly_it_did_not_check() -> None:
    # Under `pulumi preview --policy-pack` the rule sees resources, not the blueprint.
    assert violations("monthly-cost-within-budget", claim(), monthlyBudgetUsd=5000) == [
        "monthlyBudgetUsd is 5000 USD but no cost estimate is available yet, so the stack's "
        "monthly cost was not checked against it."
    ]


def with_estimate(desired: float, *unpriced: str) -> Rule:
    [rule] = [
        r
        for r in rules_with_estimate(CostEstimate(desired, unpriced))
        if r.name == "monthly-cost-within-budget"
    ]
    return rule


def test_over_budget_names_the_estimate_and_the_budget() -> None:
    rule = with_estimate(6543.21)
    assert [m for _, m in rule.evaluate([claim()], {"monthlyBudgetUsd": 5000})] == [
        "the estimated monthly cost at desired sizes is 6,543.21 USD, over monthlyBudgetUsd of "
        "5,000.00 USD; run `shipyard cost` for the breakdown."
    ]


def test_over_budget_says_which_pools_are_not_priced() -> None:
    rule = with_estimate(6000, "h200", "bare")
    assert [m for _, m in rule.evaluate([claim()], {"monthlyBudgetUsd": 5000})] == [
        "the estimated monthly cost at desired sizes is 6,000.00 USD (without unpriced pool(s) "
        "h200, bare), over monthlyBudgetUsd of 5,000.00 USD; run `shipyard cost` for the "
        "breakdown."
    ]


def test_within_budget_or_no_budget_with_an_estimate() -> None:
    rule = with_estimate(5000)
    assert rule.evaluate([claim()], {"monthlyBudgetUsd": 5000}) == []
    assert rule.evaluate([claim()], {}) == []


def test_the_estimate_keeps_the_rule_advisory_and_leaves_the_others_alone() -> None:
    rules = rules_with_estimate(CostEstimate(1.0))
    assert [r.name for r in rules] == [r.name for r in RULES]
    assert with_estimate(1.0).enforcement_level == "advisory"
    assert [r for r in rules if r.name != "monthly-cost-within-budget"] == [
        r for r in RULES if r.name != "monthly-cost-within-budget"
    ]
