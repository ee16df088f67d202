"""The root of a blueprint: `apiVersion`, `kind: Platform`, `metadata`, `spec`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr

from components.shared.names import Dns1123Label
from shipyard.blueprint.base import BlueprintModel
from shipyard.sections.analytics.model import AnalyticsSpec
from shipyard.sections.apps.model import AppSpec
from shipyard.sections.budget.model import Budget
from shipyard.sections.cache.model import CacheSpec
from shipyard.sections.charts.model import ChartSpec
from shipyard.sections.cluster.model import Cluster
from shipyard.sections.events.model import EventsSpec
from shipyard.sections.gateway.model import GatewaySpec
from shipyard.sections.gitops.model import GitopsSpec
from shipyard.sections.manifests.model import ManifestSpec
from shipyard.sections.models.model import ModelSpec
from shipyard.sections.monitoring.model import MonitoringSpec
from shipyard.sections.node_pools.model import NodePool
from shipyard.sections.object_store.model import ObjectStore
from shipyard.sections.postgres.model import PostgresSpec
from shipyard.sections.ray.model import RaySpec

API_VERSION = "shipyard.dev/v1alpha1"
PRODUCTION_ENVIRONMENTS = frozenset({"prod", "production"})
"""`metadata.environment` values held to production rules (pinned AMIs and images)."""


class Metadata(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="Platform name.")]
    environment: Annotated[Dns1123Label, Field(description="Environment, e.g. `dev` or `prod`.")]
    labels: Annotated[
        dict[str, str], Field(description="Labels added to every object Shipyard creates.")
    ] = {}


class PlatformSpec(BlueprintModel):
    cluster: Annotated[Cluster, Field(description="Where the platform runs.")]
    namespace: Annotated[
        Dns1123Label | None,
        Field(description="Namespace for the platform's workloads; default `metadata.name`."),
    ] = None
    chart_mirrors: Annotated[
        dict[
            Annotated[str, Field(pattern=r"^(https://|oci://)\S+$")],
            Annotated[str, Field(pattern=r"^(https://|oci://)\S+$")],
        ],
        Field(
            description="Chart repository -> its mirror, for every chart Shipyard creates "
            "(the operators' and `spec.charts`); air-gapped teams. See docs/charts.md."
        ),
    ] = {}
    node_pools: Annotated[list[NodePool], Field(description="Node pools.")] = []
    models: Annotated[list[ModelSpec], Field(description="Models served by vLLM.")] = []
    gateway: Annotated[
        GatewaySpec | None, Field(description="The AI gateway in front of the models.")
    ] = None
    ray: Annotated[RaySpec | None, Field(description="A Ray cluster on the node pools.")] = None
    cache: Annotated[
        CacheSpec | None,
        Field(description="Valkey for the gateway's shared limits and apps (or ElastiCache)."),
    ] = None
    object_store: Annotated[
        ObjectStore | None,
        Field(description="Object storage for models, datasets and checkpoints."),
    ] = None
    postgres: Annotated[
        PostgresSpec | None,
        Field(description="PostgreSQL with pgvector, run by CloudNativePG."),
    ] = None
    events: Annotated[
        EventsSpec | None,
        Field(description="Apache Kafka (KRaft) run by Strimzi: topics, users, ACLs."),
    ] = None
    analytics: Annotated[
        AnalyticsSpec | None,
        Field(description="ClickHouse (Altinity operator) for the gateway's request logs."),
    ] = None
    manifests: Annotated[
        list[ManifestSpec],
        Field(description="YAML files of Kubernetes objects, namespaced to the platform."),
    ] = []
    charts: Annotated[
        list[ChartSpec],
        Field(description="Pinned Helm charts, expanded into objects (docs/charts.md)."),
    ] = []
    apps: Annotated[
        list[AppSpec],
        Field(description="The platform's own services, and what each uses (docs/apps.md)."),
    ] = []
    gitops: Annotated[
        GitopsSpec | None,
        Field(description="The GitOps reconciler in the cluster, leader-elected replicas."),
    ] = None
    budget: Annotated[
        Budget | None,
        Field(description="A monthly budget the cost estimate must stay within."),
    ] = None
    monitoring: Annotated[
        MonitoringSpec | None,
        Field(description="Prometheus scrape objects, alerts and Grafana dashboards."),
    ] = None


class Platform(BlueprintModel):
    """A whole LLM platform, validated before anything is deployed."""

    api_version: Annotated[Literal["shipyard.dev/v1alpha1"], Field(description="Schema version.")]
    kind: Annotated[Literal["Platform"], Field(description="Always `Platform`.")]
    metadata: Annotated[Metadata, Field(description="Name and environment.")]
    spec: Annotated[PlatformSpec, Field(description="The platform.")]
    _directory: Path | None = PrivateAttr(default=None)

    def set_directory(self, directory: Path) -> None:
        """Where the blueprint file is (`load_blueprint` sets it)."""
        self._directory = directory

    @property
    def directory(self) -> Path:
        """The blueprint's directory, which chart, values and manifest paths are relative
        to; the working directory for a platform built in code."""
        return self._directory or Path.cwd()

    @property
    def namespace(self) -> str:
        return self.spec.namespace or self.metadata.name

    @property
    def is_production(self) -> bool:
        return self.metadata.environment in PRODUCTION_ENVIRONMENTS

    def pool(self, name: str) -> NodePool | None:
        return next((pool for pool in self.spec.node_pools if pool.name == name), None)
