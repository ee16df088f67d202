"""`spec.apps`: the platform's own services (APIs, workers, frontends, batch jobs), and
what each uses.

Rules that need a friendly message (references to pools, ports, topics, buckets, apps;
credential-looking literals; fit on a node; workload-specific fields) are checked in
`checks.py`, so they come out with FILE:LINE and a fix.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from components.app import args as app
from components.shared.k8s_values import (
    CpuQuantity,
    DnsSubdomain,
    EnvVarName,
    HostName,
    Labels,
    MemoryQuantity,
    Port,
    PortName,
)
from components.shared.names import Dns1123Label, PinnedImage, ServiceName
from shipyard.blueprint.base import BlueprintModel
from shipyard.blueprint.shared import SecretRef
from shipyard.sections.apps.uses import Use
from shipyard.sections.gateway.model import ParentRef, Tls

DEFAULT_LAG_THRESHOLD = 10


class PortSpec(BlueprintModel):
    name: Annotated[PortName, Field(description="Port name, e.g. `http`.")]
    port: Annotated[Port, Field(description="The container port.")]
    protocol: Annotated[app.Protocol, Field(description="`TCP` or `UDP`; default `TCP`.")] = "TCP"


class EnvSpec(BlueprintModel):
    """A literal (never a credential) or a key of an existing Secret."""

    name: Annotated[EnvVarName, Field(description="Environment variable name.")]
    value: Annotated[str | None, Field(description="A literal value.")] = None
    secret: Annotated[SecretRef | None, Field(description="An existing Secret's key.")] = None


class HttpProbeSpec(BlueprintModel):
    path: Annotated[str, Field(pattern=r"^/", description="Request path; default `/`.")] = "/"
    port: Annotated[str, Field(description="A declared port's name; default `http`.")] = "http"


class TcpProbeSpec(BlueprintModel):
    port: Annotated[str, Field(description="A declared port's name; default `http`.")] = "http"


class ExecProbeSpec(BlueprintModel):
    command: Annotated[list[str], Field(min_length=1, description="Command to run.")]


class ProbeSpec(BlueprintModel):
    """Exactly one of `http`, `tcp` or `exec`."""

    http: Annotated[HttpProbeSpec | None, Field(description="An HTTP GET.")] = None
    tcp: Annotated[TcpProbeSpec | None, Field(description="A TCP connect.")] = None
    exec: Annotated[ExecProbeSpec | None, Field(description="A command.")] = None
    period_seconds: Annotated[int, Field(ge=1, description="Default 10.")] = 10
    failure_threshold: Annotated[int, Field(ge=1, description="Default 3.")] = 3
    initial_delay_seconds: Annotated[int, Field(ge=0, description="Default 0.")] = 0


class ProbesSpec(BlueprintModel):
    readiness: Annotated[ProbeSpec | None, Field(description="When it takes traffic.")] = None
    liveness: Annotated[ProbeSpec | None, Field(description="When it is restarted.")] = None
    startup: Annotated[ProbeSpec | None, Field(description="Holds the others back.")] = None


class AppResourcesSpec(BlueprintModel):
    cpu: Annotated[
        CpuQuantity, Field(description=f"CPU request; default `{app.DEFAULT_CPU_REQUEST}`.")
    ] = app.DEFAULT_CPU_REQUEST
    memory: Annotated[
        MemoryQuantity,
        Field(description=f"Memory request and limit; default `{app.DEFAULT_MEMORY_REQUEST}`."),
    ] = app.DEFAULT_MEMORY_REQUEST
    gpus: Annotated[int, Field(ge=0, description="GPUs per pod, from a GPU pool; default 0.")] = 0


class VolumeClaimSpec(BlueprintModel):
    name: Annotated[Dns1123Label, Field(description="Volume name.")]
    mount_path: Annotated[str, Field(pattern=r"^/", description="Where it is mounted.")]
    size: Annotated[str, Field(description="Size per replica, e.g. `20Gi`.")]
    storage_class: Annotated[
        str | None, Field(description="StorageClass; none uses the cluster default.")
    ] = None


class KafkaLagSpec(BlueprintModel):
    """KEDA on the lag of the app's consumer group (its `events` binding)."""

    lag_threshold: Annotated[
        int, Field(ge=1, description=f"Lag per replica; default `{DEFAULT_LAG_THRESHOLD}`.")
    ] = DEFAULT_LAG_THRESHOLD
    topic: Annotated[
        str | None, Field(description="One consumed topic; none: all the group consumes.")
    ] = None


class PrometheusSpec(BlueprintModel):
    server_address: Annotated[str, Field(pattern=r"^https?://", description="Prometheus URL.")]
    query: Annotated[str, Field(min_length=1, description="PromQL returning one number.")]
    threshold: Annotated[float, Field(gt=0, description="Query value per replica.")]


class AppAutoscalingSpec(BlueprintModel):
    """An HPA (`cpuUtilization`/`memoryUtilization`) or KEDA (`kafkaLag`/`prometheus`)."""

    min_replicas: Annotated[int, Field(ge=0, description="Fewest; 0 only with KEDA.")] = 1
    max_replicas: Annotated[int, Field(ge=1, description="Most replicas.")]
    cpu_utilization: Annotated[
        int | None, Field(ge=1, le=100, description="HPA: % of the CPU request.")
    ] = None
    memory_utilization: Annotated[
        int | None, Field(ge=1, le=100, description="HPA: % of the memory request.")
    ] = None
    kafka_lag: Annotated[KafkaLagSpec | None, Field(description="KEDA on Kafka lag.")] = None
    prometheus: Annotated[PrometheusSpec | None, Field(description="KEDA on a query.")] = None


