"""Turn a validated `Platform` into component resources: every section composes its own
(`shipyard/sections/<section>/compose.py`), in an order where each comes after the sections
whose resources it needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.app.component import AppService
from components.cache.component import ValkeyCache
from components.cache.managed import ManagedCache
from components.clickhouse.component import ClickHouse
from components.eks.component import EksCluster
from components.gateway.component import AiGateway
from components.gitops_reconciler.component import GitopsReconciler
from components.helm_chart.component import PinnedChart
from components.kafka.component import Kafka
from components.manifests.component import PlainManifests
from components.minio.component import Minio
from components.monitoring.component import Monitoring
from components.postgres.component import Postgres
from components.ray.component import RayCluster
from components.s3.component import S3Bucket
from components.shared.credentials import GivenSecrets
from components.vllm.component import VllmService
from components.vllm_router.component import VllmRouter
from shipyard.blueprint.platform import Platform
from shipyard.sections.registry import SECTIONS
from shipyard.sections.section import Section


@dataclass(frozen=True)
class ComposeInputs:
    """Values the stack's config brings instead of generated ones; all Pulumi secrets."""

    gateway_master_key: pulumi.Input[str] | None = None
    postgres_password: pulumi.Input[str] | None = None
    credentials: GivenSecrets | None = None


@dataclass
class ComposedPlatform:
    """Everything `compose_platform` created, filled in section by section."""

    provider: k8s.Provider | None = None
    namespace: k8s.core.v1.Namespace | None = None
    eks: EksCluster | None = None
    aws_region: aws.Provider | None = None
    """The AWS provider of the EKS cluster's region, for the AWS resources beside it."""
    models: dict[str, VllmService] = field(default_factory=dict)
    routers: dict[str, VllmRouter] = field(default_factory=dict)
    """A model's router, by model name, for the models with `routing`."""
    cache: ValkeyCache | ManagedCache | None = None
    gateway: AiGateway | None = None
    ray: RayCluster | None = None
    object_store: S3Bucket | None = None
    minio: Minio | None = None
    postgres: Postgres | None = None
    analytics: ClickHouse | None = None
    events: Kafka | None = None
    gitops: GitopsReconciler | None = None
    manifests: PlainManifests | None = None
    charts: dict[str, PinnedChart] = field(default_factory=dict)
    apps: dict[str, AppService] = field(default_factory=dict)
    monitoring: Monitoring | None = None

    def in_namespace(self, *depends_on: pulumi.Resource | None) -> pulumi.ResourceOptions:
        """Options for a component in the platform's namespace, after `depends_on`."""
        if self.provider is None or self.namespace is None:
            raise RuntimeError("the cluster section composes first")
        waits = [self.namespace, *(resource for resource in depends_on if resource is not None)]
        return pulumi.ResourceOptions(provider=self.provider, depends_on=waits)


def compose_order(sections: Sequence[Section]) -> list[Section]:
    """`sections` in their declared order, each moved after the sections it composes after."""
    by_name = {section.name: section for section in sections}
    done: set[str] = set()
    ordered: list[Section] = []
    while len(ordered) < len(sections):
        ready = next(
            (
                section
                for section in sections
                if section.name not in done
                and all(name in done or name not in by_name for name in section.compose_after)
            ),
            None,
        )
        if ready is None:
            waiting = sorted(name for name in by_name if name not in done)
            raise ValueError(f"sections {waiting} compose after each other in a cycle")
        ordered.append(ready)
        done.add(ready.name)
    return ordered


def compose_platform(
    platform: Platform,
    *,
    gateway_master_key: pulumi.Input[str] | None = None,
    postgres_password: pulumi.Input[str] | None = None,
    credentials: GivenSecrets | None = None,
) -> ComposedPlatform:
    """Create every resource the blueprint declares, on the blueprint's cluster.

    `gateway_master_key` replaces the generated gateway master key, `postgres_password`
    the generated database owner's password, and `credentials` any other generated secret
    by its resource name (MinIO's and ClickHouse's); all are Pulumi secrets.
    """
    inputs = ComposeInputs(gateway_master_key, postgres_password, credentials)
    composed = ComposedPlatform()
    for section in compose_order(SECTIONS):
        section.compose(platform, composed, inputs)
    return composed


def stack_outputs(composed: ComposedPlatform) -> dict[str, object]:
    """Every section's stack outputs: connection details and Secret names, no secrets."""
    outputs: dict[str, object] = {}
    for section in compose_order(SECTIONS):
        outputs.update(section.exports(composed))
    return outputs
