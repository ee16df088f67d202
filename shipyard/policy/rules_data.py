"""Rules over data and money: S3 buckets, deletion protection, the monthly budget."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shipyard.policy.model import PolicyConfig, Resource, Violation
from shipyard.policy.props import labels_of, mapping

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
ENCRYPTION_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
PUBLIC_ACCESS_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
STATEFUL_TYPES = frozenset(
    {
        "kubernetes:core/v1:PersistentVolumeClaim",
        "kubernetes:postgresql.cnpg.io/v1:Cluster",
        "kubernetes:kafka.strimzi.io/v1beta2:Kafka",
        "kubernetes:kafka.strimzi.io/v1:Kafka",
        "kubernetes:kafka.strimzi.io/v1:KafkaNodePool",
        # Deleting a KafkaTopic deletes the topic and its messages.
        "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
        "kubernetes:clickhouse.altinity.com/v1:ClickHouseInstallation",
        "kubernetes:clickhouse-keeper.altinity.com/v1:ClickHouseKeeperInstallation",
        "kubernetes:minio.min.io/v2:Tenant",
        *BUCKET_TYPES,
        "aws:rds/cluster:Cluster",
        "aws:rds/instance:Instance",
        "aws:msk/cluster:Cluster",
    }
)
DATA_LABEL = "shipyard.dev/data"
"""`shipyard.dev/data: cache` (a Kubernetes label or an AWS tag) marks re-creatable data."""
CACHE = "cache"


def _refers_to(companion: Resource, bucket: Resource) -> bool:
    """Whether `companion.bucket` came from `bucket`: by dependency, or by the same literal name."""
    if bucket.urn and bucket.urn in companion.property_dependencies.get("bucket", ()):
        return True
    name = companion.props.get("bucket")
    return isinstance(name, str) and name in (bucket.props.get("bucket"), bucket.props.get("id"))


def _companions(resources: Sequence[Resource], types: Sequence[str]) -> list[Resource]:
    return [r for r in resources if r.type in types]


def s3_buckets_encrypted(resources: Sequence[Resource], config: PolicyConfig) -> list[Violation]:
    configs = _companions(resources, ENCRYPTION_TYPES)
    return [
        Violation(
            "serverSideEncryptionConfiguration is not set on the bucket and no "
            "BucketServerSideEncryptionConfiguration refers to it; add one with AES256 or aws:kms.",
            bucket.urn,
        )
        for bucket in resources
        if bucket.type in BUCKET_TYPES
        and not bucket.props.get("serverSideEncryptionConfiguration")
        and not any(_refers_to(c, bucket) for c in configs)
    ]


def s3_buckets_block_public_access(
    resources: Sequence[Resource], config: PolicyConfig
) -> list[Violation]:
    blocks = _companions(resources, (PUBLIC_ACCESS_BLOCK,))
    violations = []
    for bucket in (r for r in resources if r.type in BUCKET_TYPES):
        mine = [block for block in blocks if _refers_to(block, bucket)]
        if not mine:
            violations.append(
                Violation(
                    "no BucketPublicAccessBlock refers to the bucket; add one with "
                    f"{', '.join(PUBLIC_ACCESS_FLAGS)} all true.",
                    bucket.urn,
                )
            )
        for block in mine:
            violations += [
                Violation(
                    f'BucketPublicAccessBlock "{block.name}" does not set {flag} to true.',
                    block.urn,
                )
                for flag in PUBLIC_ACCESS_FLAGS
                if block.props.get(flag) is not True
            ]
    return violations


def _marked_cache(props: Mapping[str, Any]) -> bool:
    return CACHE in (labels_of(props).get(DATA_LABEL), mapping(props.get("tags")).get(DATA_LABEL))


STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"


def holds_data(resource: Resource) -> bool:
    """A data service's resource, or a StatefulSet with volume claim templates (its claims
    outlive it, but replacing it re-creates them under the new owner's policy)."""
    if resource.type in STATEFUL_TYPES:
        return True
    spec = mapping(resource.props.get("spec"))
    return resource.type == STATEFUL_SET and bool(spec.get("volumeClaimTemplates"))


def stateful_resources_protected(resource: Resource, config: PolicyConfig) -> list[str]:
    if not holds_data(resource) or resource.protect:
        return []
    if config.get("allowDataLoss") is True or _marked_cache(resource.props):
        return []
    return [
        "the resource option protect is not set on a resource that holds data; protect it, "
        f"mark re-creatable data with {DATA_LABEL}: {CACHE}, or set allowDataLoss for this stack."
    ]


@dataclass(frozen=True)
class CostEstimate:
    """A blueprint's monthly estimate at desired sizes (`shipyard.cost`), as the budget rule
    sees it. The offline runner has one; the engine's pack does not."""

    desired_usd: float
    unpriced: tuple[str, ...] = ()
    """Pools the estimate leaves out: no instance type, or no list price."""


def _usd(value: Any) -> str:
    return f"{value:,.2f}" if isinstance(value, int | float) else str(value)


def monthly_cost_within_budget(
    resources: Sequence[Resource], config: PolicyConfig, estimate: CostEstimate | None = None
) -> list[Violation]:
    budget = config.get("monthlyBudgetUsd")
    if budget is None:
        return []
    if estimate is None:
        amount = f"{budget:g}" if isinstance(budget, int | float) else str(budget)
        return [
            Violation(
                f"monthlyBudgetUsd is {amount} USD but no cost estimate is available yet, so "
                "the stack's monthly cost was not checked against it."
            )
        ]
    if not isinstance(budget, int | float) or estimate.desired_usd <= budget:
        return []
    partial = (
        f" (without unpriced pool(s) {', '.join(estimate.unpriced)})" if estimate.unpriced else ""
    )
    return [
        Violation(
            f"the estimated monthly cost at desired sizes is {_usd(estimate.desired_usd)} USD"
            f"{partial}, over monthlyBudgetUsd of {_usd(budget)} USD; run `shipyard cost` for "
            "the breakdown."
        )
    ]