class AppExposureSpec(BlueprintModel):
    """An Ingress or HTTPRoute under the gateway's rules: public needs TLS, and an app that
    authenticates its clients (`authenticated: true`)."""

    type: Annotated[
        Literal["ingress", "httpRoute"], Field(description="An Ingress or an HTTPRoute.")
    ]
    host: Annotated[HostName, Field(min_length=1, description="Public host name.")]
    port: Annotated[str, Field(description="The port it routes to; default `http`.")] = "http"
    path: Annotated[str, Field(pattern=r"^/", description="Path prefix; default `/`.")] = "/"
    public: Annotated[
        bool, Field(description="Reachable from outside; needs TLS and `authenticated`.")
    ] = True
    authenticated: Annotated[
        bool, Field(description="The app authenticates its clients; default false.")
    ] = False
    ingress_class_name: Annotated[DnsSubdomain | None, Field(description="IngressClass.")] = None
    tls: Annotated[Tls | None, Field(description="TLS of the Ingress.")] = None
    parent_ref: Annotated[ParentRef | None, Field(description="Parent Gateway.")] = None
    controller_namespace_labels: Annotated[
        Labels,
        Field(description="Namespace of the ingress data plane; default ingress-nginx's."),
    ] = {"kubernetes.io/metadata.name": "ingress-nginx"}


class ExternalEgressSpec(BlueprintModel):
    """Addresses outside the cluster the app may reach (default deny)."""

    cidr: Annotated[str, Field(min_length=1, description="E.g. `0.0.0.0/0`.")]
    ports: Annotated[list[Port], Field(min_length=1, description="TCP ports, e.g. `[443]`.")]


class AppSpec(BlueprintModel):
    """One of the platform's own services: a Deployment (default), StatefulSet, Job or
    CronJob, restricted, with its own ServiceAccount and default-deny NetworkPolicy."""

    name: Annotated[ServiceName, Field(description="Names its workload and Service; unique.")]
    workload: Annotated[
        app.Workload,
        Field(
            description="`deployment`, `statefulSet`, `job` or `cronJob`; default "
            f"`{app.DEFAULT_WORKLOAD}`."
        ),
    ] = app.DEFAULT_WORKLOAD
    image: Annotated[PinnedImage, Field(description="Pinned by tag or digest; never `latest`.")]
    command: Annotated[list[str], Field(description="Entrypoint; none: the image's.")] = []
    args: Annotated[list[str], Field(description="Arguments; none: the image's.")] = []
    ports: Annotated[list[PortSpec], Field(description="Named container ports.")] = []
    env: Annotated[list[EnvSpec], Field(description="Literals or Secret keys.")] = []
    resources: Annotated[AppResourcesSpec, Field(description="Requests per pod.")] = (
        AppResourcesSpec()
    )
    replicas: Annotated[
        int, Field(ge=0, description=f"Replicas; default `{app.DEFAULT_REPLICAS}`.")
    ] = app.DEFAULT_REPLICAS
    node_pool: Annotated[
        str | None, Field(description="The pool it runs on; none: wherever it fits.")
    ] = None
    probes: Annotated[
        ProbesSpec | None,
        Field(description="None: TCP readiness and liveness on the `http` port, if any."),
    ] = None
    run_as_user: Annotated[
        int, Field(ge=1, description=f"Non-root UID; default `{app.DEFAULT_RUN_AS_USER}`.")
    ] = app.DEFAULT_RUN_AS_USER
    writable_paths: Annotated[
        list[str],
        Field(description=f"emptyDir mounts; default `{list(app.DEFAULT_WRITABLE_PATHS)}`."),
    ] = list(app.DEFAULT_WRITABLE_PATHS)
    volume_claims: Annotated[
        list[VolumeClaimSpec], Field(description="statefulSet: a volume per replica.")
    ] = []
    allow_data_loss: Annotated[
        bool, Field(description="statefulSet: unprotected, claims deleted; default false.")
    ] = False
    schedule: Annotated[str | None, Field(description="cronJob: five-field cron.")] = None
    backoff_limit: Annotated[
        int, Field(ge=0, description=f"job/cronJob retries; default `{app.DEFAULT_BACKOFF_LIMIT}`.")
    ] = app.DEFAULT_BACKOFF_LIMIT
    autoscaling: Annotated[AppAutoscalingSpec | None, Field(description="HPA or KEDA.")] = None
    expose: Annotated[AppExposureSpec | None, Field(description="Ingress or HTTPRoute.")] = None
    uses: Annotated[list[Use], Field(description="Typed bindings; see docs/apps.md.")] = []
    external_egress: Annotated[
        list[ExternalEgressSpec], Field(description="Addresses outside the cluster.")
    ] = []

    @property
    def most_replicas(self) -> int:
        return self.autoscaling.max_replicas if self.autoscaling else self.replicas

    @property
    def start_replicas(self) -> int:
        return self.autoscaling.min_replicas if self.autoscaling else self.replicas

    @property
    def runs_continuously(self) -> bool:
        return self.workload in ("deployment", "statefulSet")
