"""The root of a blueprint: `apiVersion`, `kind: Platform`, `metadata`, `spec`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.shared.names import Dns1123Label
from shipyard.blueprint.analytics import AnalyticsSpec
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.budget import Budget
from shipyard.blueprint.cluster import Cluster
from shipyard.blueprint.events import EventsSpec
from shipyard.blueprint.gateway import GatewaySpec
from shipyard.blueprint.gitops import GitopsSpec
from shipyard.blueprint.models import ModelSpec
from shipyard.blueprint.node_pools import NodePool
from shipyard.blueprint.object_store import ObjectStore
from shipyard.blueprint.postgres import PostgresSpec
from shipyard.blueprint.ray import RaySpec

API_VERSION = "shipyard.dev/v1alpha1"


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
    node_pools: Annotated[list[NodePool], Field(description="Node pools.")] = []
    models: Annotated[list[ModelSpec], Field(description="Models served by vLLM.")] = []
    gateway: Annotated[
        GatewaySpec | None, Field(description="The AI gateway in front of the models.")
    ] = None
    ray: Annotated[RaySpec | None, Field(description="A Ray cluster on the node pools.")] = None
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
    gitops: Annotated[
        GitopsSpec | None,
        Field(description="The GitOps reconciler in the cluster, leader-elected replicas."),
    ] = None
    budget: Annotated[
        Budget | None,
        Field(description="A monthly budget the cost estimate must stay within."),
    ] = None


class Platform(BlueprintModel):
    """A whole LLM platform, validated before anything is deployed."""

    api_version: Annotated[Literal["shipyard.dev/v1alpha1"], Field(description="Schema version.")]
    kind: Annotated[Literal["Platform"], Field(description="Always `Platform`.")]
    metadata: Annotated[Metadata, Field(description="Name and environment.")]
    spec: Annotated[PlatformSpec, Field(description="The platform.")]

    @property
    def namespace(self) -> str:
        return self.spec.namespace or self.metadata.name

    def pool(self, name: str) -> NodePool | None:
        return next((pool for pool in self.spec.node_pools if pool.name == name), None)
